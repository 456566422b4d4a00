"""Reads: monthly won revenue of a scope, in the company currency."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import TruncMonth

from dirco.core.periods import month_add
from dirco.pipeline.models import Deal, Stage
from dirco.revenue.scopes import Scope


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
