"""``dirco sweeps``: the periodic sweeps in a loop, for the demo and for small installs.

``make demo`` starts it beside the development server so that nothing waits on a cron job:
every ``--every`` seconds (300 by default) it re-routes lead offers whose answer time has
passed (``leads_reroute_expired``) and expires deal registrations whose protection ended or
that waited too long for a decision (``registrations_expire``). ``--once`` runs one round.
In production, schedule the two commands from cron or a timer instead.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from dirco.api.idempotency import idempotency_prune
from dirco.leads.services import leads_reroute_expired
from dirco.registrations.services import registrations_expire
from dirco.webhooks.services import webhooks_retry_due


class Command(BaseCommand):
    help = "Re-route expired lead offers and expire deal registrations, every N seconds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every", type=int, default=300, help="Seconds between two rounds (default 300)."
        )
        parser.add_argument("--once", action="store_true", help="Run one round and stop.")

    def handle(self, *args: Any, **options: Any) -> None:
        every = max(10, int(options["every"]))
        while True:
            rerouted = leads_reroute_expired()
            expired = registrations_expire()
            webhooks_retry_due()  # deliveries whose backoff has elapsed (no worker needed)
            idempotency_prune()  # Idempotency-Key answers older than 24 h
            if options["verbosity"] >= 2 or options["once"]:
                self.stdout.write(
                    _(
                        "%(leads)s lead offer(s) re-routed, %(approved)s protection(s) and "
                        "%(pending)s undecided registration(s) expired."
                    )
                    % {
                        "leads": rerouted,
                        "approved": expired["approved"],
                        "pending": expired["pending"],
                    }
                )
            if options["once"]:
                return
            time.sleep(every)
