"""Backups: one archive holding the database and the uploaded files, safe under write load.

An archive is a tar file ``dirco-backup-<UTC time>.tar`` with three members:

- ``manifest.json``: engine, time, dirco version, the last migration of each app;
- ``database.sqlite3`` (SQLite, written by the online backup API, ``sqlite3.Connection.backup``:
  one consistent snapshot while other processes go on writing; a plain file copy of a live
  WAL database is not) or ``database.dump`` (PostgreSQL, ``pg_dump --format=custom``: one
  REPEATABLE READ snapshot, writers never wait);
- ``media.tar``: the files under ``MEDIA_ROOT`` (absent when the media live in S3, which keeps
  its own versions).

django-dbbackup was weighed and left out: its SQLite connectors dump SQL text or copy the file
(not the online backup API), the media go to a second archive through a second command, and
what dirco needs is about two hundred lines of standard library and the PostgreSQL client.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _

from dirco.core.errors import ApplicationError

MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
POSTGRES_MEMBER = "database.dump"
MEDIA_MEMBER = "media.tar"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class BackupResult:
    path: Path
    engine: str
    size: int
    media_files: int


def _engine(db: dict[str, Any]) -> str:
    engine = str(db["ENGINE"])
    if "sqlite" in engine:
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise ApplicationError(
        _("Backups support SQLite and PostgreSQL; this database uses %(engine)s.")
        % {"engine": engine}
    )


def postgres_url(db: dict[str, Any], name: str | None = None) -> str:
    """A libpq URL for pg_dump and pg_restore (the password goes through PGPASSWORD)."""
    user = quote(str(db.get("USER") or ""), safe="")
    host = str(db.get("HOST") or "")
    port = str(db.get("PORT") or "")
    netloc = (f"{user}@" if user else "") + host + (f":{port}" if port else "")
    return f"postgresql://{netloc}/{quote(name or str(db['NAME']), safe='')}"


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise ApplicationError(
            _("%(program)s is not installed: install the PostgreSQL client (postgresql-client).")
            % {"program": command[0]}
        ) from exc
    if completed.returncode != 0:
        raise ApplicationError(
            _("%(program)s failed: %(error)s")
            % {"program": command[0], "error": completed.stderr.strip()[-2000:]}
        )


def _media_storage() -> FileSystemStorage | None:
    storage = storages["default"]
    return storage if isinstance(storage, FileSystemStorage) else None


def _last_migrations() -> dict[str, str]:
    recorder = MigrationRecorder(connection)
    last: dict[str, str] = {}
    for app, name in recorder.migration_qs.order_by("app", "name").values_list("app", "name"):
        last[app] = name
    return last


def _sqlite_snapshot(target: Path) -> None:
    """Copy the live database with the online backup API, in one step: the copy is the
    database as one read transaction saw it, whatever the other processes write meanwhile."""
    connection.ensure_connection()
    source = connection.connection
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)
    finally:
        destination.close()


def _add_file(archive: tarfile.TarFile, path: Path, name: str) -> None:
    info = archive.gettarinfo(str(path), arcname=name)
    info.mode = 0o600
    with path.open("rb") as handle:
        archive.addfile(info, handle)


def backup_create(*, output_dir: Path, include_media: bool = True) -> BackupResult:
    """Write a backup archive into ``output_dir`` (created if missing) and return its path.

    The archive is written beside its final name and renamed at the end, so a half-written
    backup never carries the final name."""
    db = settings.DATABASES["default"]
    engine = _engine(db)
    output_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    final = output_dir / f"dirco-backup-{stamp}.tar"
    media_files = 0
    with tempfile.TemporaryDirectory(dir=output_dir, prefix=".backup-") as work:
        workdir = Path(work)
        if engine == "sqlite":
            db_file, member = workdir / SQLITE_MEMBER, SQLITE_MEMBER
            _sqlite_snapshot(db_file)
        else:
            db_file, member = workdir / POSTGRES_MEMBER, POSTGRES_MEMBER
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--file={db_file}",
                    f"--dbname={postgres_url(db)}",
                ],
                _pg_env(db),
            )
        storage = _media_storage() if include_media else None
        media_file = workdir / MEDIA_MEMBER
        if storage is not None:
            root = Path(storage.location)
            with tarfile.open(media_file, "w") as media:
                if root.is_dir():
                    for path in sorted(root.rglob("*")):
                        if path.is_file() and not path.is_symlink():
                            media.add(str(path), arcname=str(path.relative_to(root)))
                            media_files += 1
        manifest = {
            "format": FORMAT_VERSION,
            "engine": engine,
            "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "database": member,
            "media": MEDIA_MEMBER if storage is not None else None,
            "media_files": media_files,
            "migrations": _last_migrations(),
        }
        partial = workdir / "archive.tar"
        with tarfile.open(partial, "w") as archive:
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mode = 0o600
            archive.addfile(info, io.BytesIO(data))
            _add_file(archive, db_file, member)
            if storage is not None:
                _add_file(archive, media_file, MEDIA_MEMBER)
        os.chmod(partial, 0o600)
        partial.replace(final)
    return BackupResult(
        path=final, engine=engine, size=final.stat().st_size, media_files=media_files
    )


def backup_read_manifest(archive_path: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive_path, "r") as archive:
            member = archive.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            manifest: dict[str, Any] = json.loads(member.read())
    except (OSError, tarfile.TarError, KeyError, ValueError) as exc:
        raise ApplicationError(
            _("%(path)s is not a dirco backup archive (%(error)s).")
            % {"path": archive_path, "error": exc}
        ) from exc
    if manifest.get("format") != FORMAT_VERSION:
        raise ApplicationError(
            _("This backup archive has format %(found)s; this dirco reads format %(expected)s.")
            % {"found": manifest.get("format"), "expected": FORMAT_VERSION}
        )
    return manifest


def _extract(archive: tarfile.TarFile, name: str, target: Path) -> Path:
    member = archive.extractfile(name)
    if member is None:
        raise ApplicationError(_("The backup archive lacks %(name)s.") % {"name": name})
    path = target / name
    with path.open("wb") as handle:
        shutil.copyfileobj(member, handle)
    return path


def _safe_members(media: tarfile.TarFile) -> list[tarfile.TarInfo]:
    """Regular files with relative paths inside the media root; anything else is refused."""
    members = []
    for member in media.getmembers():
        parts = Path(member.name).parts
        if not member.isfile() or Path(member.name).is_absolute() or ".." in parts:
            raise ApplicationError(
                _("The backup's media holds an unsafe entry: %(name)s.") % {"name": member.name}
            )
        members.append(member)
    return members


def database_create_if_missing(db: dict[str, Any]) -> bool:
    """Create the PostgreSQL database ``db`` names when it does not exist (connecting to the
    server's ``postgres`` database); True when it was created. SQLite creates its file itself."""
    if _engine(db) == "sqlite":
        return False
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        postgres_url(db, "postgres"), password=db.get("PASSWORD") or None, autocommit=True
    ) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [str(db["NAME"])]
        ).fetchone()
        if exists:
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(str(db["NAME"]))))
    return True


