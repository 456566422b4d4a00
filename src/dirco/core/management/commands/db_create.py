"""``dirco db_create``: create the configured PostgreSQL database when it is missing
(``make prod-demo`` runs it before ``migrate`` on a fresh machine). SQLite: nothing to do."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from dirco.core.backup import database_create_if_missing
from dirco.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Create the configured PostgreSQL database if it does not exist yet."

    def handle(self, *args: Any, **options: Any) -> None:
        db = settings.DATABASES["default"]
        try:
            created = database_create_if_missing(db)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        if options["verbosity"] >= 1:
            message = _("Database %(name)s created.") if created else _("Database %(name)s ready.")
            self.stdout.write(message % {"name": db["NAME"]})
