"""Background tasks of the revenue app; each only calls a service."""

from __future__ import annotations

from django_tasks import task

from dirco.revenue.models import ForecastSnapshot
from dirco.revenue.services import revenue_forecast_refresh
from dirco.scopes import Scope


@task()
def forecast_refresh(scope_keys: list[str]) -> int:
    """Recompute the stale snapshots among ``scope_keys``; returns how many were refreshed."""
    stale = ForecastSnapshot.objects.filter(scope_key__in=scope_keys, stale=True).values_list(
        "scope_key", flat=True
    )
    count = 0
    for key in list(stale):
        revenue_forecast_refresh(scope=Scope.parse(key))
        count += 1
    return count
