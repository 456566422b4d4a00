"""Importing accounts, contacts and partners, written row by row through their services.

Each row is matched to an existing record by its external ID (kept in ``ExternalKey``),
else by its email (contacts) or web domain (accounts, partners), else by its name (accounts,
partners): importing the same file twice creates no duplicate. A matched record is updated
with the file's columns (only those the file has), through ``account_update``,
``partner_update`` or ``contact_update``; a new one is created through the ``*_create``
service, which checks it as the forms do. Only the records the importer may see are matched,
and only those it may change are updated (a matched one it may not change is a row error).

A partner user imports only its own partner's contacts: the partner is its own whatever the
file says, and its external IDs live apart from the company's.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from dirco.accounts.models import User
from dirco.catalog.models import ProductLine
from dirco.core.countries import CountryFrom, country_guess
from dirco.core.errors import ApplicationError
from dirco.core.references import unknown_named
from dirco.customers.models import Account
from dirco.customers.permissions import (
    accounts_editable_by,
    accounts_visible_to,
    contacts_visible_to,
)
from dirco.customers.services import account_create, account_update
from dirco.imports.deals import amount_read, parse_date
from dirco.imports.engine import (
    ImportContext,
    ImportKind,
    ImportReport,
    Parsed,
    Progress,
    RowError,
    RowReader,
)
from dirco.imports.models import ExternalKey
from dirco.imports.reading import header_key
from dirco.objectives.models import Objective
from dirco.objectives.services import objective_create, objective_update
from dirco.partners.models import Contact, Partner, Territory, Tier
from dirco.partners.permissions import partners_editable_by, partners_visible_to
from dirco.partners.services import (
    contact_create,
    contact_update,
    partner_create,
    partner_update,
)
from dirco.scopes import Scope
from dirco.teams.models import SalesTeam

EXTERNAL_ID = ("external id", "id externe", "reference", "ref", "id")


def namespace_of(ctx: ImportContext) -> str:
    return f"partner:{ctx.partner.pk}" if ctx.partner is not None else ""


def choice_parse(text: str, choices: type[models.TextChoices]) -> str | None:
    """A choice by its value or its label, in English or French (``None``: unknown)."""
    key = header_key(text)
    for value, label in choices.choices:
        with translation.override("fr"):
            french = str(label)
        if key in (header_key(value), header_key(str(label)), header_key(french)):
            return str(value)
    return None


@dataclass
class _Values:
    external_id: str
    fields: dict[str, Any]  # service keyword arguments, from the columns the file has
    email: str = ""
    domain: str = ""
    name: str = ""


@dataclass
class _Index:
    """The records the importer may see, by external ID, domain, email and name; and the
    ids of those it may change."""

    by_external: dict[str, int] = field(default_factory=dict)
    by_domain: dict[str, Any] = field(default_factory=dict)
    by_email: dict[str, Any] = field(default_factory=dict)
    by_name: dict[str, Any] = field(default_factory=dict)
    by_id: dict[int, Any] = field(default_factory=dict)
    editable: set[int] | None = field(default_factory=set)  # None: the service decides
    refs: dict[str, Any] = field(default_factory=dict)  # other lookups (territories...)

    def add(self, obj: Any, *, domain: str = "", email: str = "", name: str = "") -> None:
        self.by_id[obj.pk] = obj
        if domain:
            self.by_domain.setdefault(domain.lower(), obj)
        if email:
            self.by_email.setdefault(email.lower(), obj)
        if name:
            self.by_name.setdefault(header_key(name), obj)


def _external_ids(kind: str, ctx: ImportContext) -> dict[str, int]:
    return dict(
        ExternalKey.objects.filter(kind=kind, namespace=namespace_of(ctx)).values_list(
            "external_id", "object_id"
        )
    )


def _staff_emails() -> dict[str, User]:
    return {
        u.email.lower(): u
        for u in User.objects.filter(is_active=True).exclude(partner__isnull=False)
    }


def _territories() -> dict[str, Territory]:
    out: dict[str, Territory] = {}
    for t in Territory.objects.all():
        out.setdefault(header_key(t.name), t)
        out.setdefault(header_key(t.code), t)
    return out


def _default_territory() -> Territory | None:
    return (
        Territory.objects.filter(parent__isnull=True).order_by("id").first()
        or Territory.objects.order_by("id").first()
    )


def _country_of_new(fields: dict[str, Any], ctx: ImportContext) -> str:
    """The country of a new account or partner: the row's, else guessed from its VAT number
    or web domain, else the company's own (the report says which, with how many rows). A
    matched record keeps its country when the row gives none."""
    given = str(fields.get("country") or "").strip()
    if given:
        return given
    code, source = country_guess(
        domain=str(fields.get("domain") or ""),
        legal_identifier=str(fields.get("legal_identifier") or ""),
    )
    if source == CountryFrom.VAT:
        ctx.assume(_("No country given: taken from the VAT number"))
    elif source == CountryFrom.DOMAIN:
        ctx.assume(_("No country given: taken from the web domain"))
    else:
        ctx.assume(_("No country given: %(country)s, the company's country") % {"country": code})
    return code


def _errors_from(exc: ApplicationError, line: int, mapping: dict[str, str]) -> list[RowError]:
    if not exc.fields:
        return [RowError(line, "", exc.message)]
    return [
        RowError(line, mapping.get(name, name if name != "__all__" else ""), " ".join(messages))
        for name, messages in exc.fields.items()
    ]


def _by_external(values: _Values, index: _Index) -> Any | None:
    """The record the row's external ID was given to; refused when the importer may not see
    it (the ID is taken: it must not be moved to another record)."""
    pk = index.by_external.get(values.external_id) if values.external_id else None
    if pk is None:
        return None
    if pk not in index.by_id:
        raise ApplicationError(_("This external ID is already used: give another."))
    return index.by_id[pk]


class _ServiceKind(ImportKind):
    """Row-by-row upsert through a service (see the module)."""

    def match(self, values: _Values, index: _Index) -> Any | None:
        found = _by_external(values, index)
        if found is not None:
            return found
        for key, table in (
            (values.email, index.by_email),
            (values.domain, index.by_domain),
            (header_key(values.name), index.by_name),
        ):
            if key and key.lower() in table:
                return table[key.lower()]
        return None

    def create(self, values: _Values, index: _Index, ctx: ImportContext) -> Any:
        raise NotImplementedError

    def update(self, obj: Any, values: _Values, ctx: ImportContext) -> Any:
        raise NotImplementedError

    def write(
        self,
        rows: list[Parsed],
        lookups: _Index,
        ctx: ImportContext,
        report: ImportReport,
        *,
        progress: Progress | None = None,
    ) -> None:
        namespace = namespace_of(ctx)
        for i, p in enumerate(rows):
            if progress is not None and i % 200 == 0:
                progress(i, len(rows))
            values: _Values = p.values
            try:
                with transaction.atomic():
                    obj = self.match(values, lookups)
                    if obj is not None:
                        if lookups.editable is not None and obj.pk not in lookups.editable:
                            raise ApplicationError(
                                _("You may not change the existing record “%(name)s”.")
                                % {"name": obj}
                            )
                        obj = self.update(obj, values, ctx)
                        report.updated += 1
                    else:
                        obj = self.create(values, lookups, ctx)
                        if lookups.editable is not None:
                            lookups.editable.add(obj.pk)
                        report.created += 1
                    lookups.add(obj, domain=values.domain, email=values.email, name=values.name)
                    lookups.by_id[obj.pk] = obj
                    if values.external_id:
                        ExternalKey.objects.update_or_create(
                            kind=self.name,
                            namespace=namespace,
                            external_id=values.external_id,
                            defaults={"object_id": obj.pk},
                        )
                        lookups.by_external[values.external_id] = obj.pk
            except ApplicationError as exc:
                report.errors.extend(_errors_from(exc, p.line, report.mapping))
            except PermissionDenied as exc:
                report.errors.append(
                    RowError(p.line, "", str(exc) or _("You may not change this record."))
                )


def _text_fields(row: RowReader, names: tuple[str, ...], out: dict[str, Any]) -> None:
    """The plain text columns the file has, into the service's arguments."""
    for name in names:
        if row.has(name):
            out[name] = row.text(name)


