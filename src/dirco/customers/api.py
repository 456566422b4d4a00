"""API: customer accounts and contacts (people at a partner or at an account). Reads go through
customers.permissions, writes through services."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from dirco.api.auth import request_user
from dirco.api.errors import ErrorOut, permission_require
from dirco.api.pagination import LIST_SORTS, Page, PageParams, paginate
from dirco.api.schemas import (
    Country,
    CountryCode,
    Id,
    InputSchema,
    Line,
    Name,
    Ref,
    SearchText,
    UserRef,
    payload_fields,
    refs_resolve,
)
from dirco.api.versioning import etag_set, if_match_version
from dirco.core.text import name_or_domain_matching
from dirco.customers.models import Account
from dirco.customers.permissions import (
    account_can_create,
    account_can_edit,
    accounts_visible_to,
    contact_can_delete,
    contact_can_edit,
    contacts_visible_to,
    get_account_for_user,
    get_contact_for_user,
)
from dirco.customers.services import account_create, account_update
from dirco.partners.models import Contact, Territory
from dirco.partners.permissions import partner_can_edit, partners_visible_to
from dirco.partners.services import contact_create, contact_delete, contact_update
from dirco.teams.permissions import users_assignable_by

router = Router(tags=["accounts"])

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class AccountOut(Schema):
    id: int
    name: str
    domain: str
    legal_identifier: str
    industry: str
    size: str
    country: CountryCode
    territory: Ref
    owner: UserRef | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class AccountFilters(Schema):
    q: SearchText = Field("", description="Part of the name or web domain.")
    owner: Id | None = Field(None, description="Owner (user) id.")
    territory: Id | None = Field(None, description="Territory id.")
    sort: Literal["name", "-name", "created", "-created", "updated", "-updated"] = "name"


class AccountPatch(InputSchema):
    name: Name | None = None
    domain: Line | None = None
    legal_identifier: Line | None = None
    industry: Line | None = None
    size: Account.Size | None = None
    country: Country | None = None
    territory_id: Id | None = None
    owner_id: Id | None = Field(
        None, description="A user in your line (the director: any staff user)."
    )


class AccountIn(AccountPatch):
    name: Name  # type: ignore[assignment]
    territory_id: Id  # type: ignore[assignment]


def _account_refs(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    return refs_resolve(
        data,
        {
            "territory": Territory.objects.all(),
            "owner": users_assignable_by(request_user(request)),
        },
    )


@router.get("/accounts", response={200: Page[AccountOut], **ERRORS}, summary="Customer accounts")
def account_list(
    request: HttpRequest, filters: Query[AccountFilters], page: Query[PageParams]
) -> Any:
    qs = accounts_visible_to(request_user(request)).select_related("territory", "owner")
    qs = name_or_domain_matching(qs, filters.q)
    if filters.owner is not None:
        qs = qs.filter(owner_id=filters.owner)
    if filters.territory is not None:
        qs = qs.filter(territory_id=filters.territory)
    return paginate(request, qs, order=LIST_SORTS[filters.sort], params=page)


@router.get("/accounts/{account_id}", response={200: AccountOut, **ERRORS}, summary="An account")
def account_detail(request: HttpRequest, account_id: Id, response: HttpResponse) -> Any:
    account = get_account_for_user(user=request_user(request), account_id=account_id)
    etag_set(response, account.version)
    return account


@router.post("/accounts", response={201: AccountOut, **ERRORS}, summary="Create an account")
def account_create_endpoint(request: HttpRequest, payload: AccountIn) -> Any:
    user = request_user(request)
    permission_require(account_can_create(user=user), _("You may not create accounts."))
    fields = _account_refs(request, payload_fields(payload, Account))
    account = account_create(created_by=user, **fields)
    return Status(201, get_account_for_user(user=user, account_id=account.pk))


@router.patch(
    "/accounts/{account_id}",
    response={200: AccountOut, **ERRORS, 412: ErrorOut},
    summary="Change an account (If-Match: the ETag read, or 412)",
)
def account_update_endpoint(
    request: HttpRequest, account_id: Id, payload: AccountPatch, response: HttpResponse
) -> Any:
    user = request_user(request)
    account = get_account_for_user(user=user, account_id=account_id)
    permission_require(
        account_can_edit(user=user, account=account), _("You may not change this account.")
    )
    fields = _account_refs(request, payload_fields(payload, Account))
    account = account_update(
        account=account, updated_by=user, expected_version=if_match_version(request), **fields
    )
    etag_set(response, account.version)
    return get_account_for_user(user=user, account_id=account.pk)


# Contacts: people at a partner or at a customer account (listed under the partners tag, as
# they were before they moved here).

contacts_router = Router(tags=["partners"])


class ContactOut(Schema):
    id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    job_title: str
    partner: Ref | None
    account: Ref | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ContactFilters(Schema):
    q: SearchText = Field("", description="Part of the name or email.")
    partner: Id | None = Field(None, description="Partner id.")
    account: Id | None = Field(None, description="Account id.")


class ContactPatch(InputSchema):
    first_name: Name | None = None
    last_name: Name | None = None
    email: Line | None = None
    phone: Line | None = None
    job_title: Line | None = None
    partner_id: Id | None = Field(None, description="Set either partner_id or account_id.")
    account_id: Id | None = None


class ContactIn(ContactPatch):
    first_name: Name  # type: ignore[assignment]
    last_name: Name  # type: ignore[assignment]


def _contact_refs(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    """Resolve partner/account ids; the caller must be allowed to change the one they name."""
    user = request_user(request)
    fields = refs_resolve(
        data, {"partner": partners_visible_to(user), "account": accounts_visible_to(user)}
    )
    partner = fields.get("partner")
    if partner is not None and not partner_can_edit(user=user, partner=partner):
        raise PermissionDenied(_("You may not add contacts to this partner."))
    account = fields.get("account")
    if account is not None and not account_can_edit(user=user, account=account):
        raise PermissionDenied(_("You may not add contacts to this account."))
    return fields


@contacts_router.get("/contacts", response={200: Page[ContactOut], **ERRORS}, summary="Contacts")
def contact_list(
    request: HttpRequest, filters: Query[ContactFilters], page: Query[PageParams]
) -> Any:
    qs = contacts_visible_to(request_user(request)).select_related("partner", "account")
    if filters.q:
        qs = qs.filter(
            Q(first_name__icontains=filters.q)
            | Q(last_name__icontains=filters.q)
            | Q(email__icontains=filters.q)
        )
    if filters.partner is not None:
        qs = qs.filter(partner_id=filters.partner)
    if filters.account is not None:
        qs = qs.filter(account_id=filters.account)
    return paginate(request, qs, order=("last_name", "first_name", "id"), params=page)


@contacts_router.get(
    "/contacts/{contact_id}", response={200: ContactOut, **ERRORS}, summary="A contact"
)
def contact_detail(request: HttpRequest, contact_id: Id, response: HttpResponse) -> Any:
    contact = get_contact_for_user(user=request_user(request), contact_id=contact_id)
    etag_set(response, contact.version)
    return contact


@contacts_router.post("/contacts", response={201: ContactOut, **ERRORS}, summary="Create a contact")
def contact_create_endpoint(request: HttpRequest, payload: ContactIn) -> Any:
    user = request_user(request)
    fields = _contact_refs(request, payload_fields(payload, Contact))
    contact = contact_create(created_by=user, **fields)
    return Status(201, get_contact_for_user(user=user, contact_id=contact.pk))


@contacts_router.patch(
    "/contacts/{contact_id}",
    response={200: ContactOut, **ERRORS, 412: ErrorOut},
    summary="Change a contact (If-Match: the ETag read, or 412)",
)
def contact_update_endpoint(
    request: HttpRequest, contact_id: Id, payload: ContactPatch, response: HttpResponse
) -> Any:
    user = request_user(request)
    contact = get_contact_for_user(user=user, contact_id=contact_id)
    permission_require(
        contact_can_edit(user=user, contact=contact), _("You may not change this contact.")
    )
    fields = _contact_refs(request, payload_fields(payload, Contact))
    contact = contact_update(
        contact=contact, updated_by=user, expected_version=if_match_version(request), **fields
    )
    etag_set(response, contact.version)
    return get_contact_for_user(user=user, contact_id=contact.pk)


@contacts_router.delete(
    "/contacts/{contact_id}", response={204: None, **ERRORS}, summary="Delete a contact"
)
def contact_delete_endpoint(request: HttpRequest, contact_id: Id) -> Any:
    user = request_user(request)
    contact = get_contact_for_user(user=user, contact_id=contact_id)
    permission_require(
        contact_can_delete(user=user, contact=contact), _("You may not delete this contact.")
    )
    contact_delete(contact=contact)
    return Status(204, None)
