"""The API's deal list read branch by branch (paginate_parts) equals deal_list, page by page."""

from __future__ import annotations

import datetime as dt

import pytest

from dirco.api.tests.clients import token_client
from dirco.conftest import Company
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
