"""Webhook writes: subscriptions, :func:`emit` (called by the apps that have events), and the
delivery of one event with its retries.

``emit(event, payload)`` is the one entry point for the apps above (pipeline, registrations,
leads, objectives): it records one delivery per active subscription that wants the event, in
the caller's transaction, and enqueues the sending after commit. Webhooks sit below the
pipeline in the layers, so emitting imports nothing above the emitter.

A failed attempt (network error, timeout, refused address or an answer outside 2xx) is
retried with exponential backoff: 30 s, 2 min, 8 min, 32 min, about 2 h after each failure,
``settings.WEBHOOKS_MAX_ATTEMPTS`` attempts in all; then the delivery is ``failed``. The
retry is enqueued with ``run_after`` when the task backend can defer, and picked up by
``dirco webhooks_retry_due`` (run by ``dirco sweeps``) either way.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dirco.accounts.models import User
from dirco.core.errors import ApplicationError
from dirco.webhooks.models import EVENTS, WebhookDelivery, WebhookSubscription
from dirco.webhooks.outbound import OutboundRefused, outbound_post, url_check
from dirco.webhooks.signing import webhook_signature

BACKOFF_BASE = dt.timedelta(seconds=30)
BACKOFF_FACTOR = 4


def backoff_after(attempts: int) -> dt.timedelta:
    """The wait before the next attempt after ``attempts`` failed ones (1 -> 30 s)."""
    return BACKOFF_BASE * int(BACKOFF_FACTOR ** max(0, attempts - 1))


def _events_clean(events: list[str]) -> list[str]:
    unknown = [e for e in events if e != "*" and e not in EVENTS]
    if unknown or not events:
        raise ApplicationError(
            _("Nothing was saved: correct the fields shown."),
            fields={
                "events": [_("Choose among: %(events)s.") % {"events": ", ".join(("*", *EVENTS))}]
            },
        )
    return sorted(set(events))


def _url_clean(url: str) -> str:
    url = url.strip()
    try:
        url_check(url)
    except OutboundRefused as exc:
        raise ApplicationError(
            _("Nothing was saved: correct the fields shown."), fields={"url": [str(exc)]}
        ) from exc
    return url


@transaction.atomic
def webhook_subscription_create(
    *, created_by: User, url: str, events: list[str], description: str = ""
) -> WebhookSubscription:
    subscription = WebhookSubscription(
        url=_url_clean(url),
        events=_events_clean(events),
        description=description.strip(),
        created_by=created_by,
    )
    subscription.full_clean()
    subscription.save()
    return subscription


@transaction.atomic
def webhook_subscription_update(
    *,
    subscription: WebhookSubscription,
    url: str | None = None,
    events: list[str] | None = None,
    description: str | None = None,
    is_active: bool | None = None,
) -> WebhookSubscription:
    if url is not None:
        subscription.url = _url_clean(url)
    if events is not None:
        subscription.events = _events_clean(events)
    if description is not None:
        subscription.description = description.strip()
    if is_active is not None:
        subscription.is_active = is_active
    subscription.full_clean()
    subscription.save()
    return subscription


@transaction.atomic
def webhook_subscription_delete(*, subscription: WebhookSubscription) -> None:
    subscription.delete()


def emit(event: str, payload: dict[str, Any]) -> list[WebhookDelivery]:
    """Record ``event`` for every active subscription that wants it; send after commit."""
    return emit_all([(event, payload)])


def emit_all(events: list[tuple[str, dict[str, Any]]]) -> list[WebhookDelivery]:
    """:func:`emit` for several events of one write (a stage move is ``deal.updated``,
    ``deal.stage_changed`` and maybe ``deal.won``), in their order: the subscriptions are
    read once."""
    for event, _payload in events:
        assert event in EVENTS, event
    subscriptions = list(WebhookSubscription.objects.filter(is_active=True))
    deliveries = []
    for event, payload in events:
        # Through JSON once, so that what is stored is what is sent (dates, decimals as strings).
        data = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
        deliveries += [
            WebhookDelivery.objects.create(
                subscription=subscription,
                event=event,
                message_id=f"msg_{uuid.uuid4().hex}",
                payload={"type": event, "timestamp": timezone.now().isoformat(), "data": data},
            )
            for subscription in subscriptions
            if subscription.wants(event)
        ]
    if deliveries:
        ids = [d.pk for d in deliveries]
        transaction.on_commit(lambda: _enqueue(ids))
    return deliveries


def _enqueue(delivery_ids: list[int], *, run_after: dt.datetime | None = None) -> None:
    from dirco.webhooks.tasks import webhook_deliver_task  # the task module imports services

    task = webhook_deliver_task
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # `dirco webhooks_retry_due` sends it when it is due
        task = task.using(run_after=run_after)
    for pk in delivery_ids:
        task.enqueue(delivery_id=pk)


def webhook_request_body(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()


def webhook_deliver(
    *, delivery: WebhookDelivery, now: dt.datetime | None = None
) -> WebhookDelivery:
    """One attempt at sending ``delivery``; records the answer and schedules a retry."""
    now = now or timezone.now()
    subscription = delivery.subscription
    body = webhook_request_body(delivery)
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "dirco-webhooks/1",
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": webhook_signature(
            secret=subscription.secret,
            message_id=delivery.message_id,
            timestamp=timestamp,
            body=body,
        ),
    }
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.response_code = None
    delivery.response_body = ""
    delivery.error = ""
    try:
        response = outbound_post(subscription.url, body=body, headers=headers)
    except OutboundRefused as exc:
        delivery.error = str(exc)[:500]
    except OSError as exc:
        delivery.error = (f"{type(exc).__name__}: {exc}")[:500]
    else:
        delivery.response_code = response.status
        delivery.response_body = response.body[:2000]
        if 300 <= response.status < 400:
            delivery.error = _("Redirects are not followed: give the final URL.")
    succeeded = delivery.response_code is not None and 200 <= delivery.response_code < 300
    if succeeded:
        delivery.status = WebhookDelivery.Status.SUCCEEDED
        delivery.next_attempt_at = None
    elif delivery.attempts < settings.WEBHOOKS_MAX_ATTEMPTS:
        delivery.status = WebhookDelivery.Status.RETRYING
        delivery.next_attempt_at = now + backoff_after(delivery.attempts)
    else:
        delivery.status = WebhookDelivery.Status.FAILED
        delivery.next_attempt_at = None
    delivery.save()
    if delivery.status == WebhookDelivery.Status.RETRYING and delivery.next_attempt_at:
        _enqueue([delivery.pk], run_after=delivery.next_attempt_at)
    return delivery


@transaction.atomic
def webhook_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again now (same message id and payload), whatever its status."""
    delivery.status = WebhookDelivery.Status.PENDING
    delivery.next_attempt_at = None
    delivery.attempts = 0
    delivery.save(update_fields=["status", "next_attempt_at", "attempts"])
    pk = delivery.pk
    transaction.on_commit(lambda: _enqueue([pk]))
    return delivery


def webhooks_retry_due(*, now: dt.datetime | None = None) -> int:
    """Send the deliveries whose retry time has passed (and the pending ones left behind)."""
    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.RETRYING, next_attempt_at__lte=now
    ).select_related("subscription")
    count = 0
    for delivery in due:
        webhook_deliver(delivery=delivery, now=now)
        count += 1
    return count
