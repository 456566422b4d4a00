"""The newcomer walk: what a new user meets in the first hour, in a real browser.

A small demo company (``seed_demo --deals``) is served; for each role, at 1366x900 and at
360x740, every link of the navigation must answer 200, log no console error, fit the
viewport (no horizontal overflow), and every "next" link of a list must lead to a page
whose first row differs. One role walks in French too.

The figures (roles, pages, links, widths, seconds) are printed, and written as one JSON
line to ``$DIRCO_WALK_REPORT`` when it is set.

Kept fast: the demo is seeded once for the whole walk, one browser serves every role, each
role (and language) logs in once and walks both widths in the same window, resized, and the
overflow check lists the offending elements only when a page is too wide.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command

from dirco.demo.company_seed import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

WALK_DEALS = 1200
VIEWPORTS = {"wide": (1366, 900), "phone": (360, 740)}
ROLES = {
    "director": "director@demo.test",
    "manager": "manager1@demo.test",
    "rep": "rep1@demo.test",
    "marketing": "marketing@demo.test",
    "partner_admin": "partner1@demo.test",
    "partner_user": "partner1-user@demo.test",
}
FRENCH_ROLES = ("rep",)
NAV_LINKS = "#main-nav a[href], nav.p-nav a[href], .p-header a[href]"
TABS = "main nav.tabs a[href]"
TABBED_SECTIONS = ("/team/",)  # team dynamics: synergy, managers, capacity, turnover ...
FIRST_ROW = "main tbody tr, main .rows > li, main .p-cards > li, main ol > li, main ul.list > li"
# The first row's text: what a "next" link must change.
FIRST_ROW_JS = """(selector) => {
  const el = document.querySelector(selector);
  return el ? el.innerText.trim().slice(0, 200) : null;
}"""
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const scroll = document.documentElement.scrollWidth;
  const over = [];
  // Only a page wider than the viewport fails; then say which elements stick out.
  if (scroll > width + 1) for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= width + 1) continue;
    // Inside a box that scrolls on purpose (wide tables, the board): fine.
    let p = el.parentElement, scrolled = false;
    while (p && p !== document.body) {
      const s = getComputedStyle(p);
      if (s.overflowX === 'auto' || s.overflowX === 'scroll' || s.overflowX === 'hidden') {
        if (p.getBoundingClientRect().right <= width + 1) { scrolled = true; break; }
      }
      p = p.parentElement;
    }
    if (!scrolled) over.push(el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : '') + ' ' + Math.round(r.right));
    if (over.length >= 5) break;
  }
  return {scroll, width, over};
}"""

TOP_BAR_JS = """() => {
  const bar = document.querySelector('.sidebar');
  const open = document.querySelector('.nav--open');
  return bar && !open && window.innerWidth <= 860 ? Math.round(bar.getBoundingClientRect().height) : 0;
}"""


@dataclass
class Walk:
    pages: int = 0
    links: set[str] = field(default_factory=set)
    next_links: int = 0
    widest: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


@pytest.fixture
def demo_company(transactional_db: None, stages: None) -> None:
    call_command("seed_demo", deals=WALK_DEALS, seed=7, verbosity=0)


def _log_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state("load")
    assert "/login/" not in page.url, f"{email} could not log in"


def _visit(page: Any, url: str, label: str, walk: Walk, errors: list[str]) -> bool:
    errors.clear()
    response = page.goto(url)  # waits for the load event
    walk.pages += 1
    status = response.status if response else 0
    if status != 200:
        walk.problems.append(f"{label} {url}: HTTP {status}")
        return False
    if errors:
        walk.problems.append(f"{label} {url}: console {errors[:3]}")
    box = page.evaluate(OVERFLOW_JS)
    key = label.split(" ")[1]
    walk.widest[key] = max(walk.widest.get(key, 0), box["scroll"])
    if box["scroll"] > box["width"] + 1:
        walk.problems.append(
            f"{label} {url}: {box['scroll']} px wide in {box['width']} px {box['over']}"
        )
    # On a phone the staff sidebar is a top bar with a menu button: a short page must not
    # stretch it (it once filled a third of the screen above the direct marketing page).
    bar = page.evaluate(TOP_BAR_JS)
    if bar > 120:
        walk.problems.append(f"{label} {url}: the closed top bar is {bar} px tall")
    return True


