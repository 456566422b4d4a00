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
    Text,
    UserRef,
    choices_schema,
    refs_resolve,
)
from dirco.catalog.models import ProductLine
from dirco.leads.models import Lead, LeadEvent
from dirco.leads.permissions import (
    get_lead_for_user,
    lead_can_convert,
    lead_can_create,
    lead_can_respond,
    lead_can_route,
)
from dirco.leads.selectors import LeadFilters, lead_history, lead_list
from dirco.leads.services import (
    lead_accept,
    lead_convert,
    lead_create,
    lead_decline,
    lead_mark_lost,
    lead_route,
)
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
    lost_reason: str
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


class LeadLostIn(InputSchema):
    reason: Text = Field(min_length=1, description="Why the lead came to nothing.")


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


def _lead_to_decide(request: HttpRequest, lead_id: int) -> tuple[Any, Lead]:
    """The lead and its caller, refused (403) when the caller may see it but not decide its
    outcome; a lead that is not accepted is the services' 400 (it has no outcome to decide)."""
    user = request_user(request)
    lead = get_lead_for_user(user=user, lead_id=lead_id)
    if lead.status == Lead.Status.ACCEPTED and not lead_can_convert(user=user, lead=lead):
        raise PermissionDenied(_("You may not decide what becomes of this lead."))
    return user, lead


@router.post(
    "/leads/{lead_id}/convert",
    response={200: LeadOut, **ERRORS},
    summary="Convert an accepted lead into an account and an open deal",
)
def lead_convert_endpoint(request: HttpRequest, lead_id: Id) -> Any:
    """The deal (amount 0, to qualify) is owned by the partner's channel manager or the rep
    who took the lead; the answer's ``deal_id`` names it. The lead's recipient, the staff
    above it or the director may convert it (``leads.permissions.lead_can_convert``)."""
    user, lead = _lead_to_decide(request, lead_id)
    lead_convert(lead=lead, user=user)
    return get_lead_for_user(user=user, lead_id=lead.pk)


@router.post(
    "/leads/{lead_id}/lost",
    response={200: LeadOut, **ERRORS},
    summary="Mark an accepted lead lost, with the reason",
)
def lead_lost_endpoint(request: HttpRequest, lead_id: Id, payload: LeadLostIn) -> Any:
    user, lead = _lead_to_decide(request, lead_id)
    lead_mark_lost(lead=lead, user=user, reason=payload.reason)
    return get_lead_for_user(user=user, lead_id=lead.pk)


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
