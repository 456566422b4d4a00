"""What it takes to reach the objective, at the scope's measured capacity, month by month.

For each month left in the period, starting with the month in progress:

1. what is to win this month = the month's objective + what rolls in from before (for the
   month in progress: the shortfall of the complete months, or the surplus) - what is won
   in it already;
2. what can still be won this month, at most: the scope's measured capacity (its best month
   over the last 12 complete months) times the share of the month left (the days left after
   today for the month in progress, the whole month after);
3. a deal created today closes after the scope's sales cycle: a month that ends before
   today + the cycle can only be won from the open pipeline already expected in it
   (weighted by probability), not from new deals;
4. what cannot be won in a month rolls into the next one; what is still missing after the
   last month is the shortfall: the objective cannot be reached at the measured capacity.

Deals to win = the planned amount / the average deal size; new pipeline to create = the
part not covered by the weighted open pipeline / the win rate, created at the latest one
cycle before the month ends.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from dirco.metrics.definitions import CENT, ZERO, DealStats, days_in_month, days_left, pct


@dataclass(frozen=True)
class MonthPlan:
    month: dt.date
    objective: Decimal
    carried_in: Decimal  # shortfall (> 0) or surplus (< 0) rolled in from before
    won: Decimal
    weighted_pipeline: Decimal
    to_win: Decimal  # objective + carried in - won, 0 when covered
    days_left: int  # days of selling left in the month (after today for the current one)
    capacity: Decimal | None  # the most that can still be won in it at measured capacity
    new_deals_can_close: bool  # a deal created today closes before the month ends
    planned: Decimal  # what to win in it: to_win, capped by capacity and the cycle
    from_pipeline: Decimal
    from_new_pipeline: Decimal
    carried_out: Decimal  # what rolls into the next month (> 0: shortfall)
    deals_to_win: int | None
    deals_to_create: int | None
    pipeline_to_create: Decimal | None
    create_by: dt.date | None

    @property
    def gap(self) -> Decimal:
        """The month's gap after its weighted pipeline (what new deals must bring)."""
        return max(self.to_win - self.weighted_pipeline, ZERO)


@dataclass(frozen=True)
class WhatItTakes:
    rows: list[MonthPlan] = field(default_factory=list)
    objective_full: Decimal = ZERO
    capacity: Decimal | None = None  # the measured monthly capacity (best month)
    shortfall: Decimal = ZERO  # what cannot be won by the period's end at that capacity

    @property
    def reachable(self) -> bool:
        return self.shortfall <= 0

    @property
    def shortfall_pct(self) -> Decimal | None:
        return pct(self.shortfall, self.objective_full)

    def total(self, name: str, zero: Decimal | int = 0) -> Decimal | int | None:
        """The sum of a column over the months (from ``zero``); None when a month could not
        say."""
        values: list[Decimal | int | None] = [getattr(r, name) for r in self.rows]
        if any(v is None for v in values):
            return None
        total: Decimal | int = zero
        for v in values:
            total += v or 0
        return total


def _ceil(amount: Decimal, size: Decimal) -> int:
    return math.ceil(amount / size) if amount > 0 else 0


def what_it_takes(
    *,
    months: Sequence[dt.date],
    as_of: dt.date,
    targets: Mapping[dt.date, Decimal],
    won: Mapping[dt.date, Decimal],
    weighted: Mapping[dt.date, Decimal],
    stats: DealStats,
) -> WhatItTakes:
    """The plan for the months of ``months`` from as_of's month on (see the module doc).

    ``weighted`` is the weighted open pipeline per month; the open deals of complete months
    of the period (overdue, still open) are counted in the month in progress."""
    current = as_of.replace(day=1)
    complete = [m for m in months if m < current]
    carry = sum((targets.get(m, ZERO) - won.get(m, ZERO) for m in complete), ZERO)
    overdue = sum((weighted.get(m, ZERO) for m in complete), ZERO)
    capacity = stats.best_month if stats.won_count else None
    size, rate, cycle = stats.avg_deal_size, stats.win_rate, stats.cycle_days
    rows: list[MonthPlan] = []
    for month in months:
        if month < current:
            continue
        target = targets.get(month, ZERO)
        won_in = won.get(month, ZERO) if month == current else ZERO  # as won to date
        pipeline = weighted.get(month, ZERO) + (overdue if month == current else ZERO)
        carried_in = carry
        to_win = target + carry - won_in
        month_end = month.replace(day=days_in_month(month))
        left = days_left(as_of) if month == current else days_in_month(month)
        can_close = left > 0 and (cycle is None or (month_end - as_of).days >= cycle)
        cap: Decimal | None = None
        if capacity is not None:
            cap = (capacity * left / days_in_month(month)).quantize(CENT, rounding=ROUND_HALF_UP)
        if to_win <= 0:
            planned = ZERO
        else:
            planned = to_win
            if cap is not None:
                planned = min(planned, cap)
            if not can_close:
                planned = min(planned, pipeline) if left > 0 else ZERO
        from_pipeline = min(planned, pipeline)
        from_new = planned - from_pipeline
        deals_to_win = _ceil(planned, size) if size else (0 if not planned else None)
        if from_new <= 0:
            deals_to_create: int | None = 0
            pipeline_to_create: Decimal | None = ZERO
        elif size and rate:
            deals_to_create = _ceil(from_new / rate, size)
            pipeline_to_create = (from_new / rate).quantize(CENT)
        else:
            deals_to_create = pipeline_to_create = None
        create_by = (
            month_end - dt.timedelta(days=cycle) if from_new > 0 and cycle is not None else None
        )
        carry = to_win - planned
        rows.append(
            MonthPlan(
                month=month,
                objective=target,
                carried_in=carried_in,
                won=won_in,
                weighted_pipeline=pipeline,
                to_win=max(to_win, ZERO),
                days_left=left,
                capacity=cap,
                new_deals_can_close=can_close,
                planned=planned,
                from_pipeline=from_pipeline,
                from_new_pipeline=from_new,
                carried_out=carry,
                deals_to_win=deals_to_win,
                deals_to_create=deals_to_create,
                pipeline_to_create=pipeline_to_create,
                create_by=max(create_by, as_of) if create_by else None,
            )
        )
    return WhatItTakes(
        rows=rows,
        objective_full=sum((targets.get(m, ZERO) for m in months), ZERO),
        capacity=capacity,
        shortfall=max(carry, ZERO),
    )
