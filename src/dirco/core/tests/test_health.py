"""/healthz (liveness) and /readyz (readiness: database, migrations, static manifest)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client, override_settings

from dirco.core import health

MANIFEST_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}


@pytest.fixture
def fresh_migration_check(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(health, "_migrations_applied", False)
    yield


def test_readyz_answers_200_when_everything_is_ready(db: None, fresh_migration_check: None) -> None:
    response = Client().get("/readyz")
    assert response.status_code == 200, response.content
    checks = response.json()["checks"]
    assert {name: c["ok"] for name, c in checks.items()} == {
        "database": True,
        "migrations": True,
        "static": True,
    }
    assert response["Cache-Control"] == "no-store"


def test_readyz_answers_503_when_a_migration_is_not_applied(
    db: None, fresh_migration_check: None
) -> None:
    # The pipeline's latest migration, as if the code were newer than the database.
    app, name = next(
        node
        for node in MigrationExecutor(connection).loader.graph.leaf_nodes()
        if node[0] == "pipeline"
    )
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = %s AND name = %s", [app, name])
    response = Client().get("/readyz")
    assert response.status_code == 503
    migrations = response.json()["checks"]["migrations"]
    assert migrations["ok"] is False
    assert f"pipeline.{name}" in migrations["detail"]
    assert Client().get("/healthz").status_code == 200  # alive all the same


def test_readyz_answers_503_without_the_static_manifest(
    db: None, fresh_migration_check: None, tmp_path: Path
) -> None:
    with override_settings(STORAGES=MANIFEST_STORAGES, STATIC_ROOT=tmp_path):
        response = Client().get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"]["static"] == {
            "ok": False,
            "detail": "no staticfiles manifest: run collectstatic",
        }
        # The manifest written after the storage loaded it: this process still cannot serve.
        (tmp_path / "staticfiles.json").write_text(
            json.dumps({"version": "1.1", "paths": {"web/app.css": "web/app.1.css"}, "hash": "1"})
        )
        response = Client().get("/readyz")
        assert response.status_code == 503
        assert "restart" in response.json()["checks"]["static"]["detail"]
    with override_settings(STORAGES=MANIFEST_STORAGES, STATIC_ROOT=tmp_path):
        # A process started after collectstatic loads it: ready.
        assert Client().get("/readyz").status_code == 200


def _run_with_env(code: str, env: dict[str, str]) -> dict[str, Any]:
    """Run ``code`` in a new Python process with dirco's settings and ``env``; it prints JSON."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DIRCO_", "DEBUG", "DATABASE_URL", "SQLITE_PATH", "STATIC_ROOT"))
    }
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "dirco.settings"
    prelude = "import django, json; django.setup(); from django.test import Client; "
    done = subprocess.run(
        [sys.executable, "-c", prelude + code],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _production_env(tmp_path: Path) -> dict[str, str]:
    return {
        "DIRCO_HOME": str(tmp_path),
        "DIRCO_ENV": "production",
        "SECRET_KEY": "s" * 60,
        "ALLOWED_HOSTS": "dirco.example.com",
        "STATIC_ROOT": str(tmp_path / "static"),
        "SQLITE_PATH": str(tmp_path / "dirco.sqlite3"),
    }


PROBE = (
    "c = Client(HTTP_HOST='dirco.example.com'); "
    "h = c.get('/healthz'); r = c.get('/readyz'); p = c.get('/login/'); "
    "print(json.dumps({'healthz': h.status_code, 'readyz': r.status_code, "
    "'checks': r.json()['checks'] if r.status_code in (200, 503) else None, "
    "'login': p.status_code, 'login_to': p.get('Location', '')}))"
)


def test_production_healthz_over_plain_http_and_readyz_before_collectstatic(
    tmp_path: Path,
) -> None:
    """With the production settings, over plain HTTP: the pages redirect to https, the probes
    do not; before migrate and collectstatic, liveness says 200 and readiness says why not."""
    answers = _run_with_env(PROBE, _production_env(tmp_path))
    assert answers["login"] == 301 and answers["login_to"].startswith("https://")
    assert answers["healthz"] == 200
    assert answers["readyz"] == 503
    checks = answers["checks"]
    assert checks["database"]["ok"] is True  # SQLite creates its file
    assert checks["migrations"]["ok"] is False
    assert checks["static"] == {"ok": False, "detail": "no staticfiles manifest: run collectstatic"}


def test_readyz_answers_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    env = {"DIRCO_HOME": str(tmp_path)}
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:1/nowhere"  # closed port
    else:
        env["SQLITE_PATH"] = str(tmp_path / "missing-dir" / "dirco.sqlite3")
    answers = _run_with_env(PROBE.replace("dirco.example.com", "localhost"), env)
    assert answers["healthz"] == 200
    assert answers["readyz"] == 503
    assert answers["checks"]["database"]["ok"] is False
    assert answers["checks"]["migrations"]["ok"] is False
