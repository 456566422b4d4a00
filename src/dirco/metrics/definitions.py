"""Every figure of the cockpit, defined once, with its period semantics (docs/metrics.md).

The inputs are what the rollup tables hold (integer cents and counts per month, see
``rollups.RevenueRollup``) and the objective's monthly amounts; the outputs are
``Decimal`` money in the company currency, percentages with one decimal (``None`` when the
denominator is zero) and counts. Nothing here reads the database: the selectors read the
rollups once and every page, API answer, export and chart gets its figures from these
functions, so that one figure has one value everywhere.

The vocabulary:

- *as of*: the day the figures are computed for (today, in the company's time zone);
- *the current month*: as_of's month; *complete months*: the months before it;
- *to date*: from the first month of the period to as_of, as_of included.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from dirco.core.money import CENT as CENT
from dirco.core.periods import month_add

ZERO = Decimal(0)
STATS_MONTHS = 12


def money(cents: int | Decimal | None) -> Decimal:
    """Integer cents to money (two decimals)."""
    return (Decimal(cents or 0) / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def pct(part: Decimal | int, whole: Decimal | int | None) -> Decimal | None:
    """``part`` as a percentage of ``whole``, one decimal; None when ``whole`` is 0 or None."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def days_in_month(day: dt.date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def days_left(as_of: dt.date) -> int:
    """Days of as_of's month after as_of (0 on the last day: as_of itself counts as done)."""
    return days_in_month(as_of) - as_of.day


def elapsed_share(as_of: dt.date) -> Decimal:
    """The share of as_of's month that is over, as_of included (1 on the last day)."""
    return Decimal(as_of.day) / Decimal(days_in_month(as_of))


def _month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


# The month arithmetic and the cent are dirco.core's (defined once); the KPI modules name them
# add_months and CENT.
add_months = month_add


# -- objective and won -------------------------------------------------------------------------


def objective_full(targets: Mapping[dt.date, Decimal], months: Sequence[dt.date]) -> Decimal:
    """**Objective, full period**: the sum of the objective's months in the period."""
    return sum((targets.get(m, ZERO) for m in months), ZERO)


def objective_to_date(
    targets: Mapping[dt.date, Decimal], months: Sequence[dt.date], as_of: dt.date
) -> Decimal:
    """**Objective to date**: the objective of the period's complete months, plus the
    elapsed share of the current month's objective (days elapsed, as_of included, over the
    days of the month). On the last day of a month it is the objective to the end of it."""
    current = _month_of(as_of)
    total = ZERO
    for month in months:
        if month < current:
            total += targets.get(month, ZERO)
        elif month == current:
            total += (targets.get(month, ZERO) * elapsed_share(as_of)).quantize(
                CENT, rounding=ROUND_HALF_UP
            )
    return total


def won_to_date(
    won: Mapping[dt.date, Decimal], months: Sequence[dt.date], as_of: dt.date
) -> Decimal:
    """**Won to date**: won revenue (deals in a won stage, by close date) of the period's
    months up to and including the current month."""
    current = _month_of(as_of)
    return sum((won.get(m, ZERO) for m in months if m <= current), ZERO)


@dataclass(frozen=True)
class Attainment:
    """Where a scope stands against its objective for a period, as of a day."""

    as_of: dt.date
    objective_full: Decimal
    objective_to_date: Decimal
    won_to_date: Decimal

    @property
    def to_date_pct(self) -> Decimal | None:
        """**Attainment to date**: won to date / objective to date."""
        return pct(self.won_to_date, self.objective_to_date)

    @property
    def full_pct(self) -> Decimal | None:
        """**Attainment, full period**: won to date / objective of the full period."""
        return pct(self.won_to_date, self.objective_full)

    @property
    def gap_to_date(self) -> Decimal:
        """**Gap to date** (behind to date): objective to date - won to date, 0 when ahead."""
        return max(self.objective_to_date - self.won_to_date, ZERO)

    @property
    def gap_to_period_end(self) -> Decimal:
        """**Gap to period end** (still to win): full objective - won to date, 0 when done."""
        return max(self.objective_full - self.won_to_date, ZERO)


def attainment(
    *,
    targets: Mapping[dt.date, Decimal],
    won: Mapping[dt.date, Decimal],
    months: Sequence[dt.date],
    as_of: dt.date,
) -> Attainment:
    return Attainment(
        as_of=as_of,
        objective_full=objective_full(targets, months),
        objective_to_date=objective_to_date(targets, months, as_of),
        won_to_date=won_to_date(won, months, as_of),
    )


def months_under_objective(
    targets: Mapping[dt.date, Decimal],
    won: Mapping[dt.date, Decimal],
    months: Sequence[dt.date],
    as_of: dt.date,
) -> list[dt.date]:
    """**Months under objective**: the complete months of the period at whose end the
    cumulative won revenue was below the cumulative objective (the curve's red months)."""
    current = _month_of(as_of)
    out: list[dt.date] = []
    cum_objective = cum_won = ZERO
    for month in months:
        if month >= current:
            break
        cum_objective += targets.get(month, ZERO)
        cum_won += won.get(month, ZERO)
        if cum_won < cum_objective:
            out.append(month)
    return out


def month_below_its_objective(
    month: dt.date, target: Decimal, won: Decimal | None, as_of: dt.date
) -> bool:
    """A complete month whose own won revenue is below its own objective (the monthly view's
    flag; not the same thing as a month under objective, which is cumulative)."""
    return month < _month_of(as_of) and (won or ZERO) < target


