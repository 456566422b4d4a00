"""Periodic tasks of the infrastructure (the apps' own periodic tasks live in their tasks.py)."""

from __future__ import annotations

from django_tasks import task

from dirco.api.idempotency import idempotency_prune
from dirco.core.task_queue import task_results_prune, tasks_reclaim_abandoned


@task()
def idempotency_prune_task() -> int:
    """Delete the Idempotency-Key answers older than DIRCO_API_IDEMPOTENCY_KEEP_HOURS."""
    return idempotency_prune()


@task()
def task_results_prune_task() -> int:
    """Delete the finished task rows older than DIRCO_TASK_RESULTS_KEEP_DAYS."""
    return task_results_prune()


@task()
def tasks_reclaim_abandoned_task() -> dict[str, int]:
    """Put back to the queue the tasks of workers that stopped beating."""
    return tasks_reclaim_abandoned()
