"""Browser test: a partner admin registers a deal for a customer another partner already works
on; the channel manager sees the conflict and approves it.

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

pytestmark = [
    pytest.mark.e2e,
    # Known failure, to fix next: since the merges of 2026-11-30 the approval step answers
    # 400 (the security branch's linkable-account rule meeting the account picker), on SQLite
    # and PostgreSQL alike. The session note on issue 10 says so.
    pytest.mark.xfail(reason="approval answers 400 since the 2026-11-30 merges", strict=False),
]


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
    assert deal.account_id == account.pk
    assert Deal.objects.filter(partner=company.partner_a).count() == 1