def backup_restore(*, archive_path: Path, include_media: bool = True) -> dict[str, Any]:
    """Restore an archive into the configured database and media root, replacing what is
    there. Stop the web and worker processes first: a restore is not meant to run beside
    writers. Returns the archive's manifest."""
    db = settings.DATABASES["default"]
    engine = _engine(db)
    manifest = backup_read_manifest(archive_path)
    if manifest["engine"] != engine:
        raise ApplicationError(
            _(
                "This archive holds a %(found)s database; the configured database is %(engine)s. "
                "Set DATABASE_URL (or SQLITE_PATH) to a database of the same kind."
            )
            % {"found": manifest["engine"], "engine": engine}
        )
    with (
        tempfile.TemporaryDirectory(prefix="dirco-restore-") as work,
        tarfile.open(archive_path, "r") as archive,
    ):
        workdir = Path(work)
        dump = _extract(archive, str(manifest["database"]), workdir)
        connection.close()
        if engine == "sqlite":
            target = Path(str(db["NAME"]))
            target.parent.mkdir(parents=True, exist_ok=True)
            # The backup API writes into the target through SQLite itself, so a WAL file
            # beside it stays coherent (a file copy over a WAL database would not).
            source = sqlite3.connect(dump)
            destination = sqlite3.connect(target, timeout=60)
            try:
                source.backup(destination)
            finally:
                destination.close()
                source.close()
        else:
            database_create_if_missing(db)
            _run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "--single-transaction",
                    "--exit-on-error",
                    f"--dbname={postgres_url(db)}",
                    str(dump),
                ],
                _pg_env(db),
            )
        storage = _media_storage() if include_media else None
        if storage is not None and manifest.get("media"):
            media_path = _extract(archive, str(manifest["media"]), workdir)
            root = Path(storage.location)
            root.mkdir(parents=True, exist_ok=True)
            with tarfile.open(media_path, "r") as media:
                for member in _safe_members(media):
                    source_file = media.extractfile(member)
                    if source_file is None:
                        continue
                    destination_path = root / member.name
                    destination_path.parent.mkdir(parents=True, exist_ok=True)
                    with destination_path.open("wb") as handle:
                        shutil.copyfileobj(source_file, handle)
    return manifest


def backups_prune(*, output_dir: Path, keep: int) -> int:
    """Delete the oldest archives of ``output_dir`` beyond the ``keep`` newest (0 keeps all).
    The names sort by time (UTC stamp), so the order is the name's."""
    if keep <= 0:
        return 0
    archives = sorted(output_dir.glob("dirco-backup-*.tar"))
    old = archives[:-keep]
    for path in old:
        path.unlink(missing_ok=True)
    return len(old)
