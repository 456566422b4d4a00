from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dirco.conftest import Company
from dirco.core.periods import month_add
from dirco.objectives.models import Objective
from dirco.objectives.selectors import (
    attainment_for,
    cockpit_director,
    gap_to_objective,
    leaderboard,
    objective_curve,
)
from dirco.objectives.services import (
    forecast_call_submit,
    objective_allocate,
    objective_create,
    rollups_rebuild,
)
from dirco.pipeline.models import Deal, Stage
from dirco.pipeline.tests.factories import DealFactory
from dirco.scopes import Scope

TODAY = timezone.localdate()
YEAR = TODAY.year


@pytest.fixture
def objective(company: Company, history: list[Deal]) -> Objective:
    parent = objective_create(
        user=company.director,
        scope=Scope("company"),
        fiscal_year=YEAR,
        amount="120000",
        split_method="flat",
    )
    objective_allocate(parent=parent, user=company.director, method="history")
    return parent


def test_curve_months_cumulate_and_flag_months_under_objective(
    company: Company, objective: Objective
) -> None:
    curve = objective_curve(scope=Scope("company"), fiscal_year=YEAR, user=company.director)
    rows = curve["rows"]
    assert len(rows) == 12
    assert rows[-1]["objective_cumulative"] == Decimal("120000")
    current = TODAY.replace(day=1)
    for row in rows:
        if row["month"] < current:
            assert row["actual"] is not None
            assert row["under_objective"] == (
                row["actual_cumulative"] < row["objective_cumulative"]
            )
        elif row["month"] > current:
            assert row["actual"] is None and row["forecast"] is not None
    assert curve["objective"]["amount"] == Decimal("120000")


def test_curve_is_404_for_a_scope_the_user_may_not_see(company: Company) -> None:
    with pytest.raises(Http404):
        objective_curve(
            scope=Scope("rep", company.rep.pk), fiscal_year=YEAR, user=company.other_rep
        )


def test_attainment_counts_won_pipeline_categories_and_calls(
    company: Company, objective: Objective
) -> None:
    scope = Scope("rep", company.rep.pk)
    forecast_call_submit(user=company.rep, scope=scope, period=str(YEAR), owner_call="1000")
    data = attainment_for(scope=scope, period=str(YEAR), user=company.manager)
    won = sum(
        d.amount_company
        for d in Deal.objects.filter(owner=company.rep, stage__is_won=True)
        if d.close_date and d.close_date.year == YEAR
    )
    assert data["won_to_date"] == won
    if TODAY + dt.timedelta(days=1) <= dt.date(YEAR, 12, 31):
        # The open 10,000 proposal (50%) counts for the rep and is best case.
        assert data["open_weighted"] == Decimal("5000.00")
        assert data["categories"]["best_case"] == Decimal("10000.00")
    assert data["calls"][0]["owner_call"] == Decimal("1000")
    assert data["landing_method"] in ("forecast", "weighted_pipeline", "closed")
    assert data["projected_landing"] >= data["won_to_date"]


def test_a_partners_deal_counts_for_its_channel_manager_once(company: Company) -> None:
    won = Stage.objects.get(name="Won")
    DealFactory(
        owner=company.rep,
        partner=company.partner_a,
        stage=won,
        amount=Decimal(100),
        close_date=TODAY,
        team=company.team,
    )
    DealFactory(
        owner=company.other_rep,
        partner=company.partner_a,
        stage=won,
        amount=Decimal(10),
        close_date=TODAY,
        team=company.other_team,
    )
    rollups_rebuild()
    month = f"{TODAY:%Y-%m}"

    def won_in(scope: Scope) -> Decimal:
        return Decimal(attainment_for(scope=scope, period=month)["won_to_date"])

    assert won_in(Scope("rep", company.rep.pk)) == 110  # own deal once, plus the partner's
    assert won_in(Scope("partner", company.partner_a.pk)) == 110
    assert won_in(Scope("team", company.team.pk)) == 100
    assert won_in(Scope("company")) == 110


def test_gap_rows_say_what_it_takes(company: Company, objective: Objective) -> None:
    gap = gap_to_objective(scope=Scope("company"), fiscal_year=YEAR, user=company.director)
    assert gap["rows"][0]["month"] == TODAY.replace(day=1)
    assert gap["stats"]["avg_deal_size"] is not None
    assert gap["total_gap"] == gap["gap_to_period_end"]
    # What is planned month by month plus what cannot be done is what is still to win.
    assert sum(r["planned"] for r in gap["rows"]) + gap["shortfall"] == gap["gap_to_period_end"]
    for row in gap["rows"]:
        if row["from_new_pipeline"]:
            assert row["deals_to_win"] >= 1
            assert row["pipeline_to_create"] >= row["from_new_pipeline"]


def test_leaderboards_are_scoped_by_what_the_user_sees(
    company: Company, objective: Objective
) -> None:
    teams = leaderboard(kind="team", fiscal_year=YEAR, user=company.director)
    assert {r["id"] for r in teams} == {company.team.pk, company.other_team.pk}
    assert all(r["objective"] is not None for r in teams)
    assert [r["id"] for r in leaderboard(kind="team", fiscal_year=YEAR, user=company.manager)] == [
        company.team.pk
    ]
    reps = leaderboard(kind="rep", fiscal_year=YEAR, user=company.rep)
    assert [r["id"] for r in reps] == [company.rep.pk]
    assert leaderboard(kind="team", fiscal_year=YEAR, user=company.partner_a_user) == []
    partners = leaderboard(kind="partner", fiscal_year=YEAR, user=company.partner_b_user)
    assert all(r["id"] == company.partner_b.pk for r in partners)
    lines = leaderboard(kind="product_line", fiscal_year=YEAR, user=company.director)
    assert len(lines) == 1 and lines[0]["win_rate_pct"] is not None


def test_cockpit_queries_do_not_grow_with_the_deals(company: Company, history: list[Deal]) -> None:
    objective_create(
        user=company.director,
        scope=Scope("company"),
        fiscal_year=YEAR,
        amount="1",
        split_method="flat",
    )
    cockpit_director(user=company.director)  # warm the forecast cache

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            cockpit_director(user=company.director)
        return len(ctx.captured_queries)

    before = count()
    won = Stage.objects.get(name="Won")
    for i in range(30):
        DealFactory(
            owner=company.other_rep,
            team=company.other_team,
            stage=won,
            amount=Decimal(5),
            close_date=month_add(TODAY.replace(day=1), -1 - i % 12),
        )
    rollups_rebuild()
    cockpit_director(user=company.director)
    assert count() == before
