"""Reads of the rollup tables: every won-revenue figure of a scope comes from here.

The forecast (revenue) and the cockpit (objectives) both read a scope's months through
:func:`rollup_by_month` and turn them into figures with :mod:`dirco.metrics`
(``won_revenue``, ``month_so_far``, ``deal_stats``): a scope's won revenue of a month is
one value on the forecast page, the curve, the home and the API. Each read is one bounded
query (rows per scope and month, not per deal).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Min, Q, Sum

from dirco.core.periods import month_add
from dirco.metrics import month_so_far, won_revenue
from dirco.rollups.models import ROLLUP_MEASURES, CycleRollup, RevenueRollup
from dirco.scopes import Scope

Rollup = dict[dt.date, dict[str, int]]


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    out = []
    while first <= last:
        out.append(first)
        first = month_add(first, 1)
    return out


def rollup_by_month(
    *, scope: Scope, first_month: dt.date, last_month: dt.date, product_line_id: int | None = None
) -> Rollup:
    """The rollup measures of a scope per month (first days), zero-filled: one query."""
    rows = (
        RevenueRollup.objects.filter(scope.rollup_filter(product_line_id))
        .filter(month__gte=first_month, month__lte=last_month)
        .values("month")
        .order_by()
        .annotate(**{f"s_{m}": Sum(m) for m in ROLLUP_MEASURES})
    )
    out: Rollup = {
        m: dict.fromkeys(ROLLUP_MEASURES, 0) for m in months_between(first_month, last_month)
    }
    for row in rows:
        out[row["month"]] = {m: int(row[f"s_{m}"] or 0) for m in ROLLUP_MEASURES}
    return out


def monthly_won_revenue(
    *, scope: Scope, first_month: dt.date, last_month: dt.date, product_line_id: int | None = None
) -> list[tuple[dt.date, Decimal]]:
    """Won revenue per month from ``first_month`` to ``last_month``, zero-filled
    (:func:`dirco.metrics.won_revenue` of the rollups)."""
    won = won_revenue(
        rollup_by_month(
            scope=scope,
            first_month=first_month,
            last_month=last_month,
            product_line_id=product_line_id,
        )
    )
    return sorted(won.items())


def first_won_month(*, scope: Scope) -> dt.date | None:
    """The first month with a won deal in the scope."""
    first: dt.date | None = (
        RevenueRollup.objects.filter(scope.rollup_filter(), won_count__gt=0)
        .aggregate(first=Min("month"))
        .get("first")
    )
    return first


def month_in_progress_figures(
    *, scope: Scope, month: dt.date, product_line_id: int | None = None
) -> tuple[Decimal, Decimal]:
    """Won so far in ``month`` and its weighted open pipeline (:func:`dirco.metrics.month_so_far`)."""
    row = rollup_by_month(
        scope=scope, first_month=month, last_month=month, product_line_id=product_line_id
    )[month]
    return month_so_far(row)


def cycle_histogram(
    *, scope: Scope, first_month: dt.date, last_month: dt.date, product_line_id: int | None = None
) -> dict[int, int]:
    """{cycle length in days: won deals} of a scope's deals won in the months: one query,
    as many rows as distinct cycle lengths."""
    rows = (
        CycleRollup.objects.filter(scope.rollup_filter(product_line_id))
        .filter(month__gte=first_month, month__lte=last_month)
        .values("cycle_days")
        .order_by()
        .annotate(n=Sum("won_count"))
    )
    return {row["cycle_days"]: int(row["n"] or 0) for row in rows if row["n"]}


def cycle_histograms(
    *, kind: str, ids: Iterable[int] | None, first_month: dt.date, last_month: dt.date
) -> dict[int, dict[int, int]]:
    """The cycle histograms of every scope of ``kind`` (all, or ``ids``) at once, by id:
    one query for a whole leaderboard. Product lines are read from the company's rows."""
    if kind == "product_line":
        q = Q(scope_kind="company", scope_id=0)
        key = "product_line_id"
    else:
        q = Q(scope_kind=kind)
        key = "scope_id"
    if ids is not None:
        q &= Q(**{f"{key}__in": list(ids)})
    rows = (
        CycleRollup.objects.filter(q, month__gte=first_month, month__lte=last_month)
        .values(key, "cycle_days")
        .order_by()
        .annotate(n=Sum("won_count"))
    )
    out: dict[int, dict[int, int]] = defaultdict(dict)
    for row in rows:
        if row["n"]:
            out[row[key]][row["cycle_days"]] = int(row["n"])
    return dict(out)
