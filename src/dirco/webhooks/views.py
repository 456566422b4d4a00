"""The director's webhook pages: subscriptions (create, pause, delete), each one's
deliveries with their response codes, and manual redelivery. Thin: services and
permissions do the work, as for the API."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dirco.web.forms import form_submit
from dirco.web.http import AuthedHttpRequest, page_number, staff_required
from dirco.webhooks.forms import WebhookSubscriptionForm
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

DELIVERIES_PER_PAGE = 50


def _manager_check(request: AuthedHttpRequest) -> None:
    if not webhooks_can_manage(request.user):
        raise Http404("No webhooks here.")


@staff_required
@require_http_methods(["GET", "POST"])
def webhook_list_view(request: AuthedHttpRequest) -> HttpResponse:
    _manager_check(request)
    form = WebhookSubscriptionForm(request.POST or None)
    created: list[object] = []
    if form_submit(
        request,
        form,
        lambda: created.append(
            webhook_subscription_create(created_by=request.user, **form.cleaned_data)
        ),
        success=_("Webhook subscription created."),
    ):
        return redirect("webhooks:detail", subscription_id=created[0].pk)  # type: ignore[attr-defined]
    subscriptions = webhook_subscriptions_visible_to(request.user)
    return render(
        request, "webhooks/webhook_list.html", {"form": form, "subscriptions": subscriptions}
    )


@staff_required
def webhook_detail_view(request: AuthedHttpRequest, subscription_id: int) -> HttpResponse:
    subscription = get_webhook_subscription_for_user(
        user=request.user, subscription_id=subscription_id
    )
    page = page_number(request)
    start = (page - 1) * DELIVERIES_PER_PAGE
    rows = list(webhook_deliveries_of(subscription)[start : start + DELIVERIES_PER_PAGE + 1])
    response = render(
        request,
        "webhooks/webhook_detail.html",
        {
            "subscription": subscription,
            "deliveries": rows[:DELIVERIES_PER_PAGE],
            "page": page,
            "has_next": len(rows) > DELIVERIES_PER_PAGE,
        },
    )
    response["Cache-Control"] = "no-store"  # the page shows the signing secret
    return response


@staff_required
@require_POST
def webhook_toggle_view(request: AuthedHttpRequest, subscription_id: int) -> HttpResponse:
    subscription = get_webhook_subscription_for_user(
        user=request.user, subscription_id=subscription_id
    )
    webhook_subscription_update(subscription=subscription, is_active=not subscription.is_active)
    return redirect("webhooks:detail", subscription_id=subscription.pk)


@staff_required
@require_POST
def webhook_delete_view(request: AuthedHttpRequest, subscription_id: int) -> HttpResponse:
    subscription = get_webhook_subscription_for_user(
        user=request.user, subscription_id=subscription_id
    )
    webhook_subscription_delete(subscription=subscription)
    messages.success(request, _("Webhook subscription deleted."))
    return redirect("webhooks:list")


@staff_required
@require_POST
def webhook_redeliver_view(request: AuthedHttpRequest, delivery_id: int) -> HttpResponse:
    delivery = get_webhook_delivery_for_user(user=request.user, delivery_id=delivery_id)
    webhook_redeliver(delivery=delivery)
    messages.success(request, _("Delivery queued again."))
    return redirect("webhooks:detail", subscription_id=delivery.subscription_id)
