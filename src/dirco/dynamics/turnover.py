"""Reads of turnover: the cost of each departure and a "what if" for someone who may leave
(the arithmetic: ``dirco.dynamics.model``; ramp-up curves: ``dynamics.ramp``).

Revenue comes from the rollups (through ``dynamics.synergy.dynamics_inputs``) and the
company rollup's won and lost counts; the handed-over deals from the handover items. A fixed
number of queries whatever the number of deals.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, Sum

from dirco.accounts.models import User
from dirco.core.periods import month_add
from dirco.dynamics.model import (
    MIN_HISTORY_MONTHS,
    TurnoverCost,
    WinRates,
    turnover_cost,
)
from dirco.dynamics.models import HandoverItem, ItemKind
from dirco.dynamics.synergy import Inputs, levels_at
from dirco.partners.models import Partner
from dirco.pipeline.models import Deal, Stage
from dirco.rollups.models import RevenueRollup
from dirco.teams.models import Departure, TeamEvent

DEFAULT_VACANCY_MONTHS = 3


def recruiting_cost_default() -> Decimal:
    return Decimal(str(getattr(settings, "DIRCO_RECRUITING_COST", "15000")))


def win_rates(*, first_month: dt.date, last_month: dt.date) -> WinRates:
    """Handed-over deals closed against the company's other closed deals in the period."""
    handed = HandoverItem.objects.filter(kind=ItemKind.DEAL).values("object_id")
    reassigned = Deal.objects.filter(
        pk__in=handed, close_date__gte=first_month, close_date__lt=month_add(last_month, 1)
    ).aggregate(
        closed=Count("pk", filter=Q(stage__is_won=True) | Q(stage__is_lost=True)),
        won=Count("pk", filter=Q(stage__is_won=True)),
    )
    company = RevenueRollup.objects.filter(
        scope_kind="company", scope_id=0, month__gte=first_month, month__lte=last_month
    ).aggregate(won=Sum("won_count"), lost=Sum("lost_count"))
    won_all, lost_all = int(company["won"] or 0), int(company["lost"] or 0)
    r_closed, r_won = int(reassigned["closed"] or 0), int(reassigned["won"] or 0)
    return WinRates(
        reassigned_closed=r_closed,
        reassigned_won=r_won,
        others_closed=max(0, won_all + lost_all - r_closed),
        others_won=max(0, won_all - r_won),
    )


@dataclass
class DepartureCost:
    departure: Departure | None  # None: a "what if"
    who: User
    left_on: dt.date
    reason: str
    replaced_on: dt.date | None
    still_vacant: bool
    level_months: int  # own months behind the level
    cost: TurnoverCost

    @property
    def too_little_data(self) -> bool:
        return self.level_months < MIN_HISTORY_MONTHS


def _history_index(inputs: Inputs, day: dt.date) -> int:
    month = day.replace(day=1)
    if month in inputs.history:
        return inputs.history.index(month)
    return len(inputs.history) if month > inputs.history[-1] else 0


def _months_between_days(a: dt.date, b: dt.date) -> float:
    return round(max(0, (b - a).days) / 30.44, 1)


