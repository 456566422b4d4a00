"""Base model and the exchange-rate table. ``core`` knows no domain app."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dirco.core.money import CURRENCY_CHOICES


class TimeStampedModel(models.Model):
    # A default, not auto_now_add, so imports and the demo seed can keep historical dates.
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Decision(models.Model):
    """Who decided on a request and when (a registration, an extension, a tier proposal):
    the same two fields wherever someone approves or rejects something."""

    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        abstract = True


class ExchangeRate(TimeStampedModel):
    """How many units of the company currency one unit of ``currency`` is worth from ``valid_from``."""

    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    valid_from = models.DateField(_("valid from"))
    rate = models.DecimalField(
        _("rate to company currency"),
        max_digits=18,
        decimal_places=8,
        validators=[MinValueValidator(Decimal("0.00000001"))],
    )

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "valid_from"], name="uniq_rate_per_day"),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.rate} ({self.valid_from})"


class TaskWorker(models.Model):
    """A running ``dirco db_worker`` process and its last heartbeat (dirco.core.task_queue).

    A task whose worker has not beaten for ``DIRCO_TASK_LEASE_SECONDS`` is taken back and run
    again by another worker.
    """

    worker_id = models.CharField(max_length=64, primary_key=True)
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return self.worker_id
