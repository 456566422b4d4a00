"""Browser test: the director hands a leaving rep's book over to two reps.

The rep holds three open deals, a partner, an account and an open call; the director picks
two recipients, checks the proposed split, changes one item, previews and hands over. Chromium
from /usr/bin/chromium through Playwright (skipped when missing, except on CI).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from dirco.accounts.models import User
from dirco.accounts.tests.factories import UserFactory
from dirco.conftest import Company, browser_log_in
from dirco.customers.tests.factories import AccountFactory
from dirco.dynamics.models import Handover
from dirco.pipeline.models import Activity, Deal
from dirco.pipeline.tests.factories import ActivityFactory, DealFactory
from dirco.teams.models import Departure

pytestmark = pytest.mark.e2e


def test_the_director_hands_a_leaving_reps_book_to_two_reps(
    live_server: Any, stages: None, company: Company, browser_page: Any
) -> None:
    ada = UserFactory(
        email="ada@example.test", first_name="Ada", last_name="Taker", role=User.Role.REP
    )
    company.team.members.add(ada)
    account = AccountFactory(name="Leaver's account", owner=company.rep)
    big = DealFactory(name="Big deal", owner=company.rep, team=company.team, amount=Decimal(60000))
    mid = DealFactory(
        name="Mid deal",
        owner=company.rep,
        team=company.team,
        amount=Decimal(40000),
        account=account,
    )
    small = DealFactory(
        name="Small deal", owner=company.rep, team=company.team, amount=Decimal(15000)
    )
    call = ActivityFactory(subject="Call the buyer", owner=company.rep, deal=big)

    page = browser_page
    base = live_server.url
    browser_log_in(page, base_url=base, email=company.director.email)
    page.get_by_role("link", name="Team dynamics").click()
    page.get_by_role("link", name="Handovers", exact=True).click()
    page.get_by_role("link", name=f"Hand over {company.rep}'s book").click()
    page.get_by_label(str(ada)).check()
    page.get_by_label(str(company.other_rep)).check()
    page.get_by_role("button", name="Propose a split").click()
    # Big (60k) to the first checked in the list order, the rest balanced: check the split
    # the page proposes, then keep the small deal with the leaver.
    big_select = page.locator(f"#id_item-deal-{big.pk}")
    mid_select = page.locator(f"#id_item-deal-{mid.pk}")
    assert {big_select.input_value(), mid_select.input_value()} == {
        str(ada.pk),
        str(company.other_rep.pk),
    }
    page.locator(f"#id_item-deal-{small.pk}").select_option("")
    page.locator("#id_reason").select_option("resignation")
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_test_id("preview")
    text = preview.inner_text()
    assert "60,000.00" in text and "40,000.00" in text and "15,000.00" not in text
    assert Deal.objects.filter(owner=company.rep).count() == 3  # nothing moved yet
    page.get_by_role("button", name="Hand over now").click()
    page.wait_for_url(f"{base}/team/handovers/*")
    assert "book was handed over" in page.content()
    big_owner = Deal.objects.get(pk=big.pk).owner_id
    mid_owner = Deal.objects.get(pk=mid.pk).owner_id
    assert {big_owner, mid_owner} == {ada.pk, company.other_rep.pk}
    assert Deal.objects.get(pk=small.pk).owner_id == company.rep.pk
    assert Activity.objects.get(pk=call.pk).owner_id == big_owner  # the call follows its deal
    account.refresh_from_db()
    assert account.owner_id == mid_owner  # the account follows its deal
    company.partner_a.refresh_from_db()
    assert company.partner_a.channel_manager_id in (ada.pk, company.other_rep.pk)
    handover = Handover.objects.get()
    assert handover.departure == Departure.objects.get(user=company.rep, reason="resignation")
    assert handover.items.count() == 5
    assert "Big deal" in page.locator(f"#handover-{handover.pk}").inner_text()
