"""Expire lead offers not answered in time and offer the leads to the next partner or rep.

Run it from cron or a worker every few minutes: ``dirco leads_reroute_expired``.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from dirco.leads.services import leads_reroute_expired


class Command(BaseCommand):
    help = "Expire lead offers past their answer time and re-route the leads."

    def handle(self, *args: Any, **options: Any) -> None:
        count = leads_reroute_expired()
        self.stdout.write(f"{count} expired lead offer(s) re-routed.")
