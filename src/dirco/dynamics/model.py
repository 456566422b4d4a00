"""Individual baselines and the team synergy index: the arithmetic, pure Python (no Django).

A rep's baseline for a month is what their own history says they win in that month:

- ``level``: their mean monthly won revenue over the ``WINDOW`` months before, each month
  first divided by the company's seasonal index of its calendar month (so a strong December
  does not inflate the level) and by the rep's ramp factor then (so a new rep's small first
  months do not hide their tenured level); shrunk toward the tenured reps' median level with
  the weight of ``PRIOR_MONTHS`` months, so that three lucky months are not a level;
- ``baseline = level x seasonal index of the month x ramp factor of the month``;
- ``sd``: the month-to-month spread of those adjusted months (the tenured reps' median
  spread when the rep has fewer than ``MIN_SD_MONTHS``), scaled like the baseline.

The synergy index of a team for a month is its actual won revenue over the sum of its
members' baselines. Without synergy, the actual would fall within ``sum +/- z x sqrt(sum of
variances)`` (``z`` for an 80 % band, months taken as independent): the index's interval is
the actual divided by the ends of that band. An interval wholly above 1 says the team won
more than its members' own histories explain; one containing 1 says nothing either way.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

WINDOW = 12  # months of history a level is read from
PRIOR_MONTHS = 3  # weight of the tenured median in a level, in months
MIN_SD_MONTHS = 3  # fewer months: the spread is the tenured reps' median
MIN_HISTORY_MONTHS = 6  # a team month needs a member with this much history to get an index
RAMP_MONTHS = 6  # a rep reaches their tenured level after this many months
Z80 = 1.2816  # two-sided 80 % normal band


def ramp_factor(tenure_months: int, ramp_months: int = RAMP_MONTHS) -> float:
    """Share of the tenured level a rep reaches in their ``tenure_months``-th month (0 = the
    month they started): linear up to 1 at ``ramp_months``; 0 before they started."""
    if tenure_months < 0:
        return 0.0
    if ramp_months <= 0:
        return 1.0
    return min(1.0, (tenure_months + 1) / ramp_months)


@dataclass(frozen=True)
class History:
    """A rep's months before the month of interest: (won revenue, seasonal index, tenure)."""

    won: Sequence[float]
    season: Sequence[float]
    tenure: Sequence[int]


def adjusted_months(history: History, ramp_months: int = RAMP_MONTHS) -> list[float]:
    """Each month's won revenue divided by its seasonal index and ramp factor; months before
    the rep started are left out."""
    out = []
    for won, season, tenure in zip(history.won, history.season, history.tenure, strict=True):
        ramp = ramp_factor(tenure, ramp_months)
        if ramp <= 0 or season <= 0:
            continue
        out.append(won / (season * ramp))
    return out


@dataclass(frozen=True)
class Level:
    value: float  # deseasonalised, tenured monthly won revenue
    sd: float
    months: int  # own months it was read from


def level_of(
    adjusted: Sequence[float], *, prior: float, prior_sd: float, prior_months: int = PRIOR_MONTHS
) -> Level:
    """The rep's tenured level: their adjusted months shrunk toward ``prior``."""
    n = len(adjusted)
    value = (sum(adjusted) + prior_months * prior) / (n + prior_months)
    sd = statistics.stdev(adjusted) if n >= MIN_SD_MONTHS else prior_sd
    return Level(value=value, sd=sd, months=n)


def tenured_prior(adjusted_by_rep: Mapping[int, Sequence[float]]) -> tuple[float, float]:
    """The median level and spread of the reps with at least ``MIN_HISTORY_MONTHS`` adjusted
    months (0, 0 when there is none)."""
    means = [statistics.fmean(v) for v in adjusted_by_rep.values() if len(v) >= MIN_HISTORY_MONTHS]
    sds = [statistics.stdev(v) for v in adjusted_by_rep.values() if len(v) >= MIN_HISTORY_MONTHS]
    if not means:
        return 0.0, 0.0
    return statistics.median(means), statistics.median(sds)


@dataclass(frozen=True)
class Baseline:
    expected: float
    sd: float
    months: int  # own history months behind it

    @property
    def low(self) -> float:
        return max(0.0, self.expected - Z80 * self.sd)

    @property
    def high(self) -> float:
        return self.expected + Z80 * self.sd