# -- pipeline ----------------------------------------------------------------------------------


def weighted_pipeline(open_weighted: Iterable[int]) -> Decimal:
    """**Weighted pipeline**: open deals expected to close in the period (overdue ones of
    earlier months of the period included: they are still open), amount x probability.
    ``open_weighted`` are the rollup's ``open_weighted`` values (cents x percent)."""
    return money(Decimal(sum(open_weighted)) / 100)


def coverage(weighted: Decimal, still_to_win: Decimal) -> Decimal | None:
    """**Coverage**: weighted pipeline / gap to period end (None when nothing is left)."""
    return (weighted / still_to_win).quantize(CENT) if still_to_win else None


# -- growth and deal statistics ----------------------------------------------------------------


def yoy_growth(
    won: Mapping[dt.date, Decimal], months: Sequence[dt.date], as_of: dt.date
) -> tuple[Decimal | None, Decimal, Decimal]:
    """**YoY growth**: won revenue of the period's complete months against the same months
    a year earlier. Returns (growth %, this year, last year); None without complete months
    or without revenue last year."""
    complete = [m for m in months if m < _month_of(as_of)]
    this_year = sum((won.get(m, ZERO) for m in complete), ZERO)
    last_year = sum((won.get(add_months(m, -12), ZERO) for m in complete), ZERO)
    if not complete:
        return None, this_year, last_year
    return pct(this_year - last_year, last_year), this_year, last_year


def stats_window(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The months the deal statistics are measured over: the 12 complete months before
    as_of's month (first and last month)."""
    last = add_months(_month_of(as_of), -1)
    return add_months(last, -(STATS_MONTHS - 1)), last


def won_revenue(rollup: Mapping[dt.date, Mapping[str, int]]) -> dict[dt.date, Decimal]:
    """**Won revenue** per month: the rollup rows' won cents (deals in a won stage, by the
    month of their close date), in the company currency."""
    return {m: money(r["won_cents"]) for m, r in rollup.items()}


def month_so_far(row: Mapping[str, int]) -> tuple[Decimal, Decimal]:
    """The month in progress's known part, from its rollup row: (won so far, the weighted
    open pipeline expected to close in it)."""
    return money(row["won_cents"]), weighted_pipeline([row["open_weighted"]])


def cycle_middle(histogram: Mapping[int, int]) -> tuple[int, int] | None:
    """The cycle lengths of the two middle won deals (the same deal when their number is
    odd), from their histogram ({days: won deals}); None without a won deal. The rollups
    read the same pair in SQL (``rollups.selectors.cycle_middles``)."""
    total = sum(n for n in histogram.values() if n > 0)
    if not total:
        return None
    lower = upper = None
    seen = 0
    for days in sorted(histogram):
        seen += max(histogram[days], 0)
        if lower is None and 2 * seen > total - 1:
            lower = days
        if 2 * seen > total:
            upper = days
            break
    assert lower is not None and upper is not None
    return lower, upper


def median_cycle_days(middle: tuple[int, int] | None) -> int | None:
    """**Cycle length**: the median of the days from creation to close of the won deals: the
    mean of the two middle deals' cycles (:func:`cycle_middle`), rounded half up; None
    without a won deal."""
    if middle is None:
        return None
    return int((Decimal(middle[0] + middle[1]) / 2).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class DealStats:
    """The scope's measured selling capacity over :func:`stats_window`."""

    won_count: int
    lost_count: int
    won_cents: int
    # the cycles of the window's two middle won deals (rollups.selectors.cycle_middles)
    cycle_middle: tuple[int, int] | None = None
    best_month_cents: int = 0

    @property
    def win_rate(self) -> Decimal | None:
        """**Win rate**: won deals / (won + lost deals) closed in the window (0 to 1)."""
        closed = self.won_count + self.lost_count
        return (Decimal(self.won_count) / closed).quantize(Decimal("0.001")) if closed else None

    @property
    def win_rate_pct(self) -> Decimal | None:
        return pct(self.won_count, self.won_count + self.lost_count)

    @property
    def avg_deal_size(self) -> Decimal | None:
        """**Average deal size**: won revenue / won deals in the window."""
        return money(Decimal(self.won_cents) / self.won_count) if self.won_count else None

    @property
    def cycle_days(self) -> int | None:
        """**Cycle length**: the median days from creation to close of the deals won in the
        window (:func:`median_cycle_days`)."""
        return median_cycle_days(self.cycle_middle)

    @property
    def best_month(self) -> Decimal:
        """The most won in one month of the window: the measured monthly capacity."""
        return money(self.best_month_cents)


def deal_stats(
    rollup: Mapping[dt.date, Mapping[str, int]],
    as_of: dt.date,
    *,
    cycle_middle: tuple[int, int] | None,
) -> DealStats:
    """Deal statistics from rollup rows by month (the window's months are read from it) and
    the cycles of the window's two middle won deals (``rollups.selectors.cycle_middles``)."""
    first, last = stats_window(as_of)
    rows = [r for m, r in rollup.items() if first <= m <= last]
    return DealStats(
        won_count=sum(r["won_count"] for r in rows),
        lost_count=sum(r["lost_count"] for r in rows),
        won_cents=sum(r["won_cents"] for r in rows),
        cycle_middle=cycle_middle,
        best_month_cents=max((r["won_cents"] for r in rows), default=0),
    )
