"""``dirco rollups_rebuild``: recompute the monthly rollups of deals and activities."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from dirco.objectives.services import rollups_rebuild


class Command(BaseCommand):
    help = "Recompute the objectives' monthly rollups from the deals (after bulk imports)."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        counts = rollups_rebuild()
        if options["verbosity"] >= 1:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Rollups rebuilt in %(seconds).1f s: %(revenue)s revenue rows, "
                        "%(activity)s activity rows, %(cycles)s cycle rows."
                    )
                    % {
                        "seconds": time.monotonic() - started,
                        "revenue": counts["revenue_rows"],
                        "activity": counts["activity_rows"],
                        "cycles": counts["cycle_rows"],
                    }
                )
            )
