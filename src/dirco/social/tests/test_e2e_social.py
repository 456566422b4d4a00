"""Browser test (the issue's "done when"): a manager posts an announcement to gold partners
in the staff feed; a gold partner's user sees it in the portal (and its count in the top
bar), a silver partner's user does not.

Runs Chromium from /usr/bin/chromium through Playwright; skipped when it is missing, except on
CI (env CI set) where a missing browser is a failure.
"""

from __future__ import annotations

from typing import Any

import pytest

from dirco.conftest import Company, browser_log_in, browser_new_page
from dirco.partners.models import Partner, Tier
from dirco.social.models import Post

pytestmark = pytest.mark.e2e


def _log_in(browser: Any, base_url: str, email: str, landing: str) -> Any:
    page = browser_new_page(browser)
    return browser_log_in(page, base_url=base_url, email=email, landing=landing)


def test_manager_announces_to_gold_partners_and_only_they_see_it(
    live_server: Any, stages: None, company: Company, browser: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    gold = Tier.objects.create(name="Gold", rank=201)
    silver = Tier.objects.create(name="Silver", rank=202)
    Partner.objects.filter(pk=company.partner_a.pk).update(tier=gold)
    Partner.objects.filter(pk=company.partner_b.pk).update(tier=silver)
    base = live_server.url
    text = "Gold partners: the **co-marketing funds** are open until Friday."

    page = _log_in(browser, base, company.manager.email, "/")
    page.get_by_role("link", name="Feed").first.click()
    page.wait_for_url(f"{base}/feed/")
    page.get_by_text("Write a post").click()
    page.get_by_label("Message").fill(text)
    page.get_by_label("Who reads it").select_option(label="Announcement to a tier and better")
    page.get_by_label("Tier", exact=True).select_option(label="Gold")
    page.get_by_role("button", name="Post", exact=True).click()
    page.wait_for_url(f"{base}/feed/#post-*")
    post = page.locator("article.post").first
    assert "co-marketing funds" in post.inner_text()
    assert post.locator("strong", has_text="co-marketing funds").count() == 1
    assert "Gold and better" in post.inner_text()
    page.context.close()

    stored = Post.objects.get()
    assert stored.audience == Post.Audience.TIER and stored.tier == gold

    page = _log_in(browser, base, company.partner_a_user.email, "/portal/")
    count = page.get_by_test_id("feed-count")
    assert count.inner_text().strip().endswith("1")
    count.click()
    page.wait_for_url(f"{base}/portal/feed/")
    posts = page.get_by_test_id("post")
    assert posts.count() == 1
    assert "co-marketing funds" in posts.first.inner_text()
    # Reading the feed clears the count.
    page.goto(f"{base}/portal/")
    assert page.get_by_test_id("feed-count").inner_text().strip() == "Feed"
    page.context.close()

    page = _log_in(browser, base, company.partner_b_user.email, "/portal/")
    assert page.get_by_test_id("feed-count").inner_text().strip() == "Feed"
    page.get_by_role("navigation", name="Portal").get_by_role("link", name="Feed").click()
    page.wait_for_url(f"{base}/portal/feed/")
    assert page.get_by_test_id("post").count() == 0
    assert "co-marketing funds" not in page.locator("body").inner_text()
    page.context.close()
