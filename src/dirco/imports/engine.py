"""The import engine: one way to map, check and write a file, whatever object it holds.

Every kind of object (``deals``, ``accounts``, ``contacts``, ``partners``, ``objectives``)
is an :class:`ImportKind`: the headers that name each of its fields (French and English),
the fields it cannot do without, how one row is read and checked, and how the checked rows
are written through the object's own services. The engine does the rest, the same for all:

1. **Mapping**: each field is matched to a column by its header (``header_key``: no case, no
   accents); a given or saved mapping overrides the guess; a mapping naming a column the
   file does not have, or a required field with no column, is refused before any row.
2. **Checking**, row by row, every problem at once as (line, column, message), and the same
   record twice in the file.
3. **Writing**, in one transaction: all or nothing by default (one refused row and nothing
   is written), or the valid rows only (``valid_only``). A dry run writes nothing: for the
   kinds written through their services row by row, the dry run *does* the writes and rolls
   them back, so the services' own refusals (a bad country, a legal identifier) show in it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dirco.accounts.models import User
from dirco.core.errors import ApplicationError
from dirco.imports.reading import Table, cell_text, header_key, looks_french
from dirco.partners.models import Partner

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    accounts_created: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    mapping: dict[str, str] = field(default_factory=dict)  # field -> header
    written: bool = False
    kind: str = "deals"
    # What the import assumed for rows that did not say (e.g. a default country), one line
    # each, with how many rows.
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "accounts_created": self.accounts_created,
            "skipped": self.skipped,
            "errors": [e.__dict__ for e in self.errors],
            "dry_run": self.dry_run,
            "written": self.written,
            "mapping": self.mapping,
            "notes": self.notes,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportReport:
        return cls(
            kind=data.get("kind", "deals"),
            rows=data.get("rows", 0),
            created=data.get("created", 0),
            updated=data.get("updated", 0),
            accounts_created=data.get("accounts_created", 0),
            skipped=data.get("skipped", 0),
            errors=[RowError(**e) for e in data.get("errors", [])],
            dry_run=data.get("dry_run", False),
            written=data.get("written", False),
            mapping=data.get("mapping", {}),
            notes=list(data.get("notes", [])),
        )


@dataclass
class ImportContext:
    """Who imports and how: the rows without an owner get ``default_owner``; a partner user
    (``partner`` set) imports only into its own partner's records."""

    user: User
    default_owner: User
    today: dt.date
    french: bool = False
    create_accounts: bool = False
    partner: Partner | None = None
    # What a kind assumed for rows that did not say: the sentence -> how many rows.
    assumed: Counter[str] = field(default_factory=Counter)

    def assume(self, sentence: str) -> None:
        self.assumed[sentence] += 1

    def notes(self) -> list[str]:
        return [
            ngettext("%(sentence)s (%(count)s row).", "%(sentence)s (%(count)s rows).", count)
            % {"sentence": sentence, "count": count}
            for sentence, count in self.assumed.items()
        ]


class RowReader:
    """The cells of the row being read, by field name, and its error list (one reader is
    reused for every row: no object per row)."""

    __slots__ = ("cells", "col", "errors", "line", "mapping")

    def __init__(self, mapping: dict[str, str], col: dict[str, int], errors: list[RowError]):
        self.mapping = mapping
        self.col = col
        self.errors = errors
        self.line = 0
        self.cells: list[Any] = []

    def get(self, name: str) -> Any:
        i = self.col.get(name)
        return self.cells[i] if i is not None and i < len(self.cells) else ""

    def text(self, name: str) -> str:
        i = self.col.get(name)
        if i is None or i >= len(self.cells):
            return ""
        value = self.cells[i]
        return value.strip() if type(value) is str else cell_text(value)

    def has(self, name: str) -> bool:
        return name in self.col

    def errors_on(self, names: tuple[str, ...]) -> bool:
        """Whether this row already has an error on one of these fields."""
        columns = {self.mapping.get(n, n) for n in names}
        for e in reversed(self.errors):
            if e.line != self.line:
                return False
            if e.column in columns:
                return True
        return False

    def err(self, name: str, message: str) -> None:
        self.errors.append(RowError(self.line, self.mapping.get(name, name), message))


@dataclass
class Parsed:
    """One checked row: its line, what it holds, and the key that makes it the same record as
    another row (``None``: no duplicate check), named by the field shown on a duplicate."""

    line: int
    values: Any
    key: Hashable | None = None
    key_field: str = "external_id"


class ImportKind:
    """What the engine needs to know of one kind of object (see the module)."""

    name = ""
    synonyms: dict[str, tuple[str, ...]] = {}
    # Each entry: the fields of which at least one needs a column.
    required: tuple[tuple[str, ...], ...] = ()
    # Dry runs do the writes and roll them back (the services' checks included).
    dry_run_writes = True
    # Who the file's rows belong to may be a partner user's own partner.
    partner_users = False

    def label(self) -> str:
        raise NotImplementedError

    def field_labels(self) -> dict[str, str]:
        """Field -> its name as shown on the mapping page (translated)."""
        raise NotImplementedError

    def lookups(self, ctx: ImportContext) -> Any:
        return None

    def parse(self, row: RowReader, lookups: Any, ctx: ImportContext) -> Parsed | None:
        raise NotImplementedError

    def write(
        self,
        rows: list[Parsed],
        lookups: Any,
        ctx: ImportContext,
        report: ImportReport,
        *,
        progress: Progress | None = None,
    ) -> None:
        """Write the rows; a row the services refuse goes to ``report.errors``."""
        raise NotImplementedError

    def after_write(self) -> None:
        """Work once after the rows are written, in the same transaction."""


