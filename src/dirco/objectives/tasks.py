"""Background tasks of the objectives app; each only calls a service."""

from __future__ import annotations

from django_tasks import task

from dirco.objectives.services import rollups_rebuild


@task()
def rollups_rebuild_task() -> dict[str, int]:
    """Rebuild the rollups off the request path (e.g. after an import)."""
    return rollups_rebuild()
