"""The forecast page: history, forecast with its intervals, and the seasonal profile."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dirco.core.errors import ApplicationError
from dirco.core.l10n import month_abbr, month_name
from dirco.revenue.charts import forecast_chart_svg, seasonality_chart_svg
from dirco.revenue.explain import forecast_in_words
from dirco.revenue.notes import models_in_words
from dirco.revenue.services import MAX_HORIZON, revenue_forecast_for_scope
from dirco.scopes import Scope, scope_check, scope_default, scope_picker_groups


@login_required
def forecast_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    default = scope_default(user).key  # type: ignore[arg-type]
    try:
        scope = Scope.parse(request.GET.get("scope", default))
        horizon = int(request.GET.get("horizon", "12"))
        horizon = min(max(horizon, 1), MAX_HORIZON)
    except (ApplicationError, ValueError):
        scope, horizon = Scope.parse(default), 12
    scope_check(user, scope)  # type: ignore[arg-type]
    payload = revenue_forecast_for_scope(scope=scope, horizon=horizon)
    seasonality = payload["seasonality"]
    month_names = [month_abbr(m) for m in range(1, 13)]
    if seasonality:
        seasonality = {**seasonality, "labels": month_names}
    context = {
        "payload": payload,
        "scope": scope,
        "horizon": horizon,
        "horizons": [3, 6, 12, 18, 24],
        "scope_groups": scope_picker_groups(user, scope),  # type: ignore[arg-type]
        "forecast_svg": forecast_chart_svg(payload["history"], payload["forecast"]),
        "seasonality": seasonality,
        "seasonality_svg": seasonality_chart_svg(seasonality) if seasonality else "",
        # In a sentence, the month's full name ("Peak month: November.").
        "peak_name": month_name(seasonality["peak"]) if seasonality else "",
        "trough_name": month_name(seasonality["trough"]) if seasonality else "",
        "next_total": sum(f["forecast"] for f in payload["forecast"]),
        "in_words": forecast_in_words(payload),
        "models": models_in_words(payload.get("weights") or {}),
        "in_progress": next((f for f in payload["forecast"] if f.get("in_progress")), None),
    }
    return render(request, "revenue/forecast.html", context)
