"""``dirco forecast --input IN.csv --horizon H [--output OUT.csv]``: forecast a CSV series.

The arguments are the forecasting CLI's own (see dirco.forecasting.cli), passed through
untouched so that its errors and exit codes are those of the contract.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from dirco.forecasting.cli import main as forecast_main


class Command(BaseCommand):
    help = "Forecast a monthly or quarterly CSV series (period,value) with intervals."

    def run_from_argv(self, argv: list[str]) -> None:
        sys.exit(forecast_main(argv[2:]))

    def handle(self, *args: Any, **options: Any) -> None:  # pragma: no cover - see run_from_argv
        sys.exit(forecast_main(list(args)))
