"""Reads of capacity planning: how many reps (or partners) next fiscal year's objective needs.

For the company or one team:

1. **The people in place** (today's active members of the team, or of every team): each is
   expected to win, month by month of next year, their level today (``synergy.levels_at``)
   x the month's seasonal index x their ramp factor at their tenure then x the chance they
   are still here: 1 up to a recorded planned departure and 0 after it; otherwise the
   company's historical departure rate as an exponential survival from today.
2. **The gap**: the objective (next year's won-revenue objective of the scope, or a typed
   target) minus what the people in place are expected to win; never negative.
3. **A new rep**, hired on the year's first month, is expected to win the tenured median
   level x seasonal index x ramp factor (the ramp length measured from the company's ramp
   curve: the months to 100 %, else the model's six months) x the same survival.
4. **Reps needed** = the gap / a new rep's year, rounded up; **partners needed** = the gap /
   the median active partner's won revenue of the last twelve months (a partner is taken to
   sell like that from its first month: optimistic, no partner ramp is measured).

All figures are read from the rollups and the owner table: a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from dirco.accounts.models import User
from dirco.core.periods import month_add
from dirco.dynamics.model import (
    RAMP_MONTHS,
    Capacity,
    Seat,
    capacity_of,
    departure_rate,
    seat_expected,
)
from dirco.dynamics.ramp import MIN_COHORT, RampCurve, ramp_curves, tenured_reference
from dirco.dynamics.synergy import Inputs, levels_at, tenure_of
from dirco.objectives.fiscal_calendar import fiscal_year_months, fiscal_year_of
from dirco.objectives.models import Objective
from dirco.objectives.selectors import objective_find
from dirco.partners.models import Partner
from dirco.rollups.models import RevenueRollup
from dirco.scopes import Scope
from dirco.teams.models import Departure, SalesTeam

STAFF_ROLES = (User.Role.REP, User.Role.MANAGER)


@dataclass(frozen=True)
class SeatRow:
    person: User
    level: float
    months_of_history: int
    tenure_at_start: int
    planned_departure: dt.date | None
    expected: float  # over the planned year


@dataclass
class CapacityPlan:
    label: str
    fiscal_year: int
    months: list[dt.date]
    objective: Decimal | None  # the scope's objective for the year (None: none set)
    target: Decimal | None  # what the plan aims at: a typed target, else the objective
    seats: list[SeatRow]
    departures: int  # confirmed departures in the rate's window
    person_years: float
    rate: float | None  # None: under a person-year of history (taken as 0)
    ramp_months: int
    ramp_measured: bool
    hire_level: float  # the tenured median level a new rep reaches
    partners_active: int
    capacity: Capacity | None  # None: no target
    reasons: list[str] = field(default_factory=list)  # why a figure is missing

    @property
    def in_place_planned_leavers(self) -> int:
        return sum(1 for s in self.seats if s.planned_departure is not None)


def departure_rate_of(inputs: Inputs) -> tuple[int, float, float | None]:
    """(confirmed departures, person-years, yearly rate) of the sales staff over the months
    shown (the last 24 complete months): the company's rate, whatever the scope planned."""
    staff = list(User.objects.filter(role__in=STAFF_ROLES).values_list("pk", flat=True))
    months = inputs.months
    person_months = sum(
        1 for rep in staff for month in months if tenure_of(inputs, rep, month) >= 0
    )
    left = Departure.objects.filter(
        user__in=staff,
        status=Departure.Status.CONFIRMED,
        left_on__gte=months[0],
        left_on__lt=month_add(months[-1], 1),
    ).count()
    years = person_months / 12
    return left, years, departure_rate(left, years)


def _partner_yield(*, people: list[int] | None, first: dt.date, last: dt.date) -> list[float]:
    """Each active partner's won revenue of the months ``first``..``last`` (those that won
    anything), of the partners channel-managed by ``people`` (all when None)."""
    rows = RevenueRollup.objects.filter(scope_kind="partner", month__gte=first, month__lte=last)
    if people is not None:
        rows = rows.filter(
            scope_id__in=Partner.objects.filter(channel_manager__in=people).values("pk")
        )
    totals = rows.values("scope_id").order_by().annotate(won=Sum("won_cents"))
    return [int(r["won"]) / 100 for r in totals if r["won"]]


