"""API: webhook subscriptions, their deliveries and redelivery (the director only; 404 for
everyone else, like the pages)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from dirco.api.auth import request_user
from dirco.api.errors import ErrorOut
from dirco.api.pagination import Page, PageParams, paginate
from dirco.api.schemas import Id, InputSchema, Line, StrictBool
from dirco.webhooks.models import EVENTS
from dirco.webhooks.permissions import (
    get_webhook_delivery_for_user,
    get_webhook_subscription_for_user,
    webhook_subscriptions_visible_to,
    webhooks_can_manage,
)
from dirco.webhooks.selectors import webhook_deliveries_of
from dirco.webhooks.services import (
    webhook_redeliver,
    webhook_subscription_create,
    webhook_subscription_delete,
    webhook_subscription_update,
)

router = Router(tags=["webhooks"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
EventName = Literal["*", *EVENTS]  # type: ignore[valid-type]


class SubscriptionOut(Schema):
    id: int
    url: str
    description: str
    events: list[str]
    is_active: bool
    secret: str = Field(description="The signing secret (whsec_...): verify webhook-signature.")
    created_at: dt.datetime


class SubscriptionIn(InputSchema):
    url: Line = Field(description="A public http(s) URL; private addresses are refused.")
    events: list[EventName] = Field(min_length=1, max_length=len(EVENTS) + 1)
    description: Line = ""


class SubscriptionPatch(InputSchema):
    url: Line | None = None
    events: list[EventName] | None = Field(None, min_length=1, max_length=len(EVENTS) + 1)
    description: Line | None = None
    is_active: StrictBool | None = None


class DeliveryOut(Schema):
    id: int
    event: str
    message_id: str
    status: str
    attempts: int
    response_code: int | None
    error: str
    created_at: dt.datetime
    last_attempt_at: dt.datetime | None
    next_attempt_at: dt.datetime | None
    payload: dict[str, Any]


@router.get("/webhooks", response={200: Page[SubscriptionOut], **ERRORS}, summary="Webhooks")
def webhook_list(request: HttpRequest, page: Query[PageParams]) -> Any:
    user = request_user(request)
    if not webhooks_can_manage(user):
        raise Http404("No webhooks here.")
    qs = webhook_subscriptions_visible_to(user)
    return paginate(request, qs, order=("-created_at", "-id"), params=page)


@router.post("/webhooks", response={201: SubscriptionOut, **ERRORS}, summary="Subscribe")
def webhook_create(request: HttpRequest, payload: SubscriptionIn) -> Any:
    user = request_user(request)
    if not webhooks_can_manage(user):
        raise Http404("No webhooks here.")  # as for reads: nobody else knows they exist
    sub = webhook_subscription_create(created_by=user, **payload.model_dump())
    return Status(201, sub)


@router.get(
    "/webhooks/{subscription_id}", response={200: SubscriptionOut, **ERRORS}, summary="A webhook"
)
def webhook_detail(request: HttpRequest, subscription_id: Id) -> Any:
    return get_webhook_subscription_for_user(
        user=request_user(request), subscription_id=subscription_id
    )


@router.patch(
    "/webhooks/{subscription_id}",
    response={200: SubscriptionOut, **ERRORS},
    summary="Change a webhook",
)
def webhook_update(request: HttpRequest, subscription_id: Id, payload: SubscriptionPatch) -> Any:
    sub = get_webhook_subscription_for_user(
        user=request_user(request), subscription_id=subscription_id
    )
    data = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    return webhook_subscription_update(subscription=sub, **data)


@router.delete(
    "/webhooks/{subscription_id}", response={204: None, **ERRORS}, summary="Delete a webhook"
)
def webhook_delete(request: HttpRequest, subscription_id: Id) -> Any:
    sub = get_webhook_subscription_for_user(
        user=request_user(request), subscription_id=subscription_id
    )
    webhook_subscription_delete(subscription=sub)
    return Status(204, None)


@router.get(
    "/webhooks/{subscription_id}/deliveries",
    response={200: Page[DeliveryOut], **ERRORS},
    summary="A webhook's deliveries, newest first",
)
def webhook_deliveries(request: HttpRequest, subscription_id: Id, page: Query[PageParams]) -> Any:
    sub = get_webhook_subscription_for_user(
        user=request_user(request), subscription_id=subscription_id
    )
    return paginate(request, webhook_deliveries_of(sub), order=("-created_at", "-id"), params=page)


@router.post(
    "/webhook-deliveries/{delivery_id}/redeliver",
    response={202: DeliveryOut, **ERRORS},
    summary="Send a delivery again",
)
def webhook_redeliver_endpoint(request: HttpRequest, delivery_id: Id) -> Any:
    delivery = get_webhook_delivery_for_user(user=request_user(request), delivery_id=delivery_id)
    return Status(202, webhook_redeliver(delivery=delivery))
