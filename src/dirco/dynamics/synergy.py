"""Reads of team dynamics: individual baselines and the team synergy index, month by month.

The team's revenue comes from the rollup tables (``dirco.rollups.selectors``: the team scope,
by close month), each member's from the won revenue by owner and close month
(``dynamics.owner_won``: the rollups' rep scope adds the partner deals a rep channel-manages,
which the team counts once), and the company's seasonal shape from the forecasting engine
(``dirco.forecasting.seasonal_profile``); the arithmetic is ``dirco.dynamics.model``. A page
costs a fixed number of queries on rows per scope (or owner) and month, whatever the number
of deals: the owner table is precomputed, kept on every deal write like the rollups.

Who was in a team in a month: today's members, dated by the team's events (joined, left) and
the departures; the manager likewise (manager started/ended events, else today's manager).
A person counts in a month when they were a member on its 15th.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Min

from dirco.accounts.models import User
from dirco.accounts.permissions import SELLING_ROLES
from dirco.core.periods import month_add
from dirco.dynamics.model import (
    MIN_HISTORY_MONTHS,
    WINDOW,
    Baseline,
    History,
    Level,
    Synergy,
    adjusted_months,
    baseline_for,
    level_of,
    synergy_of,
    tenured_prior,
)
from dirco.dynamics.owner_won import owner_won_by_month
from dirco.forecasting import seasonal_profile
from dirco.rollups.selectors import monthly_won_revenue, won_and_created_by_scope_month
from dirco.scopes import Scope
from dirco.teams.models import Departure, SalesTeam, TeamEvent

SHOWN_MONTHS = 24
SEASON_YEARS = 3


def _mid(month: dt.date) -> dt.date:
    return month.replace(day=15)


def _months(first: dt.date, count: int) -> list[dt.date]:
    return [month_add(first, i) for i in range(count)]


def _months_between(a: dt.date, b: dt.date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


@dataclass
class Inputs:
    """What every baseline of a period is computed from (read once)."""

    months: list[dt.date]  # the months shown
    history: list[dt.date]  # WINDOW months before the first shown, then the shown ones
    season: dict[dt.date, float]
    won: dict[tuple[int, dt.date], float]
    starts: dict[int, dt.date]  # the month each rep started
    left: dict[int, dt.date]  # the day each rep left (confirmed departures)
    sellers: set[int]  # the reps with won or created deals: the tenured prior's population


def _season(last: dt.date, months: Iterable[dt.date]) -> dict[dt.date, float]:
    """The company's seasonal index of each month's calendar month (1.0 without two years of
    history, or when the engine finds the series not strictly positive)."""
    first = month_add(last, -12 * SEASON_YEARS + 1)
    series = monthly_won_revenue(scope=Scope("company"), first_month=first, last_month=last)
    values = [float(v) for _, v in series]
    # Leading empty months are before the company sold: not zeros of the shape.
    while values and values[0] == 0:
        values.pop(0)
        first = month_add(first, 1)
    profile = seasonal_profile(values, first) if len(values) >= 25 else None
    index = (
        profile.index if profile is not None and profile.kind == "multiplicative" else [1.0] * 12
    )
    return {m: index[m.month - 1] for m in months}


def _starts(user_ids: Iterable[int], created: dict[tuple[int, dt.date], int]) -> dict[int, dt.date]:
    """A rep's first month: their hiring date when known, else their first "joined" team
    event, else the earlier of their account's creation and their first deal created
    (imported history predates accounts)."""
    ids = list(user_ids)
    joined = dict(
        TeamEvent.objects.filter(user__in=ids, kind=TeamEvent.Kind.JOINED)
        .values("user")
        .order_by()
        .annotate(first=Min("on"))
        .values_list("user", "first")
    )
    first_created: dict[int, dt.date] = {}
    for (rep, month), count in created.items():
        if count and (rep not in first_created or month < first_created[rep]):
            first_created[rep] = month
    out = {}
    users = User.objects.filter(pk__in=ids).values_list("pk", "date_joined", "hired_on")
    for pk, date_joined, hired_on in users:
        if hired_on is not None:
            out[pk] = hired_on.replace(day=1)
            continue
        if pk in joined:
            out[pk] = joined[pk].replace(day=1)
            continue
        candidates = [date_joined.date().replace(day=1)]
        if pk in first_created:
            candidates.append(first_created[pk])
        out[pk] = min(candidates)
    return out


def _selling_staff() -> list[int]:
    return list(User.objects.filter(role__in=SELLING_ROLES).values_list("pk", flat=True))


def dynamics_inputs(*, as_of: dt.date, months: int = SHOWN_MONTHS) -> Inputs:
    """The rollups, seasonal shape, starts and departures behind the last ``months`` complete
    months before ``as_of``'s month: five queries."""
    last = month_add(as_of.replace(day=1), -1)
    first = month_add(last, -months + 1)
    history_first = month_add(first, -WINDOW)
    shown = _months(first, months)
    rows = won_and_created_by_scope_month(
        scope_kind="rep", first_month=month_add(history_first, -12 * SEASON_YEARS), last_month=last
    )
    won = owner_won_by_month(first=month_add(history_first, -12 * SEASON_YEARS), last=last)
    created = {k: v[1] for k, v in rows.items()}
    reps = {rep for rep, _ in rows} | {rep for rep, _ in won}
    history = _months(history_first, WINDOW + months)
    # Who left when: the recorded departures, else the user's "left on" date.
    left: dict[int, dt.date] = {
        pk: day
        for pk, day in User.objects.filter(left_on__isnull=False).values_list("pk", "left_on")
        if day is not None
    }
    left.update(
        Departure.objects.filter(status=Departure.Status.CONFIRMED)
        .order_by("left_on")
        .values_list("user", "left_on")
    )
    return Inputs(
        months=shown,
        history=history,
        season=_season(last, history),
        won=won,
        starts=_starts(reps | set(left) | set(_selling_staff()), created),
        left=left,
        sellers=reps,
    )


