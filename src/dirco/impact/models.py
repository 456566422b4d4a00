"""The impact of a plan, computed once and kept: reading it at each page view would sum a
segment's monthly history over every deal (seconds at a million deals)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImpactSnapshot(models.Model):
    subject_key = models.CharField(_("subject"), max_length=40, unique=True)  # "plan:12"
    payload = models.JSONField(_("figures"))
    computed_at = models.DateTimeField(_("computed at"))
    inputs_changed_at = models.DateTimeField(
        _("inputs changed at"), help_text=_("The latest change of the plan or its actions.")
    )

    class Meta:
        verbose_name = _("impact snapshot")
        verbose_name_plural = _("impact snapshots")

    def __str__(self) -> str:
        return self.subject_key
