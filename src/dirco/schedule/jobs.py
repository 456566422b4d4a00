"""The periodic work of dirco, in one list, and the tick that enqueues what is due.

``dirco scheduler`` (one process; a second one on another machine is safe) calls
:func:`schedule_tick` every few seconds. A due job is **enqueued** (django-tasks), not run
in the scheduler: the workers run it, with their lease (dirco.core.task_queue). A job whose
previous run is still waiting or running is not enqueued again, so that a stopped worker pool
does not pile up copies. Only the reclaim of abandoned tasks runs in the scheduler itself
too: it must not wait for a worker, since it is what frees their tasks.

Why not django-crontask: it needs Python 3.12 (3.14 for 2.x), dirco supports 3.11; and it
keeps its own lock in Redis or a file, where this list keeps its state in the database that
every process already shares.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from dirco.core.task_queue import tasks_reclaim_abandoned
from dirco.imports.tasks import import_jobs_prune_task
from dirco.leads.tasks import leads_reroute_expired_task
from dirco.marketing.tasks import campaigns_send_due_task
from dirco.registrations.tasks import registrations_expire_task
from dirco.revenue.tasks import forecasts_refresh_due
from dirco.schedule.models import ScheduledJob
from dirco.schedule.tasks import (
    idempotency_prune_task,
    task_results_prune_task,
    tasks_reclaim_abandoned_task,
)
from dirco.social.tasks import social_digest_task
from dirco.webhooks.tasks import webhooks_retry_due_task


@dataclass(frozen=True)
class Job:
    name: str
    every: dt.timedelta
    task: Task[[], Any]
    why: str


JOBS: tuple[Job, ...] = (
    Job(
        "leads_reroute_expired",
        dt.timedelta(minutes=5),
        leads_reroute_expired_task,
        "re-route lead offers unanswered past DIRCO_LEAD_SLA_HOURS",
    ),
    Job(
        "registrations_expire",
        dt.timedelta(hours=1),
        registrations_expire_task,
        "expire ended protections and registrations pending too long",
    ),
    Job(
        "webhooks_retry_due",
        dt.timedelta(minutes=1),
        webhooks_retry_due_task,
        "send the webhook deliveries whose backoff has elapsed",
    ),
    Job(
        "campaigns_send_due",
        dt.timedelta(minutes=1),
        campaigns_send_due_task,
        "send the campaigns whose time has come, and resume those of a lost worker",
    ),
    Job(
        "forecasts_refresh_due",
        dt.timedelta(minutes=15),
        forecasts_refresh_due,
        "refresh forecasts left stale, and all of them when a month begins",
    ),
    Job(
        "tasks_reclaim_abandoned",
        dt.timedelta(minutes=1),
        tasks_reclaim_abandoned_task,
        "put back to the queue the tasks of workers that stopped beating",
    ),
    Job(
        "task_results_prune",
        dt.timedelta(hours=6),
        task_results_prune_task,
        "delete finished task rows older than DIRCO_TASK_RESULTS_KEEP_DAYS",
    ),
    Job(
        "idempotency_prune",
        dt.timedelta(hours=1),
        idempotency_prune_task,
        "delete Idempotency-Key answers older than DIRCO_API_IDEMPOTENCY_KEEP_HOURS",
    ),
    Job(
        "import_jobs_prune",
        dt.timedelta(hours=6),
        import_jobs_prune_task,
        "delete import jobs and their files older than DIRCO_IMPORT_KEEP_DAYS",
    ),
    Job(
        "social_digest",
        dt.timedelta(hours=1),
        social_digest_task,
        "email the daily feed digest to the users who asked for it, a day after the last one",
    ),
)


def _still_pending(job: Job) -> bool:
    if not settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db"):
        return False  # the inline backend has nothing pending
    return DBTaskResult.objects.filter(
        task_path=job.task.module_path, status__in=["READY", "RUNNING"]
    ).exists()


def _claim(job: Job, now: dt.datetime) -> bool:
    """Move the job's next run forward; True for the one scheduler that did."""
    try:
        with transaction.atomic():
            ScheduledJob.objects.get_or_create(name=job.name, defaults={"next_run_at": now})
    except IntegrityError:
        pass  # another scheduler created it
    return bool(
        ScheduledJob.objects.filter(name=job.name, next_run_at__lte=now).update(
            next_run_at=now + job.every, last_run_at=now
        )
    )


def schedule_tick(*, now: dt.datetime | None = None, jobs: tuple[Job, ...] = JOBS) -> list[str]:
    """Enqueue the jobs that are due; returns their names."""
    now = now or timezone.now()
    tasks_reclaim_abandoned(now=now)
    enqueued = []
    for job in jobs:
        if _claim(job, now) and not _still_pending(job):
            job.task.enqueue()
            enqueued.append(job.name)
    return enqueued
