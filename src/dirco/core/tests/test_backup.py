"""``dirco backup`` and ``dirco restore`` end to end, in real processes, on SQLite and PostgreSQL.

A writer process creates and moves deals without pause; ``dirco backup`` runs meanwhile. The
archive restored into a new database must hold a prefix of the writer's acknowledged deals
(every deal acknowledged before the backup began, none missing in between), its rollups must
equal ``rollups_rebuild``, and its media files must come back. A second backup taken once the
writer stopped must restore to the same row count in every table as the source.

The PostgreSQL case runs when the suite runs on PostgreSQL (DATABASE_URL), on the same server,
in databases of its own that it drops at the end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from dirco.core.backup import backup_read_manifest, postgres_url

DIRCO = str(Path(sys.executable).with_name("dirco"))
ON_POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]


def _base_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SQLITE_PATH"}}
    env.pop("DIRCO_TESTING", None)
    env.update(TASKS_IMMEDIATE="1", DIRCO_MEDIA_ROOT=str(tmp_path / "media-src"))
    return env


class Target:
    """One database (and media folder) that the helper processes point at."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def run(self, *args: str, timeout: float = 300) -> str:
        completed = subprocess.run(
            args, env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )
        assert completed.returncode == 0, completed.stderr[-3000:]
        return completed.stdout

    def dirco(self, *args: str) -> str:
        return self.run(DIRCO, *args)

    def check(self) -> dict[str, Any]:
        out = self.run(sys.executable, "-m", "dirco.core.tests.backup_probe", "check")
        result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
        return result


@pytest.fixture(params=["sqlite", "postgresql"])
def targets(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[Target]]:
    """Three databases of one engine: the source and two restore targets."""
    base = _base_env(tmp_path)
    if request.param == "sqlite":
        envs = []
        for i, name in enumerate(("src", "restored", "restored-quiet")):
            env = dict(base, SQLITE_PATH=str(tmp_path / f"{name}.sqlite3"))
            if i:
                env["DIRCO_MEDIA_ROOT"] = str(tmp_path / f"media-{name}")
            envs.append(env)
        yield [Target(env) for env in envs]
        return
    if not ON_POSTGRES:
        pytest.skip("PostgreSQL case: run the suite with DATABASE_URL=postgres://...")
    import psycopg

    db = settings.DATABASES["default"]
    names = [f"{db['NAME']}_bk_{suffix}_{os.getpid()}" for suffix in ("src", "r1", "r2")]
    admin = postgres_url(db, "postgres")

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    drop()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{names[0]}"')
    envs = []
    for i, name in enumerate(names):
        env = dict(base, DATABASE_URL=postgres_url(db, name))
        if i:
            env["DIRCO_MEDIA_ROOT"] = str(tmp_path / f"media-{name}")
        envs.append(env)
    try:
        yield [Target(env) for env in envs]
    finally:
        drop()


def test_backup_under_writes_restores_a_consistent_database(
    targets: list[Target], tmp_path: Path
) -> None:
    source, restored, restored_quiet = targets
    source.dirco("migrate", "--no-input", "-v0")
    source.dirco("seed_demo", "--deals", "200", "--no-story", "--seed", "3")
    media = Path(source.env["DIRCO_MEDIA_ROOT"]) / "documents" / "2026"
    media.mkdir(parents=True)
    (media / "price list.pdf").write_bytes(b"%PDF-1.4 backup test\n" * 100)

    ledger, stop = tmp_path / "ledger.txt", tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-m", "dirco.core.tests.backup_probe", "write", str(ledger), str(stop)],
        env=source.env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:

        def acknowledged() -> list[int]:
            return [int(x) for x in ledger.read_text().split()] if ledger.exists() else []

        deadline = time.monotonic() + 120
        while len(acknowledged()) < 20 and writer.poll() is None:
            assert time.monotonic() < deadline, "the writer wrote nothing in 120 s"
            time.sleep(0.2)
        before = len(acknowledged())
        out_dir = tmp_path / "backups"
        source.dirco("backup", "--output-dir", str(out_dir))
        after_backup = len(acknowledged())
        deadline = time.monotonic() + 60
        while len(acknowledged()) < after_backup + 10 and writer.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.2)
    finally:
        stop.touch()
        _, errors = writer.communicate(timeout=120)
    assert writer.returncode == 0, errors[-3000:]
    acked = acknowledged()
    assert before < after_backup < len(acked), "the backup did not run while the writer wrote"

    (archive,) = out_dir.glob("dirco-backup-*.tar")
    manifest = backup_read_manifest(archive)
    assert manifest["media_files"] == 1
    restored.dirco("restore", str(archive), "--yes")
    snapshot = restored.check()
    ids = snapshot["writer_ids"]
    # A prefix of the acknowledged writes (one more deal may have committed before its
    # acknowledgement reached the ledger), and at least every one acknowledged before.
    assert ids == acked[: len(ids)] or ids[:-1] == acked[: len(ids) - 1]
    assert len(ids) >= before
    assert snapshot["rollups_equal_rebuild"], "the restored rollups differ from a rebuild"
    assert snapshot["rollup_rows"] > 0
    copied = Path(restored.env["DIRCO_MEDIA_ROOT"]) / "documents" / "2026" / "price list.pdf"
    assert copied.read_bytes() == (media / "price list.pdf").read_bytes()

    # Quiet: the source and its restored copy agree table by table.
    quiet_dir = tmp_path / "quiet"
    source.dirco("backup", "--output-dir", str(quiet_dir), "--keep", "1")
    source.dirco("backup", "--output-dir", str(quiet_dir), "--keep", "1")
    (quiet_archive,) = quiet_dir.glob("dirco-backup-*.tar")
    expected = source.check()
    assert expected["writer_ids"] == acked
    restored_quiet.dirco("restore", str(quiet_archive), "--yes")
    got = restored_quiet.check()
    assert got["counts"] == expected["counts"]
    assert got["writer_ids"] == acked
    assert got["rollups_equal_rebuild"]


def test_restore_refuses_without_yes_and_a_foreign_file(tmp_path: Path) -> None:
    target = Target(dict(_base_env(tmp_path), SQLITE_PATH=str(tmp_path / "x.sqlite3")))
    bogus = tmp_path / "not-a-backup.tar"
    bogus.write_bytes(b"hello")
    for args, message in (
        ((str(bogus),), "--yes"),
        ((str(bogus), "--yes"), "is not a dirco backup archive"),
    ):
        completed = subprocess.run(
            [DIRCO, "restore", *args], env=target.env, capture_output=True, text=True, check=False
        )
        assert completed.returncode != 0
        assert message in completed.stderr
    assert not (tmp_path / "x.sqlite3").exists()
