"""Browser test: a partner admin registers a deal for a customer another partner already works
on; the channel manager sees the conflict and approves it.

The matched account is not linkable (another partner sells there: finding 8 of the security
test, ``registration_linkable_accounts``), so the form says so, its picker neither holds nor
offers that account, and the approval creates a new account for the registering partner.

Runs Chromium from /usr/bin/chromium through Playwright; skipped when it is missing, except on
CI (env CI set) where a missing browser is a failure.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dirco.catalog.tests.factories import ProductLineFactory
from dirco.conftest import Company, browser_log_in, browser_new_page
from dirco.customers.tests.factories import AccountFactory
from dirco.pipeline.models import Deal
from dirco.pipeline.tests.factories import DealFactory
from dirco.registrations.models import DealRegistration

pytestmark = pytest.mark.e2e


def _log_in(browser: Any, base_url: str, email: str, landing: str) -> Any:
    page = browser_new_page(browser)
    return browser_log_in(page, base_url=base_url, email=email, landing=landing)


def test_partner_registers_a_deal_and_the_channel_manager_approves_it_over_a_conflict(
    live_server: Any, stages: None, company: Company, browser: Any
) -> None:
    line = ProductLineFactory(name="Robotics", code="robotics")
    account = AccountFactory(name="Fonderie Martin SAS", domain="fonderie-martin.fr")
    other_deal = DealFactory(
        name="Fonderie Martin line 2",
        account=account,
        partner=company.partner_b,
        owner=company.other_rep,
        product_line=line,
    )
    close = dt.date.today() + dt.timedelta(days=60)
    base = live_server.url

    # The partner admin registers the deal from the portal.
    page = _log_in(browser, base, company.partner_a_admin.email, "/portal/")
    page.get_by_role("link", name="Register a deal").click()
    page.wait_for_url(f"{base}/portal/registrations/new/")
    page.get_by_label("Customer company name").fill("Fonderie Martin")
    page.get_by_label("Customer web domain").fill("fonderie-martin.fr")
    page.get_by_label("Customer country").select_option("FR")
    page.get_by_label("Expected amount").fill("45000")
    page.get_by_label("Currency").select_option("EUR")
    page.get_by_label("Product line").select_option(label="Robotics")
    page.get_by_label("Expected close date").fill(close.isoformat())
    page.get_by_role("button", name="Send the registration").click()
    page.wait_for_url(f"{base}/portal/registrations/*/")
    assert "Under review" in page.locator("p.status").inner_text()
    body = page.locator("body").inner_text()
    assert company.partner_b.name not in body
    assert other_deal.name not in body
    page.context.close()

    registration = DealRegistration.objects.get(partner=company.partner_a)
    assert registration.status == DealRegistration.Status.PENDING

    # The channel manager finds it in the staff list with its conflicts, and approves it.
    page = _log_in(browser, base, company.rep.email, "/")
    page.goto(f"{base}/registrations/")
    row = page.locator("tbody tr", has=page.get_by_role("link", name="Fonderie Martin"))
    assert row.count() == 1
    assert company.partner_a.name in row.inner_text()
    conflict_count = int(row.locator("td").nth(6).inner_text().strip())
    assert conflict_count >= 1
    row.get_by_role("link", name="Fonderie Martin").click()
    page.wait_for_url(f"{base}/registrations/{registration.pk}/")

    conflicts = page.locator("section[aria-labelledby=conflicts-title]")
    assert conflicts.get_by_role("link", name="Fonderie Martin SAS").count() == 1
    assert conflicts.get_by_role("link", name=other_deal.name).count() == 1
    assert company.partner_b.name in conflicts.inner_text()

    approve = page.locator("form[action$='/approve/']")
    notice = page.locator("[data-unlinkable-account]")
    assert notice.count() == 1
    assert "Fonderie Martin SAS cannot be linked: another partner sells" in notice.inner_text()
    assert approve.locator("input[name=account]").input_value() == ""
    # The picker offers only linkable accounts: not the other partner's customer.
    search = approve.get_by_label("Link to an existing account")
    search.fill("Fonderie")
    options = approve.locator("[data-autocomplete-list]")
    options.get_by_text("No account matches").wait_for()
    assert options.get_by_role("option").count() == 0
    search.fill("")
    options.get_by_text("Type a few letters").wait_for()
    search.press("Escape")
    override = approve.get_by_label("Approve although another registration protects this customer")
    if page.locator(".notice--warning").count():
        override.check()
    approve.get_by_role("button", name="Approve").click()
    page.wait_for_url(f"{base}/registrations/{registration.pk}/")
    page.get_by_text("Registration approved; the deal was created.").wait_for()
    page.context.close()

    registration.refresh_from_db()
    assert registration.status == DealRegistration.Status.APPROVED
    assert registration.decided_by_id == company.rep.pk
    assert registration.deal is not None
    deal = Deal.objects.get(pk=registration.deal_id)
    assert deal.partner_id == company.partner_a.pk
    # A new account, never the one where partner B sells.
    assert deal.account_id != account.pk
    assert deal.account.name == "Fonderie Martin"
    assert registration.account_id == deal.account_id
    assert Deal.objects.filter(partner=company.partner_a).count() == 1
