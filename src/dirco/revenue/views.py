"""The forecast page: history, forecast with its intervals, and the seasonal profile."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dirco.core.errors import ApplicationError
from dirco.core.l10n import month_abbr, month_name
from dirco.revenue.charts import forecast_chart_svg, seasonality_chart_svg
from dirco.revenue.explain import forecast_in_words
from dirco.revenue.services import MAX_HORIZON, revenue_forecast_for_scope
from dirco.scopes import Scope, scope_check, scopes_for


@login_required
def forecast_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    choices = scopes_for(user)  # type: ignore[arg-type]
    default = choices[0].key if choices else "company"
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
        "scope_choices": _scope_choices(choices, scope),
        "forecast_svg": forecast_chart_svg(payload["history"], payload["forecast"]),
        "seasonality": seasonality,
        "seasonality_svg": seasonality_chart_svg(seasonality) if seasonality else "",
        # In a sentence, the month's full name ("Peak month: November.").
        "peak_name": month_name(seasonality["peak"]) if seasonality else "",
        "trough_name": month_name(seasonality["trough"]) if seasonality else "",
        "next_total": sum(f["forecast"] for f in payload["forecast"]),
        "in_words": forecast_in_words(payload),
        "in_progress": next((f for f in payload["forecast"] if f.get("in_progress")), None),
    }
    return render(request, "revenue/forecast.html", context)


def _scope_choices(choices: list[Scope], shown: Scope) -> list[tuple[str, str]]:
    """The select's scopes, with the one shown when it is not among them (a partner's or a
    rep's forecast, reached from their page): the select says what the page shows, and
    "Show" with another horizon keeps it."""
    options = [(s.key, s.label) for s in choices]
    if shown.key not in {key for key, _label in options}:
        options.append((shown.key, shown.label))
    return options
