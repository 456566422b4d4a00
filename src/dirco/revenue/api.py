"""API: the forecast and the seasonal profile of a scope's monthly won revenue."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from dirco.api.errors import ErrorOut
from dirco.revenue.services import revenue_forecast_for_scope
from dirco.scopes import Scope, scope_check

router = Router(tags=["revenue"])
# Every status these operations answer, documented (finding 12 of the security test).
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class ForecastPoint(Schema):
    period: str
    forecast: float
    lower80: float
    upper80: float
    lower95: float
    upper95: float
    in_progress: bool = Field(False, description="The month in progress: won so far + the rest.")
    won_so_far: float | None = None
    engine_forecast: float | None = Field(
        None, description="The statistical forecast of the whole month before what is won."
    )


class HistoryPoint(Schema):
    period: str
    value: float


class ForecastOut(Schema):
    scope: str
    label: str
    currency: str
    computed_at: str
    horizon: int
    history: list[HistoryPoint]
    forecast: list[ForecastPoint]
    method: str
    weights: dict[str, float]
    backtest_mase: dict[str, float]
    warnings: list[str]


class SeasonalityOut(Schema):
    scope: str
    label: str
    labels: list[str]
    index: list[float]
    lower: list[float]
    upper: list[float]
    std: list[float]
    strength: float
    peak: int
    trough: int
    stability: float | None
    years: int
    kind: str
    warnings: list[str]


class ForecastQuery(Schema):
    scope: str = Field("company", max_length=60)
    horizon: int = Field(12, ge=1, le=24, description="Months ahead (1-24).")


class ScopeQuery(Schema):
    scope: str = Field("company", max_length=60)


def _payload(request: HttpRequest, scope_text: str, horizon: int = 12) -> dict[str, Any]:
    scope = Scope.parse(scope_text)
    scope_check(request.user, scope)  # type: ignore[arg-type]
    return revenue_forecast_for_scope(scope=scope, horizon=horizon)


@router.get(
    "/forecast",
    response={200: ForecastOut, **ERRORS},
    summary="Monthly revenue forecast of a scope",
)
def forecast_get(request: HttpRequest, query: Query[ForecastQuery]) -> dict[str, Any]:
    """Point forecast with 80% and 95% intervals for the next ``horizon`` months (1-24), in
    the company currency, from the scope's won revenue history (complete months only).
    ``scope`` is ``company``, ``team:ID``, ``rep:ID``, ``partner:ID`` or ``product_line:ID``."""
    return _payload(request, query.scope, query.horizon)


@router.get(
    "/seasonality", response={200: SeasonalityOut, **ERRORS}, summary="Seasonal profile of a scope"
)
def seasonality_get(request: HttpRequest, query: Query[ScopeQuery]) -> dict[str, Any]:
    """Twelve monthly indices with their 95% interval, STL seasonal strength, peak and trough
    months (1-12) and the stability of the shape across years."""
    payload = _payload(request, query.scope)
    seasonality = payload["seasonality"]
    if seasonality is None:
        warnings = payload["warnings"]
        seasonality = {
            "labels": [],
            "index": [],
            "lower": [],
            "upper": [],
            "std": [],
            "strength": 0.0,
            "peak": 0,
            "trough": 0,
            "stability": None,
            "years": 0,
            "kind": "multiplicative",
            "warnings": warnings,
        }
    return {"scope": payload["scope"], "label": payload["label"], **seasonality}
