"""The progress of a running import, seen by the page and the API while its writes are not
yet committed.

An import writes in one transaction (all or nothing). Progress saved through that same
connection is seen by others only at the commit: the bar stood at half while the rows were
written, then jumped to the end. So a job running outside any transaction (the worker's
task, or the page's request) sends its progress on a channel of its own:

- PostgreSQL: a second connection, in autocommit, updates the job's row (the import's
  transaction never touches that row, so nothing waits);
- SQLite: one writer at a time, so a second connection would wait for the import's commit;
  the progress goes to a small file under ``MEDIA_ROOT`` instead (SQLite runs on one
  machine: its web and worker processes share the folder), read back while the job runs.

A job run inside a transaction (a test's) keeps saving on its own connection.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from dirco.imports.models import ImportJob


@dataclass(frozen=True)
class JobProgress:
    done: int
    total: int
    percent: int


def _side_file(job_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / "progress" / f"{job_id}.txt"


class ProgressChannel:
    """Where one running job writes its progress (see the module); ``close`` when done."""

    def __init__(self, job_id: int) -> None:
        default = connections[DEFAULT_DB_ALIAS]
        self.job_id = job_id
        self.outside = not default.in_atomic_block
        self.vendor = default.vendor
        self._connection: Any = None

    def write(self, done: int, total: int) -> None:
        if not self.outside:
            ImportJob.objects.filter(pk=self.job_id).update(
                progress_done=done, progress_total=total
            )
        elif self.vendor == "postgresql":
            self._row_update(done, total)
        else:
            path = _side_file(self.job_id)
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".part")
            partial.write_text(f"{done} {total}")
            os.replace(partial, path)  # a reader sees the old figures or the new, never half

    def _row_update(self, done: int, total: int) -> None:
        if self._connection is None:
            self._connection = connections.create_connection(DEFAULT_DB_ALIAS)
        quote = self._connection.ops.quote_name
        with self._connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {quote(ImportJob._meta.db_table)} "
                f"SET {quote('progress_done')} = %s, {quote('progress_total')} = %s "
                f"WHERE {quote('id')} = %s",
                [done, total, self.job_id],
            )

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        _side_file(self.job_id).unlink(missing_ok=True)


def _percent(job: ImportJob, done: int, total: int) -> int:
    if job.status in (ImportJob.Status.CHECKED, ImportJob.Status.DONE, ImportJob.Status.REFUSED):
        return 100
    if not total:
        return 0
    return min(100, 100 * done // total)


def import_job_progress(job: ImportJob) -> JobProgress:
    """How far the job is: its row, or, while it runs on SQLite, its progress file."""
    done, total = job.progress_done, job.progress_total
    if job.busy:
        try:
            text = _side_file(job.pk).read_text()
        except OSError:
            text = ""
        parts = text.split()
        if len(parts) == 2 and all(p.isdigit() for p in parts):
            done, total = int(parts[0]), int(parts[1])
    return JobProgress(done=done, total=total, percent=_percent(job, done, total))
