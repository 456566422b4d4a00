"""The scheduler: each due job enqueued once (even with two schedulers), not before its time,
not again while its previous run waits; ``dirco scheduler --once`` and ``--list``."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dirco.schedule.jobs import JOBS, schedule_tick
from dirco.schedule.models import ScheduledJob

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
ALL = sorted(job.name for job in JOBS)


def _queued() -> list[str]:
    return sorted(DBTaskResult.objects.values_list("task_path", flat=True))


@override_settings(TASKS=DATABASE_TASKS)
def test_each_job_is_enqueued_when_due_and_once_by_two_schedulers() -> None:
    now = timezone.now()
    assert sorted(schedule_tick(now=now)) == ALL
    # A second scheduler at the same moment finds every run claimed.
    assert schedule_tick(now=now) == []
    assert len(_queued()) == len(JOBS)
    assert sorted(_queued()) == sorted(job.task.module_path for job in JOBS)

    # Two minutes later the one-minute jobs are due again, but their runs still wait for a
    # worker: nothing piles up.
    later = now + dt.timedelta(minutes=2)
    assert schedule_tick(now=later) == []
    # A worker ran everything: the one-minute jobs are enqueued at their next due time.
    DBTaskResult.objects.update(status="SUCCESSFUL", finished_at=later)
    assert sorted(schedule_tick(now=later + dt.timedelta(minutes=2))) == [
        "campaigns_send_due",
        "tasks_reclaim_abandoned",
        "webhooks_retry_due",
    ]
    assert ScheduledJob.objects.get(name="registrations_expire").next_run_at == now + dt.timedelta(
        hours=1
    )


def test_with_inline_tasks_the_due_jobs_run_at_once() -> None:
    out = StringIO()
    call_command("scheduler", "--once", stdout=out, skip_checks=True)
    assert "leads_reroute_expired" in out.getvalue()
    assert DBTaskResult.objects.count() == 0  # run inline by the immediate backend
    assert ScheduledJob.objects.count() == len(JOBS)


def test_scheduler_lists_its_jobs() -> None:
    out = StringIO()
    call_command("scheduler", "--list", stdout=out, skip_checks=True)
    for job in JOBS:
        assert job.name in out.getvalue()
