"""Background tasks of the revenue app; each only calls a service."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from dirco.revenue.models import ForecastSnapshot
from dirco.revenue.services import revenue_forecast_refresh, revenue_snapshots_due
from dirco.scopes import Scope

# A refresh computed while the scope's deals changed again stays stale: try again at once,
# a few times; past that, the periodic refresh (dirco scheduler) takes it.
ROUNDS = 3


@task()
def forecast_refresh(scope_keys: list[str]) -> int:
    """Recompute the stale snapshots among ``scope_keys``; returns how many were refreshed.
    Idempotent: a snapshot refreshed meanwhile (by a read or another task) is skipped."""
    count = 0
    for key in scope_keys:
        for _round in range(ROUNDS):
            if not ForecastSnapshot.objects.filter(scope_key=key, stale=True).exists():
                break
            revenue_forecast_refresh(scope=Scope.parse(key))
            count += 1
    return count


@task()
def forecasts_refresh_due() -> int:
    """Periodic: refresh the snapshots left stale or computed in an earlier month."""
    return int(forecast_refresh.call(scope_keys=revenue_snapshots_due()))


def forecast_refresh_enqueue(*, scope_keys: list[str]) -> None:
    """Enqueue one refresh of ``scope_keys``, delayed by the debounce when the backend can
    delay (the inline backend of the demo and the tests runs it at once)."""
    debounced = forecast_refresh
    if forecast_refresh.get_backend().supports_defer and settings.DIRCO_FORECAST_DEBOUNCE_SECONDS:
        debounced = forecast_refresh.using(
            run_after=timezone.now()
            + dt.timedelta(seconds=settings.DIRCO_FORECAST_DEBOUNCE_SECONDS)
        )
    debounced.enqueue(scope_keys=scope_keys)
