"""The cost of a departure on real records, computed by hand; the turnover page's access."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dirco.accounts.models import User
from dirco.accounts.tests.factories import UserFactory
from dirco.conftest import Company
from dirco.core.periods import month_add
from dirco.dynamics.models import Handover, HandoverItem
from dirco.dynamics.synergy import dynamics_inputs
from dirco.dynamics.turnover import departure_costs, win_rates
from dirco.objectives.services import rollups_rebuild
from dirco.pipeline.tests.factories import DealFactory, stage_named
from dirco.teams.models import Departure, TeamEvent

pytestmark = pytest.mark.django_db


def test_departure_cost_by_hand(company: Company) -> None:
    today = timezone.localdate()
    left_on = month_add(today.replace(day=1), -4)
    long_ago = timezone.now() - dt.timedelta(days=3 * 365)
    ada = UserFactory(email="ada@example.test", role=User.Role.REP, date_joined=long_ago)
    bob = UserFactory(email="bob@example.test", role=User.Role.REP, date_joined=long_ago)
    cy = UserFactory(email="cy@example.test", role=User.Role.REP)
    company.team.members.set([bob, cy])
    # Twelve months of 1,000 each for Ada and Bob before Ada leaves (under two years of
    # history: seasonal index 1.0).
    for back in range(1, 13):
        day = month_add(left_on, -back).replace(day=10)
        for rep in (ada, bob):
            DealFactory(
                owner=rep,
                team=company.team,
                amount=Decimal(1000),
                stage=stage_named("Won"),
                close_date=day,
                expected_close_date=day,
            )
    rollups_rebuild()
    departure = Departure.objects.create(user=ada, left_on=left_on, reason="resignation")
    TeamEvent.objects.create(team=company.team, user=ada, kind="left", on=left_on)
    TeamEvent.objects.create(
        team=company.team, user=cy, kind="joined", on=left_on + dt.timedelta(days=61)
    )
    handover = Handover.objects.create(leaver=ada, by=company.director, effective_on=left_on)
    orphan = DealFactory(owner=bob, team=company.team, amount=Decimal(10000))
    HandoverItem.objects.create(
        handover=handover, kind="deal", object_id=orphan.pk, label="x", amount=10000, to_user=bob
    )
    HandoverItem.objects.create(
        handover=handover, kind="partner", object_id=1, label="p", to_user=bob
    )
    inputs = dynamics_inputs(as_of=today)
    rates = win_rates(first_month=inputs.history[0], last_month=inputs.months[-1])
    [cost] = departure_costs(
        departures=[departure],
        inputs=inputs,
        as_of=today,
        recruiting_cost=Decimal(15000),
        rates=rates,
    )
    # Level: (12 x 1,000 + 3 x the tenured median 1,000) / 15 = 1,000. Vacancy: 61 days,
    # 2.0 months: 2,000. Ramp shortfall: 2.5 x 1,000. No handed-over deal closed: slippage
    # is too little data, left out. Recruiting 15,000. Total 19,500.
    assert cost.cost.level == pytest.approx(1000)
    assert cost.replaced_on == left_on + dt.timedelta(days=61) and not cost.still_vacant
    assert cost.cost.vacancy_months == pytest.approx(2.0)
    assert cost.cost.vacancy_lost == pytest.approx(2000)
    assert cost.cost.ramp_shortfall == pytest.approx(2500)
    assert cost.cost.slippage_lost is None
    assert cost.cost.partners_reassigned == 1
    # All 24 won deals are "others": won rate 100 %, so the 10,000 orphaned are worth 10,000.
    assert rates.others_won == 24 and cost.cost.orphaned_pipeline == pytest.approx(10000)
    assert cost.cost.total == pytest.approx(19500)


def test_a_managers_seat_is_filled_by_the_next_manager(company: Company) -> None:
    today = timezone.localdate()
    left_on = month_add(today.replace(day=1), -3)
    old = UserFactory(email="old@example.test", role=User.Role.MANAGER)
    departure = Departure.objects.create(user=old, left_on=left_on, reason="retirement")
    TeamEvent.objects.create(team=company.team, user=old, kind="manager_ended", on=left_on)
    # A rep joining the team does not fill a manager's seat; the next manager does.
    TeamEvent.objects.create(team=company.team, user=company.rep, kind="joined", on=left_on)
    TeamEvent.objects.create(
        team=company.team,
        user=company.manager,
        kind="manager_started",
        on=left_on + dt.timedelta(days=30),
    )
    inputs = dynamics_inputs(as_of=today)
    [cost] = departure_costs(
        departures=[departure],
        inputs=inputs,
        as_of=today,
        recruiting_cost=Decimal(0),
        rates=win_rates(first_month=inputs.history[0], last_month=inputs.months[-1]),
    )
    assert cost.replaced_on == left_on + dt.timedelta(days=30)
    assert cost.cost.vacancy_months == pytest.approx(1.0)


def test_turnover_page_for_the_director_and_managers_only(company: Company) -> None:
    url = reverse("dynamics:turnover")
    Departure.objects.create(user=company.rep, left_on=timezone.localdate(), reason="dismissal")
    for user in (company.director, company.manager):
        client = Client()
        client.force_login(user)
        page = client.get(url, {"what_if": company.rep.pk, "recruiting_cost": "9000"})
        assert page.status_code == 200
        body = page.content.decode()
        assert 'data-testid="what-if"' in body and str(company.rep) in body
        assert client.get(url, {"export": "csv"}).status_code == 200
    other = Client()
    other.force_login(company.other_manager)
    body = other.get(url).content.decode()
    assert str(company.rep) not in body  # the rep's departure is not in their line
    assert other.get(url, {"what_if": company.rep.pk}).status_code == 404
    for refused in (company.rep, company.marketing):
        client = Client()
        client.force_login(refused)
        assert client.get(url).status_code == 403
