"""dirco.metrics: every figure the product shows, defined once (docs/metrics.md).

The definitions take what the rollup tables hold (integer cents per month) and the
objective's months, and read nothing themselves; ``objectives.selectors`` reads the rollups
(through ``dirco.rollups.selectors``) once per page and builds every page's, API answer's, export's and chart's figures with
these functions.
"""

from dirco.metrics.definitions import (
    CENT,
    ZERO,
    Attainment,
    DealStats,
    add_months,
    attainment,
    coverage,
    cycle_middle,
    days_in_month,
    days_left,
    deal_stats,
    elapsed_share,
    median_cycle_days,
    money,
    month_below_its_objective,
    month_so_far,
    months_under_objective,
    objective_full,
    objective_to_date,
    pct,
    stats_window,
    weighted_pipeline,
    won_revenue,
    won_to_date,
    yoy_growth,
)
from dirco.metrics.landing import Landing, MonthInProgress, month_in_progress, projected_landing
from dirco.metrics.what_it_takes import MonthPlan, WhatItTakes, what_it_takes

__all__ = [
    "CENT",
    "ZERO",
    "Attainment",
    "DealStats",
    "Landing",
    "MonthInProgress",
    "MonthPlan",
    "WhatItTakes",
    "add_months",
    "attainment",
    "coverage",
    "cycle_middle",
    "days_in_month",
    "days_left",
    "deal_stats",
    "elapsed_share",
    "median_cycle_days",
    "money",
    "month_below_its_objective",
    "month_in_progress",
    "month_so_far",
    "months_under_objective",
    "objective_full",
    "objective_to_date",
    "pct",
    "projected_landing",
    "stats_window",
    "weighted_pipeline",
    "what_it_takes",
    "won_revenue",
    "won_to_date",
    "yoy_growth",
]