def baseline_for(
    level: Level, *, season: float, tenure: int, ramp_months: int = RAMP_MONTHS
) -> Baseline:
    """The expected won revenue of a month with seasonal index ``season`` at ``tenure``."""
    scale = season * ramp_factor(tenure, ramp_months)
    return Baseline(expected=level.value * scale, sd=level.sd * scale, months=level.months)


@dataclass(frozen=True)
class Synergy:
    actual: float
    expected: float  # the sum of the members' baselines
    sd: float
    index: float | None  # None: too little data
    low: float | None
    high: float | None  # None: unbounded (the band reaches zero)
    reason: str = ""  # why there is no index


def synergy_of(actual: float, baselines: Sequence[Baseline]) -> Synergy:
    """The team's actual against the sum of its members' baselines, with its 80 % interval."""
    expected = sum(b.expected for b in baselines)
    sd = math.sqrt(sum(b.sd**2 for b in baselines))
    if not baselines:
        return Synergy(actual, 0.0, 0.0, None, None, None, "no members")
    if max(b.months for b in baselines) < MIN_HISTORY_MONTHS:
        return Synergy(actual, expected, sd, None, None, None, "too little history")
    if expected <= 0:
        return Synergy(actual, expected, sd, None, None, None, "no expected revenue")
    index = actual / expected
    low = actual / (expected + Z80 * sd)
    band_low = expected - Z80 * sd
    high = actual / band_low if band_low > 0 else None
    return Synergy(actual, expected, sd, index, low, high)


# -- turnover ----------------------------------------------------------------------------------

MIN_CLOSED_REASSIGNED = 10  # fewer closed handed-over deals: no slippage figure


def ramp_shortfall_months(ramp_months: int = RAMP_MONTHS) -> float:
    """Months of a tenured level a replacement misses while ramping: sum of (1 - ramp)."""
    return sum(1.0 - ramp_factor(t, ramp_months) for t in range(ramp_months))


@dataclass(frozen=True)
class WinRates:
    """Closed deals handed over in a handover against the others: won share and cycle."""

    reassigned_closed: int
    reassigned_won: int
    others_closed: int
    others_won: int

    @property
    def reassigned_rate(self) -> float | None:
        if self.reassigned_closed < MIN_CLOSED_REASSIGNED:
            return None
        return self.reassigned_won / self.reassigned_closed

    @property
    def others_rate(self) -> float | None:
        return self.others_won / self.others_closed if self.others_closed else None

    @property
    def slippage(self) -> float | None:
        """The share of an orphaned pipeline's value lost to the handover: the drop of the won
        rate (never negative); None with too few closed handed-over deals."""
        if self.reassigned_rate is None or self.others_rate is None or self.others_rate <= 0:
            return None
        return max(0.0, (self.others_rate - self.reassigned_rate) / self.others_rate)


@dataclass(frozen=True)
class TurnoverCost:
    level: float  # the leaver's tenured monthly won revenue
    vacancy_months: float
    vacancy_lost: float
    ramp_shortfall: float
    orphaned_pipeline: float  # open amount x others' won rate: what it would have brought
    slippage_lost: float | None  # None: too little data
    partners_reassigned: int
    recruiting_cost: float

    @property
    def total(self) -> float:
        """Vacancy + ramp shortfall + slippage (when measured) + recruiting."""
        return (
            self.vacancy_lost
            + self.ramp_shortfall
            + (self.slippage_lost or 0.0)
            + self.recruiting_cost
        )


def turnover_cost(
    *,
    level: float,
    vacancy_months: float,
    orphaned_open: float,
    rates: WinRates,
    partners_reassigned: int,
    recruiting_cost: float,
    ramp_months: int = RAMP_MONTHS,
) -> TurnoverCost:
    """The cost of one departure: the leaver's level for each vacant month, the months of
    level the replacement misses while ramping, the expected value of the orphaned pipeline
    (open amount x the others' won rate) times its measured slippage, and recruiting."""
    others = rates.others_rate or 0.0
    expected_orphaned = orphaned_open * others
    slip = rates.slippage
    return TurnoverCost(
        level=level,
        vacancy_months=vacancy_months,
        vacancy_lost=level * vacancy_months,
        ramp_shortfall=level * ramp_shortfall_months(ramp_months),
        orphaned_pipeline=expected_orphaned,
        slippage_lost=None if slip is None else expected_orphaned * slip,
        partners_reassigned=partners_reassigned,
        recruiting_cost=recruiting_cost,
    )


