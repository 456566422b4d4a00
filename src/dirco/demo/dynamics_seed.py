"""The demo company's team history for the team dynamics pages: departures and dated joins.

The bulk seed hires and loses reps (``User.hired_on`` / ``left_on``: two reps left, two were
replaced and a seat was added within the year); this records the departures with their
reasons and dates each team's joins and leaves and a manager change, so that the synergy chart marks them and the
turnover page costs them (vacancy until the replacement joined the same team).
"""

from __future__ import annotations

import datetime as dt

from dirco.accounts.models import User
from dirco.teams.models import Departure, SalesTeam, TeamEvent

HISTORY_DAYS = 3 * 365


def demo_dynamics_seed(*, today: dt.date, director: User) -> dict[str, int]:
    events: list[TeamEvent] = []
    departures: list[Departure] = []
    reasons = [Departure.Reason.RESIGNATION, Departure.Reason.END_OF_CONTRACT]
    for team in SalesTeam.objects.prefetch_related("members").order_by("id"):
        for member in team.members.all():
            if member.hired_on and (today - member.hired_on).days <= HISTORY_DAYS:
                events.append(
                    TeamEvent(
                        team=team, user=member, kind=TeamEvent.Kind.JOINED, on=member.hired_on
                    )
                )
            if member.left_on:
                events.append(
                    TeamEvent(team=team, user=member, kind=TeamEvent.Kind.LEFT, on=member.left_on)
                )
                departures.append(
                    Departure(
                        user=member,
                        left_on=member.left_on,
                        reason=reasons[len(departures) % len(reasons)],
                        status=Departure.Status.CONFIRMED,
                        recorded_by=director,
                    )
                )
    # A manager change: the second team's manager took it ten months ago (the manager effect
    # page compares its reps before and after; the data is the bulk seed's, not staged).
    second = SalesTeam.objects.order_by("id")[1:2].first()
    if second is not None:
        events.append(
            TeamEvent(
                team=second,
                user=second.manager,
                kind=TeamEvent.Kind.MANAGER_STARTED,
                on=today - dt.timedelta(days=300),
            )
        )
    TeamEvent.objects.bulk_create(events)
    Departure.objects.bulk_create(departures)
    return {"team_events": len(events), "departures": len(departures)}
