from __future__ import annotations

from django.db.models import QuerySet

from dirco.webhooks.models import WebhookDelivery, WebhookSubscription


def webhook_deliveries_of(subscription: WebhookSubscription) -> QuerySet[WebhookDelivery]:
    """A subscription's deliveries, newest first."""
    return WebhookDelivery.objects.filter(subscription=subscription).order_by("-created_at", "-id")
