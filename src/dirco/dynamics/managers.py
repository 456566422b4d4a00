"""Reads of the manager effect: reps' results relative to their baseline before and after a
new manager took their team, and the "top seller promoted to manager" view.

For each "manager started" team event in the history: the reps who were members on both
sides; before, their won revenue over the ``SIDE`` months before the change against their
baselines then; after, their won revenue over the ``SIDE`` months from the change on against
the level they had at the change (seasonal index and ramp applied), so that the baseline does
not learn the new manager's effect. The effect is the mean of (after - before) over reps, with
an 80 % interval (``model.effect_of``); with fewer than three reps: too little data. A
promoted manager (one with won deals of their own in the months before) is shown with the
team's synergy before and after and their own sales.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from django.db.models import QuerySet

from dirco.core.periods import month_add
from dirco.dynamics.model import Effect, effect_of, ramp_factor
from dirco.dynamics.synergy import Inputs, levels_at, member_on, team_synergy, tenure_of
from dirco.teams.models import SalesTeam, TeamEvent

SIDE = 6  # months on each side of a change


@dataclass(frozen=True)
class RepChange:
    name: str
    before: float  # won / baseline over the months before
    after: float


@dataclass
class ManagerChange:
    team: SalesTeam
    manager: str
    on: dt.date
    promoted: bool
    own_before: float  # the manager's own monthly won revenue, mean of the months before
    own_after: float
    synergy_before: float | None  # mean synergy index of the months with one
    synergy_after: float | None
    reps: list[RepChange]
    effect: Effect


def _ratio(won: float, expected: float) -> float | None:
    return won / expected if expected > 0 else None


def _mean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.fmean(known) if known else None


def manager_changes(*, teams: QuerySet[SalesTeam], inputs: Inputs) -> list[ManagerChange]:
    history = inputs.history
    first_ok, last = history[SIDE], history[-1]
    events = list(
        TeamEvent.objects.filter(
            team__in=teams,
            kind=TeamEvent.Kind.MANAGER_STARTED,
            on__gte=first_ok,
            on__lte=last,
        )
        .select_related("team", "user")
        .order_by("on", "id")
    )
    out = []
    for event in events:
        team = event.team
        month = event.on.replace(day=1)
        index = history.index(month)
        before = history[index - SIDE : index]
        after = [m for m in history[index : index + SIDE] if m <= last]
        team_events = list(TeamEvent.objects.filter(team=team).order_by("on", "id"))
        current = set(team.members.values_list("pk", flat=True))
        candidates = current | {e.user_id for e in team_events if e.kind in ("joined", "left")}

        def member(
            rep: int,
            day: dt.date,
            evs: list[TeamEvent] = team_events,
            now: set[int] = current,
        ) -> bool:
            own = [e for e in evs if e.user_id == rep]
            return member_on(day, own, rep in now, inputs.left.get(rep))

        reps = [
            r
            for r in sorted(candidates)
            if r != event.user_id
            and member(r, event.on - dt.timedelta(days=15))
            and member(r, event.on + dt.timedelta(days=45))
            and tenure_of(inputs, r, before[0]) >= 0
        ]
        at_change = levels_at(inputs, index, reps)
        won_before = {r: sum(inputs.won.get((r, m), 0.0) for m in before) for r in reps}
        expected_before = dict.fromkeys(reps, 0.0)
        for i, m in zip(range(index - SIDE, index), before, strict=True):
            levels = levels_at(inputs, i, reps)
            for r in reps:
                expected_before[r] += (
                    levels[r].value * inputs.season[m] * ramp_factor(tenure_of(inputs, r, m))
                )
        rows: list[RepChange] = []
        names = {u.pk: str(u) for u in team.members.model.objects.filter(pk__in=reps)}
        for r in reps:
            expected_after = sum(
                at_change[r].value * inputs.season[m] * ramp_factor(tenure_of(inputs, r, m))
                for m in after
            )
            b = _ratio(won_before[r], expected_before[r])
            a = _ratio(sum(inputs.won.get((r, m), 0.0) for m in after), expected_after)
            if a is not None and b is not None:
                rows.append(RepChange(names.get(r, str(r)), b, a))
        synergy = {m.month: m.synergy.index for m in team_synergy(team=team, inputs=inputs).months}
        own_before = [inputs.won.get((event.user_id, m), 0.0) for m in before]
        own_after = [inputs.won.get((event.user_id, m), 0.0) for m in after]
        out.append(
            ManagerChange(
                team=team,
                manager=str(event.user),
                on=event.on,
                promoted=sum(1 for v in own_before if v > 0) >= SIDE // 2,
                own_before=statistics.fmean(own_before),
                own_after=statistics.fmean(own_after) if own_after else 0.0,
                synergy_before=_mean([synergy.get(m) for m in before]),
                synergy_after=_mean([synergy.get(m) for m in after]),
                reps=rows,
                effect=effect_of([row.after - row.before for row in rows]),
            )
        )
    return out


def month_span(on: dt.date) -> tuple[dt.date, dt.date]:
    """The first month before and the last month after a change (for the page's caption)."""
    month = on.replace(day=1)
    return month_add(month, -SIDE), month_add(month, SIDE - 1)
