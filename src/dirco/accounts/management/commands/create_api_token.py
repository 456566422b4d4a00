"""``dirco create_api_token --user EMAIL [--read-only] [--days N] [--name NAME]``: prints a key.

The same service as the settings page (``api_token_create``); only the key is printed, on
one line, so a script can read it: ``KEY=$(dirco create_api_token --user me@x.test)``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from dirco.accounts.models import User
from dirco.accounts.services import api_token_create
from dirco.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Create an API token for a user and print its key (shown once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="The user's email address.")
        parser.add_argument("--read-only", action="store_true", help="GET requests only.")
        parser.add_argument("--days", type=int, default=None, help="Expires after N days.")
        parser.add_argument("--name", default="command line", help="What will use the token.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["user"]).first()
        if user is None:
            raise CommandError(f"No user with the email {options['user']!r}.")
        days = options["days"]
        if days is not None and days <= 0:
            raise CommandError("--days must be a positive number of days.")
        expires_at = timezone.now() + dt.timedelta(days=days) if days else None
        try:
            _token, key = api_token_create(
                user=user,
                name=options["name"],
                expires_at=expires_at,
                read_only=options["read_only"],
            )
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(key)
