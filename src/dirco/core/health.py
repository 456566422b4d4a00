"""Liveness and readiness, for load balancers and orchestrators.

- Liveness (``/healthz``): the process answers. It reads no database, so that a database
  outage does not make every web process look dead and get restarted.
- Readiness (``/readyz``): this process can serve pages: the database answers, every
  migration on disk is applied, and the static files manifest exists when the storage needs one
  (``CompressedManifestStaticFilesStorage`` in production: before ``collectstatic`` every page
  would answer 500, so the process is not ready). Any failed check answers 503.

Both are exempt from the HTTPS redirect (``SECURE_REDIRECT_EXEMPT`` in settings): health
checks come over plain HTTP from inside the network.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.files.storage import storages
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


# Once every migration is applied in this process, it stays so (a newer release runs in new
# processes): the migration graph is read from disk once, not on every probe.
_migrations_applied = False


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return Check("database", False, f"{type(exc).__name__}: {exc}".strip())
    return Check("database", True, connection.vendor)


def check_migrations() -> Check:
    global _migrations_applied
    if _migrations_applied:
        return Check("migrations", True, "applied")
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return Check("migrations", False, f"{type(exc).__name__}: {exc}".strip())
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in plan[:5])
        return Check("migrations", False, f"{len(plan)} not applied: {names}")
    _migrations_applied = True
    return Check("migrations", True, "applied")


def check_static_manifest() -> Check:
    storage = storages["staticfiles"]
    if not isinstance(storage, ManifestFilesMixin):
        return Check("static", True, "no manifest needed")
    if storage.read_manifest() is None:
        return Check("static", False, "no staticfiles manifest: run collectstatic")
    if not storage.hashed_files:
        # The manifest was written after this process loaded its (empty) copy.
        return Check("static", False, "manifest written after start: restart the process")
    return Check("static", True, "manifest loaded")


def readiness() -> list[Check]:
    database = check_database()
    if not database.ok:
        unreachable = Check("migrations", False, "database unreachable")
        return [database, unreachable, check_static_manifest()]
    return [database, check_migrations(), check_static_manifest()]
