"""Reactions to pipeline changes: mark cached forecasts stale and recompute them in a task."""

from __future__ import annotations

from typing import Any

from dirco.revenue.services import revenue_snapshots_mark_stale


def on_deals_changed(sender: Any, scopes: list[str], **kwargs: Any) -> None:
    marked = revenue_snapshots_mark_stale(scope_keys=scopes)
    if marked:
        from dirco.revenue.tasks import forecast_refresh

        forecast_refresh.enqueue(scope_keys=list(scopes))
