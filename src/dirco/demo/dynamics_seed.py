"""The demo company's team history, told so that each team dynamics page shows an effect
that can be explained.

The bulk seed (``company_seed``) generates the deals with these staged effects
(``deal_generation.Effect``); this module records the history the pages read:

- **a promoted top seller**: France Sud's manager retired ``PROMOTION_DAYS_AGO`` days ago
  (``former3``); manager3, until then the company's best seller, took the team. From that day
  their own sales fall to a fifth (they manage now) and the team's reps win 18% less often
  (nobody coaches them): the manager effect page shows the reps below their baselines and the
  promoted manager's own sales before and after; the synergy chart of France Sud drops;
- **a manager change**: France Ouest, run by the director in the interim, got a manager hired
  from outside ``MANAGER_CHANGE_DAYS_AGO`` days ago (manager2); its win rate rises by 15%;
- **departures and new hires**: two reps left (a resignation, an end of contract) and were
  replaced (the turnover page costs each vacancy until the replacement joined), a seat was
  added within the year (the ramp-up curves), and two departures are planned (the planned
  departures page shows what each would cost);
- **next year's objective**: the company's (this year's plus 10%), allocated to the teams by
  history, which the capacity plan turns into the reps to hire.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dirco.accounts.models import User
from dirco.objectives.fiscal_calendar import fiscal_year_of
from dirco.objectives.models import Objective
from dirco.objectives.services import objective_allocate, objective_create
from dirco.scopes import Scope
from dirco.teams.models import Departure, SalesTeam, TeamEvent

HISTORY_DAYS = 3 * 365
PROMOTED_TEAM = 2  # France Sud: its manager is manager3, promoted from the sales force
PROMOTION_DAYS_AGO = 300
PROMOTED_OWN_FACTOR = 0.2  # the promoted manager's share of deals afterwards
PROMOTED_TEAM_WIN_FACTOR = 0.82
CHANGED_TEAM = 1  # France Ouest: manager2 hired from outside
MANAGER_CHANGE_DAYS_AGO = 240
CHANGED_TEAM_WIN_FACTOR = 1.15
NEXT_YEAR_GROWTH = Decimal("1.10")
# (rep email, days from today, reason): the departures announced but not yet effective.
PLANNED = [
    ("rep12@demo.test", 45, Departure.Reason.RESIGNATION),
    ("rep7@demo.test", 120, Departure.Reason.END_OF_CONTRACT),
]


def demo_dynamics_seed(*, today: dt.date, director: User) -> dict[str, int]:
    events: list[TeamEvent] = []
    departures: list[Departure] = []
    reasons = [Departure.Reason.RESIGNATION, Departure.Reason.END_OF_CONTRACT]
    teams = list(SalesTeam.objects.prefetch_related("members").order_by("id"))
    for team in teams:
        for member in team.members.all():
            if member.pk == team.manager_id:
                continue  # the promoted manager: their events are the promotion's
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
    promoted_on = today - dt.timedelta(days=PROMOTION_DAYS_AGO)
    if len(teams) > PROMOTED_TEAM:
        team = teams[PROMOTED_TEAM]
        retired = User.objects.filter(email="former3@demo.test").first()
        if retired is not None:
            events.append(
                TeamEvent(
                    team=team, user=retired, kind=TeamEvent.Kind.MANAGER_ENDED, on=promoted_on
                )
            )
            departures.append(
                Departure(
                    user=retired,
                    left_on=retired.left_on or promoted_on,
                    reason=Departure.Reason.RETIREMENT,
                    status=Departure.Status.CONFIRMED,
                    note="Replaced by the team's best seller.",
                    recorded_by=director,
                )
            )
        events.append(
            TeamEvent(
                team=team,
                user=team.manager,
                kind=TeamEvent.Kind.MANAGER_STARTED,
                on=promoted_on,
                note="Promoted from the sales force: the company's best seller.",
            )
        )
    if len(teams) > CHANGED_TEAM:
        team = teams[CHANGED_TEAM]
        changed_on = today - dt.timedelta(days=MANAGER_CHANGE_DAYS_AGO)
        events.append(
            TeamEvent(team=team, user=director, kind=TeamEvent.Kind.MANAGER_ENDED, on=changed_on)
        )
        events.append(
            TeamEvent(
                team=team,
                user=team.manager,
                kind=TeamEvent.Kind.MANAGER_STARTED,
                on=changed_on,
                note="Hired from outside.",
            )
        )
    for email, days, reason in PLANNED:
        leaver = User.objects.filter(email=email, is_active=True).first()
        if leaver is not None:
            departures.append(
                Departure(
                    user=leaver,
                    left_on=today + dt.timedelta(days=days),
                    reason=reason,
                    status=Departure.Status.PLANNED,
                    recorded_by=director,
                )
            )
    TeamEvent.objects.bulk_create(events)
    Departure.objects.bulk_create(departures)
    return {
        "team_events": len(events),
        "departures": len(departures),
        "next_year_objective": _next_year_objective(today=today, director=director),
    }


def _next_year_objective(*, today: dt.date, director: User) -> int:
    """Next fiscal year's company objective (this year's plus 10%), allocated to the teams
    by history, left in draft: the capacity plan's target."""
    year = fiscal_year_of(today)
    current = Objective.objects.filter(
        scope_key="company", fiscal_year=year, measure=Objective.Measure.WON_REVENUE
    ).first()
    if current is None or current.amount <= 0:
        return 0
    amount = (current.amount * NEXT_YEAR_GROWTH / 1000).quantize(Decimal(1)) * 1000
    company = objective_create(
        user=director, scope=Scope("company"), fiscal_year=year + 1, amount=amount
    )
    objective_allocate(parent=company, user=director, method="history", today=today)
    return Objective.objects.filter(fiscal_year=year + 1).count()
