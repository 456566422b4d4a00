"""Webhook subscriptions (a URL and the events it wants) and the log of their deliveries."""

from __future__ import annotations

import base64
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dirco.core.models import TimeStampedModel

# The events dirco sends; "*" in a subscription means every event.
EVENTS: tuple[str, ...] = (
    "deal.created",
    "deal.updated",
    "deal.stage_changed",
    "deal.won",
    "deal.lost",
    "deal.deleted",
    "registration.submitted",
    "registration.decided",
    "lead.routed",
    "objective.published",
)


def webhook_secret_new() -> str:
    """A Standard Webhooks secret: ``whsec_`` + base64 of 24 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


class WebhookSubscription(TimeStampedModel):
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(_("signing secret"), max_length=100, default=webhook_secret_new)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.url

    def wants(self, event: str) -> bool:
        return "*" in self.events or event in self.events


class WebhookDelivery(models.Model):
    """One event sent (or to send) to one subscription; each attempt updates the row."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        RETRYING = "retrying", _("retrying")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=50)
    message_id = models.CharField(_("message id"), max_length=50, unique=True)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    response_body = models.TextField(_("response body"), blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(fields=["subscription", "-created_at"], name="webhook_delivery_by_sub"),
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event} -> {self.subscription_id} ({self.status})"
