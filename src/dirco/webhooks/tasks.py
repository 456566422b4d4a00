"""Background sending of webhooks; each task only calls a service."""

from __future__ import annotations

from django_tasks import task

from dirco.webhooks.models import WebhookDelivery
from dirco.webhooks.services import webhook_deliver, webhooks_retry_due


@task()
def webhook_deliver_task(delivery_id: int) -> str:
    """One attempt at a delivery still to send; returns its status after the attempt."""
    delivery = (
        WebhookDelivery.objects.select_related("subscription")
        .filter(pk=delivery_id)
        .exclude(status__in=[WebhookDelivery.Status.SUCCEEDED, WebhookDelivery.Status.FAILED])
        .first()
    )
    if delivery is None:
        return "gone"
    return str(webhook_deliver(delivery=delivery).status)


@task()
def webhooks_retry_due_task() -> int:
    return webhooks_retry_due()
