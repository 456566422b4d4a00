"""The synergy index of a team from real deals and rollups, on a case computed by hand."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dirco.accounts.models import User
from dirco.accounts.tests.factories import UserFactory
from dirco.conftest import Company
from dirco.core.periods import month_add
from dirco.dynamics.synergy import dynamics_inputs, team_synergy
from dirco.objectives.services import rollups_rebuild
from dirco.pipeline.tests.factories import DealFactory, stage_named
from dirco.teams.models import TeamEvent

pytestmark = pytest.mark.django_db


def _won(owner: User, company: Company, month: dt.date, amount: int) -> None:
    day = month.replace(day=10)
    DealFactory(
        owner=owner,
        team=company.team,
        amount=Decimal(amount),
        stage=stage_named("Won"),
        close_date=day,
        expected_close_date=day,
    )


def test_team_synergy_against_its_members_baselines(company: Company) -> None:
    today = timezone.localdate()
    last = month_add(today.replace(day=1), -1)
    long_ago = timezone.now() - dt.timedelta(days=3 * 365)
    ada = UserFactory(email="ada@example.test", role=User.Role.REP, date_joined=long_ago)
    bob = UserFactory(email="bob@example.test", role=User.Role.REP, date_joined=long_ago)
    cy = UserFactory(email="cy@example.test", role=User.Role.REP)
    company.team.members.set([ada, bob, cy])
    TeamEvent.objects.create(team=company.team, user=cy, kind="joined", on=last)
    # Twenty months of 1,000 each for Ada and Bob (under two years: the seasonal index is
    # 1.0), then the last month: Ada 2,000, Bob 1,000, Cy (new) nothing.
    for back in range(2, 22):
        for rep in (ada, bob):
            _won(rep, company, month_add(last, -back + 1), 1000)
    _won(ada, company, last, 2000)
    _won(bob, company, last, 1000)
    rollups_rebuild()

    inputs = dynamics_inputs(as_of=today)
    assert inputs.months[-1] == last
    north = team_synergy(team=company.team, inputs=inputs)
    month = north.months[-1]
    # Ada and Bob: twelve months of 1,000 before, the tenured median 1,000: level
    # (12,000 + 3 x 1,000) / 15 = 1,000, no spread. Cy starts this month: the median level
    # x ramp 1/6 = 166.67. Expected 2,166.67; the team won 3,000: index 1.3846.
    baselines = dict(month.members)
    assert sorted(baselines) == sorted([str(ada), str(bob), str(cy)])
    assert baselines[str(ada)].expected == pytest.approx(1000)
    assert baselines[str(cy)].expected == pytest.approx(1000 / 6)
    assert month.synergy.expected == pytest.approx(2000 + 1000 / 6)
    assert month.synergy.actual == pytest.approx(3000)
    assert month.synergy.index == pytest.approx(3000 / (2000 + 1000 / 6))
    assert month.synergy.low == pytest.approx(month.synergy.index)  # no spread: no band
    assert [e.kind for e in month.events] == ["joined"]
    # The month before: Cy was not yet a member; the index is 2,000 / 2,000.
    before = north.months[-2]
    assert len(before.members) == 2 and before.synergy.index == pytest.approx(1.0)
    # The other team has nobody with history: too little data, no number.
    south = team_synergy(team=company.other_team, inputs=inputs)
    assert all(m.synergy.index is None for m in south.months)

    # The chart's coordinates are numbers in every language: French wrote "150,7" (a decimal
    # comma) into the SVG, which the browser refused.
    client = Client(headers={"accept-language": "fr"})
    client.force_login(company.director)
    page = client.get(reverse("dynamics:synergy"), {"team": company.team.pk}).content.decode()
    assert 'lang="fr"' in page
    svg = page[page.index("<svg") : page.index("</svg>")]
    number = r"-?\d+(?:\.\d+)?"
    coordinates = re.findall(r'\s(?:x|y|x1|x2|y1|y2)="([^"]*)"', svg)
    assert coordinates and all(re.fullmatch(number, c) for c in coordinates), coordinates
    points = re.findall(r'points="([^"]*)"', svg)
    assert points and all(
        re.fullmatch(rf"{number},{number}(?: {number},{number})*", p) for p in points
    ), points
