"""The API's deal list read branch by branch (paginate_parts) equals deal_list, page by page."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dirco.api.tests.clients import token_client
from dirco.conftest import Company
from dirco.pipeline.models import Deal
from dirco.pipeline.selectors import DealFilters, deal_list
from dirco.pipeline.tests.factories import DealFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("sort", ["-close", "close", "-amount", "name", "-created"])
@pytest.mark.parametrize("who", ["rep", "manager", "partner_a_admin", "director"])
def test_api_pages_walk_the_same_deals_as_deal_list(company: Company, who: str, sort: str) -> None:
    day = dt.date(2026, 3, 1)
    for i in range(9):
        # Same close dates on purpose (ties broken by id), owned, partner-side, both, neither.
        DealFactory(owner=company.rep, team=company.team, expected_close_date=day)
        DealFactory(owner=company.other_rep, partner=company.partner_a, expected_close_date=day)
        DealFactory(
            owner=company.rep,
            partner=company.partner_a,
            expected_close_date=day + dt.timedelta(days=i),
        )
        DealFactory(owner=company.other_rep, team=company.other_team, partner=company.partner_b)
    user = getattr(company, who)
    expected = list(
        deal_list(user=user, filters=DealFilters(sort=sort)).values_list("id", flat=True)
    )
    client = token_client(user)
    seen: list[int] = []
    url: str | None = f"/api/v1/deals?limit=4&sort={sort}"
    while url:
        body = client.get(url).json()
        seen += [item["id"] for item in body["items"]]
        url = body["next"]
    assert seen == expected
    assert len(seen) == len(set(seen)) > 0


def test_deal_list_rows_read_like_deal_out(company: Company) -> None:
    """The list writes its rows without DealOut (pipeline.api._deal_row_out): each row reads
    as DealOut writes the deal, and as the deal's own page (GET /deals/{id}) answers it."""
    from dirco.accounts.tests.factories import UserFactory
    from dirco.pipeline.api import DealOut

    nameless = UserFactory(first_name="", last_name="", role=company.rep.role)
    DealFactory(owner=company.rep, team=company.team, amount=Decimal("12500.50"), close_date=None)
    DealFactory(owner=company.rep, partner=company.partner_a, close_date=dt.date(2026, 2, 3))
    DealFactory(owner=nameless, partner=company.partner_b, amount=Decimal("0.10"))
    client = token_client(company.director)
    items = client.get("/api/v1/deals?limit=200").json()["items"]
    assert len(items) >= 3
    for item in items:
        deal = Deal.objects.get(pk=item["id"])
        assert item == json.loads(DealOut.model_validate(deal).model_dump_json())
        assert item == client.get(f"/api/v1/deals/{deal.pk}").json()
    assert any(item["partner"] is None for item in items)
    assert any(item["owner"]["name"] == nameless.email for item in items)


@pytest.mark.parametrize("who", ["rep", "manager", "partner_a_admin", "director"])
def test_first_pages_compiled_once_read_the_same_deals(company: Company, who: str) -> None:
    """The first page of an unfiltered list comes from SQL compiled once per shape
    (dirco.api.pagination._BranchPages); a filtered one is compiled per request: both agree."""
    for _ in range(3):
        DealFactory(owner=company.rep, team=company.team)
        DealFactory(owner=company.other_rep, partner=company.partner_a)
        DealFactory(owner=company.other_rep, team=company.other_team, partner=company.partner_b)
    user = getattr(company, who)
    client = token_client(user)
    for sort in ("-close", "name"):
        expected = list(
            deal_list(user=user, filters=DealFilters(sort=sort)).values_list("id", flat=True)
        )[:5]
        for _ in range(2):  # the second request runs the SQL compiled by the first
            body = client.get(f"/api/v1/deals?limit=5&sort={sort}").json()
            assert [item["id"] for item in body["items"]] == expected
        # The same page through the filtered path (a filter every deal passes).
        body = client.get(f"/api/v1/deals?limit=5&sort={sort}&close_from=2000-01-01").json()
        assert [item["id"] for item in body["items"]] == expected


@pytest.mark.parametrize("who", ["rep", "partner_a_admin", "director"])
def test_deal_list_rows_join_no_table(company: Company, who: str) -> None:
    """The page's rows read the deals alone, each name by a subquery of the select list
    (pipeline.api._deal_row_names): PostgreSQL spent more time planning five joins than
    running them."""
    DealFactory(owner=company.rep, team=company.team, partner=company.partner_a)
    client = token_client(getattr(company, who))
    with CaptureQueriesContext(connection) as ctx:
        items = client.get("/api/v1/deals?limit=5").json()["items"]
    assert items and all(item["account"]["name"] for item in items)
    rows = [q["sql"] for q in ctx.captured_queries if '"customers_account"' in q["sql"]]
    assert len(rows) == 1
    assert " JOIN " not in rows[0]
