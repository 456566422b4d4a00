"""The queue's upkeep in-process: which RUNNING tasks are taken back, failed, or left alone;
finished rows pruned after the retention period."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from dirco.core.models import TaskWorker
from dirco.core.task_queue import task_results_prune, tasks_reclaim_abandoned

TASK_PATH = "dirco.core.tests.tasks_for_tests.rate_set_slowly"


def _task(*, status: str, worker_ids: list[str], started_ago: int = 600) -> DBTaskResult:
    now = timezone.now()
    return DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path=TASK_PATH,
        backend_name="default",
        run_after=get_date_max(),
        status=status,
        worker_ids=worker_ids,
        started_at=now - dt.timedelta(seconds=started_ago),
    )


@pytest.mark.django_db
@override_settings(DIRCO_TASK_LEASE_SECONDS=60, DIRCO_TASK_MAX_ATTEMPTS=3)
def test_reclaim_takes_back_only_the_tasks_of_silent_workers() -> None:
    now = timezone.now()
    TaskWorker.objects.create(worker_id="alive", seen_at=now - dt.timedelta(seconds=5))
    TaskWorker.objects.create(worker_id="dead", seen_at=now - dt.timedelta(seconds=300))
    of_alive = _task(status="RUNNING", worker_ids=["alive"])
    of_dead = _task(status="RUNNING", worker_ids=["dead"])
    of_unknown = _task(status="RUNNING", worker_ids=["never-beat"])
    just_claimed = _task(status="RUNNING", worker_ids=["never-beat-yet"], started_ago=1)
    third_loss = _task(status="RUNNING", worker_ids=["dead", "dead2", "dead"])

    assert tasks_reclaim_abandoned() == {"retried": 2, "failed": 1}

    states = {
        t: DBTaskResult.objects.get(pk=t.pk).status
        for t in (of_alive, of_dead, of_unknown, just_claimed, third_loss)
    }
    assert states == {
        of_alive: "RUNNING",
        of_dead: "READY",
        of_unknown: "READY",
        just_claimed: "RUNNING",  # claimed within the lease: its worker may not have beaten yet
        third_loss: "FAILED",
    }
    failed = DBTaskResult.objects.get(pk=third_loss.pk)
    assert failed.exception_class_path == "dirco.core.task_queue.WorkerLost"
    assert DBTaskResult.objects.get(pk=of_dead.pk) in DBTaskResult.objects.ready()
    assert tasks_reclaim_abandoned() == {"retried": 0, "failed": 0}  # nothing twice


@pytest.mark.django_db
@override_settings(DIRCO_TASK_RESULTS_KEEP_DAYS=7)
def test_finished_task_rows_are_pruned_after_the_retention_period() -> None:
    now = timezone.now()
    old_ok = _task(status="SUCCESSFUL", worker_ids=["w"])
    old_failed = _task(status="FAILED", worker_ids=["w"])
    recent = _task(status="SUCCESSFUL", worker_ids=["w"])
    waiting = _task(status="READY", worker_ids=[])
    DBTaskResult.objects.filter(pk__in=[old_ok.pk, old_failed.pk]).update(
        finished_at=now - dt.timedelta(days=8)
    )
    DBTaskResult.objects.filter(pk=recent.pk).update(finished_at=now - dt.timedelta(days=6))

    assert task_results_prune() == 2
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}
