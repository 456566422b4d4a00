"""Browser test: a partner admin registers a deal for a customer another partner already works
on; the channel manager sees the conflict and approves it.

Runs Chromium from /usr/bin/chromium through Playwright; skipped when it is missing, except on
CI (env CI set) where a missing browser is a failure.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
from collections.abc import Iterator
from typing import Any

import pytest

from dirco.catalog.tests.factories import ProductLineFactory
from dirco.conftest import PASSWORD, Company
from dirco.customers.tests.factories import AccountFactory
from dirco.pipeline.models import Deal, Stage
from dirco.pipeline.tests.factories import DealFactory
from dirco.registrations.models import DealRegistration

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
# body are still synchronous and safe here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.e2e


@pytest.fixture
def browser() -> Iterator[Any]:
    """The browser itself: each user below gets a context of their own (own cookies)."""
    if not os.path.exists(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM}: apt-get install -y chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def stages(transactional_db: None) -> None:
    """The default stages: a transactional test flushes what the data migration created."""
    migration = importlib.import_module("dirco.pipeline.migrations.0002_default_stages")
    for name, order, probability, category, won, lost in migration.DEFAULT_STAGES:
        Stage.objects.get_or_create(
            name=name,
            defaults={
                "order": order,
                "probability": probability,
                "forecast_category": category,
                "is_won": won,
                "is_lost": lost,
            },
        )


def _log_in(browser: Any, base_url: str, email: str, landing: str) -> Any:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}{landing}")
    return page


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
    page.get_by_label("Customer country").fill("FR")
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
