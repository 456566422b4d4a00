"""``dirco api_idempotency_prune``: delete the Idempotency-Key answers older than 24 h."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from dirco.api.idempotency import idempotency_prune


class Command(BaseCommand):
    help = "Delete the stored Idempotency-Key answers older than API_IDEMPOTENCY_KEEP_HOURS."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = idempotency_prune()
        if options["verbosity"] >= 1:
            self.stdout.write(f"{deleted} idempotency keys pruned.")