def _choice_field(
    row: RowReader, name: str, choices: type[models.TextChoices], out: dict[str, Any]
) -> None:
    text = row.text(name)
    if not text:
        return
    value = choice_parse(text, choices)
    if value is None:
        row.err(
            name,
            _("Unknown value “%(value)s”: use one of %(choices)s.")
            % {"value": text, "choices": ", ".join(str(label) for _v, label in choices.choices)},
        )
    else:
        out[name] = value


def _ref_field(
    row: RowReader,
    name: str,
    table: dict[str, Any],
    out: dict[str, Any],
    message: str,
    *,
    key: Callable[[str], str] = header_key,
) -> None:
    text = row.text(name)
    if not text:
        return
    obj = table.get(key(text))
    if obj is None:
        row.err(name, message % {"value": text})
    else:
        out[name] = obj


class AccountKind(_ServiceKind):
    name = "accounts"
    synonyms = {
        "external_id": EXTERNAL_ID,
        "name": (
            "name",
            "account",
            "account name",
            "company",
            "customer",
            "compte",
            "client",
            "societe",
            "entreprise",
            "raison sociale",
            "nom",
        ),
        "domain": ("domain", "domaine", "website", "site web", "site internet"),
        "legal_identifier": ("legal identifier", "siren", "siret", "vat", "tva", "identifiant"),
        "industry": ("industry", "secteur", "secteur d activite"),
        "size": ("size", "taille", "effectif"),
        "country": ("country", "pays"),
        "territory": ("territory", "territoire", "region"),
        "owner": ("owner", "owner email", "commercial", "responsable", "proprietaire"),
    }
    required = (("name", "domain"),)

    def label(self) -> str:
        return _("accounts")

    def field_labels(self) -> dict[str, str]:
        return {
            "external_id": _("External ID"),
            "name": _("Name"),
            "domain": _("Web domain"),
            "legal_identifier": _("Legal identifier"),
            "industry": _("Industry"),
            "size": _("Size"),
            "country": _("Country"),
            "territory": _("Territory"),
            "owner": _("Owner (email)"),
        }

    def lookups(self, ctx: ImportContext) -> _Index:
        index = _Index(by_external=_external_ids(self.name, ctx))
        for account in accounts_visible_to(ctx.user):
            index.add(account, domain=account.domain, name=account.name)
        index.editable = set(accounts_editable_by(ctx.user).values_list("id", flat=True))
        index.refs = {
            "users": _staff_emails(),
            "territories": _territories(),
            "territory": _default_territory(),
        }
        return index

    def parse(self, row: RowReader, lookups: _Index, ctx: ImportContext) -> Parsed | None:
        fields: dict[str, Any] = {}
        _text_fields(row, ("name", "domain", "legal_identifier", "industry", "country"), fields)
        fields["domain"] = fields.get("domain", "").lower()
        if not fields.get("name") and not fields["domain"]:
            row.err("name", _("The name is missing."))
        _choice_field(row, "size", Account.Size, fields)
        _ref_field(
            row,
            "territory",
            lookups.refs["territories"],
            fields,
            _("Unknown territory “%(value)s”."),
        )
        _ref_field(
            row,
            "owner",
            lookups.refs["users"],
            fields,
            _("Unknown owner “%(value)s”: use a staff user's email."),
            key=str.lower,
        )
        values = _Values(
            external_id=row.text("external_id")[:100],
            fields=fields,
            domain=fields["domain"],
            name=fields.get("name", ""),
        )
        key: Hashable = values.external_id or values.domain or header_key(values.name)
        return Parsed(row.line, values, key, "external_id" if values.external_id else "name")

    def create(self, values: _Values, index: _Index, ctx: ImportContext) -> Any:
        fields = dict(values.fields)
        fields.setdefault("name", values.domain)
        if "territory" not in fields:
            if index.refs["territory"] is None:
                raise ApplicationError(
                    _("No territory exists yet: create one before importing accounts.")
                )
            fields["territory"] = index.refs["territory"]
        fields["country"] = _country_of_new(fields, ctx)
        return account_create(created_by=ctx.user, **fields)

    def update(self, obj: Any, values: _Values, ctx: ImportContext) -> Any:
        fields = {k: v for k, v in values.fields.items() if v != "" or k == "domain"}
        if not values.domain:
            fields.pop("domain", None)
        return account_update(account=obj, updated_by=ctx.user, **fields)


