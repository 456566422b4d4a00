"""Reactions to pipeline changes: mark cached forecasts stale and recompute them in a task,
one pending task per scope (see revenue.services)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dirco.revenue.services import revenue_forecast_inputs_changed, revenue_snapshots_mark_stale


def on_deals_changed(
    sender: Any, scopes: list[str], won_months: list[dt.date] | None = None, **kwargs: Any
) -> None:
    if won_months is not None and not revenue_forecast_inputs_changed(won_months=won_months):
        return  # the stored forecasts would come out the same: nothing to recompute
    turning = revenue_snapshots_mark_stale(scope_keys=list(scopes))
    if turning:
        from dirco.revenue.tasks import forecast_refresh_enqueue

        forecast_refresh_enqueue(scope_keys=turning)