@dataclass
class RepBaselines:
    """Each rep's baseline in each shown month (absent: not employed that month)."""

    by_rep_month: dict[tuple[int, dt.date], Baseline] = field(default_factory=dict)


def tenure_of(inputs: Inputs, rep: int, month: dt.date) -> int:
    start = inputs.starts.get(rep)
    if start is None:
        return -1
    left = inputs.left.get(rep)
    if left is not None and month > left:
        return -1
    return _months_between(start, month)


def levels_at(inputs: Inputs, index: int, reps: Iterable[int]) -> dict[int, Level]:
    """Each rep's tenured level for the ``index``-th month of ``inputs.history`` (from the
    ``WINDOW`` months before it); the prior is the tenured median of all the company's
    sellers."""
    window = inputs.history[max(0, index - WINDOW) : index]

    def adjusted(rep: int) -> list[float]:
        return adjusted_months(
            History(
                won=[inputs.won.get((rep, m), 0.0) for m in window],
                season=[inputs.season[m] for m in window],
                tenure=[tenure_of(inputs, rep, m) for m in window],
            )
        )

    prior, prior_sd = tenured_prior({rep: adjusted(rep) for rep in inputs.sellers})
    return {rep: level_of(adjusted(rep), prior=prior, prior_sd=prior_sd) for rep in reps}


def baselines_compute(inputs: Inputs, reps: Iterable[int]) -> RepBaselines:
    """The baseline of every rep of ``reps`` in every shown month, each from the ``WINDOW``
    months before it."""
    wanted = set(reps)
    out = RepBaselines()
    for i, month in enumerate(inputs.months):
        employed = [rep for rep in wanted if tenure_of(inputs, rep, month) >= 0]
        levels = levels_at(inputs, i + WINDOW, employed)
        for rep in employed:
            out.by_rep_month[(rep, month)] = baseline_for(
                levels[rep], season=inputs.season[month], tenure=tenure_of(inputs, rep, month)
            )
    return out


@dataclass(frozen=True)
class EventRow:
    on: dt.date
    kind: str
    label: str
    who: str


@dataclass
class TeamMonth:
    month: dt.date
    manager: str
    members: list[tuple[str, Baseline]]
    synergy: Synergy
    events: list[EventRow]

    @property
    def too_little_data(self) -> bool:
        return self.synergy.index is None


@dataclass
class TeamSynergy:
    team: SalesTeam
    months: list[TeamMonth]
    min_history_months: int = MIN_HISTORY_MONTHS


def member_on(
    day: dt.date, events: list[TeamEvent], is_member_now: bool, left: dt.date | None
) -> bool:
    if left is not None and left <= day:
        return False
    before = [e for e in events if e.on <= day and e.kind in ("joined", "left")]
    if before:
        return before[-1].kind == TeamEvent.Kind.JOINED
    later = [e for e in events if e.kind in ("joined", "left")]
    if later:
        return later[0].kind == TeamEvent.Kind.LEFT
    return is_member_now


def _manager_on(day: dt.date, events: list[TeamEvent], team: SalesTeam) -> User:
    started = [e for e in events if e.kind == TeamEvent.Kind.MANAGER_STARTED and e.on <= day]
    if started:
        return started[-1].user
    ended = [e for e in events if e.kind == TeamEvent.Kind.MANAGER_ENDED]
    if ended:
        return ended[0].user
    return team.manager


def team_synergy(*, team: SalesTeam, inputs: Inputs) -> TeamSynergy:
    """The team's synergy index in each shown month, with its members' baselines and the
    events of the month (joins, leaves, manager changes)."""
    events = list(TeamEvent.objects.filter(team=team).select_related("user").order_by("on", "id"))
    by_user: dict[int, list[TeamEvent]] = defaultdict(list)
    for event in events:
        by_user[event.user_id].append(event)
    current = set(team.members.values_list("pk", flat=True))
    candidates = current | set(by_user)
    names = {u.pk: str(u) for u in User.objects.filter(pk__in=candidates | {team.manager_id})}
    baselines = baselines_compute(inputs, candidates)
    team_won = won_and_created_by_scope_month(
        scope_kind="team", first_month=inputs.months[0], last_month=inputs.months[-1]
    )
    departures = list(
        Departure.objects.filter(
            user__in=candidates,
            left_on__gte=inputs.months[0],
            status=Departure.Status.CONFIRMED,
        ).select_related("user")
    )
    out = []
    for month in inputs.months:
        day = _mid(month)
        members = [
            u
            for u in sorted(candidates)
            if member_on(day, by_user.get(u, []), u in current, inputs.left.get(u))
            and (u, month) in baselines.by_rep_month
        ]
        member_baselines = [(names[u], baselines.by_rep_month[(u, month)]) for u in members]
        actual = float(team_won.get((team.pk, month), (Decimal(0), 0))[0])
        month_end = month_add(month, 1)
        month_events = [
            EventRow(e.on, e.kind, e.get_kind_display(), str(e.user))
            for e in events
            if month <= e.on < month_end
        ] + [
            EventRow(d.left_on, "departure", d.get_reason_display(), str(d.user))
            for d in departures
            if month <= d.left_on < month_end
        ]
        out.append(
            TeamMonth(
                month=month,
                manager=str(_manager_on(day, events, team)),
                members=member_baselines,
                synergy=synergy_of(actual, [b for _, b in member_baselines]),
                events=sorted(month_events, key=lambda e: e.on),
            )
        )
    return TeamSynergy(team=team, months=out)
