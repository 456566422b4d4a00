"""PostgreSQL's prepared statements (settings: DIRCO_PG_PREPARED_STATEMENTS, on by default)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.db import connection

from dirco.accounts.models import User


def _database_options(**env: str) -> dict[str, object]:
    environ = {k: v for k, v in os.environ.items() if k != "DIRCO_PG_PREPARED_STATEMENTS"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json; from dirco import settings; "
            "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))",
        ],
        env={**environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    options: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return options


def test_postgresql_binds_on_the_server_unless_turned_off() -> None:
    url = "postgres://dirco@db.invalid:5432/dirco"
    prepared = {"server_side_binding": True, "prepare_threshold": 5}
    assert _database_options(DATABASE_URL=url) == prepared
    assert _database_options(DATABASE_URL=url, DIRCO_PG_PREPARED_STATEMENTS="1") == prepared
    off = _database_options(DATABASE_URL=url, DIRCO_PG_PREPARED_STATEMENTS="0")
    assert "server_side_binding" not in off and "prepare_threshold" not in off


def test_the_urls_own_options_stay_and_other_databases_get_none() -> None:
    with_ssl = _database_options(DATABASE_URL="postgres://dirco@db.invalid/dirco?sslmode=require")
    assert with_ssl == {"sslmode": "require", "server_side_binding": True, "prepare_threshold": 5}
    assert _database_options(DATABASE_URL="sqlite:////tmp/dirco-options.sqlite3") == {}


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_a_query_run_five_times_is_prepared() -> None:
    if os.environ.get("DIRCO_PG_PREPARED_STATEMENTS", "1") != "1":
        pytest.skip("turned off for this run")
    for _ in range(6):
        list(User.objects.filter(email="nobody-prepared@example.test"))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%FROM "accounts_user" WHERE "accounts_user"."email" = $1%'],
        )
        (count,) = cursor.fetchone()
    assert count == 1