def _walk_role(browser: Any, base: str, role: str, lang: str, walk: Walk) -> None:
    """One browser context per role and language, logged in once; each viewport walks the
    navigation in it (the window resized in between)."""
    first_width, first_height = next(iter(VIEWPORTS.values()))
    context = browser.new_context(viewport={"width": first_width, "height": first_height})
    if lang != "en":
        host = urlsplit(base).hostname
        context.add_cookies(
            [{"name": "django_language", "value": lang, "domain": host, "path": "/"}]
        )
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []

    def on_console(message: Any) -> None:
        if message.type == "error":
            errors.append(message.text)

    def on_error(error: Any) -> None:
        errors.append(str(error))

    page.on("console", on_console)
    page.on("pageerror", on_error)
    _log_in(page, base, ROLES[role])
    # The navigation is rendered by the server, the same at every width (CSS lays it out).
    hrefs: list[str] = page.eval_on_selector_all(
        NAV_LINKS, "els => els.map(e => e.getAttribute('href'))"
    )
    urls = sorted({urljoin(page.url, h) for h in hrefs if h.startswith("/") and h != "#"})
    assert urls, f"[{role} {lang}]: no navigation links"
    # A section whose pages are tabs under one navigation link: its tabs are walked too.
    for url in list(urls):
        if urlsplit(url).path.startswith(TABBED_SECTIONS):
            page.goto(url)
            tabs: list[str] = page.eval_on_selector_all(
                TABS, "els => els.map(e => e.getAttribute('href'))"
            )
            urls = sorted(set(urls) | {urljoin(page.url, h) for h in tabs if h.startswith("/")})
    for viewport, (width, height) in VIEWPORTS.items():
        label = f"[{role} {viewport} {lang}]"
        if (width, height) != (first_width, first_height):
            # As on a fresh device: nothing remembered in the browser (the board keeps its
            # chosen stage in sessionStorage), only the login.
            page.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
            page.set_viewport_size({"width": width, "height": height})
        for url in urls:
            walk.links.add(f"{role}:{urlsplit(url).path}")
            if not _visit(page, url, label, walk, errors):
                continue
            # The rows of page 2 are the same at every width: follow "next" once per role.
            next_link = page.query_selector("a[rel=next]") if viewport == "wide" else None
            if next_link is None:
                continue
            before = page.evaluate(FIRST_ROW_JS, FIRST_ROW)
            next_url = urljoin(page.url, next_link.get_attribute("href"))
            walk.next_links += 1
            if _visit(page, next_url, label, walk, errors):
                after = page.evaluate(FIRST_ROW_JS, FIRST_ROW)
                if after is None or after == before:
                    walk.problems.append(
                        f"{label} {url} -> next {next_url}: first row {after!r} (was {before!r})"
                    )
    context.close()


def test_newcomer_walk(live_server: Any, demo_company: None, browser: Any) -> None:
    started = time.monotonic()
    walk = Walk()
    for role in ROLES:
        _walk_role(browser, live_server.url, role, "en", walk)
    for role in FRENCH_ROLES:
        _walk_role(browser, live_server.url, role, "fr", walk)
    figures = {
        "roles": len(ROLES),
        "french_roles": len(FRENCH_ROLES),
        "pages": walk.pages,
        "distinct_links": len(walk.links),
        "next_links": walk.next_links,
        "widest_px": walk.widest,
        "seconds": round(time.monotonic() - started, 1),
        "problems": len(walk.problems),
    }
    print("newcomer walk:", json.dumps(figures))
    if os.environ.get("DIRCO_WALK_REPORT"):
        with open(os.environ["DIRCO_WALK_REPORT"], "w") as out:
            out.write(json.dumps({**figures, "details": walk.problems}) + "\n")
    assert not walk.problems, "\n".join(walk.problems)
