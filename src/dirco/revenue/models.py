"""Cached forecasts: one snapshot per scope, marked stale when the scope's deals change."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from dirco.core.models import TimeStampedModel


class ForecastSnapshot(TimeStampedModel):
    scope_key = models.CharField(_("scope"), max_length=80, unique=True)
    computed_at = models.DateTimeField(_("computed at"))
    stale = models.BooleanField(_("stale"), default=False)
    # When it turned stale (None while fresh): a read serves a stale snapshot for a grace
    # period while the refresh task is due, then recomputes it (see revenue.services).
    stale_since = models.DateTimeField(_("stale since"), null=True, blank=True)
    # Bumped by every change of the scope's deals: a refresh computed while the deals changed
    # again stores its payload but stays stale.
    generation = models.PositiveBigIntegerField(_("generation"), default=0)
    # The forecast and seasonal profile as served by the API (see revenue.services).
    payload = models.JSONField(_("payload"))

    class Meta:
        verbose_name = _("forecast snapshot")
        verbose_name_plural = _("forecast snapshots")

    def __str__(self) -> str:
        return self.scope_key
