"""``dirco restore ARCHIVE``: put a ``dirco backup`` archive back into the configured database.

It replaces the database's content and writes the media files over ``MEDIA_ROOT``. Stop the
web, worker and scheduler processes first. To try a backup without touching production, point
``DATABASE_URL`` (or ``SQLITE_PATH``) and ``DIRCO_MEDIA_ROOT`` at a new database and folder:
a missing PostgreSQL database is created.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from dirco.core.backup import backup_restore
from dirco.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Restore a dirco backup archive into the configured database and media folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="The .tar file written by `dirco backup`.")
        parser.add_argument("--no-media", action="store_true", help="Restore the database only.")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Confirm that the configured database's content may be replaced.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"]:
            raise CommandError(
                _(
                    "A restore replaces the configured database's content: stop the web and "
                    "worker processes, then run again with --yes."
                )
            )
        started = time.monotonic()
        try:
            manifest = backup_restore(
                archive_path=Path(options["archive"]), include_media=not options["no_media"]
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        if options["verbosity"] >= 1:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Restored the %(engine)s backup of %(created)s (%(media)s media files) "
                        "in %(seconds).1f s. Run `dirco migrate` if this dirco is newer."
                    )
                    % {
                        "engine": manifest["engine"],
                        "created": manifest["created_at"],
                        "media": manifest["media_files"],
                        "seconds": time.monotonic() - started,
                    }
                )
            )
