"""``dirco registrations_expire``: expire ended protections and stale pending registrations."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from dirco.registrations.services import registrations_expire


class Command(BaseCommand):
    help = "Expire approved registrations whose protection ended and old pending ones."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = registrations_expire()
        self.stdout.write(
            f"Expired {counts['approved']} approved and {counts['pending']} pending registrations."
        )
