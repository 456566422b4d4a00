"""API: partners. Reads go through partners.permissions, writes through services (contacts:
dirco.customers.api)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

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
    IsoDate,
    Line,
    Name,
    Ref,
    SearchText,
    UserRef,
    choices_schema,
    payload_fields,
    refs_resolve,
)
from dirco.api.versioning import etag_set, if_match_version
from dirco.core.text import name_or_domain_matching
from dirco.partners.models import Partner, Territory, Tier
from dirco.partners.permissions import (
    get_partner_for_user,
    partner_can_create,
    partner_can_edit,
    partners_visible_to,
)
from dirco.partners.services import partner_create, partner_update
from dirco.teams.permissions import users_assignable_by

PartnerStatusField = Annotated[Partner.Status, choices_schema(Partner.Status, "PartnerStatus")]
router = Router(tags=["partners"])

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
PARTNER_RELATED = ("tier", "territory", "channel_manager", "parent")


class PartnerOut(Schema):
    id: int
    name: str
    legal_identifier: str
    domain: str
    country: CountryCode
    kind: str
    status: str
    tier: Ref
    territory: Ref
    channel_manager: UserRef | None
    parent: Ref | None
    joined_on: dt.date | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class PartnerFilters(Schema):
    q: SearchText = Field("", description="Part of the name or web domain.")
    tier: Id | None = Field(None, description="Tier id.")
    status: PartnerStatusField | None = None
    territory: Id | None = Field(None, description="Territory id.")
    sort: Literal["name", "-name", "created", "-created", "updated", "-updated"] = "name"


class PartnerPatch(InputSchema):
    """Every field is optional. ``status`` and ``tier_id`` are for the sales director only."""

    name: Name | None = None
    legal_identifier: Line | None = None
    domain: Line | None = None
    country: Country | None = None
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
    country: Country  # type: ignore[assignment]
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
    qs = name_or_domain_matching(qs, filters.q)
    if filters.tier is not None:
        qs = qs.filter(tier_id=filters.tier)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.territory is not None:
        qs = qs.filter(territory_id=filters.territory)
    return paginate(request, qs, order=LIST_SORTS[filters.sort], params=page)


@router.get("/partners/{partner_id}", response={200: PartnerOut, **ERRORS}, summary="A partner")
def partner_detail(request: HttpRequest, partner_id: Id, response: HttpResponse) -> Any:
    partner = get_partner_for_user(user=request_user(request), partner_id=partner_id)
    etag_set(response, partner.version)
    return partner


@router.post("/partners", response={201: PartnerOut, **ERRORS}, summary="Create a partner")
def partner_create_endpoint(request: HttpRequest, payload: PartnerIn) -> Any:
    user = request_user(request)
    permission_require(partner_can_create(user=user), _("You may not create partners."))
    fields = _partner_refs(request, payload_fields(payload, Partner))
    partner = partner_create(created_by=user, **fields)
    return Status(201, get_partner_for_user(user=user, partner_id=partner.pk))


@router.patch(
    "/partners/{partner_id}",
    response={200: PartnerOut, **ERRORS, 412: ErrorOut},
    summary="Change a partner (If-Match: the ETag read, or 412)",
)
def partner_update_endpoint(
    request: HttpRequest, partner_id: Id, payload: PartnerPatch, response: HttpResponse
) -> Any:
    user = request_user(request)
    partner = get_partner_for_user(user=user, partner_id=partner_id)
    permission_require(
        partner_can_edit(user=user, partner=partner), _("You may not change this partner.")
    )
    fields = _partner_refs(request, payload_fields(payload, Partner))
    partner = partner_update(
        partner=partner, updated_by=user, expected_version=if_match_version(request), **fields
    )
    etag_set(response, partner.version)
    return get_partner_for_user(user=user, partner_id=partner.pk)
