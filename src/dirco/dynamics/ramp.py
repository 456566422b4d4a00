"""Reads of ramp-up: how new people's won revenue grows, month of tenure by month, as a share
of a tenured person's level, grouped by start year (cohort) or by team.

Each person who started within the history read (``Inputs.history``) gives a row: their won
revenue in each of their first twelve months, divided by the month's seasonal index and by
the tenured median level (the median level of the people with six months of history or
more, today). A group's curve is the mean of its rows month by month; the months to reach
50 %, 80 % and 100 % are the first months whose three-month rolling mean reaches the share
(``model.months_to_reach``). A group of fewer than ``MIN_COHORT`` people: too little data.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from dirco.core.periods import month_add
from dirco.dynamics.model import MIN_HISTORY_MONTHS, WINDOW, months_to_shares
from dirco.dynamics.synergy import Inputs, levels_at
from dirco.teams.models import SalesTeam, TeamEvent

MIN_COHORT = 3  # fewer people in a group: no months-to figure


@dataclass
class RampCurve:
    label: str  # the start year, or the team's name
    reps: int
    curve: list[float | None]  # share of the tenured level by tenure month (1..12)
    months_to: dict[int, int | None]  # share (50, 80, 100) -> months; None: not reached

    @property
    def too_little_data(self) -> bool:
        return self.reps < MIN_COHORT

    @property
    def months_to_80(self) -> int | None:
        return None if self.too_little_data else self.months_to[80]


def tenured_reference(inputs: Inputs) -> float:
    """The tenured median level today: what 100 % of a ramp curve means (0: nobody tenured)."""
    levels = levels_at(inputs, len(inputs.history), list(inputs.sellers))
    tenured = [lv.value for lv in levels.values() if lv.months >= MIN_HISTORY_MONTHS]
    return statistics.median(tenured) if tenured else 0.0


def _ramp_row(inputs: Inputs, rep: int, reference: float) -> list[float | None] | None:
    start = inputs.starts.get(rep)
    if start is None or start < inputs.history[0] or reference <= 0:
        return None  # started before the history read: no ramp to see (or no reference)
    row: list[float | None] = []
    left = inputs.left.get(rep)
    for t in range(WINDOW):
        month = month_add(start, t)
        if month > inputs.history[-1] or (left is not None and month > left):
            row.append(None)
            continue
        season = inputs.season.get(month, 1.0) or 1.0
        row.append(inputs.won.get((rep, month), 0.0) / season / reference)
    return row


def ramp_curves(*, inputs: Inputs, group_of: Mapping[int, str]) -> list[RampCurve]:
    """One curve per group of ``group_of`` (person id -> group label), sorted by label."""
    reference = tenured_reference(inputs)
    rows_by: dict[str, list[list[float | None]]] = defaultdict(list)
    for rep, label in group_of.items():
        row = _ramp_row(inputs, rep, reference)
        if row is not None and any(v is not None for v in row):
            rows_by[label].append(row)
    out = []
    for label in sorted(rows_by):
        rows = rows_by[label]
        curve: list[float | None] = []
        for t in range(WINDOW):
            values = [v for v in (r[t] for r in rows) if v is not None]
            curve.append(statistics.fmean(values) if values else None)
        out.append(
            RampCurve(label=label, reps=len(rows), curve=curve, months_to=months_to_shares(curve))
        )
    return out


def ramp_cohorts(*, inputs: Inputs, reps: list[int]) -> list[RampCurve]:
    """Ramp-up curves by start year."""
    return ramp_curves(
        inputs=inputs,
        group_of={rep: str(inputs.starts[rep].year) for rep in reps if rep in inputs.starts},
    )


def ramp_by_team(*, inputs: Inputs, reps: list[int]) -> list[RampCurve]:
    """Ramp-up curves by the team each person joined first (their "joined" team event),
    else the first of their teams today."""
    team_of: dict[int, str] = {}
    names = dict(SalesTeam.objects.values_list("pk", "name"))
    joined = (
        TeamEvent.objects.filter(user__in=reps, kind=TeamEvent.Kind.JOINED)
        .order_by("on", "id")
        .values_list("user", "team")
    )
    for user, team in joined:
        team_of.setdefault(user, names[team])
    membership = (
        SalesTeam.members.through.objects.filter(user_id__in=reps)
        .order_by("salesteam_id")
        .values_list("user_id", "salesteam_id")
    )
    for user, team in membership:
        team_of.setdefault(user, names[team])
    return ramp_curves(inputs=inputs, group_of=team_of)
