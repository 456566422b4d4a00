"""API: leads, their routing, the assignee's answer and the routing history.

Mounted with the other routers at the API root (paths start with ``/leads``). Reads go
through leads.permissions / leads.selectors, writes through leads.services. A lead the
caller may not see answers 404; one it sees but may not act on answers 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from dirco.api.auth import request_user
from dirco.api.errors import ErrorOut
from dirco.api.pagination import Page, PageParams, paginate
from dirco.api.schemas import (
    Country,
    CountryCode,
    Id,
    InputSchema,
    Line,
    Name,
    Phone,
    Ref,
    SearchText,
    StrictBool,
    UserRef,
    choices_schema,
    refs_resolve,
)
from dirco.catalog.models import ProductLine
from dirco.leads.models import Lead, LeadEvent
from dirco.leads.permissions import (
    get_lead_for_user,
    lead_can_create,
    lead_can_respond,
    lead_can_route,
)
from dirco.leads.selectors import LeadFilters, lead_history, lead_list
from dirco.leads.services import lead_accept, lead_create, lead_decline, lead_route
from dirco.partners.models import Territory

LeadStatusField = Annotated[Lead.Status, choices_schema(Lead.Status, "LeadStatus")]
LeadSourceField = Annotated[Lead.Source, choices_schema(Lead.Source, "LeadSource")]
router = Router(tags=["leads"])

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class LeadOut(Schema):
    id: int
    company_name: str
    contact_name: str
    email: str
    phone: str
    country: CountryCode
    postcode: str
    territory: Ref | None
    product_line: Ref | None
    message: str
    source: str
    status: str
    consent: bool
    partner: Ref | None
    rep: UserRef | None
    offered_at: dt.datetime | None
    sla_due_at: dt.datetime | None
    accepted_at: dt.datetime | None
    deal_id: int | None
    created_at: dt.datetime


class LeadListFilters(Schema):
    q: SearchText = Field("", description="Part of the company, contact name or email.")
    status: LeadStatusField | None = None
    source: LeadSourceField | None = None
    territory_id: Id | None = None
    partner_id: Id | None = None
    rep_id: Id | None = None


class LeadIn(InputSchema):
    """A lead from an import, a campaign or an event; the territory is resolved from the
    country and postcode when not given. ``route`` routes it once saved."""

    company_name: Name
    contact_name: Name
    email: Line
    phone: Phone = ""
    country: Country
    postcode: str = Field("", max_length=16)
    territory_id: Id | None = None
    product_line_id: Id | None = None
    message: str = Field("", max_length=4000)
    source: LeadSourceField = Lead.Source.IMPORT
    consent: StrictBool = False
    route: StrictBool = True


class LeadAcceptIn(InputSchema):
    convert: StrictBool = Field(False, description="Also create the account and an open deal.")


class LeadDeclineIn(InputSchema):
    reason: str = Field(min_length=1, max_length=1000)


class LeadEventOut(Schema):
    id: int
    kind: str
    partner: Ref | None
    rep: UserRef | None
    actor: UserRef | None
    message: str
    score: str | None
    rule: str | None
    created_at: dt.datetime

    @staticmethod
    def resolve_score(obj: LeadEvent) -> str | None:
        if obj.assignment is None or obj.assignment.score is None:
            return None
        return str(obj.assignment.score)

    @staticmethod
    def resolve_rule(obj: LeadEvent) -> str | None:
        return obj.assignment.rule if obj.assignment is not None else None


class LeadRouteOut(Schema):
    lead: LeadOut
    offered: bool


@router.get("/leads", response={200: Page[LeadOut], **ERRORS}, summary="Leads")
def lead_list_endpoint(
    request: HttpRequest, filters: Query[LeadListFilters], page: Query[PageParams]
) -> Any:
    data = filters.model_dump()
    data["status"] = data["status"] or ""
    data["source"] = data["source"] or ""
    qs = lead_list(user=request_user(request), filters=LeadFilters(**data))
    return paginate(request, qs, order=("-created_at", "-id"), params=page)


@router.get("/leads/{lead_id}", response={200: LeadOut, **ERRORS}, summary="A lead")
def lead_detail(request: HttpRequest, lead_id: Id) -> Any:
    return get_lead_for_user(user=request_user(request), lead_id=lead_id)


@router.post("/leads", response={201: LeadOut, **ERRORS}, summary="Create a lead")
def lead_create_endpoint(request: HttpRequest, payload: LeadIn) -> Any:
    user = request_user(request)
    if not lead_can_create(user=user):
        raise PermissionDenied(_("Only marketing and the director bring leads in."))
    data = payload.model_dump()
    route = data.pop("route")
    fields = refs_resolve(
        data, {"territory": Territory.objects.all(), "product_line": ProductLine.objects.all()}
    )
    lead = lead_create(created_by=user, route=route, **fields)
    return Status(201, get_lead_for_user(user=user, lead_id=lead.pk))


@router.post(
    "/leads/{lead_id}/route", response={200: LeadRouteOut, **ERRORS}, summary="Route a lead"
)
def lead_route_endpoint(request: HttpRequest, lead_id: Id) -> Any:
    """Route a new lead, re-route an offered one, or retry one everybody declined."""
    user = request_user(request)
    lead = get_lead_for_user(user=user, lead_id=lead_id)
    if not lead_can_route(user=user, lead=lead):
        raise PermissionDenied(_("You may not route leads."))
    assignment = lead_route(lead=lead, actor=user)
    lead.refresh_from_db()
    return {"lead": lead, "offered": assignment is not None}


@router.post("/leads/{lead_id}/accept", response={200: LeadOut, **ERRORS}, summary="Accept a lead")
def lead_accept_endpoint(request: HttpRequest, lead_id: Id, payload: LeadAcceptIn) -> Any:
    user = request_user(request)
    lead = get_lead_for_user(user=user, lead_id=lead_id)
    if not lead_can_respond(user=user, lead=lead) and lead.status == Lead.Status.OFFERED:
        raise PermissionDenied(_("This lead is not offered to you."))
    lead = lead_accept(lead=lead, user=user, convert=payload.convert)
    return get_lead_for_user(user=user, lead_id=lead.pk)


@router.post(
    "/leads/{lead_id}/decline",
    response={200: LeadOut | None, **ERRORS},
    summary="Decline a lead",
)
def lead_decline_endpoint(request: HttpRequest, lead_id: Id, payload: LeadDeclineIn) -> Any:
    """Decline with a reason; the lead goes to the next partner or rep. The answer is the lead
    as the caller may still see it (null once it went to another partner)."""
    user = request_user(request)
    lead = get_lead_for_user(user=user, lead_id=lead_id)
    if not lead_can_respond(user=user, lead=lead) and lead.status == Lead.Status.OFFERED:
        raise PermissionDenied(_("This lead is not offered to you."))
    lead_decline(lead=lead, user=user, reason=payload.reason)
    try:
        return get_lead_for_user(user=user, lead_id=lead.pk)
    except Http404:  # the lead went to another partner: no longer the caller's to see
        return None


@router.get(
    "/leads/{lead_id}/history",
    response={200: Page[LeadEventOut], **ERRORS},
    summary="A lead's routing history",
)
def lead_history_endpoint(request: HttpRequest, lead_id: Id, page: Query[PageParams]) -> Any:
    """Offers, answers, expiries and re-routes; a partner sees only the events about itself."""
    user = request_user(request)
    lead = get_lead_for_user(user=user, lead_id=lead_id)
    return paginate(request, lead_history(user=user, lead=lead), order=("id",), params=page)