def capacity_plan(
    *,
    inputs: Inputs,
    team: SalesTeam | None,
    as_of: dt.date,
    target: Decimal | None = None,
    company_curve: RampCurve | None = None,
) -> CapacityPlan:
    """The capacity plan of next fiscal year for ``team`` (the company when None)."""
    year = fiscal_year_of(as_of) + 1
    months = fiscal_year_months(year)
    scope = Scope("team", team.pk) if team is not None else Scope("company")
    found = objective_find(scope=scope, fiscal_year=year, measure=Objective.Measure.WON_REVENUE)
    objective = found.amount if found is not None and found.amount > 0 else None
    aim = target if target is not None else objective
    members = (
        team.members.all() if team is not None else User.objects.filter(sales_teams__isnull=False)
    )
    people = list(
        members.filter(is_active=True)
        .exclude(role__in=User.PARTNER_ROLES)
        .distinct()
        .order_by("first_name", "last_name")
    )
    planned = dict(
        Departure.objects.filter(user__in=people, status=Departure.Status.PLANNED)
        .order_by("-left_on")
        .values_list("user", "left_on")
    )
    departures, person_years, rate = departure_rate_of(inputs)
    reasons: list[str] = []
    if rate is None:
        reasons.append("rate")
    curve = company_curve
    ramp_measured = (
        curve is not None and not curve.too_little_data and curve.months_to[100] is not None
    )
    ramp_months = curve.months_to[100] if ramp_measured and curve else None
    ramp = ramp_months or RAMP_MONTHS
    season_of = {m.month: v for m, v in inputs.season.items()}
    seasons = [season_of.get(m.month, 1.0) for m in months]
    now = as_of.replace(day=1)
    before_start = (months[0].year - now.year) * 12 + months[0].month - now.month
    levels = levels_at(inputs, len(inputs.history), [p.pk for p in people])
    seats = []
    for person in people:
        start = inputs.starts.get(person.pk, now)
        leaves = planned.get(person.pk)
        leaves_after: int | None = None
        if leaves is not None:
            leaving_month = leaves.replace(day=1)
            leaves_after = sum(1 for m in months if m < leaving_month) - 1
            if leaves >= month_add(months[-1], 1):
                leaves_after = len(months) - 1
        tenure = (months[0].year - start.year) * 12 + months[0].month - start.month
        level = levels[person.pk]
        expected = seat_expected(
            Seat(
                level=level.value,
                tenure_at_start=tenure,
                months_before_start=before_start,
                leaves_after=leaves_after,
            ),
            seasons=seasons,
            rate=rate or 0.0,
        )
        seats.append(SeatRow(person, level.value, level.months, tenure, leaves, expected))
    reference = tenured_reference(inputs)
    hire_yield = seat_expected(
        Seat(level=reference, tenure_at_start=0, months_before_start=0),
        seasons=seasons,
        rate=rate or 0.0,
        ramp_months=ramp,
    )
    if reference <= 0:
        reasons.append("hire")
    last = inputs.months[-1]
    partner_years = _partner_yield(
        people=[p.pk for p in people] if team is not None else None,
        first=month_add(last, -11),
        last=last,
    )
    partner_yield = statistics.median(partner_years) if len(partner_years) >= MIN_COHORT else None
    if partner_yield is None:
        reasons.append("partners")
    capacity = None
    if aim is not None:
        capacity = capacity_of(
            objective=float(aim),
            in_place=sum(s.expected for s in seats),
            hire_yield=hire_yield,
            partner_yield=partner_yield,
        )
    else:
        reasons.append("objective")
    return CapacityPlan(
        label=team.name if team is not None else "",
        fiscal_year=year,
        months=months,
        objective=objective,
        target=aim,
        seats=seats,
        departures=departures,
        person_years=round(person_years, 1),
        rate=rate,
        ramp_months=ramp,
        ramp_measured=ramp_measured,
        hire_level=reference,
        partners_active=len(partner_years),
        capacity=capacity,
        reasons=reasons,
    )


def company_ramp_curve(*, inputs: Inputs) -> RampCurve | None:
    """The ramp curve of everyone on the staff who started within the history read."""
    staff = User.objects.filter(role__in=STAFF_ROLES).values_list("pk", flat=True)
    curves = ramp_curves(inputs=inputs, group_of=dict.fromkeys(staff, "all"))
    return curves[0] if curves else None
