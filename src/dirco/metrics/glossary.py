"""Every KPI's one definition and period, as shown on pages (the "?" of each figure, its
hover text and the glossary page ``/help/kpis/``) and in docs/metrics.md, whose KPI table is
generated from here (``dirco kpi_glossary --write``; a test fails when they differ). Keys are
the names used in ``data-kpi`` attributes and in the glossary's anchors (``#kpi-<key>``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation
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
        _(
            "Median days from creation to close of the deals won over the last 12 complete "
            "months: half the deals took less, half took more."
        ),
    ),
    "capacity": (
        _("Capacity"),
        _("The most revenue won in one month over the last 12 complete months."),
    ),
    "month_below_objective": (
        _("Month below its own objective"),
        _(
            "A complete month whose own won revenue is below its own objective: the shading "
            "of the curve's monthly view, not counted as a month under objective."
        ),
    ),
    "tier_progress": (
        _("Tier progress"),
        _(
            "A partner's won revenue, approved deal registrations and certified people over "
            "the last 12 months against the criteria of the next tier up (of its own tier, "
            "to keep it, at the top)."
        ),
    ),
    "month_forecast": (
        _("Forecast of the month in progress"),
        _(
            "Won so far plus a forecast of the rest of the month; its interval never goes "
            "below what is won."
        ),
    ),
}

_COMPLETE_12 = _("The 12 complete months before this month")

# The period each KPI covers (today: in the company's time zone).
KPI_PERIODS: dict[str, Promise] = {
    "won_to_date": _("From the period's first month to today, today included"),
    "objective_to_date": _(
        "From the period's first month to today (on a month's last day, the whole month)"
    ),
    "objective_full": _("The whole period"),
    "attainment_to_date": _("To date"),
    "attainment_full": _("Won to date against the whole period"),
    "gap_to_date": _("To date"),
    "gap_to_period_end": _("To the end of the period"),
    "weighted_pipeline": _("The whole period"),
    "coverage": _("The whole period"),
    "months_under_objective": _("The fiscal year's complete months"),
    "month_below_objective": _("One complete month"),
    "projected_landing": _("The whole period"),
    "yoy_growth": _("The period's complete months"),
    "win_rate": _COMPLETE_12,
    "avg_deal_size": _COMPLETE_12,
    "cycle_length": _COMPLETE_12,
    "capacity": _COMPLETE_12,
    "tier_progress": _("The last 12 months, today included"),
    "month_forecast": _("The current month"),
}


@dataclass(frozen=True)
class Kpi:
    key: str
    name: str
    definition: str
    period: str


def kpi_glossary() -> list[Kpi]:
    """Every KPI with its one definition and period, in the active language."""
    return [
        Kpi(key, str(name), str(definition), str(KPI_PERIODS[key]))
        for key, (name, definition) in KPI_DEFINITIONS.items()
    ]


def kpi_glossary_markdown() -> str:
    """The KPI table of docs/metrics.md (English)."""
    with translation.override("en"):
        rows = [
            f"| {k.name} | {k.definition} | {k.period} |".replace("\n", " ") for k in kpi_glossary()
        ]
    return "\n".join(["| KPI | definition | period |", "| --- | --- | --- |", *rows]) + "\n"
