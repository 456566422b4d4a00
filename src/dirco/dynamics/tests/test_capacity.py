"""Ramp-up and capacity on small cases computed by hand, and who reaches them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dirco.accounts.models import User
from dirco.accounts.tests.factories import UserFactory
from dirco.api.tests.clients import token_client
from dirco.conftest import Company
from dirco.core.periods import month_add
from dirco.dynamics.capacity import capacity_plan, company_ramp_curve
from dirco.dynamics.departures import departure_plan
from dirco.dynamics.model import (
    Seat,
    capacity_of,
    departure_rate,
    months_to_shares,
    seat_expected,
    stay_probability,
)
from dirco.dynamics.ramp import ramp_cohorts
from dirco.dynamics.synergy import dynamics_inputs
from dirco.objectives.fiscal_calendar import fiscal_year_months, fiscal_year_of
from dirco.objectives.services import rollups_rebuild
from dirco.pipeline.tests.factories import DealFactory, stage_named
from dirco.teams.models import TeamEvent

pytestmark = pytest.mark.django_db


def test_months_to_each_share_by_hand() -> None:
    # Rolling three-month means: .2, .35, .5 (50 % at month 3), .77, .97 (80 % at 5),
    # 1.03 (100 % at 6).
    curve = [0.2, 0.5, 0.8, 1.0, 1.1, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    assert months_to_shares(curve) == {50: 3, 80: 5, 100: 6}
    assert months_to_shares([0.1] * 12) == {50: None, 80: None, 100: None}


def test_seats_departures_and_capacity_by_hand() -> None:
    assert stay_probability(0.25, 12) == pytest.approx(0.75)
    assert stay_probability(0.25, 6) == pytest.approx(0.75**0.5)
    assert departure_rate(2, 16) == pytest.approx(0.125)
    assert departure_rate(1, 0.5) is None  # under a person-year: no rate
    flat = [1.0] * 12
    # A new rep: 1/6, 2/6 .. 6/6, then six full months: 9.5 months of level.
    assert seat_expected(
        Seat(level=1000, tenure_at_start=0, months_before_start=0), seasons=flat, rate=0
    ) == pytest.approx(9500)
    # A tenured rep who leaves after the third month: three months, whatever the rate.
    assert seat_expected(
        Seat(level=1000, tenure_at_start=24, months_before_start=1, leaves_after=2),
        seasons=flat,
        rate=0.5,
    ) == pytest.approx(3000)
    # Nobody planned to leave: each month weighted by the chance they are still here.
    expected = sum(1000 * 0.75 ** ((1 + i + 0.5) / 12) for i in range(12))
    assert seat_expected(
        Seat(level=1000, tenure_at_start=24, months_before_start=1), seasons=flat, rate=0.25
    ) == pytest.approx(expected)
    plan = capacity_of(objective=100_000, in_place=60_000, hire_yield=9_500, partner_yield=15_000)
    assert (plan.gap, plan.reps_needed, plan.partners_needed) == (40_000, 5, 3)
    assert capacity_of(objective=10, in_place=20, hire_yield=5, partner_yield=None).reps_needed == 0
    assert (
        capacity_of(objective=10, in_place=0, hire_yield=0, partner_yield=None).reps_needed is None
    )


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


def _tenured_reps(company: Company, n: int = 2) -> list[User]:
    """``n`` reps of the team (Ada, Bob, ...): 1,000 a month each for twenty months (under
    two years of history: the seasonal index is 1.0), started before the history read (no
    ramp row)."""
    last = month_add(timezone.localdate().replace(day=1), -1)
    long_ago = timezone.now() - dt.timedelta(days=5 * 365)
    reps = [
        UserFactory(email=f"tenured{i}@example.test", role=User.Role.REP, date_joined=long_ago)
        for i in range(n)
    ]
    company.team.members.set(reps)
    for back in range(20):
        for rep in reps:
            _won(rep, company, month_add(last, -back), 1000)
    rollups_rebuild()
    return reps


def test_capacity_plan_of_a_team_by_hand(company: Company) -> None:
    ada, bob = _tenured_reps(company)
    today = timezone.localdate()
    months = fiscal_year_months(fiscal_year_of(today) + 1)
    departure_plan(
        by=company.manager,
        leaver=bob,
        left_on=months[3] + dt.timedelta(days=14),
        reason="resignation",
    )
    inputs = dynamics_inputs(as_of=today)
    plan = capacity_plan(
        inputs=inputs,
        team=company.team,
        as_of=today,
        target=Decimal(50_000),
        company_curve=company_ramp_curve(inputs=inputs),
    )
    # Levels: twelve months of 1,000 shrunk toward the median 1,000: 1,000. No departure in
    # the last two years: rate 0. Ada: twelve months (12,000); Bob works the first three
    # months of the year (3,000). A new rep: 9.5 months of the tenured 1,000 (the model's
    # six-month ramp: nobody's ramp was measured). Gap 35,000: four reps.
    seats = {s.person: s for s in plan.seats}
    assert seats[ada].expected == pytest.approx(12_000)
    assert seats[bob].expected == pytest.approx(3_000)
    assert seats[bob].planned_departure == months[3] + dt.timedelta(days=14)
    assert plan.rate == 0 and not plan.ramp_measured and plan.ramp_months == 6
    assert plan.capacity is not None
    assert plan.capacity.in_place == pytest.approx(15_000)
    assert plan.capacity.hire_yield == pytest.approx(9_500)
    assert plan.capacity.reps_needed == 4
    # Nobody's partners won anything: too little data, said rather than a number.
    assert plan.capacity.partners_needed is None and "partners" in plan.reasons
    # Without a target and without an objective: no plan figure, the reason given.
    bare = capacity_plan(inputs=inputs, team=company.team, as_of=today)
    assert bare.capacity is None and "objective" in bare.reasons


def test_ramp_curves_by_cohort_by_hand(company: Company) -> None:
    # Five tenured reps: the tenured median stays theirs (1,000) whatever the new ones do.
    _tenured_reps(company, 5)
    last = month_add(timezone.localdate().replace(day=1), -1)
    start = month_add(last, -5)
    # Three new reps started six months ago, each winning 500 then 1,000 (50 % then 100 %
    # of the tenured 1,000): months to 50 % = 1, to 80 % = 3 (rolling mean .83), to 100 % = 4.
    news = []
    for i in range(3):
        rep = UserFactory(email=f"new{i}@example.test", role=User.Role.REP, hired_on=start)
        news.append(rep)
        _won(rep, company, start, 500)
        for t in range(1, 6):
            _won(rep, company, month_add(start, t), 1000)
        TeamEvent.objects.create(team=company.team, user=rep, kind="joined", on=start)
    rollups_rebuild()
    cohorts = ramp_cohorts(
        inputs=dynamics_inputs(as_of=timezone.localdate()), reps=[r.pk for r in news]
    )
    assert len(cohorts) == 1
    cohort = cohorts[0]
    assert cohort.label == str(start.year) and cohort.reps == 3
    assert cohort.curve[:6] == pytest.approx([0.5, 1, 1, 1, 1, 1])
    assert cohort.curve[6:] == [None] * 6
    assert cohort.months_to == {50: 1, 80: 3, 100: 4}


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_capacity_page_and_api_for_the_director_and_managers_only(company: Company) -> None:
    _tenured_reps(company)
    url = reverse("dynamics:capacity")
    page = _client(company.director).get(url, {"target": "50000"})
    assert page.status_code == 200
    assert 'data-testid="reps-needed"' in page.content.decode()
    # The manager plans their team; another team is not theirs.
    manager = _client(company.manager)
    assert manager.get(url).context["team"] == company.team
    assert manager.get(url, {"team": company.other_team.pk}).status_code == 404
    assert len(manager.get(url).context["plan"].seats) == 2
    export = manager.get(url, {"export": "csv", "target": "50000"})
    lines = b"".join(export.streaming_content).decode().splitlines()
    assert export.status_code == 200 and len(lines) == 1 + 2 + 6  # header, people, plan
    assert manager.get(url, {"table": "ramp", "export": "xlsx"}).status_code == 200
    for refused in (company.rep, company.marketing):
        assert _client(refused).get(url).status_code == 403
        assert token_client(refused).get("/api/v1/team-capacity").status_code == 403
    assert _client(company.partner_a_user).get(url).status_code in (302, 404)
    assert token_client(company.partner_a_user).get("/api/v1/team-capacity").status_code in (
        403,
        404,
    )
    body = token_client(company.manager).get("/api/v1/team-capacity", {"target": 50000}).json()
    # Two tenured reps, nobody leaving: 24,000 expected, gap 26,000, 9,500 a new rep: 3.
    assert body["scope"] == f"team:{company.team.pk}" and body["reps_needed"] == 3
    assert (
        token_client(company.manager)
        .get("/api/v1/team-capacity", {"team": company.other_team.pk})
        .status_code
        == 404
    )
    company_wide = token_client(company.director).get("/api/v1/team-capacity").json()
    assert company_wide["scope"] == "company" and "objective" in company_wide["missing"]
