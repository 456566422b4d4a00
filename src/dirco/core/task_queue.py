"""The task queue's upkeep: worker heartbeats, abandoned tasks taken back, old results pruned.

django-tasks-db (0.13) claims a task by setting it RUNNING and never looks at it again: a
worker killed in the middle (SIGKILL, out of memory, a lost machine) leaves it RUNNING for
ever. dirco adds a **heartbeat lease**:

- ``dirco db_worker`` (``dirco.core.management.commands.db_worker``: the library's worker plus
  a heartbeat thread) writes its ``TaskWorker`` row every ``DIRCO_TASK_LEASE_SECONDS / 4``.
- A RUNNING task whose worker has not beaten for ``DIRCO_TASK_LEASE_SECONDS`` (60 by default),
  or never did, is put back to READY by :func:`tasks_reclaim_abandoned`, which every worker's
  heartbeat thread and the scheduler run; the next free worker runs it again.
- After ``DIRCO_TASK_MAX_ATTEMPTS`` claims (3) it is marked FAILED (``WorkerLost``) instead:
  a task that kills its worker every time must not kill every worker in turn.

Delivery is therefore **at least once**: a task may start twice (once per lost worker), so
every dirco task is idempotent (it re-reads the state and does what is still to do: a stale
forecast, an unrouted lead, a delivery not yet succeeded). The one visible repeat is an email
sent just before its worker died, which may be sent again.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dirco.core.models import TaskWorker

logger = logging.getLogger("dirco.tasks")

RUNNING = "RUNNING"
READY = "READY"
FAILED = "FAILED"


class WorkerLost(Exception):
    """Recorded as the failure of a task whose workers died ``DIRCO_TASK_MAX_ATTEMPTS`` times."""


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.DIRCO_TASK_LEASE_SECONDS)


def worker_heartbeat(*, worker_id: str) -> None:
    now = timezone.now()
    updated = TaskWorker.objects.filter(worker_id=worker_id).update(seen_at=now)
    if not updated:
        TaskWorker.objects.update_or_create(worker_id=worker_id, defaults={"seen_at": now})


def worker_gone(*, worker_id: str) -> None:
    TaskWorker.objects.filter(worker_id=worker_id).delete()


def tasks_reclaim_abandoned(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Put back to READY the RUNNING tasks whose worker stopped beating; fail those that
    already lost ``DIRCO_TASK_MAX_ATTEMPTS`` workers. Returns ``{"retried": n, "failed": n}``."""
    now = now or timezone.now()
    cutoff = now - lease()
    alive = set(TaskWorker.objects.filter(seen_at__gt=cutoff).values_list("worker_id", flat=True))
    retried = failed = 0
    # Only tasks started before the cutoff: a worker beats before it claims, so a task
    # claimed since then has a live worker even if its row was read before the claim.
    suspects = DBTaskResult.objects.filter(status=RUNNING).filter(
        Q(started_at__lt=cutoff) | Q(started_at__isnull=True)
    )
    for task_id, worker_ids in suspects.values_list("id", "worker_ids"):
        if worker_ids and worker_ids[-1] in alive:
            continue
        with transaction.atomic():
            row = (
                DBTaskResult.objects.select_for_update(skip_locked=True)
                .filter(pk=task_id, status=RUNNING)
                .first()
            )
            if row is None or list(row.worker_ids) != list(worker_ids):
                continue  # finished, or claimed again, meanwhile
            if len(worker_ids) >= settings.DIRCO_TASK_MAX_ATTEMPTS:
                row.set_failed(
                    WorkerLost(
                        f"{len(worker_ids)} workers stopped while running this task "
                        f"({', '.join(worker_ids)})."
                    )
                )
                failed += 1
            else:
                row.status = READY
                row.save(update_fields=["status"])
                retried += 1
            logger.warning(
                "task %s of lost worker %s: %s",
                task_id,
                worker_ids[-1] if worker_ids else "?",
                "failed" if row.status == FAILED else "back to the queue",
            )
    TaskWorker.objects.filter(seen_at__lt=now - 10 * lease()).delete()
    return {"retried": retried, "failed": failed}


def task_results_prune(*, now: dt.datetime | None = None) -> int:
    """Delete finished task rows older than ``DIRCO_TASK_RESULTS_KEEP_DAYS``; returns how many."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.DIRCO_TASK_RESULTS_KEEP_DAYS)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return deleted


class Heartbeat(threading.Thread):
    """Beats for one worker process and takes back abandoned tasks, until the process ends."""

    def __init__(self, *, worker_id: str) -> None:
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.stopped = threading.Event()

    def run(self) -> None:
        every = max(0.2, settings.DIRCO_TASK_LEASE_SECONDS / 4)
        try:
            while not self.stopped.wait(every):
                close_old_connections()
                try:
                    worker_heartbeat(worker_id=self.worker_id)
                    tasks_reclaim_abandoned()
                except Exception:  # the next beat tries again; the worker keeps working
                    logger.exception("heartbeat of worker %s failed", self.worker_id)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
