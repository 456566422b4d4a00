"""Reads of the deals the forecast needs beyond the rollups: the in-month pattern (by day).

A scope's won revenue per month (the forecast's history and the month in progress) is read
from the rollups, by ``dirco.rollups.selectors``, as on every other page."""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum

from dirco.core.periods import month_add
from dirco.pipeline.models import Deal
from dirco.scopes import Scope


def in_month_pattern(*, scope: Scope, today: dt.date, months: int = 12) -> list[float]:
    """The share of a month's won revenue usually closed by day 1, 2 ... 31 of the month
    (cumulative), over the ``months`` complete months before today's; [] without any."""
    last = today.replace(day=1)
    first = month_add(last, -months)
    rows = (
        Deal.objects.filter(scope.deal_filter())
        .filter(stage__is_won=True, close_date__gte=first, close_date__lt=last)
        .order_by()
        .values("close_date")
        .annotate(total=Sum("amount_company"))
    )
    by_day = [0.0] * 31
    for row in rows:
        by_day[row["close_date"].day - 1] += float(row["total"] or 0)
    total = sum(by_day)
    if total <= 0:
        return []
    out, running = [], 0.0
    for value in by_day:
        running += value
        out.append(round(running / total, 4))
    return out