def months_to_reach(curve: Sequence[float | None], share: float) -> int | None:
    """The first tenure month (1-based count) whose 3-month rolling mean of the curve reaches
    ``share`` of the tenured level; None when it never does in the months known."""
    known = list(curve)
    for t in range(len(known)):
        window = [v for v in known[max(0, t - 2) : t + 1] if v is not None]
        if len(window) == min(3, t + 1) and statistics.fmean(window) >= share:
            return t + 1
    return None


# -- manager effect ----------------------------------------------------------------------------

MIN_EFFECT_REPS = 3  # fewer reps on both sides of a change: no effect figure
T80 = {2: 1.886, 3: 1.638, 4: 1.533, 5: 1.476, 6: 1.440, 7: 1.415, 8: 1.397, 9: 1.383}


@dataclass(frozen=True)
class Effect:
    """The mean change of reps' won revenue relative to their baseline (after - before), with
    an 80 % interval (Student's t over reps); None with too few reps."""

    reps: int
    mean: float | None
    low: float | None
    high: float | None


def effect_of(differences: Sequence[float]) -> Effect:
    n = len(differences)
    if n < MIN_EFFECT_REPS:
        return Effect(n, None, None, None)
    mean = statistics.fmean(differences)
    half = T80.get(n - 1, Z80) * statistics.stdev(differences) / math.sqrt(n)
    return Effect(n, mean, mean - half, mean + half)


# -- ramp-up and capacity ----------------------------------------------------------------------

RAMP_SHARES = (50, 80, 100)  # the shares of a tenured level whose months are shown


def months_to_shares(curve: Sequence[float | None]) -> dict[int, int | None]:
    """The months to reach each share of ``RAMP_SHARES`` (``months_to_reach``)."""
    return {share: months_to_reach(curve, share / 100) for share in RAMP_SHARES}


def departure_rate(departures: int, person_years: float) -> float | None:
    """Departures per person-year of the sales force; None without a year of exposure."""
    if person_years < 1:
        return None
    return min(1.0, departures / person_years)


def stay_probability(rate: float, months_from_now: float) -> float:
    """The chance someone is still here ``months_from_now`` months on, at a constant
    yearly departure ``rate`` (exponential survival: (1 - rate) ^ (months / 12))."""
    if rate >= 1:
        return 0.0
    return float((1.0 - rate) ** (max(0.0, months_from_now) / 12))


@dataclass(frozen=True)
class Seat:
    """One person's place in the planned year: their level, tenure at the year's first
    month, and the months they are known to leave (planned departure) or not."""

    level: float
    tenure_at_start: int  # months since they started, at the year's first month
    months_before_start: int  # months from now to the year's first month
    leaves_after: int | None = None  # index of the last month they work (planned departure)


def seat_expected(
    seat: Seat, *, seasons: Sequence[float], rate: float, ramp_months: int = RAMP_MONTHS
) -> float:
    """What one person is expected to win over the year: level x seasonal index x ramp
    factor x the chance they are still here, month by month; nothing after a planned
    departure (the rate then no longer applies: their leaving is known)."""
    total = 0.0
    for i, season in enumerate(seasons):
        if seat.leaves_after is not None:
            if i > seat.leaves_after:
                break
            stay = 1.0
        else:
            stay = stay_probability(rate, seat.months_before_start + i + 0.5)
        total += seat.level * season * ramp_factor(seat.tenure_at_start + i, ramp_months) * stay
    return total


@dataclass(frozen=True)
class Capacity:
    objective: float
    in_place: float  # what the people in place are expected to win over the year
    gap: float  # objective - in_place (never negative)
    hire_yield: float  # what one rep hired on the year's first month is expected to win
    reps_needed: int | None  # None: no yield to divide by (too little data)
    partner_yield: float | None  # the median active partner's last twelve months
    partners_needed: int | None


def capacity_of(
    *, objective: float, in_place: float, hire_yield: float, partner_yield: float | None
) -> Capacity:
    """How many reps hired at the start of the year (or partners like the median active
    one) close the gap between the objective and what the people in place will win."""
    gap = max(0.0, objective - in_place)
    reps = math.ceil(gap / hire_yield - 1e-9) if hire_yield > 0 else None
    partners = (
        math.ceil(gap / partner_yield - 1e-9)
        if partner_yield is not None and partner_yield > 0
        else None
    )
    return Capacity(objective, in_place, gap, hire_yield, reps, partner_yield, partners)
