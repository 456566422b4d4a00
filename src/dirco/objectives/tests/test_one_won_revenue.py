"""A scope's won revenue of a month is one value: the forecast page (its history and the
month in progress's "won so far") reads the same rollups as the objectives curve."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dirco.catalog.models import ProductLine
from dirco.conftest import Company
from dirco.customers.tests.factories import AccountFactory
from dirco.objectives.fiscal_calendar import fiscal_year_of
from dirco.objectives.selectors import objective_curve
from dirco.pipeline.models import Deal, Stage
from dirco.pipeline.services import deal_create
from dirco.scopes import Scope

pytestmark = pytest.mark.django_db


def _won_this_month(company: Company, line: ProductLine, amount: str) -> None:
    deal_create(
        created_by=None,
        name="won today",
        account=AccountFactory(),
        owner=company.rep,
        team=company.team,
        product_line=line,
        amount=Decimal(amount),
        currency="EUR",
        stage=Stage.objects.get(name="Won"),
        expected_close_date=timezone.localdate(),
    )


@pytest.mark.parametrize("scope_of", ["company", "team", "rep"])
def test_forecast_page_history_equals_the_curves_won_months(
    client: Client, company: Company, history: list[Deal], line: ProductLine, scope_of: str
) -> None:
    _won_this_month(company, line, "1234.56")
    scope = {
        "company": Scope("company"),
        "team": Scope("team", company.team.pk),
        "rep": Scope("rep", company.rep.pk),
    }[scope_of]
    # A deal saved behind the rollups' back: read from the deals, the history would differ.
    Deal.objects.filter(pk=history[0].pk).update(amount_company=Decimal("999999.00"))
    today = timezone.localdate()
    client.force_login(company.director)
    page = client.get(reverse("revenue-forecast"), {"scope": scope.key})
    assert page.status_code == 200
    payload = page.context["payload"]
    history_by_month = {h["period"]: Decimal(str(h["value"])) for h in payload["history"]}
    compared = 0
    for fiscal_year in (fiscal_year_of(today) - 1, fiscal_year_of(today)):
        curve = objective_curve(scope=scope, fiscal_year=fiscal_year, today=today)
        for row in curve["rows"]:
            if row["is_complete"] and row["period"] in history_by_month:
                assert history_by_month[row["period"]] == row["actual"], row["period"]
                compared += 1
            if row["is_current"]:
                in_progress = page.context["in_progress"]
                assert Decimal(str(in_progress["won_so_far"])) == row["actual"]
                assert row["actual"] >= Decimal("1234.56")
    assert compared >= 12


def test_forecast_history_reads_no_deal_row(company: Company, history: list[Deal]) -> None:
    """The forecast's won months come from the rollups: no query reads the deal table for
    them (only the in-month pattern reads deals, by day)."""
    from dirco.revenue.services import revenue_forecast_compute

    with CaptureQueriesContext(connection) as ctx:
        revenue_forecast_compute(scope=Scope("team", company.team.pk), today=dt.date.today())
    deal_reads = [q["sql"] for q in ctx.captured_queries if "pipeline_deal" in q["sql"]]
    assert len(deal_reads) == 1 and "close_date" in deal_reads[0]  # the in-month pattern


def test_cycle_length_is_the_median_on_the_gap_page_the_api_and_the_leaderboard(
    client: Client, company: Company, history: list[Deal], line: ProductLine
) -> None:
    """Three very long cycles pull the mean up, not the median: every place shows the
    median of the won deals' cycles of the last 12 complete months, from the deals."""
    import statistics

    from dirco.metrics import stats_window
    from dirco.objectives.selectors import leaderboard
    from dirco.pipeline.tests.factories import DealFactory
    from dirco.rollups.writes import rollups_rebuild

    today = timezone.localdate()
    first, last = stats_window(today)
    for _ in range(3):
        closed = last + dt.timedelta(days=3)
        DealFactory(
            owner=company.rep,
            team=company.team,
            product_line=line,
            stage=Stage.objects.get(name="Won"),
            amount=Decimal(1000),
            close_date=closed,
            expected_close_date=closed,
            created_at=timezone.make_aware(dt.datetime.combine(closed, dt.time(12)))
            - dt.timedelta(days=700),
        )
    rollups_rebuild()
    won = Deal.objects.filter(
        team=company.team,
        stage__is_won=True,
        close_date__gte=first,
        close_date__lt=(last + dt.timedelta(days=32)).replace(day=1),
    )
    cycles = [(d.close_date - timezone.localtime(d.created_at).date()).days for d in won]
    median = round(statistics.median(cycles))
    assert median != round(statistics.mean(cycles))
    year = fiscal_year_of(today)
    team = Scope("team", company.team.pk)
    client.force_login(company.director)
    page = client.get(reverse("objective_gap"), {"scope": team.key, "year": year})
    assert page.context["gap"]["stats"]["cycle_days"] == median
    assert f'data-kpi="cycle_days" data-value="{median}"' in page.content.decode()
    api = client.get("/api/v1/gap", {"scope": team.key, "year": year}).json()
    assert api["stats"]["cycle_days"] == median
    rows = leaderboard(kind="team", fiscal_year=year, user=company.director, today=today)
    assert next(r for r in rows if r["id"] == company.team.pk)["cycle_days"] == median
