"""A task for the worker tests: slow enough to be killed in the middle, idempotent in effect."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django_tasks import task

from dirco.core.models import ExchangeRate


@task()
def rate_set_slowly(starts_file: str, seconds: float) -> str:
    """Note each start outside the database (a killed attempt leaves its line), wait, then
    set the rate in one transaction: a second complete run would find it set."""
    with Path(starts_file).open("a") as f:
        f.write("start\n")
    time.sleep(seconds)
    with transaction.atomic():
        ExchangeRate.objects.update_or_create(
            currency="CHF", valid_from=dt.date(2026, 1, 1), defaults={"rate": Decimal("1.05")}
        )
    return "set"
