"""Cached forecasts: one snapshot per scope, marked stale when the scope's deals change."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from dirco.core.models import TimeStampedModel


class ForecastSnapshot(TimeStampedModel):
    scope_key = models.CharField(_("scope"), max_length=80, unique=True)
    computed_at = models.DateTimeField(_("computed at"))
    stale = models.BooleanField(_("stale"), default=False)
    # The forecast and seasonal profile as served by the API (see revenue.services).
    payload = models.JSONField(_("payload"))

    class Meta:
        verbose_name = _("forecast snapshot")
        verbose_name_plural = _("forecast snapshots")

    def __str__(self) -> str:
        return self.scope_key
