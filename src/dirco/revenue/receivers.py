"""Reactions to pipeline changes: mark cached forecasts stale and recompute them in a task,
one pending task per scope (see revenue.services)."""

from __future__ import annotations

from typing import Any

from dirco.revenue.services import revenue_snapshots_mark_stale


def on_deals_changed(sender: Any, scopes: list[str], **kwargs: Any) -> None:
    turning = revenue_snapshots_mark_stale(scope_keys=list(scopes))
    if turning:
        from dirco.revenue.tasks import forecast_refresh_enqueue

        forecast_refresh_enqueue(scope_keys=turning)
