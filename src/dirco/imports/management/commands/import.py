"""``dirco import <object> FILE [--dry-run] [--mapping JSON|NAME] [--valid-only] [--owner EMAIL]``.

``<object>`` is deals, accounts, contacts, partners or objectives. Imports a CSV or XLSX
file with the engine of ``dirco.imports`` (the same rules as the import pages). Prints one
JSON report: rows, created, updated, accounts created, and every refused row with its line,
column and message. Exits with status 1 when a row was refused (nothing is written then,
unless ``--valid-only``). ``dirco import deals FILE [--create-missing accounts]`` is a
contract: its options and report stay as they are.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dirco.accounts.models import User
from dirco.core.errors import ApplicationError
from dirco.imports.deals import deals_import
from dirco.imports.engine import import_run
from dirco.imports.kinds import KINDS
from dirco.imports.models import ImportMapping
from dirco.imports.reading import read_table


class Command(BaseCommand):
    help = (
        "Import deals, accounts, contacts, partners or objectives from a CSV or XLSX file "
        "(history on day one, or repeat imports)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=list(KINDS), help="What the file holds.")
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")
        parser.add_argument(
            "--mapping",
            default="",
            help='Field to column, as JSON ({"amount": "Total HT"}), a JSON file, or the name '
            "of a saved mapping; the rest is guessed from the headers.",
        )
        parser.add_argument(
            "--create-missing",
            choices=["accounts"],
            action="append",
            default=[],
            help="Create the accounts the file names that do not exist yet (deals).",
        )
        parser.add_argument(
            "--valid-only",
            action="store_true",
            help="Import the valid rows and report the others (default: all or nothing).",
        )
        parser.add_argument(
            "--owner",
            default="",
            help="Owner of the rows without one, and who imports (an email; default: the "
            "director).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        mapping: dict[str, str] = {}
        if options["mapping"]:
            mapping = _mapping(options["mapping"], kind=options["kind"])
        owner_email = options["owner"]
        owner = (
            User.objects.filter(email__iexact=owner_email, is_active=True).first()
            if owner_email
            else User.objects.filter(role=User.Role.DIRECTOR, is_active=True).order_by("id").first()
        )
        if owner is None:
            raise CommandError("No owner for the rows without one: pass --owner EMAIL.")
        try:
            table = read_table(path.read_bytes(), name=path.name)
            if options["kind"] == "deals":
                report = deals_import(
                    table,
                    default_owner=owner,
                    mapping=mapping,
                    dry_run=options["dry_run"],
                    valid_only=options["valid_only"],
                    create_accounts="accounts" in options["create_missing"],
                )
            else:
                report = import_run(
                    KINDS[options["kind"]],
                    table,
                    user=owner,
                    mapping=mapping,
                    dry_run=options["dry_run"],
                    valid_only=options["valid_only"],
                )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, default=str))
        if report.errors:
            raise SystemExit(1)


def _mapping(raw: str, *, kind: str) -> dict[str, str]:
    """``--mapping``: JSON, a JSON file, or the name of a saved mapping (the company's)."""
    if Path(raw).is_file():
        raw = Path(raw).read_text()
    elif not raw.lstrip().startswith("{"):
        saved = ImportMapping.objects.filter(kind=kind, name=raw, partner__isnull=True).first()
        if saved is None:
            raise CommandError(f"No saved {kind} mapping named {raw!r}.")
        return dict(saved.columns)
    try:
        mapping = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise CommandError(f"--mapping is not JSON: {exc}") from exc
    if not isinstance(mapping, dict):
        raise CommandError("--mapping is not a JSON object of field to column.")
    return {str(k): str(v) for k, v in mapping.items()}
