"""Browser test of through-channel marketing and social selling: marketing approves a
template and publishes a post; a partner admin brands and sends a co-branded campaign from
the portal to its own consenting contacts (the loopback SMTP server receives exactly that
one email); the partner shares the post; the channel manager reads the results. Every page
fits 1366 px and 360 px (screenshots in $DIRCO_SCREENSHOTS when set)."""

from __future__ import annotations

import os
from typing import Any

import pytest

from dirco.conftest import Company, browser_log_in
from dirco.marketing.channel import template_partner_approval_set
from dirco.marketing.models import Campaign, Share, SocialPost
from dirco.marketing.social import PostInput, social_post_publish, social_post_save
from dirco.marketing.tests.factories import contact_make, template_make
from dirco.marketing.tests.smtp_server import SinkHandler

pytestmark = pytest.mark.e2e

OVERFLOW_JS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
# A 1x1 transparent PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def _fits(page: Any, name: str) -> None:
    for width, height in ((1366, 900), (360, 740)):
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate(OVERFLOW_JS) <= 1, f"{name} overflows at {width} px"
        folder = os.environ.get("DIRCO_SCREENSHOTS")
        if folder:
            page.screenshot(path=f"{folder}/channel-{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_partner_sends_a_co_branded_campaign_and_shares_a_post(
    live_server: Any, company: Company, browser_page: Any, smtp: SinkHandler, tmp_path: Any
) -> None:
    template = template_make(by=company.marketing)
    template_partner_approval_set(template=template, approved=True, by=company.marketing)
    post = social_post_save(
        post=None,
        data=PostInput(
            title="Spring robots",
            text="Our spring offer: robots that assemble themselves.",
            link_kind=SocialPost.LinkKind.LEAD_FORM,
            audience=SocialPost.Audience.EVERYONE,
            image=PNG,
        ),
        by=company.marketing,
    )
    social_post_publish(post=post, by=company.marketing)
    contact_make(partner=company.partner_a, email="yes@a.example", first_name="Yasmin")
    contact_make(partner=company.partner_a, email="no@a.example", consent=None)
    contact_make(partner=company.partner_b, email="other@b.example")
    page = browser_page
    base = live_server.url
    browser_log_in(page, base_url=base, email=company.partner_a_admin.email, landing="/portal/")

    page.click(".p-nav >> text=Campaigns")
    page.wait_for_url(f"{base}/portal/campaigns/")
    _fits(page, "portal-campaigns")

    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    page.goto(f"{base}/portal/campaigns/brand/")
    page.fill("input[name=display_name]", "Alpha Systems")
    page.fill("textarea[name=signature]", "Alice, Alpha Systems")
    page.set_input_files("input[name=logo]", str(logo))
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/portal/campaigns/brand/")
    _fits(page, "portal-brand")

    page.goto(f"{base}/portal/campaigns/templates/{template.pk}/")
    assert (
        "Alpha Systems" in page.frame_locator("iframe.email-preview").locator("body").inner_text()
    )
    _fits(page, "portal-template")
    page.click("main >> text=Use it")
    page.fill("input[name=name]", "Alpha spring")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/portal/campaigns/*/")
    _fits(page, "portal-campaign-draft")
    page.click("main form button:has-text('Send')")
    page.locator(".pill", has_text="Sent").first.wait_for()
    _fits(page, "portal-campaign-sent")
    assert [r.envelope_to for r in smtp.received] == [["yes@a.example"]]
    assert Campaign.objects.get(name="Alpha spring").status == Campaign.Status.SENT

    page.click(".p-nav >> text=Social selling")
    page.wait_for_url(f"{base}/portal/social/")
    with page.expect_popup() as popup:
        page.click("main button[value=linkedin]")
    popup.value.close()  # the network's page: no network here, only the share counts
    page.reload()
    page.locator("main dl.facts dd", has_text="1").first.wait_for()
    assert Share.objects.filter(network="linkedin").count() == 1
    _fits(page, "portal-social")

    # The channel manager (the rep) reads the partner's results; so does the leaderboard.
    page.context.clear_cookies()
    browser_log_in(page, base_url=base, email=company.rep.email)
    page.click("#main-nav >> text=Partner campaigns")
    page.wait_for_url(f"{base}/marketing/channel/")
    assert "Alpha spring" in page.inner_text("main")
    _fits(page, "staff-channel")
    page.click("#main-nav >> text=Social selling")
    page.wait_for_url(f"{base}/marketing/social/")
    _fits(page, "staff-social")
    page.goto(f"{base}/marketing/social/leaderboard/")
    assert company.partner_a.name in page.inner_text("main")
    _fits(page, "staff-leaderboard")

    page.context.clear_cookies()
    browser_log_in(page, base_url=base, email=company.marketing.email)
    for name, path in (
        ("social-posts", "/marketing/social/posts/"),
        ("social-post", f"/marketing/social/posts/{post.pk}/"),
        ("template", f"/marketing/templates/{template.pk}/"),
    ):
        page.goto(f"{base}{path}")
        _fits(page, name)