class PartnerKind(_ServiceKind):
    name = "partners"
    synonyms = {
        "external_id": EXTERNAL_ID,
        "name": ("name", "partner", "partenaire", "revendeur", "raison sociale", "nom"),
        "domain": ("domain", "domaine", "website", "site web", "site internet"),
        "legal_identifier": ("legal identifier", "siren", "siret", "vat", "tva", "identifiant"),
        "country": ("country", "pays"),
        "kind": ("kind", "type", "nature"),
        "territory": ("territory", "territoire", "region"),
        "tier": ("tier", "niveau", "palier"),
        "status": ("status", "statut"),
        "channel_manager": (
            "channel manager",
            "responsable",
            "responsable partenaire",
            "commercial",
            "owner",
        ),
        "joined_on": ("joined on", "joined", "date d entree", "entree", "partenaire depuis"),
    }
    required = (("name", "domain"),)

    def label(self) -> str:
        return _("partners")

    def field_labels(self) -> dict[str, str]:
        return {
            "external_id": _("External ID"),
            "name": _("Name"),
            "domain": _("Web domain"),
            "legal_identifier": _("Legal identifier"),
            "country": _("Country"),
            "kind": _("Kind"),
            "territory": _("Territory"),
            "tier": _("Tier"),
            "status": _("Status"),
            "channel_manager": _("Channel manager (email)"),
            "joined_on": _("Joined on"),
        }

    def lookups(self, ctx: ImportContext) -> _Index:
        index = _Index(by_external=_external_ids(self.name, ctx))
        for partner in partners_visible_to(ctx.user):
            index.add(partner, domain=partner.domain, name=partner.name)
        index.editable = set(partners_editable_by(ctx.user).values_list("id", flat=True))
        tiers = {header_key(t.name): t for t in Tier.objects.all()}
        index.refs = {
            "users": _staff_emails(),
            "territories": _territories(),
            "territory": _default_territory(),
            "tiers": tiers,
        }
        return index

    def parse(self, row: RowReader, lookups: _Index, ctx: ImportContext) -> Parsed | None:
        fields: dict[str, Any] = {}
        _text_fields(row, ("name", "domain", "legal_identifier", "country"), fields)
        fields["domain"] = fields.get("domain", "").lower()
        if not fields.get("name") and not fields["domain"]:
            row.err("name", _("The name is missing."))
        _choice_field(row, "kind", Partner.Kind, fields)
        _choice_field(row, "status", Partner.Status, fields)
        _ref_field(
            row,
            "territory",
            lookups.refs["territories"],
            fields,
            _("Unknown territory “%(value)s”."),
        )
        _ref_field(row, "tier", lookups.refs["tiers"], fields, _("Unknown tier “%(value)s”."))
        _ref_field(
            row,
            "channel_manager",
            lookups.refs["users"],
            fields,
            _("Unknown channel manager “%(value)s”: use a staff user's email."),
            key=str.lower,
        )
        if row.text("joined_on"):
            try:
                fields["joined_on"] = parse_date(row.get("joined_on"), french=ctx.french)
            except (ValueError, TypeError):
                row.err(
                    "joined_on",
                    _("Not a date: “%(value)s”.") % {"value": row.text("joined_on")},
                )
        values = _Values(
            external_id=row.text("external_id")[:100],
            fields=fields,
            domain=fields["domain"],
            name=fields.get("name", ""),
        )
        key: Hashable = values.external_id or values.domain or header_key(values.name)
        return Parsed(row.line, values, key, "external_id" if values.external_id else "name")

    def create(self, values: _Values, index: _Index, ctx: ImportContext) -> Any:
        fields = dict(values.fields)
        fields.setdefault("name", values.domain)
        if "territory" not in fields:
            if index.refs["territory"] is None:
                raise ApplicationError(
                    _("No territory exists yet: create one before importing partners.")
                )
            fields["territory"] = index.refs["territory"]
        fields["country"] = _country_of_new(fields, ctx)
        return partner_create(created_by=ctx.user, **fields)

    def update(self, obj: Any, values: _Values, ctx: ImportContext) -> Any:
        fields = {k: v for k, v in values.fields.items() if v != ""}
        return partner_update(partner=obj, updated_by=ctx.user, **fields)


