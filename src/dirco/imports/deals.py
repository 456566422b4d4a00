"""Importing deals: a company's history on day one, and repeat imports from another system.

The deals kind of the import engine (``dirco.imports.engine``), for the command line
(``dirco import deals FILE``) and the import pages:

1. **Mapping**: each column is matched to a field by its header, in French or English
   (``Montant HT`` is the amount, ``Date de clôture`` the close date); a saved or given
   mapping overrides the guess.
2. **Validation**, row by row, every problem at once, as (line, column, message): a bad
   date or amount, an unknown owner, stage, partner or product line, a missing account, the
   same deal twice in the file. Nothing is written while a row is wrong (all or nothing),
   unless ``valid_only`` is asked; a dry run writes nothing in any case.
3. **Writing**, in one transaction: deals are matched by their external ID (re-importing a
   file updates them, creates no duplicate), else created; accounts are matched by domain,
   else by name, and created when asked. The monthly rollups are rebuilt after the write,
   so the cockpit, the forecasts and the objectives read the new history at once.

Values are read with the file's conventions: French (``;`` between columns, or French
headers) reads ``1 234,56`` and ``31/12/2025``; English reads ``1,234.56`` and ISO dates
(``2025-12-31``; a date with slashes is day/month/year unless its second part is over 12).
A deal without a stage column is won when it closed by today; an open deal needs a stage.
Without a creation date the deal is taken as created on its close date (its cycle is then
unknown to the cycle statistics: give a ``Date de création`` column to keep them).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dirco.accounts.models import User
from dirco.catalog.models import ProductLine
from dirco.core.errors import ApplicationError
from dirco.core.l10n import parse_amount
from dirco.core.money import CENT, RateTable, company_currency
from dirco.customers.models import Account
from dirco.customers.permissions import accounts_visible_to
from dirco.customers.services import account_create
from dirco.imports import engine
from dirco.imports.engine import (
    ImportContext,
    ImportKind,
    ImportReport,
    Parsed,
    Progress,
    RowError,
    RowReader,
    import_run,
)
from dirco.imports.reading import Table, cell_text, header_key
from dirco.partners.models import Partner, Territory
from dirco.pipeline.models import Deal, Stage
from dirco.pipeline.services import deal_team_for_owner
from dirco.rollups.writes import rollups_rebuild

# Field -> the headers that name it (compared by ``header_key``: no case, no accents).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "external_id": ("external id", "id externe", "reference", "ref", "deal id", "id"),
    "name": ("name", "deal", "deal name", "affaire", "nom", "nom de l affaire", "opportunite"),
    "account": ("account", "customer", "client", "compte", "societe", "company", "entreprise"),
    "account_domain": ("domain", "domaine", "website", "site web", "site internet"),
    "amount": ("amount", "montant", "montant ht", "amount excl tax", "value", "valeur", "ca ht"),
    "currency": ("currency", "devise", "monnaie"),
    "close_date": (
        "close date",
        "closed on",
        "date de cloture",
        "cloture",
        "date de signature",
        "won on",
    ),
    "created": ("created", "created on", "creation date", "date de creation", "cree le"),
    "stage": ("stage", "etape", "phase", "statut", "status"),
    "owner": ("owner", "owner email", "commercial", "responsable", "vendeur", "email commercial"),
    "partner": ("partner", "partenaire", "revendeur", "distributeur"),
    "product_line": ("product line", "gamme", "ligne de produits", "produit", "product"),
}
_DATE = re.compile(r"^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})$")
_PLAIN_FR = re.compile(r"^-?\d{1,15}(,\d{1,6})?$")
_PLAIN_EN = re.compile(r"^-?\d{1,15}(\.\d{1,6})?$")


def mapping_guess(headers: Iterable[str]) -> dict[str, str]:
    """Field -> header, from the headers' names (the first header naming a field wins)."""
    return engine.mapping_guess(headers, SYNONYMS)


