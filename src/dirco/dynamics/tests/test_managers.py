"""The manager effect and the promoted top seller, on real deals computed by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from dirco.accounts.models import User
from dirco.accounts.tests.factories import UserFactory
from dirco.conftest import Company
from dirco.core.periods import month_add
from dirco.dynamics.managers import manager_changes
from dirco.dynamics.synergy import dynamics_inputs
from dirco.objectives.services import rollups_rebuild
from dirco.pipeline.tests.factories import DealFactory, stage_named
from dirco.teams.models import SalesTeam, TeamEvent

pytestmark = pytest.mark.django_db


def _won(owner: User, month: dt.date, amount: int, team: SalesTeam | None) -> None:
    day = month.replace(day=10)
    DealFactory(
        owner=owner,
        team=team,
        amount=Decimal(amount),
        stage=stage_named("Won"),
        close_date=day,
        expected_close_date=day,
    )


def test_a_promoted_top_seller_lifts_the_team_by_half(company: Company) -> None:
    today = timezone.localdate()
    last = month_add(today.replace(day=1), -1)
    change = month_add(last, -5)
    long_ago = timezone.now() - dt.timedelta(days=3 * 365)
    reps = [
        UserFactory(email=f"r{i}@example.test", role=User.Role.REP, date_joined=long_ago)
        for i in range(3)
    ]
    mia = UserFactory(email="mia@example.test", role=User.Role.MANAGER, date_joined=long_ago)
    company.team.members.set(reps)
    company.team.manager = mia
    company.team.save()
    TeamEvent.objects.create(team=company.team, user=mia, kind="manager_started", on=change)
    # 18 months of 1,000 per rep before the change, 1,500 after (24 months in all: under
    # two years, the seasonal index is 1.0). Mia sold 2,000 a month in the 6 months before,
    # nothing since.
    for back in range(1, 19):
        for rep in reps:
            _won(rep, month_add(change, -back), 1000, company.team)
    for ahead in range(6):
        for rep in reps:
            _won(rep, month_add(change, ahead), 1500, company.team)
    for back in range(1, 7):
        _won(mia, month_add(change, -back), 2000, None)
    rollups_rebuild()

    [row] = manager_changes(
        teams=SalesTeam.objects.filter(pk=company.team.pk),
        inputs=dynamics_inputs(as_of=today),
    )
    # Before: 6,000 won against 6 x 1,000 expected = 1.0 for each rep. After: 9,000 against
    # the level at the change (1,000) x 6 = 1.5. Effect +0.5 for all three: no spread.
    assert [(r.before, r.after) for r in row.reps] == [(pytest.approx(1.0), pytest.approx(1.5))] * 3
    assert row.effect.reps == 3 and row.effect.mean == pytest.approx(0.5)
    assert row.effect.low == pytest.approx(0.5) and row.effect.high == pytest.approx(0.5)
    assert row.promoted and row.own_before == pytest.approx(2000) and row.own_after == 0
    # The synergy index uses rolling baselines, which learn: k months after the change the
    # window holds k months of 1,500, the level is 1,000 + 500k / 12 and the index
    # 1,500 / that level (1.5, 1.44, 1.385, 1.333, 1.286, 1.241: mean 1.364).
    expected = [1500 / (1000 + 500 * k / 12) for k in range(6)]
    assert row.synergy_after == pytest.approx(sum(expected) / 6)
    assert row.synergy_before == pytest.approx(1.0)


def test_too_few_reps_give_no_effect(company: Company) -> None:
    today = timezone.localdate()
    change = month_add(today.replace(day=1), -3)
    TeamEvent.objects.create(
        team=company.team, user=company.manager, kind="manager_started", on=change
    )
    [row] = manager_changes(teams=SalesTeam.objects.all(), inputs=dynamics_inputs(as_of=today))
    assert row.effect.mean is None and not row.promoted
