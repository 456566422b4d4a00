"""``dirco scheduler``: enqueue the periodic jobs (dirco.schedule.jobs) when they are due.

Run one beside the workers (``dirco db_worker``); a second one elsewhere is safe (each run of
a job is claimed in the database). ``--once`` runs one tick and prints what it enqueued;
``--list`` prints the schedule.
"""

from __future__ import annotations

import signal
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from dirco.schedule.jobs import JOBS, schedule_tick


class Command(BaseCommand):
    help = "Enqueue the periodic jobs (lead SLA, registration expiry, forecasts, pruning...)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--tick", type=float, default=5.0, help="Seconds between two checks (default 5)."
        )
        parser.add_argument("--once", action="store_true", help="Check once and stop.")
        parser.add_argument("--list", action="store_true", help="Print the schedule and stop.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            for job in JOBS:
                self.stdout.write(f"{job.name:<26} every {job.every}  {job.why}")
            return
        running = True

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal running
            running = False

        if not options["once"]:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
        while True:
            enqueued = schedule_tick()
            if enqueued and (options["once"] or options["verbosity"] >= 2):
                self.stdout.write("enqueued: " + ", ".join(enqueued))
            if options["once"] or not running:
                return
            slept = 0.0
            while running and slept < options["tick"]:
                time.sleep(0.2)
                slept += 0.2
            if not running:
                return
            close_old_connections()  # as between two requests: drop a broken or old one
