"""Who manages webhooks: the director (subscriptions, deliveries, redelivery); nobody else
sees them (404), pages and API alike."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from dirco.accounts.models import User
from dirco.accounts.permissions import user_is_director
from dirco.webhooks.models import WebhookDelivery, WebhookSubscription


def webhooks_can_manage(user: User) -> bool:
    return user_is_director(user)


def webhook_subscriptions_visible_to(user: User) -> QuerySet[WebhookSubscription]:
    if not webhooks_can_manage(user):
        return WebhookSubscription.objects.none()
    return WebhookSubscription.objects.all()


def get_webhook_subscription_for_user(*, user: User, subscription_id: int) -> WebhookSubscription:
    found = webhook_subscriptions_visible_to(user).filter(pk=subscription_id).first()
    if found is None:
        raise Http404("No such webhook subscription.")
    return found


def get_webhook_delivery_for_user(*, user: User, delivery_id: int) -> WebhookDelivery:
    found = (
        WebhookDelivery.objects.filter(subscription__in=webhook_subscriptions_visible_to(user))
        .select_related("subscription")
        .filter(pk=delivery_id)
        .first()
    )
    if found is None:
        raise Http404("No such webhook delivery.")
    return found
