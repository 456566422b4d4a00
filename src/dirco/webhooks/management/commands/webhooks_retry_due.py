"""``dirco webhooks_retry_due``: send the webhook deliveries whose retry time has passed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from dirco.webhooks.services import webhooks_retry_due


class Command(BaseCommand):
    help = "Retry the webhook deliveries whose backoff has elapsed."

    def handle(self, *args: Any, **options: Any) -> None:
        count = webhooks_retry_due()
        if options["verbosity"] >= 1:
            self.stdout.write(f"{count} webhook deliveries retried.")
