"""API: partners and contacts. Reads go through partners.permissions, writes through services."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from dirco.api.auth import request_user
from dirco.api.errors import ErrorOut
from dirco.api.pagination import Page, PageParams, paginate
from dirco.api.schemas import (
    Id,
    InputSchema,
    IsoDate,
    Line,
    Name,
    Ref,
    SearchText,
    UserRef,
    choices_schema,
    patch_nulls_refuse,
    refs_resolve,
)
from dirco.customers.permissions import account_can_edit, accounts_visible_to
from dirco.partners.models import Contact, Partner, Territory, Tier
from dirco.partners.permissions import (
    contact_can_delete,
    contact_can_edit,
    contacts_visible_to,
    get_contact_for_user,
    get_partner_for_user,
    partner_can_create,
    partner_can_edit,
    partners_visible_to,
)
from dirco.partners.services import (
    contact_create,
    contact_delete,
    contact_update,
    partner_create,
    partner_update,
)
from dirco.teams.selectors import users_assignable_by

PartnerStatusField = Annotated[Partner.Status, choices_schema(Partner.Status, "PartnerStatus")]
router = Router(tags=["partners"])

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
PARTNER_RELATED = ("tier", "territory", "channel_manager", "parent")


class PartnerOut(Schema):
    id: int
    name: str
    legal_identifier: str
    domain: str
    country: str
    kind: str
    status: str
    tier: Ref
    territory: Ref
    channel_manager: UserRef | None
    parent: Ref | None
    joined_on: dt.date | None
    created_at: dt.datetime
    updated_at: dt.datetime


class PartnerFilters(Schema):
    q: SearchText = Field("", description="Part of the name or web domain.")
    tier: Id | None = Field(None, description="Tier id.")
    status: PartnerStatusField | None = None
    territory: Id | None = Field(None, description="Territory id.")


class PartnerPatch(InputSchema):
    """Every field is optional. ``status`` and ``tier_id`` are for the sales director only."""

    name: Name | None = None
    legal_identifier: Line | None = None
    domain: Line | None = None
    country: Line | None = None
    kind: Partner.Kind | None = None
    territory_id: Id | None = None
    tier_id: Id | None = Field(None, description="Director only.")
    status: PartnerStatusField | None = Field(None, description="Director only.")
    channel_manager_id: Id | None = Field(
        None, description="A user in your line (the director: any staff user)."
    )
    parent_id: Id | None = None
    joined_on: IsoDate | None = None


class PartnerIn(PartnerPatch):
    name: Name  # type: ignore[assignment]
    country: Line  # type: ignore[assignment]
    territory_id: Id  # type: ignore[assignment]


def _partner_refs(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    user = request_user(request)
    return refs_resolve(
        data,
        {
            "territory": Territory.objects.all(),
            "tier": Tier.objects.all(),
            "channel_manager": users_assignable_by(user),
            "parent": partners_visible_to(user),
        },
    )


@router.get("/partners", response={200: Page[PartnerOut], **ERRORS}, summary="Partners")
def partner_list(
    request: HttpRequest, filters: Query[PartnerFilters], page: Query[PageParams]
) -> Any:
    qs = partners_visible_to(request_user(request)).select_related(*PARTNER_RELATED)
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(domain__icontains=filters.q))
    if filters.tier is not None:
        qs = qs.filter(tier_id=filters.tier)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.territory is not None:
        qs = qs.filter(territory_id=filters.territory)
    return paginate(request, qs, order=("name", "id"), params=page)


@router.get("/partners/{partner_id}", response={200: PartnerOut, **ERRORS}, summary="A partner")
def partner_detail(request: HttpRequest, partner_id: Id) -> Any:
    return get_partner_for_user(user=request_user(request), partner_id=partner_id)


@router.post("/partners", response={201: PartnerOut, **ERRORS}, summary="Create a partner")
def partner_create_endpoint(request: HttpRequest, payload: PartnerIn) -> Any:
    user = request_user(request)
    if not partner_can_create(user=user):
        raise PermissionDenied(_("You may not create partners."))
    fields = _partner_refs(
        request, patch_nulls_refuse(payload.model_dump(exclude_unset=True), Partner)
    )
    partner = partner_create(created_by=user, **fields)
    return Status(201, get_partner_for_user(user=user, partner_id=partner.pk))


@router.patch(
    "/partners/{partner_id}", response={200: PartnerOut, **ERRORS}, summary="Change a partner"
)
def partner_update_endpoint(request: HttpRequest, partner_id: Id, payload: PartnerPatch) -> Any:
    user = request_user(request)
    partner = get_partner_for_user(user=user, partner_id=partner_id)
    if not partner_can_edit(user=user, partner=partner):
        raise PermissionDenied(_("You may not change this partner."))
    fields = _partner_refs(
        request, patch_nulls_refuse(payload.model_dump(exclude_unset=True), Partner)
    )
    partner_update(partner=partner, updated_by=user, **fields)
    return get_partner_for_user(user=user, partner_id=partner.pk)


# Contacts: people at a partner or at a customer account.


class ContactOut(Schema):
    id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    job_title: str
    partner: Ref | None
    account: Ref | None
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


@router.get("/contacts", response={200: Page[ContactOut], **ERRORS}, summary="Contacts")
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


@router.get("/contacts/{contact_id}", response={200: ContactOut, **ERRORS}, summary="A contact")
def contact_detail(request: HttpRequest, contact_id: Id) -> Any:
    return get_contact_for_user(user=request_user(request), contact_id=contact_id)


@router.post("/contacts", response={201: ContactOut, **ERRORS}, summary="Create a contact")
def contact_create_endpoint(request: HttpRequest, payload: ContactIn) -> Any:
    user = request_user(request)
    fields = _contact_refs(
        request, patch_nulls_refuse(payload.model_dump(exclude_unset=True), Contact)
    )
    contact = contact_create(created_by=user, **fields)
    return Status(201, get_contact_for_user(user=user, contact_id=contact.pk))


@router.patch(
    "/contacts/{contact_id}", response={200: ContactOut, **ERRORS}, summary="Change a contact"
)
def contact_update_endpoint(request: HttpRequest, contact_id: Id, payload: ContactPatch) -> Any:
    user = request_user(request)
    contact = get_contact_for_user(user=user, contact_id=contact_id)
    if not contact_can_edit(user=user, contact=contact):
        raise PermissionDenied(_("You may not change this contact."))
    fields = _contact_refs(
        request, patch_nulls_refuse(payload.model_dump(exclude_unset=True), Contact)
    )
    contact_update(contact=contact, updated_by=user, **fields)
    return get_contact_for_user(user=user, contact_id=contact.pk)


@router.delete("/contacts/{contact_id}", response={204: None, **ERRORS}, summary="Delete a contact")
def contact_delete_endpoint(request: HttpRequest, contact_id: Id) -> Any:
    user = request_user(request)
    contact = get_contact_for_user(user=user, contact_id=contact_id)
    if not contact_can_delete(user=user, contact=contact):
        raise PermissionDenied(_("You may not delete this contact."))
    contact_delete(contact=contact)
    return Status(204, None)