class ContactKind(_ServiceKind):
    name = "contacts"
    synonyms = {
        "external_id": EXTERNAL_ID,
        "first_name": ("first name", "prenom", "firstname", "given name"),
        "last_name": ("last name", "nom", "nom de famille", "lastname", "surname", "family name"),
        "full_name": ("name", "full name", "nom complet", "contact"),
        "email": ("email", "e mail", "mail", "courriel", "adresse email", "adresse e mail"),
        "phone": ("phone", "telephone", "tel", "mobile", "portable"),
        "job_title": ("job title", "title", "fonction", "poste", "titre"),
        "partner": ("partner", "partenaire", "revendeur"),
        "account": ("account", "compte", "client", "societe", "entreprise", "company"),
    }
    required = (("last_name", "full_name", "email"),)
    partner_users = True

    def label(self) -> str:
        return _("contacts")

    def field_labels(self) -> dict[str, str]:
        return {
            "external_id": _("External ID"),
            "first_name": _("First name"),
            "last_name": _("Last name"),
            "full_name": _("Full name"),
            "email": _("Email"),
            "phone": _("Phone"),
            "job_title": _("Job title"),
            "partner": _("Partner"),
            "account": _("Account"),
        }

    def lookups(self, ctx: ImportContext) -> _Index:
        index = _Index(by_external=_external_ids(self.name, ctx))
        if ctx.partner is not None:
            contacts = Contact.objects.filter(partner=ctx.partner)
            index.editable = set(contacts.values_list("id", flat=True))
            partners = {header_key(ctx.partner.name): ctx.partner}
            accounts: dict[str, Account] = {}
        else:
            contacts = contacts_visible_to(ctx.user).select_related("partner", "account")
            editable_partners = set(partners_editable_by(ctx.user).values_list("id", flat=True))
            editable_accounts = set(accounts_editable_by(ctx.user).values_list("id", flat=True))
            index.editable = {
                c.pk
                for c in contacts
                if c.partner_id in editable_partners or c.account_id in editable_accounts
            }
            partners = {}
            for p in partners_editable_by(ctx.user):
                partners.setdefault(header_key(p.name), p)
                if p.domain:
                    partners.setdefault(header_key(p.domain), p)
            accounts = {}
            for a in accounts_editable_by(ctx.user):
                accounts.setdefault(header_key(a.name), a)
                if a.domain:
                    accounts.setdefault(header_key(a.domain), a)
        for contact in contacts:
            index.add(contact, email=contact.email)
        index.refs = {"partners": partners, "accounts": accounts}
        return index

    def parse(self, row: RowReader, lookups: _Index, ctx: ImportContext) -> Parsed | None:
        fields: dict[str, Any] = {}
        _text_fields(row, ("first_name", "last_name", "email", "phone", "job_title"), fields)
        fields["email"] = fields.get("email", "").lower()
        full = row.text("full_name")
        if full and not fields.get("last_name"):
            first, _sep, last = full.rpartition(" ")
            fields.setdefault("first_name", first)
            if not fields.get("first_name"):
                fields["first_name"] = first
            fields["last_name"] = last
        if not fields.get("last_name"):
            row.err("last_name" if row.has("last_name") else "full_name", _("The name is missing."))
        if ctx.partner is not None:
            if row.text("account"):
                row.err("account", _("Import your partner's contacts only (no account)."))
            partner_text = row.text("partner")
            if partner_text and header_key(partner_text) not in lookups.refs["partners"]:
                row.err("partner", _("You import your own partner's contacts only."))
            fields["partner"] = ctx.partner
        else:
            _ref_field(
                row,
                "partner",
                lookups.refs["partners"],
                fields,
                _("Unknown partner “%(value)s”, or not one you may change."),
            )
            _ref_field(
                row,
                "account",
                lookups.refs["accounts"],
                fields,
                _("Unknown account “%(value)s”, or not one you may change."),
            )
            if "partner" in fields and "account" in fields:
                row.err("account", _("A contact is at a partner or at an account, not both."))
            elif (
                "partner" not in fields
                and "account" not in fields
                and not row.errors_on(("partner", "account"))
            ):
                row.err(
                    "partner" if row.has("partner") else "account",
                    _("Say at which partner or account the contact works."),
                )
        values = _Values(
            external_id=row.text("external_id")[:100],
            fields=fields,
            email=fields["email"],
        )
        key: Hashable = values.external_id or values.email or None
        return Parsed(row.line, values, key, "external_id" if values.external_id else "email")

    def create(self, values: _Values, index: _Index, ctx: ImportContext) -> Any:
        return contact_create(created_by=ctx.user, **values.fields)

    def update(self, obj: Any, values: _Values, ctx: ImportContext) -> Any:
        fields = {k: v for k, v in values.fields.items() if v != ""}
        if "partner" in fields:
            fields["account"] = None
        elif "account" in fields:
            fields["partner"] = None
        return contact_update(contact=obj, updated_by=ctx.user, **fields)

    def match(self, values: _Values, index: _Index) -> Any | None:
        found = _by_external(values, index)
        if found is not None:
            return found
        if values.email:
            return index.by_email.get(values.email)
        return None


