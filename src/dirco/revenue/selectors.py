"""Reads: monthly won revenue of a scope, in the company currency."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import F, Sum
from django.db.models.functions import TruncMonth

from dirco.core.periods import month_add
from dirco.pipeline.models import Deal, Stage
from dirco.scopes import Scope


def monthly_won_revenue(
    *, scope: Scope, first_month: dt.date, last_month: dt.date
) -> list[tuple[dt.date, Decimal]]:
    """Won revenue per month from ``first_month`` to ``last_month`` (both first days of
    months), zero-filled: one SUM grouped by month, whatever the number of deals."""
    end = month_add(last_month, 1)
    rows = (
        Deal.objects.filter(scope.deal_filter())
        .filter(
            stage_id__in=Stage.objects.filter(is_won=True).values("id"),
            close_date__gte=first_month,
            close_date__lt=end,
        )
        .annotate(month=TruncMonth("close_date"))
        .order_by()
        .values("month")
        .annotate(total=Sum("amount_company"))
    )
    by_month: dict[dt.date, Decimal] = {}
    for row in rows:
        month = row["month"]
        if isinstance(month, dt.datetime):
            month = month.date()
        by_month[month] = row["total"] or Decimal(0)
    out = []
    month = first_month
    while month <= last_month:
        out.append((month, by_month.get(month, Decimal(0))))
        month = month_add(month, 1)
    return out


def first_won_month(*, scope: Scope) -> dt.date | None:
    first = (
        Deal.objects.filter(scope.deal_filter())
        .filter(stage_id__in=Stage.objects.filter(is_won=True).values("id"))
        .order_by("close_date")
        .values_list("close_date", flat=True)
        .first()
    )
    return first.replace(day=1) if first else None


def month_in_progress_figures(*, scope: Scope, month: dt.date) -> tuple[Decimal, Decimal]:
    """What is won so far in ``month`` and its open deals expected to close in it, weighted
    by probability (the same figures as the rollups' ``won_cents`` and ``open_weighted``)."""
    end = month_add(month, 1)
    deals = Deal.objects.filter(scope.deal_filter())
    won = deals.filter(stage__is_won=True, close_date__gte=month, close_date__lt=end).aggregate(
        total=Sum("amount_company")
    )["total"] or Decimal(0)
    weighted = deals.filter(
        stage__is_won=False,
        stage__is_lost=False,
        expected_close_date__gte=month,
        expected_close_date__lt=end,
    ).aggregate(total=Sum(F("amount_company") * F("probability")))["total"] or Decimal(0)
    return Decimal(won), (Decimal(weighted) / 100).quantize(Decimal("0.01"))


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
