"""A worker killed with SIGKILL in the middle of a task: another worker runs it again, and the
task's effect happens once (at-least-once delivery of an idempotent task; see
dirco.core.task_queue). Real ``dirco db_worker`` processes, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult, get_date_max

from dirco.core.models import ExchangeRate

TASK_PATH = "dirco.core.tests.tasks_for_tests.rate_set_slowly"
Query = Callable[[str], list[tuple[Any, ...]]]


@pytest.fixture
def worker_env(transactional_db: None, tmp_path: Path) -> Iterator[tuple[dict[str, str], Query]]:
    """The environment of a worker process that sees this test's database, and a function
    that reads that database from here."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DIRCO_", "TASKS_", "DATABASE_URL", "SQLITE_PATH"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="dirco.settings",
        DIRCO_HOME=str(tmp_path),
        DIRCO_TASK_LEASE_SECONDS="2",
    )
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        env["DATABASE_URL"] = (
            f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        )

        def query(sql: str) -> list[tuple[Any, ...]]:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return list(cursor.fetchall())

        yield env, query
        return
    # SQLite: the test database lives in memory; the workers get a file copy of it.
    path = tmp_path / "workers.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    env["SQLITE_PATH"] = str(path)

    def query_file(sql: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(path, timeout=20) as db:
            return list(db.execute(sql).fetchall())

    yield env, query_file


def _start_worker(env: dict[str, str], worker_id: str, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "django", "db_worker"),
            *("--no-startup-delay", "--interval", "0.2", "--worker-id", worker_id),
        ],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def _wait(condition: Callable[[], bool], what: str, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}; worker log:\n{log.read_text()}")


@pytest.mark.slow
def test_task_of_a_killed_worker_is_finished_once_by_another(
    worker_env: tuple[dict[str, str], Query], tmp_path: Path
) -> None:
    starts = tmp_path / "starts.txt"
    log = tmp_path / "workers.log"
    task_row = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {"starts_file": str(starts), "seconds": 3}},
        task_path=TASK_PATH,
        backend_name="default",
        run_after=get_date_max(),
    )
    env, query = worker_env
    if connection.vendor == "sqlite":  # the row above is in memory: copy the database again
        connection.connection.backup(sqlite3.connect(env["SQLITE_PATH"]))
    table = DBTaskResult._meta.db_table
    task_id = task_row.pk.hex if connection.vendor == "sqlite" else str(task_row.pk)

    def task_state() -> tuple[str, list[str]]:
        status, worker_ids = query(
            f"SELECT status, worker_ids FROM {table} WHERE id = '{task_id}'"
        )[0]
        return status, worker_ids if isinstance(worker_ids, list) else json.loads(worker_ids)

    def start_count() -> int:
        return len(starts.read_text().splitlines()) if starts.exists() else 0

    first = _start_worker(env, "worker-one", log)
    try:
        _wait(lambda: start_count() == 1, "the first worker to start the task", log)
        first.send_signal(signal.SIGKILL)
    finally:
        first.wait(timeout=30)
    # Left behind, as the library leaves it.
    assert task_state() == ("RUNNING", ["worker-one"]), log.read_text()

    second = _start_worker(env, "worker-two", log)
    try:
        _wait(lambda: task_state()[0] == "SUCCESSFUL", "the second worker to finish it", log)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)

    assert task_state() == ("SUCCESSFUL", ["worker-one", "worker-two"]), log.read_text()
    assert start_count() == 2, log.read_text()  # started twice: at least once ...
    rates = query(f"SELECT currency FROM {ExchangeRate._meta.db_table} WHERE currency = 'CHF'")
    assert rates == [("CHF",)]  # ... and done once in effect
    # The second worker left cleanly: its heartbeat row is gone; the killed one's is stale.
    workers = {row[0] for row in query("SELECT worker_id FROM core_taskworker")}
    assert "worker-two" not in workers, log.read_text()