def mapping_guess(headers: Iterable[str], synonyms: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Field -> header, from the headers' names (the first header naming a field wins)."""
    by_key = {header_key(h): h for h in reversed(list(headers)) if h}
    out: dict[str, str] = {}
    for name, words in synonyms.items():
        for word in words:
            if word in by_key and by_key[word] not in out.values():
                out[name] = by_key[word]
                break
    return out


def mapping_resolve(
    kind: ImportKind, headers: list[str], given: dict[str, str] | None
) -> dict[str, str]:
    """The guessed mapping with ``given`` over it (a field given ``""`` is left unmapped);
    refuses unknown fields and columns, and a required field with no column."""
    given = given or {}
    unknown_fields = sorted(set(given) - set(kind.synonyms))
    if unknown_fields:
        raise ApplicationError(
            _("The mapping names fields that %(kind)s do not have: %(fields)s.")
            % {"kind": kind.label(), "fields": ", ".join(unknown_fields)}
        )
    unknown = [h for h in given.values() if h and h not in headers]
    if unknown:
        raise ApplicationError(
            _("The mapping names columns the file does not have: %(cols)s.")
            % {"cols": ", ".join(unknown)}
        )
    chosen = {**mapping_guess(headers, kind.synonyms), **given}
    chosen = {f: h for f, h in chosen.items() if h}
    missing = [" / ".join(group) for group in kind.required if not any(f in chosen for f in group)]
    if missing:
        raise ApplicationError(
            _("No column found for: %(fields)s. Name the columns or give a mapping.")
            % {"fields": ", ".join(missing)}
        )
    return chosen


def rows_check(
    kind: ImportKind,
    table: Table,
    mapping: dict[str, str],
    lookups: Any,
    ctx: ImportContext,
    *,
    progress: Progress | None = None,
) -> tuple[list[Parsed], list[RowError]]:
    index = {h: i for i, h in enumerate(table.headers)}
    col = {name: index[header] for name, header in mapping.items() if header in index}
    errors: list[RowError] = []
    reader = RowReader(mapping, col, errors)
    rows: list[Parsed] = []
    seen: dict[Hashable, int] = {}
    total = len(table.rows)
    for offset, raw in enumerate(table.rows):
        if progress is not None and offset % 2000 == 0:
            progress(offset, total)
        if not raw:
            continue
        reader.line = offset + 2  # the header is line 1
        reader.cells = raw
        before = len(errors)
        parsed = kind.parse(reader, lookups, ctx)
        if parsed is not None and parsed.key is not None:
            first = seen.setdefault(parsed.key, reader.line)
            if first != reader.line:
                reader.err(
                    parsed.key_field, _("The same record as line %(line)s.") % {"line": first}
                )
        if parsed is not None and len(errors) == before:
            rows.append(parsed)
    return rows, errors


def import_run(
    kind: ImportKind,
    table: Table,
    *,
    user: User,
    default_owner: User | None = None,
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    valid_only: bool = False,
    create_accounts: bool = False,
    partner: Partner | None = None,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the rows of ``table`` as ``kind`` (see the module): the report says what was
    (or, on a dry run, would be) created and updated, and every row refused with its reason.
    Raises ApplicationError when the file cannot be mapped at all."""
    chosen = mapping_resolve(kind, table.headers, mapping)
    ctx = ImportContext(
        user=user,
        default_owner=default_owner or user,
        today=today or timezone.localdate(),
        french=looks_french(table),
        create_accounts=create_accounts,
        partner=partner,
    )
    report = ImportReport(kind=kind.name, dry_run=dry_run, mapping=chosen)
    lookups = kind.lookups(ctx)
    total = len(table.rows)
    # Progress over both passes: checking is the first half, writing the second.
    check_progress = write_progress = None
    if progress is not None:
        report_progress = progress

        def check_progress(done: int, _total: int) -> None:
            report_progress(done, 2 * total)

        def write_progress(done: int, of: int) -> None:
            report_progress(total + done * total // max(of, 1), 2 * total)

    rows, errors = rows_check(kind, table, chosen, lookups, ctx, progress=check_progress)
    report.rows = sum(1 for r in table.rows if r)
    report.errors = errors
    if dry_run and not kind.dry_run_writes:
        report.skipped = len({e.line for e in errors})
        return report
    if errors and not valid_only and not dry_run and not kind.dry_run_writes:
        report.skipped = report.rows
        return report
    with transaction.atomic():
        written = ImportReport(kind=kind.name, mapping=chosen)
        kind.write(rows, lookups, ctx, written, progress=write_progress)
        report.errors = sorted(errors + written.errors, key=lambda e: e.line)
        # A refused file is still written (and rolled back) when the writes check more: its
        # report then lists the services' refusals beside the engine's.
        refused = bool(report.errors) and not valid_only
        if dry_run or refused:
            transaction.set_rollback(True)
        else:
            kind.after_write()
    report.notes = ctx.notes()
    report.created, report.updated = written.created, written.updated
    report.accounts_created = written.accounts_created
    if refused and not dry_run:
        report.created = report.updated = report.accounts_created = 0
        report.skipped = report.rows
        return report
    report.skipped = len({e.line for e in report.errors})
    report.written = not dry_run
    return report
