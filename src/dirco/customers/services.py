"""Writes on customer accounts. Callers pass model instances they were allowed to reference."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dirco.accounts.models import User
from dirco.accounts.permissions import user_is_director
from dirco.core.countries import country_clean
from dirco.core.errors import ApplicationError, validation_error_fields
from dirco.core.legal_identifiers import legal_identifier_clean
from dirco.core.versioning import version_bump, version_check
from dirco.customers.models import Account
from dirco.partners.models import Territory


class AccountFields(TypedDict, total=False):
    """What a caller may set on an account: the account form and the API build it."""

    name: str
    domain: str
    legal_identifier: str
    industry: str
    size: str
    country: str
    territory: Territory
    owner: User | None


ACCOUNT_WRITABLE_FIELDS = frozenset(AccountFields.__annotations__)


def _account_check_fields(fields: Mapping[str, object]) -> None:
    unknown = set(fields) - ACCOUNT_WRITABLE_FIELDS
    if unknown:
        raise ApplicationError(
            _("These fields cannot be set: %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
            fields={name: [_("This field cannot be set.")] for name in sorted(unknown)},
        )


def _account_validate(account: Account, *, changed: set[str] | None = None) -> None:
    """``changed``: the fields an update sets (None on create); country and legal identifier
    are checked when set, so that an old account stays editable."""
    if changed is None or "country" in changed:
        account.country = country_clean(account.country)
    if changed is None or {"country", "legal_identifier"} & changed:
        account.legal_identifier = legal_identifier_clean(
            account.legal_identifier, country=account.country
        )
    account.domain = (account.domain or "").strip().lower()
    try:
        account.full_clean()
    except ValidationError as exc:
        raise ApplicationError(
            _("The account was not saved: correct the fields shown."),
            fields=validation_error_fields(exc),
        ) from exc


@transaction.atomic
def account_create(*, created_by: User, **fields: Unpack[AccountFields]) -> Account:
    """A new account; whoever creates it owns it unless an owner is given."""
    _account_check_fields(fields)
    account = Account(**fields)
    if "owner" not in fields and not user_is_director(created_by):
        account.owner = created_by
    _account_validate(account)
    account.save()
    return account


@transaction.atomic
def account_update(
    *,
    account: Account,
    updated_by: User,
    expected_version: int | None = None,
    **fields: Unpack[AccountFields],
) -> Account:
    _account_check_fields(fields)
    account = Account.objects.select_for_update().get(pk=account.pk)
    version_check(account, expected_version)
    for name, value in fields.items():
        setattr(account, name, value)
    _account_validate(account, changed=set(fields))
    version_bump(account)
    account.save()
    return account
