"""When each periodic job is next due, shared by every scheduler process."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScheduledJob(models.Model):
    """One row per job of ``dirco.schedule.jobs.JOBS``; a scheduler enqueues a job only after
    moving its ``next_run_at`` forward in one conditional UPDATE, so that two schedulers
    (one per machine, for availability) never enqueue the same run twice."""

    name = models.CharField(_("name"), max_length=64, primary_key=True)
    next_run_at = models.DateTimeField(_("next run at"))
    last_run_at = models.DateTimeField(_("last run at"), null=True, blank=True)

    class Meta:
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")

    def __str__(self) -> str:
        return self.name
