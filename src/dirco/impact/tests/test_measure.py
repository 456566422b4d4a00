"""The impact engine on a small company whose numbers are known in advance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from dirco.catalog.tests.factories import ProductLineFactory
from dirco.conftest import Company
from dirco.core.periods import month_add
from dirco.customers.tests.factories import AccountFactory
from dirco.impact.attribution import ActionWindow, Segment
from dirco.impact.measure import plan_impact
from dirco.partners.tests.factories import TerritoryFactory
from dirco.pipeline.tests.factories import DealFactory, stage_named

START = dt.date(2025, 3, 1)
TODAY = dt.date(2025, 9, 15)


def _won(
    *,
    account,
    line,
    closed: dt.date,
    created: dt.date,
    amount: str,
    source: str = "direct",
    owner=None,
):  # type: ignore[no-untyped-def]
    return DealFactory(
        account=account,
        product_line=line,
        owner=owner,
        stage=stage_named("Won"),
        close_date=closed,
        expected_close_date=closed,
        amount=Decimal(amount),
        source=source,
        created_at=timezone.make_aware(dt.datetime.combine(created, dt.time(10))),
    )


@pytest.fixture
def market(company: Company) -> dict[str, object]:
    north, south = TerritoryFactory(code="imp-n"), TerritoryFactory(code="imp-s")
    line = ProductLineFactory(name="Impact line", code="impline")
    a_north = AccountFactory(territory=north, owner=company.rep)
    a_south = AccountFactory(territory=south, owner=company.rep)
    # Two years of flat history in both territories, then the same baseline after the start.
    month = month_add(START, -24)
    while month <= dt.date(2025, 8, 1):
        for account in (a_north, a_south):
            closed = month.replace(day=15)
            _won(
                account=account,
                line=line,
                closed=closed,
                created=closed - dt.timedelta(days=60),
                amount="10000",
                owner=company.rep,
            )
        month = month_add(month, 1)
    # The event's effect: three deals from the event in the north.
    boost = [
        _won(
            account=a_north,
            line=line,
            closed=dt.date(2025, 4, 20),
            created=dt.date(2025, 3, 10),
            amount="5000",
            source="event",
            owner=company.rep,
        )
        for _ in range(3)
    ]
    linked = _won(
        account=a_south,
        line=line,
        closed=dt.date(2024, 6, 1),
        created=dt.date(2024, 5, 1),
        amount="777",
        owner=company.rep,
    )
    return {"north": north, "south": south, "line": line, "boost": boost, "linked": linked}


def test_event_in_one_territory_measured_against_forecast_and_control(
    market: dict[str, object],
) -> None:
    north = market["north"]
    action = ActionWindow(
        id=1,
        name="Spring fair",
        kind="trade_show",
        start=START,
        end=START + dt.timedelta(days=2),
        segment=Segment(territory_ids=(north.pk,)),  # type: ignore[attr-defined]
        cost=Decimal("5000"),
        expected=Decimal("20000"),
        linked_deal_ids=frozenset({market["linked"].pk}),  # type: ignore[attr-defined]
    )
    impact = plan_impact(actions=[action], today=TODAY)
    row = impact["actions"][0]
    # The rule also takes the baseline deal created in the window (May's, created on 16
    # March): attribution credits what happened, the uplift below what the action changed.
    assert row["by"] == {"link": 1, "source": 3, "rule": 1}
    assert Decimal(row["measured"]) == Decimal("25777")
    assert Decimal(row["roi"]) == Decimal("4.16")  # (25777 - 5000) / 5000
    uplift = row["uplift"]
    assert uplift["status"] == "measured"
    assert (uplift["first_month"], uplift["last_month"]) == ("2025-03", "2025-07")
    assert Decimal(uplift["actual"]) == Decimal("65000")
    # Flat history: the engine forecasts about 10,000 a month, 50,000 over five months.
    assert Decimal("48000") <= Decimal(uplift["counterfactual"]) <= Decimal("52000")
    assert Decimal("13000") <= Decimal(uplift["uplift"]) <= Decimal("17000")
    control = uplift["control"]
    assert control["dimension"] == "territory"
    assert Decimal("0.95") <= Decimal(control["ratio"]) <= Decimal("1.05")
    assert impact["totals"]["deals"] == 5


def test_rule_attributes_segment_deals_of_the_window_and_no_history_means_no_uplift(
    company: Company,
) -> None:
    territory = TerritoryFactory(code="imp-x")
    line = ProductLineFactory(name="X line", code="xline")
    account = AccountFactory(territory=territory, owner=company.rep)
    inside = _won(
        account=account,
        line=line,
        closed=dt.date(2025, 5, 1),
        created=dt.date(2025, 3, 20),
        amount="4000",
        owner=company.rep,
    )
    _won(
        account=account,
        line=line,
        closed=dt.date(2025, 5, 1),
        created=dt.date(2025, 2, 20),
        amount="9999",
        owner=company.rep,
    )  # created before
    action = ActionWindow(
        id=7,
        name="Calls",
        kind="call_campaign",
        start=START,
        end=dt.date(2025, 3, 31),
        segment=Segment(territory_ids=(territory.pk,), product_line_ids=(line.pk,)),
        cost=Decimal("0"),
        expected=Decimal("1000"),
    )
    impact = plan_impact(actions=[action], today=TODAY)
    row = impact["actions"][0]
    assert row["by"]["rule"] == 1 and Decimal(row["measured"]) == inside.amount_company
    assert row["roi"] is None  # no cost, no ROI
    assert row["uplift"]["method"] == "short_history" and row["uplift"]["uplift"] is None


def test_a_deal_counts_once_for_the_latest_matching_action(market: dict[str, object]) -> None:
    north = market["north"]
    seg = Segment(territory_ids=(north.pk,))  # type: ignore[attr-defined]
    early = ActionWindow(
        id=1,
        name="Early",
        kind="webinar",
        start=dt.date(2025, 2, 20),
        end=dt.date(2025, 2, 20),
        segment=seg,
        cost=Decimal("1"),
        expected=Decimal("0"),
    )
    later = ActionWindow(
        id=2,
        name="Later",
        kind="trade_show",
        start=START,
        end=START,
        segment=seg,
        cost=Decimal("1"),
        expected=Decimal("0"),
    )
    impact = plan_impact(actions=[early, later], today=TODAY)
    by_id = {a["id"]: a for a in impact["actions"]}
    assert by_id[2]["by"]["source"] == 3 and by_id[1]["by"]["source"] == 0
    assert impact["totals"]["deals"] == by_id[1]["deals"] + by_id[2]["deals"]