class ObjectiveKind(_ServiceKind):
    """Objectives, one row per scope, fiscal year and measure (optionally narrowed to a
    product line): matched by them, set through ``objective_create`` or ``objective_update``
    (which check who may set what, and split the year by month)."""

    name = "objectives"
    synonyms = {
        "scope_kind": ("scope", "perimetre", "niveau", "scope kind", "type"),
        "scope": ("name", "nom", "who", "qui", "scope name", "equipe commercial partenaire"),
        "fiscal_year": ("fiscal year", "year", "exercice", "annee", "annee fiscale"),
        "amount": ("amount", "objective", "target", "objectif", "montant", "quota"),
        "measure": ("measure", "mesure", "indicateur"),
        "product_line": ("product line", "gamme", "ligne de produits", "produit"),
    }
    required = (("fiscal_year",), ("amount",))
    KINDS = {
        "company": ("company", "entreprise", "societe", "global"),
        "team": ("team", "equipe"),
        "rep": ("rep", "commercial", "vendeur", "sales rep"),
        "partner": ("partner", "partenaire"),
        "product_line": ("product line", "gamme", "ligne de produits"),
    }

    def label(self) -> str:
        return _("objectives")

    def field_labels(self) -> dict[str, str]:
        return {
            "scope_kind": _("Scope (company, team, rep, partner, product line)"),
            "scope": _("Who (team, rep email, partner or product line)"),
            "fiscal_year": _("Fiscal year"),
            "amount": _("Amount"),
            "measure": _("Measure"),
            "product_line": _("Product line"),
        }

    def lookups(self, ctx: ImportContext) -> _Index:
        index = _Index(editable=None)
        for o in Objective.objects.all():
            index.by_id[o.pk] = o
            index.by_name[
                _objective_key(o.scope_key, o.fiscal_year, o.measure, o.product_line_id)
            ] = o
        refs: dict[str, Any] = {
            "team": {header_key(t.name): t for t in SalesTeam.objects.all()},
            "rep": {u.email.lower(): u for u in User.objects.filter(is_active=True)},
            "partner": {header_key(p.name): p for p in Partner.objects.all()},
            "product_line": {header_key(p.name): p for p in ProductLine.objects.all()},
        }
        index.refs = refs
        return index

    def parse(self, row: RowReader, lookups: _Index, ctx: ImportContext) -> Parsed | None:
        kind_text = row.text("scope_kind")
        who = row.text("scope")
        kind = ""
        if kind_text:
            key = header_key(kind_text)
            kind = next((k for k, words in self.KINDS.items() if key in words), "")
            if not kind:
                row.err("scope_kind", _("Unknown scope “%(value)s”.") % {"value": kind_text})
        elif not who:
            kind = "company"
        else:  # the kind from the name: an email is a rep, else the first table naming it
            kind = (
                "rep"
                if "@" in who
                else next(
                    (
                        k
                        for k in ("team", "partner", "product_line")
                        if header_key(who) in lookups.refs[k]
                    ),
                    "",
                )
            )
            if not kind:
                row.err(
                    "scope",
                    _("Unknown team, rep, partner or product line “%(value)s”.") % {"value": who},
                )
        scope: Scope | None = Scope("company") if kind == "company" else None
        if kind and kind != "company":
            obj = lookups.refs[kind].get(who.lower() if kind == "rep" else header_key(who))
            if obj is None:
                row.err("scope", unknown_named(kind, who))
            else:
                scope = Scope(kind, obj.pk)
        year = 0
        try:
            year = int(row.text("fiscal_year"))
        except ValueError:
            row.err(
                "fiscal_year", _("Not a year: “%(value)s”.") % {"value": row.text("fiscal_year")}
            )
        amount = Decimal(0)
        try:
            amount = amount_read(row.get("amount"), french=ctx.french)
            if amount < 0:
                row.err("amount", _("The amount is negative."))
        except (ValueError, ArithmeticError):
            row.err("amount", _("Not an amount: “%(value)s”.") % {"value": row.text("amount")})
        measure = str(Objective.Measure.WON_REVENUE)
        if row.text("measure"):
            value = choice_parse(row.text("measure"), Objective.Measure)
            if value is None:
                row.err(
                    "measure", _("Unknown measure “%(value)s”.") % {"value": row.text("measure")}
                )
            else:
                measure = value
        line: ProductLine | None = None
        if row.text("product_line"):
            line = lookups.refs["product_line"].get(header_key(row.text("product_line")))
            if line is None:
                row.err(
                    "product_line",
                    _("Unknown product line “%(value)s”.") % {"value": row.text("product_line")},
                )
        if scope is None:
            return None
        narrowing = line.pk if line is not None and scope.kind != "product_line" else None
        key = _objective_key(scope.key, year, measure, narrowing)
        values = _Values(
            external_id="",
            fields={
                "scope": scope,
                "fiscal_year": year,
                "amount": amount,
                "measure": measure,
                "product_line": line,
            },
            name=key,
        )
        return Parsed(row.line, values, key, "scope")

    def match(self, values: _Values, index: _Index) -> Any | None:
        return index.by_name.get(values.name)

    def create(self, values: _Values, index: _Index, ctx: ImportContext) -> Any:
        f = values.fields
        return objective_create(
            user=ctx.user,
            scope=f["scope"],
            fiscal_year=f["fiscal_year"],
            amount=f["amount"],
            measure=f["measure"],
            product_line=f["product_line"],
        )

    def update(self, obj: Any, values: _Values, ctx: ImportContext) -> Any:
        return objective_update(objective=obj, user=ctx.user, amount=values.fields["amount"])


def _objective_key(scope_key: str, year: int, measure: str, line_id: int | None) -> str:
    return f"{scope_key}|{year}|{measure}|{line_id or ''}"