def departure_costs(
    *,
    departures: list[Departure],
    inputs: Inputs,
    as_of: dt.date,
    recruiting_cost: Decimal,
    rates: WinRates,
) -> list[DepartureCost]:
    """The cost of each departure: vacancy until the next person joined one of the leaver's
    teams (for a manager: until the team's next manager started; else until ``as_of``: still
    vacant), ramp shortfall, orphaned-pipeline slippage of
    the deals handed over at the departure, and recruiting."""
    if not departures:
        return []
    leavers = [d.user_id for d in departures]
    items = (
        HandoverItem.objects.filter(handover__leaver__in=leavers)
        .values("handover__leaver", "kind")
        .order_by()
        .annotate(n=Count("pk"), amount=Sum("amount"))
    )
    open_by: dict[int, float] = defaultdict(float)
    partners_by: dict[int, int] = defaultdict(int)
    for row in items:
        if row["kind"] == ItemKind.DEAL:
            open_by[row["handover__leaver"]] += float(row["amount"] or 0)
        elif row["kind"] == ItemKind.PARTNER:
            partners_by[row["handover__leaver"]] += int(row["n"])
    # A rep's seat is filled by the next person who joins the team; a manager's by the next
    # manager of the team.
    left_teams: dict[int, set[tuple[int, str]]] = defaultdict(set)
    seat_of: dict[str, str] = {
        TeamEvent.Kind.LEFT: TeamEvent.Kind.JOINED,
        TeamEvent.Kind.MANAGER_ENDED: TeamEvent.Kind.MANAGER_STARTED,
    }
    for user, team, kind in TeamEvent.objects.filter(
        user__in=leavers, kind__in=list(seat_of)
    ).values_list("user", "team", "kind"):
        left_teams[user].add((team, seat_of[kind]))
    joins = list(
        TeamEvent.objects.filter(
            team__in={t for ts in left_teams.values() for t, _kind in ts},
            kind__in=list(seat_of.values()),
        )
        .order_by("on")
        .values_list("team", "user", "on", "kind")
    )
    out = []
    for departure in departures:
        rep = departure.user_id
        level = levels_at(inputs, _history_index(inputs, departure.left_on), [rep])[rep]
        replaced_on = next(
            (
                on
                for team, user, on, kind in joins
                if (team, kind) in left_teams[rep] and user != rep and on >= departure.left_on
            ),
            None,
        )
        end = replaced_on or as_of
        out.append(
            DepartureCost(
                departure=departure,
                who=departure.user,
                left_on=departure.left_on,
                reason=departure.get_reason_display(),
                replaced_on=replaced_on,
                still_vacant=replaced_on is None,
                level_months=level.months,
                cost=turnover_cost(
                    level=level.value,
                    vacancy_months=_months_between_days(departure.left_on, end),
                    orphaned_open=open_by[rep],
                    rates=rates,
                    partners_reassigned=partners_by[rep],
                    recruiting_cost=float(recruiting_cost),
                ),
            )
        )
    return out


def what_if_cost(
    *,
    who: User,
    inputs: Inputs,
    as_of: dt.date,
    vacancy_months: float,
    recruiting_cost: Decimal,
    rates: WinRates,
    departure: Departure | None = None,
) -> DepartureCost:
    """What ``who`` leaving now would cost: their level today, ``vacancy_months`` without a
    replacement, their open deals as the orphaned pipeline, the partners they manage. With a
    ``departure`` (a planned one), its date and reason are shown."""
    level = levels_at(inputs, len(inputs.history), [who.pk])[who.pk]
    # By open stage id, not through a join: the (stage, owner, amount) index answers alone
    # (a join read every deal of the owner: 100 ms at 1M deals).
    open_stages = Stage.objects.filter(is_won=False, is_lost=False).values("pk")
    open_amount = Deal.objects.filter(owner=who, stage__in=open_stages).aggregate(
        total=Sum("amount_company")
    )["total"] or Decimal(0)
    return DepartureCost(
        departure=departure,
        who=who,
        left_on=departure.left_on if departure is not None else as_of,
        reason=departure.get_reason_display() if departure is not None else "",
        replaced_on=None,
        still_vacant=True,
        level_months=level.months,
        cost=turnover_cost(
            level=level.value,
            vacancy_months=vacancy_months,
            orphaned_open=float(open_amount),
            rates=rates,
            partners_reassigned=Partner.objects.filter(channel_manager=who).count(),
            recruiting_cost=float(recruiting_cost),
        ),
    )


def planned_departure_costs(
    *,
    departures: list[Departure],
    inputs: Inputs,
    as_of: dt.date,
    vacancy_months: float,
    recruiting_cost: Decimal,
) -> list[DepartureCost]:
    """The "what if" of each planned departure (``what_if_cost`` at its date and reason)."""
    if not departures:
        return []
    rates = win_rates(first_month=inputs.history[0], last_month=inputs.months[-1])
    return [
        what_if_cost(
            who=d.user,
            inputs=inputs,
            as_of=as_of,
            vacancy_months=vacancy_months,
            recruiting_cost=recruiting_cost,
            rates=rates,
            departure=d,
        )
        for d in departures
    ]
