"""Browser test of the main flow: marketing builds a segment (the live count follows the
filter), writes a template, creates a campaign and sends it; the SMTP server on loopback
receives the one email allowed (consent given, not suppressed). Each page fits 1366 px and
360 px (screenshots in $DIRCO_SCREENSHOTS when set)."""

from __future__ import annotations

import os
from typing import Any

import pytest

from dirco.conftest import Company, browser_log_in
from dirco.marketing.models import Campaign, Suppression
from dirco.marketing.services import suppression_add
from dirco.marketing.tests.factories import contact_make
from dirco.marketing.tests.smtp_server import SinkHandler
from dirco.partners.tests.factories import TierFactory

pytestmark = pytest.mark.e2e

OVERFLOW_JS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _fits(page: Any, name: str) -> None:
    for width, height in ((1366, 900), (360, 740)):
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate(OVERFLOW_JS) <= 1, f"{name} overflows at {width} px"
        folder = os.environ.get("DIRCO_SCREENSHOTS")
        if folder:
            page.screenshot(path=f"{folder}/marketing-{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_marketing_sends_a_campaign_to_the_consenting_contacts(
    live_server: Any, company: Company, browser_page: Any, smtp: SinkHandler
) -> None:
    gold = TierFactory(name="Gold", rank=1)
    company.partner_a.tier = gold
    company.partner_a.save()
    contact_make(partner=company.partner_a, email="yes@a.example", first_name="Yasmin")
    contact_make(partner=company.partner_a, email="no@a.example", consent=None)
    contact_make(partner=company.partner_a, email="stop@a.example")
    contact_make(partner=company.partner_b, email="silver@b.example")
    suppression_add(email="stop@a.example", reason=Suppression.Reason.MANUAL)
    page = browser_page
    base = live_server.url
    browser_log_in(page, base_url=base, email=company.marketing.email)

    page.click("#main-nav >> text=Direct marketing")
    page.wait_for_url(f"{base}/marketing/")
    _fits(page, "overview")

    # A segment: the live count follows the filter (HTMX).
    page.goto(f"{base}/marketing/segments/new/")
    page.fill("input[name=name]", "Gold partners")
    with page.expect_response(lambda r: "/marketing/segments/preview/" in r.url):
        page.select_option("select[name=tiers]", str(gold.pk))
    page.locator("#segment-preview [data-count=matched]", has_text="3").wait_for()
    assert page.inner_text("#segment-preview [data-count=sendable]") == "1"
    _fits(page, "segment")
    page.click("#segment-form button[type=submit]")
    page.wait_for_url("**/marketing/segments/*/")

    # A template, with its preview.
    page.goto(f"{base}/marketing/templates/new/")
    page.fill("input[name=name]", "Welcome")
    page.fill("input[name=subject]", "Welcome {{ contact.first_name }}")
    page.fill(
        "textarea[name=html_body]",
        '<p>Hello {{ contact.first_name }}, <a href="https://example.com/">read more</a></p>',
    )
    page.fill("textarea[name=text_body]", "Hello {{ contact.first_name }}")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/marketing/templates/*/")
    assert (
        "Hello Camille" in page.frame_locator("iframe.email-preview").locator("body").inner_text()
    )
    _fits(page, "template")

    # The campaign, sent now.
    page.goto(f"{base}/marketing/campaigns/new/")
    page.fill("input[name=name]", "Spring to gold")
    page.select_option("select[name=segment]", label="Gold partners")
    page.select_option("select[name=template]", label="Welcome")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/marketing/campaigns/*/")
    page.click("text=Schedule")
    page.locator(".badge", has_text="Sent").first.wait_for()
    _fits(page, "campaign")

    assert [r.envelope_to for r in smtp.received] == [["yes@a.example"]]
    assert smtp.received[0].message["Subject"] == "Welcome Yasmin"
    assert Campaign.objects.get().status == Campaign.Status.SENT

    for name, path in (
        ("consent", "/marketing/consent/"),
        ("suppression", "/marketing/suppression/"),
    ):
        page.goto(f"{base}{path}")
        _fits(page, name)
