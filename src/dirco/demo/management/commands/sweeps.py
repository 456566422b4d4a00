"""``dirco sweeps``: every periodic job, run here and now, in a loop (or ``--once``).

The jobs are those of ``dirco scheduler`` (dirco.schedule.jobs: lead SLA re-routing,
registration expiry, webhook retries, forecasts, pruning), run inline instead of enqueued,
all at each round: for a single process without a worker. In production run
``dirco scheduler`` beside ``dirco db_worker`` instead.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from dirco.schedule.jobs import JOBS


class Command(BaseCommand):
    help = "Run every periodic job (dirco scheduler's) inline, every N seconds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every", type=int, default=300, help="Seconds between two rounds (default 300)."
        )
        parser.add_argument("--once", action="store_true", help="Run one round and stop.")

    def handle(self, *args: Any, **options: Any) -> None:
        every = max(10, int(options["every"]))
        while True:
            results = {job.name: job.task.call() for job in JOBS}
            rerouted = results["leads_reroute_expired"]
            expired = results["registrations_expire"]
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
