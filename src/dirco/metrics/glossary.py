"""The KPIs' definitions as shown on pages (hover or "?"), one sentence each; the long
form with examples is docs/metrics.md. Keys are the names used in ``data-kpi`` attributes."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

KPI_DEFINITIONS: dict[str, tuple[Promise, Promise]] = {
    "won_to_date": (
        _("Won to date"),
        _(
            "Revenue of the deals won (by close date) from the first month of the period "
            "to today, today included."
        ),
    ),
    "objective_to_date": (
        _("Objective to date"),
        _(
            "The objective of the period's complete months plus the elapsed share of this "
            "month's objective (days elapsed, today included, over the days of the month)."
        ),
    ),
    "objective_full": (
        _("Objective, full period"),
        _("The sum of the objective's months in the period."),
    ),
    "attainment_to_date": (
        _("Attainment to date"),
        _("Won to date divided by the objective to date."),
    ),
    "attainment_full": (
        _("Attainment, full period"),
        _("Won to date divided by the objective of the full period."),
    ),
    "gap_to_date": (
        _("Behind to date"),
        _("Objective to date minus won to date; 0 when ahead."),
    ),
    "gap_to_period_end": (
        _("Still to win"),
        _("Objective of the full period minus won to date; 0 once reached."),
    ),
    "weighted_pipeline": (
        _("Weighted pipeline"),
        _(
            "Open deals expected to close in the period (overdue ones included: they are "
            "still open), amount times probability."
        ),
    ),
    "coverage": (
        _("Coverage"),
        _("Weighted pipeline divided by what is still to win in the period."),
    ),
    "months_under_objective": (
        _("Months under objective"),
        _(
            "Complete months at whose end the cumulative won revenue was below the "
            "cumulative objective."
        ),
    ),
    "projected_landing": (
        _("Projected landing"),
        _(
            "Won to date plus the forecast of the rest of the period: the rest of this "
            "month (what is usually still won after today and the weighted open deals "
            "expected this month), then the following months."
        ),
    ),
    "yoy_growth": (
        _("Growth"),
        _("Won revenue of the period's complete months against the same months a year earlier."),
    ),
    "win_rate": (
        _("Win rate"),
        _("Won deals divided by won and lost deals, over the last 12 complete months."),
    ),
    "avg_deal_size": (
        _("Average deal"),
        _("Won revenue divided by won deals, over the last 12 complete months."),
    ),
    "cycle_length": (
        _("Sales cycle"),
        _("Mean days from creation to close of the deals won over the last 12 complete months."),
    ),
    "month_forecast": (
        _("Forecast of the month in progress"),
        _(
            "Won so far plus a forecast of the rest of the month; its interval never goes "
            "below what is won."
        ),
    ),
}
