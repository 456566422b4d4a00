"""Writes on partners and contacts. Callers pass model instances they were allowed to reference."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dirco.accounts.models import User
from dirco.accounts.permissions import user_is_director
from dirco.core.countries import country_clean
from dirco.core.errors import ApplicationError, validation_error_fields
from dirco.core.legal_identifiers import legal_identifier_clean
from dirco.core.versioning import version_bump, version_check
from dirco.partners.models import Contact, Partner, Territory, Tier
from dirco.partners.permissions import partner_can_set_standing

if TYPE_CHECKING:
    # Named for mypy only: customers sits above partners.
    from dirco.customers.models import Account


class PartnerFields(TypedDict, total=False):
    """What a caller may set on a partner: the partner form and the API build it."""

    name: str
    legal_identifier: str
    domain: str
    country: str
    kind: str
    territory: Territory
    tier: Tier
    status: str
    channel_manager: User | None
    parent: Partner | None
    joined_on: dt.date | None


class ContactFields(TypedDict, total=False):
    """What a caller may set on a contact (at a partner or at an account, not both)."""

    first_name: str
    last_name: str
    email: str
    phone: str
    job_title: str
    partner: Partner | None
    account: Account | None


PARTNER_WRITABLE_FIELDS = frozenset(PartnerFields.__annotations__)
# The partner's standing in the programme is the director's call.
PARTNER_DIRECTOR_ONLY_FIELDS = frozenset({"status", "tier"})
CONTACT_WRITABLE_FIELDS = frozenset(ContactFields.__annotations__)


def _fields_check(
    fields: Mapping[str, object],
    *,
    allowed: frozenset[str],
    by: User,
    director_only: frozenset[str],
) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise ApplicationError(
            _("These fields cannot be set: %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
            fields={name: [_("This field cannot be set.")] for name in sorted(unknown)},
        )
    if not partner_can_set_standing(user=by):
        refused = sorted(set(fields) & director_only)
        if refused:
            raise ApplicationError(
                _("Only the sales director can change these fields: %(fields)s.")
                % {"fields": ", ".join(refused)},
                fields={name: [_("Only the sales director can change this.")] for name in refused},
            )


def _full_clean(obj: Partner | Contact, message: str) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise ApplicationError(message, fields=validation_error_fields(exc)) from exc


@transaction.atomic
def partner_create(*, created_by: User, **fields: Unpack[PartnerFields]) -> Partner:
    """A new partner; a rep or manager who recruits it becomes its channel manager by default."""
    _fields_check(
        fields,
        allowed=PARTNER_WRITABLE_FIELDS,
        by=created_by,
        director_only=PARTNER_DIRECTOR_ONLY_FIELDS,
    )
    partner = Partner(**fields)
    if "channel_manager" not in fields and not user_is_director(created_by):
        partner.channel_manager = created_by
    if partner.tier_id is None:
        # New partners enter at the entry tier (the highest rank number).
        entry = Tier.objects.order_by("-rank").first()
        if entry is None:
            raise ApplicationError(
                _("Create a partner tier in the admin before adding partners."),
                fields={"tier": [_("No tier exists yet.")]},
            )
        partner.tier = entry
    partner.country = country_clean(partner.country)
    partner.legal_identifier = legal_identifier_clean(
        partner.legal_identifier, country=partner.country
    )
    _full_clean(partner, _("The partner was not saved: correct the fields shown."))
    partner.save()
    return partner


@transaction.atomic
def partner_update(
    *,
    partner: Partner,
    updated_by: User,
    expected_version: int | None = None,
    **fields: Unpack[PartnerFields],
) -> Partner:
    _fields_check(
        fields,
        allowed=PARTNER_WRITABLE_FIELDS,
        by=updated_by,
        director_only=PARTNER_DIRECTOR_ONLY_FIELDS,
    )
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    version_check(partner, expected_version)
    for name, value in fields.items():
        setattr(partner, name, value)
    if "country" in fields:
        partner.country = country_clean(partner.country)
    if {"country", "legal_identifier"} & set(fields):
        partner.legal_identifier = legal_identifier_clean(
            partner.legal_identifier, country=partner.country
        )
    if partner.parent_id is not None and partner.parent_id == partner.pk:
        raise ApplicationError(
            _("The partner was not saved: correct the fields shown."),
            fields={"parent": [_("A partner cannot be its own parent.")]},
        )
    _full_clean(partner, _("The partner was not saved: correct the fields shown."))
    version_bump(partner)
    partner.save()
    return partner


@transaction.atomic
def contact_create(*, created_by: User, **fields: Unpack[ContactFields]) -> Contact:
    _fields_check(fields, allowed=CONTACT_WRITABLE_FIELDS, by=created_by, director_only=frozenset())
    contact = Contact(**fields)
    _contact_validate(contact)
    contact.save()
    return contact


@transaction.atomic
def contact_update(
    *,
    contact: Contact,
    updated_by: User,
    expected_version: int | None = None,
    **fields: Unpack[ContactFields],
) -> Contact:
    _fields_check(fields, allowed=CONTACT_WRITABLE_FIELDS, by=updated_by, director_only=frozenset())
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    version_check(contact, expected_version)
    for name, value in fields.items():
        setattr(contact, name, value)
    _contact_validate(contact)
    version_bump(contact)
    contact.save()
    return contact


@transaction.atomic
def contact_delete(*, contact: Contact) -> None:
    contact.delete()


def _contact_validate(contact: Contact) -> None:
    if (contact.partner_id is None) == (contact.account_id is None):
        message = _("Choose either a partner or an account for this contact, not both.")
        raise ApplicationError(
            _("The contact was not saved: correct the fields shown."),
            fields={"partner": [message], "account": [message]},
        )
    _full_clean(contact, _("The contact was not saved: correct the fields shown."))
