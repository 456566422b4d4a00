"""The learned monthly split of an objective: the scope's own shape, its parent's, or flat.

``dirco.forecasting.monthly_split`` decides by backtest (which shape forecast the
scope's last complete year best); this module only fetches the histories, from the
cached revenue forecasts, and names the parent scope: team -> company, rep -> the
rep's team (else the company), partner and product line -> company.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from dirco.forecasting import Period, monthly_split
from dirco.revenue.services import revenue_forecast_for_scope
from dirco.scopes import Scope
from dirco.teams.models import SalesTeam


def split_parent_scope(scope: Scope) -> Scope | None:
    """The scope whose monthly shape a short history falls back to (None for the company)."""
    if scope.kind == "company":
        return None
    if scope.kind == "rep":
        team_id = (
            SalesTeam.objects.filter(members__id=scope.id or 0)
            .order_by("id")
            .values_list("id", flat=True)
            .first()
        )
        if team_id is not None:
            return Scope("team", team_id)
    return Scope("company")


def _history(payload: dict[str, Any]) -> tuple[list[float | None], Period] | None:
    rows = payload.get("history") or []
    if not rows:
        return None
    return [float(r["value"]) for r in rows], Period.parse(str(rows[0]["period"]))


def learned_split_weights(*, scope: Scope) -> tuple[list[float] | None, str]:
    """Twelve weights by calendar month (January first) and a note, or (None, note) when
    the split must be flat because nothing was learned."""
    own = _history(revenue_forecast_for_scope(scope=scope, horizon=1))
    parent_scope = split_parent_scope(scope)
    parent = None
    if parent_scope is not None:
        parent = _history(revenue_forecast_for_scope(scope=parent_scope, horizon=1))
    if own is None:
        if parent is None:
            return None, ""
        own = ([], parent[1])
    split = monthly_split(own[0], own[1], "M", parent=parent)
    if split.source == "parent":
        return split.shares, _(
            "This scope's own history gives a less reliable monthly shape than its parent "
            "scope's (checked on last year): the parent's shape is used."
        )
    if split.source == "flat":
        return None, (
            _("No learned monthly shape beat a flat split on last year: split flat.")
            if split.backtest
            else ""
        )
    return split.shares, ""