def parse_date(value: Any, *, french: bool) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return _date_of_text(cell_text(value), french)


@functools.lru_cache(maxsize=8192)
def _date_of_text(text: str, french: bool) -> dt.date:
    """A date written as text (cached: a file's dates repeat)."""
    m = _DATE.match(text)
    if not m:
        raise ValueError(text)
    a, b, c = m.groups()
    if len(a) == 4:  # ISO: year first
        return dt.date(int(a), int(b), int(c))
    day, month = int(a), int(b)
    if not french and int(b) > 12 >= int(a):  # 12/31/2025: month first
        day, month = int(b), int(a)
    year = int(c) + (2000 if len(c) == 2 else 0)
    return dt.date(year, month, day)


def amount_read(value: Any, *, french: bool) -> Decimal:
    """An amount in the file's conventions (decimal comma in a French file)."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return Decimal(str(value))
    text = cell_text(value)
    # The common case without grouping (``12500,50`` in a French file): read at once.
    if (_PLAIN_FR if french else _PLAIN_EN).match(text):
        return Decimal(text.replace(",", ".") if french else text)
    return parse_amount(text, separator="," if french else ".")


class _Lookups:
    """Every reference the rows may name, read once (not a query per row). A partner user's
    import sees only the accounts visible to it, and names no other partner."""

    def __init__(self, ctx: ImportContext) -> None:
        self.users = {
            u.email.lower(): u
            for u in User.objects.filter(is_active=True).exclude(partner__isnull=False)
        }
        self.stages = {header_key(s.name): s for s in Stage.objects.all()}
        for s in Stage.objects.all():
            with translation.override("fr"):
                self.stages.setdefault(header_key(_(s.name)), s)
        self.won = Stage.objects.filter(is_won=True).order_by("order").first()
        partners = Partner.objects.all()
        accounts = Account.objects.all()
        if ctx.partner is not None:
            partners = partners.filter(pk=ctx.partner.pk)
            accounts = accounts_visible_to(ctx.user)
        self.partners = {header_key(p.name): p for p in partners}
        self.lines = {header_key(p.name): p for p in ProductLine.objects.all()}
        self.default_line = ProductLine.objects.order_by("id").first()
        self.default_territory = (
            Territory.objects.filter(parent__isnull=True).order_by("id").first()
            or Territory.objects.order_by("id").first()
        )
        self.accounts_by_domain: dict[str, Account] = {}
        self.accounts_by_name: dict[str, Account] = {}
        for account in accounts.only("id", "name", "domain", "owner_id"):
            if account.domain:
                self.accounts_by_domain.setdefault(account.domain.lower(), account)
            self.accounts_by_name.setdefault(header_key(account.name), account)
        self.currencies = {c for c, _n in Deal._meta.get_field("currency").choices or []}  # type: ignore[misc]
        self.company_currency = company_currency()
        # A partner user's deals: its partner's, owned by its channel manager.
        self.partner_owner: User | None = None
        if ctx.partner is not None:
            self.partner_owner = (
                ctx.partner.channel_manager
                or User.objects.filter(role=User.Role.DIRECTOR, is_active=True)
                .order_by("id")
                .first()
            )


@dataclass
class _Row:
    external_id: str
    name: str
    account_name: str
    account_domain: str
    amount: Decimal
    currency: str
    close_date: dt.date
    created: dt.date | None
    stage: Stage
    owner: User
    partner: Partner | None
    product_line: ProductLine


class DealKind(ImportKind):
    name = "deals"
    synonyms = SYNONYMS
    required = (("account", "account_domain"), ("amount",), ("close_date",))
    dry_run_writes = False  # checked without writing: the rollups are rebuilt on a write
    partner_users = True

    def label(self) -> str:
        return _("deals")

    def field_labels(self) -> dict[str, str]:
        return {
            "external_id": _("External ID"),
            "name": _("Deal name"),
            "account": _("Account"),
            "account_domain": _("Account domain"),
            "amount": _("Amount"),
            "currency": _("Currency"),
            "close_date": _("Close date"),
            "created": _("Creation date"),
            "stage": _("Stage"),
            "owner": _("Owner (email)"),
            "partner": _("Partner"),
            "product_line": _("Product line"),
        }

    def lookups(self, ctx: ImportContext) -> _Lookups:
        return _Lookups(ctx)

    def parse(self, row: RowReader, lookups: _Lookups, ctx: ImportContext) -> Parsed | None:
        french = ctx.french
        today = ctx.today
        err = row.err
        account_name = row.text("account")
        domain = row.text("account_domain").lower()
        if not account_name and not domain:
            err("account", _("The account is missing."))
        elif not ctx.create_accounts and not (
            (domain and domain in lookups.accounts_by_domain)
            or header_key(account_name) in lookups.accounts_by_name
        ):
            err(
                "account",
                _("Unknown account “%(name)s”: create it first, or import with the accounts.")
                % {"name": account_name or domain},
            )
        amount = Decimal(0)
        raw_amount = row.get("amount")
        try:
            amount = amount_read(raw_amount, french=french)
            if amount < 0:
                err("amount", _("The amount is negative."))
        except (ValueError, ArithmeticError):
            err("amount", _("Not an amount: “%(value)s”.") % {"value": cell_text(raw_amount)})
        currency = (row.text("currency") or lookups.company_currency).upper()
        if currency not in lookups.currencies:
            err("currency", _("Unknown currency “%(value)s”.") % {"value": currency})
        close_date = today
        try:
            close_date = parse_date(row.get("close_date"), french=french)
        except (ValueError, TypeError):
            err(
                "close_date",
                _("Not a date: “%(value)s” (write 31/12/2025 or 2025-12-31).")
                % {"value": row.text("close_date")},
            )
        created: dt.date | None = None
        if row.text("created"):
            try:
                created = parse_date(row.get("created"), french=french)
            except (ValueError, TypeError):
                err("created", _("Not a date: “%(value)s”.") % {"value": row.text("created")})
        stage_text = row.text("stage")
        stage = lookups.won
        if stage_text:
            stage = lookups.stages.get(header_key(stage_text))
            if stage is None:
                err("stage", _("Unknown stage “%(value)s”.") % {"value": stage_text})
        elif close_date > today:
            err("stage", _("An open deal (closing after today) needs a stage."))
        owner_text = row.text("owner").lower()
        if lookups.partner_owner is not None:
            owner: User | None = lookups.partner_owner
        else:
            owner = lookups.users.get(owner_text) if owner_text else ctx.default_owner
        if owner is None:
            err(
                "owner",
                _("Unknown owner “%(value)s”: use a staff user's email.") % {"value": owner_text},
            )
        partner_text = row.text("partner")
        partner = lookups.partners.get(header_key(partner_text)) if partner_text else None
        if partner_text and partner is None:
            err("partner", _("Unknown partner “%(value)s”.") % {"value": partner_text})
        if ctx.partner is not None:
            partner = ctx.partner
        line_text = row.text("product_line")
        product_line = (
            lookups.lines.get(header_key(line_text)) if line_text else lookups.default_line
        )
        if product_line is None:
            err(
                "product_line",
                _("Unknown product line “%(value)s”.") % {"value": line_text}
                if line_text
                else _("No product line exists yet: create one before importing deals."),
            )
        external_id = row.text("external_id")[:100]
        name = row.text("name")[:200] or f"{account_name or domain} {close_date.isoformat()}"
        key: Any = external_id or (header_key(account_name), domain, close_date, amount, name)
        if stage is None or owner is None or product_line is None:
            return Parsed(row.line, None, key, "external_id" if external_id else "name")
        values = _Row(
            external_id=external_id,
            name=name,
            account_name=account_name,
            account_domain=domain,
            amount=amount.quantize(CENT),
            currency=currency,
            close_date=close_date,
            created=created,
            stage=stage,
            owner=owner,
            partner=partner,
            product_line=product_line,
        )
        return Parsed(row.line, values, key, "external_id" if external_id else "name")

    def write(
        self,
        rows: list[Parsed],
        lookups: _Lookups,
        ctx: ImportContext,
        report: ImportReport,
        *,
        progress: Progress | None = None,
    ) -> None:
        _write(rows, lookups, ctx, report)

    def after_write(self) -> None:
        rollups_rebuild()


def _account_for(row: _Row, lookups: _Lookups, report: ImportReport) -> Account:
    if row.account_domain and row.account_domain in lookups.accounts_by_domain:
        return lookups.accounts_by_domain[row.account_domain]
    key = header_key(row.account_name)
    if key in lookups.accounts_by_name:
        return lookups.accounts_by_name[key]
    team = row.owner.sales_teams.select_related("territory").first()  # type: ignore[attr-defined]
    territory = (team.territory if team else None) or lookups.default_territory
    if territory is None:
        raise ApplicationError(_("No territory exists yet: create one before importing accounts."))
    account = account_create(
        created_by=row.owner,
        name=(row.account_name or row.account_domain)[:200],
        domain=row.account_domain,
        territory=territory,
        owner=row.owner,
    )
    report.accounts_created += 1
    lookups.accounts_by_name[key] = account
    if row.account_domain:
        lookups.accounts_by_domain[row.account_domain] = account
    return account


def _memo(adapt: Any) -> Any:
    """``adapt`` remembered per value (a file's dates and times repeat)."""
    cache: dict[Any, Any] = {}

    def adapted(value: Any) -> Any:
        try:
            return cache[value]
        except KeyError:
            cache[value] = out = adapt(value)
            return out

    return adapted


def _insert_fast(deals: list[dict[str, Any]]) -> None:
    """Insert new deals, given as field values by attribute name (the others take their
    default), with one prepared INSERT run over every row (``executemany``): the ORM's
    ``bulk_create`` builds the SQL of each batch anew (SQLite's limit on bound variables cuts
    100,000 deals into about 2,000 batches), and builds a model instance per row. The values
    are adapted per field type as the ORM would (dates, times, decimals)."""
    if not deals:
        return
    ops = connection.ops
    now = timezone.now()
    fields = [f for f in Deal._meta.concrete_fields if not f.primary_key]
    order: list[tuple[str, Any, Any]] = []
    for f in fields:
        adapt: Any = None
        if isinstance(f, models.DecimalField):
            adapt = lambda v, f=f: ops.adapt_decimalfield_value(  # noqa: E731
                v, f.max_digits, f.decimal_places
            )
        elif isinstance(f, models.DateTimeField):
            adapt = _memo(ops.adapt_datetimefield_value)
        elif isinstance(f, models.DateField):
            adapt = _memo(ops.adapt_datefield_value)
        default = now if f.attname in ("created_at", "updated_at") else f.get_default()
        order.append((f.attname, default, adapt))
    rows = []
    for deal in deals:
        values = []
        for name, default, adapt in order:
            value = deal.get(name, default)
            if adapt is not None and value is not None:
                value = adapt(value)
            values.append(value)
        rows.append(values)
    table = ops.quote_name(Deal._meta.db_table)
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


def _write(
    parsed: list[Parsed], lookups: _Lookups, ctx: ImportContext, report: ImportReport
) -> None:
    """Insert the new deals, update those matched by external ID; a row that cannot be
    written (no territory for its new account, no exchange rate) goes to the errors and
    the others are written (the engine rolls everything back unless ``valid_only``)."""
    rates = RateTable.load()
    ids = {p.values.external_id for p in parsed if p.values.external_id}
    # Many IDs: every deal's external ID read at once costs less than a query naming them.
    existing_qs = (
        Deal.objects.exclude(external_id="")
        if len(ids) > 1000
        else Deal.objects.filter(external_id__in=ids)
    )
    existing = {
        e: pk for e, pk in existing_qs.values_list("external_id", "id").iterator() if e in ids
    }
    foreign: set[str] = set()
    if ctx.partner is not None and existing:
        # A partner updates only its own partner's deals.
        foreign = set(
            Deal.objects.filter(external_id__in=list(existing))
            .exclude(partner=ctx.partner)
            .values_list("external_id", flat=True)
        )
    teams: dict[int, int | None] = {}
    tz = timezone.get_current_timezone()
    new: list[dict[str, Any]] = []
    changed: list[Deal] = []
    source_partner, source_direct = str(Deal.Source.PARTNER), str(Deal.Source.DIRECT)

    @functools.lru_cache(maxsize=8192)
    def noon(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(12), tzinfo=tz)

    @functools.lru_cache(maxsize=8192)
    def nine(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(9), tzinfo=tz)

    mapping = report.mapping
    for p in parsed:
        row: _Row = p.values
        if row.external_id in foreign:
            report.errors.append(
                RowError(
                    p.line,
                    mapping.get("external_id", "external_id"),
                    _("This external ID is already used: give another."),
                )
            )
            continue
        try:
            account = _account_for(row, lookups, report)
        except ApplicationError as exc:
            report.errors.append(RowError(p.line, mapping.get("account", "account"), exc.message))
            continue
        if row.owner.pk not in teams:
            team = deal_team_for_owner(row.owner.pk)
            teams[row.owner.pk] = team.pk if team else None
        stage = row.stage
        closed = stage.is_won or stage.is_lost
        try:
            amount_company = rates.to_company(row.amount, row.currency, row.close_date)
        except LookupError as exc:
            report.errors.append(RowError(p.line, mapping.get("currency", "currency"), str(exc)))
            continue
        created_on = row.created or row.close_date
        values = {
            "name": row.name,
            "account_id": account.pk,
            "partner_id": row.partner.pk if row.partner else None,
            "owner_id": row.owner.pk,
            "team_id": teams[row.owner.pk],
            "product_line_id": row.product_line.pk,
            "amount": row.amount,
            "currency": row.currency,
            "amount_company": amount_company,
            "stage_id": stage.pk,
            "probability": stage.probability,
            "forecast_category": stage.forecast_category,
            "expected_close_date": row.close_date,
            "close_date": row.close_date if closed else None,
            "source": source_partner if row.partner else source_direct,
            "external_id": row.external_id,
            "stage_entered_at": noon(row.close_date),
        }
        if row.external_id in existing:
            changed.append(Deal(pk=existing[row.external_id], **values))
        else:
            values["created_at"] = nine(created_on)
            new.append(values)
    _insert_fast(new)
    Deal.objects.bulk_update(
        changed,
        [
            "name",
            "account",
            "partner",
            "owner",
            "team",
            "product_line",
            "amount",
            "currency",
            "amount_company",
            "stage",
            "probability",
            "forecast_category",
            "expected_close_date",
            "close_date",
            "source",
            "stage_entered_at",
        ],
        batch_size=2000,
    )
    report.created, report.updated = len(new), len(changed)


DEALS = DealKind()


def deals_import(
    table: Table,
    *,
    default_owner: User,
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    valid_only: bool = False,
    create_accounts: bool = False,
    today: dt.date | None = None,
    user: User | None = None,
    partner: Partner | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the deals of ``table`` (see the module): the report says what was (or, on a
    dry run, would be) created and updated, and every row refused with its reason."""
    return import_run(
        DEALS,
        table,
        user=user or default_owner,
        default_owner=default_owner,
        mapping=mapping,
        dry_run=dry_run,
        valid_only=valid_only,
        create_accounts=create_accounts,
        partner=partner,
        today=today,
        progress=progress,
    )
