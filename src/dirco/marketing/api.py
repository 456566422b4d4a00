"""API: direct marketing (the director and marketing only; 404 for everyone else, like the
pages): segments, email templates, campaigns and their recipients' status, consent records.

Writes call the same services as the pages (segment_save, template_save, campaign_create,
campaign_update, campaign_schedule, campaign_cancel); a template that does not parse or
render, a filter naming an unknown tier, or a campaign that is no longer a draft is a 400
problem document saying what to fix.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from dirco.api.auth import request_user
from dirco.api.errors import ErrorOut
from dirco.api.pagination import Page, PageParams, paginate
from dirco.api.schemas import Id, InputSchema, IsoDateTime, Line, Name, Text
from dirco.core.errors import ApplicationError
from dirco.marketing.models import Consent, Recipient
from dirco.marketing.permissions import (
    campaigns_visible_to,
    get_campaign_for_user,
    get_segment_for_user,
    get_template_for_user,
    marketing_require,
    segments_visible_to,
    templates_visible_to,
)
from dirco.marketing.segments import CONSENTS, KINDS, SegmentFilter
from dirco.marketing.services import (
    CampaignInput,
    TemplateInput,
    campaign_cancel,
    campaign_create,
    campaign_schedule,
    campaign_update,
    segment_save,
    template_save,
)

router = Router(tags=["marketing"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


# --- schemas ------------------------------------------------------------------------------------


class SegmentFilterSchema(InputSchema):
    kind: Literal[KINDS] = ""  # type: ignore[valid-type]
    tiers: list[Id] = Field(default_factory=list, max_length=100)
    territories: list[Id] = Field(default_factory=list, max_length=100)
    industries: list[Line] = Field(default_factory=list, max_length=50)
    roles: list[Line] = Field(default_factory=list, max_length=50)
    partner_statuses: list[Line] = Field(default_factory=list, max_length=10)
    consent: Literal[CONSENTS] = ""  # type: ignore[valid-type]


class SegmentIn(InputSchema):
    name: Name
    filters: SegmentFilterSchema = Field(default_factory=SegmentFilterSchema)


class SegmentOut(Schema):
    id: int
    name: str
    filters: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime


class TemplateIn(InputSchema):
    name: Name
    subject: Name
    html_body: str = Field(max_length=100_000)
    text_body: str = Field(max_length=50_000)


class TemplateOut(Schema):
    id: int
    name: str
    subject: str
    html_body: str
    text_body: str
    partner_approved: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class CampaignIn(InputSchema):
    name: Name
    segment_id: Id
    template_id: Id


class ScheduleIn(InputSchema):
    at: IsoDateTime | None = Field(
        None, description="When to send (ISO 8601, with a zone); empty or past: now."
    )


class CampaignOut(Schema):
    id: int
    name: str
    status: str
    segment_id: int | None
    partner_id: int | None = Field(description="Set for a partner's through-channel campaign.")
    template_id: int
    scheduled_at: dt.datetime | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    created_at: dt.datetime


class RecipientOut(Schema):
    id: int
    email: str
    contact_id: int | None
    status: str
    attempts: int
    last_error: str
    sent_at: dt.datetime | None
    opened_at: dt.datetime | None
    clicked_at: dt.datetime | None
    unsubscribed_at: dt.datetime | None
    bounced_at: dt.datetime | None
    complained_at: dt.datetime | None


class ConsentOut(Schema):
    id: int
    contact_id: int | None
    lead_id: int | None
    email: str
    status: str
    source: str
    legal_basis: str
    given_at: dt.datetime
    double_opt_in: bool
    confirmed_at: dt.datetime | None
    withdrawn_at: dt.datetime | None


class RecipientFilters(Schema):
    status: Literal[tuple(Recipient.Status.values)] | None = None  # type: ignore[valid-type]


class ConsentFilters(Schema):
    status: Literal[tuple(Consent.Status.values)] | None = None  # type: ignore[valid-type]
    q: Text = Field("", max_length=200, description="Part of the email address.")


def _spec(data: SegmentFilterSchema) -> SegmentFilter:
    return SegmentFilter(**data.model_dump())


def _campaign_input(request: HttpRequest, payload: CampaignIn) -> CampaignInput:
    user = request_user(request)
    return CampaignInput(
        name=payload.name,
        segment=get_segment_for_user(user=user, segment_id=payload.segment_id),
        template=get_template_for_user(user=user, template_id=payload.template_id),
    )


# --- segments -----------------------------------------------------------------------------------


@router.get("/marketing/segments", response={200: Page[SegmentOut], **ERRORS}, summary="Segments")
def segment_list(request: HttpRequest, page: Query[PageParams]) -> Any:
    user = request_user(request)
    marketing_require(user)
    return paginate(request, segments_visible_to(user), order=("id",), params=page)


@router.post("/marketing/segments", response={201: SegmentOut, **ERRORS}, summary="New segment")
def segment_create(request: HttpRequest, payload: SegmentIn) -> Any:
    user = request_user(request)
    marketing_require(user)
    segment = segment_save(segment=None, name=payload.name, spec=_spec(payload.filters), by=user)
    return Status(201, segment)


@router.get(
    "/marketing/segments/{segment_id}", response={200: SegmentOut, **ERRORS}, summary="A segment"
)
def segment_detail(request: HttpRequest, segment_id: Id) -> Any:
    return get_segment_for_user(user=request_user(request), segment_id=segment_id)


@router.put(
    "/marketing/segments/{segment_id}",
    response={200: SegmentOut, **ERRORS},
    summary="Change a segment",
)
def segment_update(request: HttpRequest, segment_id: Id, payload: SegmentIn) -> Any:
    user = request_user(request)
    segment = get_segment_for_user(user=user, segment_id=segment_id)
    return segment_save(segment=segment, name=payload.name, spec=_spec(payload.filters), by=user)


# --- templates ----------------------------------------------------------------------------------


@router.get(
    "/marketing/templates", response={200: Page[TemplateOut], **ERRORS}, summary="Email templates"
)
def template_list(request: HttpRequest, page: Query[PageParams]) -> Any:
    user = request_user(request)
    marketing_require(user)
    return paginate(request, templates_visible_to(user), order=("id",), params=page)


@router.post(
    "/marketing/templates", response={201: TemplateOut, **ERRORS}, summary="New email template"
)
def template_create(request: HttpRequest, payload: TemplateIn) -> Any:
    user = request_user(request)
    marketing_require(user)
    template = template_save(template=None, data=TemplateInput(**payload.model_dump()), by=user)
    return Status(201, template)


@router.get(
    "/marketing/templates/{template_id}",
    response={200: TemplateOut, **ERRORS},
    summary="An email template",
)
def template_detail(request: HttpRequest, template_id: Id) -> Any:
    return get_template_for_user(user=request_user(request), template_id=template_id)


@router.put(
    "/marketing/templates/{template_id}",
    response={200: TemplateOut, **ERRORS},
    summary="Change an email template",
)
def template_update(request: HttpRequest, template_id: Id, payload: TemplateIn) -> Any:
    user = request_user(request)
    template = get_template_for_user(user=user, template_id=template_id)
    return template_save(template=template, data=TemplateInput(**payload.model_dump()), by=user)


# --- campaigns ----------------------------------------------------------------------------------


@router.get(
    "/marketing/campaigns", response={200: Page[CampaignOut], **ERRORS}, summary="Campaigns"
)
def campaign_list(request: HttpRequest, page: Query[PageParams]) -> Any:
    user = request_user(request)
    marketing_require(user)
    return paginate(request, campaigns_visible_to(user), order=("-id",), params=page)


@router.post("/marketing/campaigns", response={201: CampaignOut, **ERRORS}, summary="New campaign")
def campaign_create_endpoint(request: HttpRequest, payload: CampaignIn) -> Any:
    user = request_user(request)
    marketing_require(user)
    return Status(201, campaign_create(data=_campaign_input(request, payload), by=user))


@router.get(
    "/marketing/campaigns/{campaign_id}",
    response={200: CampaignOut, **ERRORS},
    summary="A campaign",
)
def campaign_detail(request: HttpRequest, campaign_id: Id) -> Any:
    return get_campaign_for_user(user=request_user(request), campaign_id=campaign_id)


@router.put(
    "/marketing/campaigns/{campaign_id}",
    response={200: CampaignOut, **ERRORS},
    summary="Change a draft campaign",
)
def campaign_update_endpoint(request: HttpRequest, campaign_id: Id, payload: CampaignIn) -> Any:
    campaign = get_campaign_for_user(user=request_user(request), campaign_id=campaign_id)
    return campaign_update(campaign=campaign, data=_campaign_input(request, payload))


@router.post(
    "/marketing/campaigns/{campaign_id}/schedule",
    response={200: CampaignOut, **ERRORS},
    summary="Schedule a draft campaign (or send it now)",
)
def campaign_schedule_endpoint(request: HttpRequest, campaign_id: Id, payload: ScheduleIn) -> Any:
    campaign = get_campaign_for_user(user=request_user(request), campaign_id=campaign_id)
    if payload.at is not None and payload.at.tzinfo is None:
        raise ApplicationError(
            "Give the time with its zone (e.g. 2026-12-06T09:00:00+01:00).",
            fields={"at": ["A time zone is required."]},
        )
    return campaign_schedule(campaign=campaign, at=payload.at)


@router.post(
    "/marketing/campaigns/{campaign_id}/cancel",
    response={200: CampaignOut, **ERRORS},
    summary="Cancel a campaign",
)
def campaign_cancel_endpoint(request: HttpRequest, campaign_id: Id) -> Any:
    campaign = get_campaign_for_user(user=request_user(request), campaign_id=campaign_id)
    return campaign_cancel(campaign=campaign)


@router.get(
    "/marketing/campaigns/{campaign_id}/recipients",
    response={200: Page[RecipientOut], **ERRORS},
    summary="A campaign's recipients and the status of each",
)
def campaign_recipients(
    request: HttpRequest,
    campaign_id: Id,
    page: Query[PageParams],
    filters: Query[RecipientFilters],
) -> Any:
    campaign = get_campaign_for_user(user=request_user(request), campaign_id=campaign_id)
    qs = Recipient.objects.filter(campaign=campaign)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return paginate(request, qs, order=("id",), params=page)


# --- consent ------------------------------------------------------------------------------------


@router.get(
    "/marketing/consents", response={200: Page[ConsentOut], **ERRORS}, summary="Consent records"
)
def consent_list(
    request: HttpRequest, page: Query[PageParams], filters: Query[ConsentFilters]
) -> Any:
    marketing_require(request_user(request))
    qs: QuerySet[Consent] = Consent.objects.all()
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.q.strip():
        qs = qs.filter(email__icontains=filters.q.strip())
    return paginate(request, qs, order=("id",), params=page)
