"""Background imports of large files; the task only calls the service."""

from __future__ import annotations

from django_tasks import task

from dirco.imports.services import import_job_run, import_jobs_prune


@task()
def import_job_task(job_id: int) -> str:
    """Run a queued import job; returns its final status."""
    return str(import_job_run(job_id=job_id).status)


@task()
def import_jobs_prune_task() -> int:
    return import_jobs_prune()
