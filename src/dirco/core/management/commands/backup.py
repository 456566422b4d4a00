"""``dirco backup``: one archive of the database and the uploaded files, safe under writes.

SQLite goes through the online backup API, PostgreSQL through ``pg_dump --format=custom``;
see :mod:`dirco.core.backup`. ``--keep N`` deletes the oldest archives of the folder beyond N.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from dirco.core.backup import backup_create, backups_prune
from dirco.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Back up the database and the media files into one archive (safe while serving)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output-dir",
            default="backups",
            help="Folder that receives the archive (created if missing; default ./backups).",
        )
        parser.add_argument("--no-media", action="store_true", help="Leave the uploaded files out.")
        parser.add_argument(
            "--keep",
            type=int,
            default=0,
            help="Keep only the N newest archives of the folder (0, the default, keeps all).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        output_dir = Path(options["output_dir"])
        try:
            result = backup_create(output_dir=output_dir, include_media=not options["no_media"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        removed = backups_prune(output_dir=output_dir, keep=options["keep"])
        if options["verbosity"] >= 1:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Backup written to %(path)s (%(engine)s, %(size)s bytes, "
                        "%(media)s media files) in %(seconds).1f s; %(removed)s old archives removed."
                    )
                    % {
                        "path": result.path,
                        "engine": result.engine,
                        "size": result.size,
                        "media": result.media_files,
                        "seconds": time.monotonic() - started,
                        "removed": removed,
                    }
                )
            )
