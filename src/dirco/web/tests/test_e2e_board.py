"""Browser test: a rep logs in, drags a deal to the next stage on the board, and it stays there.

Runs Chromium from /usr/bin/chromium through Playwright; skipped when it is missing, except on
CI (env CI set) where a missing browser is a failure.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from dirco.conftest import Company, browser_log_in
from dirco.pipeline.models import Deal, Stage, StageChange
from dirco.pipeline.tests.factories import DealFactory

pytestmark = pytest.mark.e2e

# What differs between the board after a move and the board reloaded without being seen:
# the stage a phone shows (board.js), the masked CSRF token, what htmx leaves behind.
BOARD_NOISE = [
    (re.compile(r" is-current"), ""),
    (re.compile(r'aria-pressed="(?:true|false)"'), ""),
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'), "csrf"),
    (re.compile(r' (?:class|style)=""'), ""),
    (re.compile(r'aria-busy="[^"]*"'), ""),
    (re.compile(r"\s+"), " "),
]


def board_seen(page: Any) -> str:
    html: str = page.evaluate("document.getElementById('board').outerHTML")
    for pattern, replacement in BOARD_NOISE:
        html = pattern.sub(replacement, html)
    return html


def column_figures(page: Any, stage: Stage) -> tuple[str, str, str]:
    """The column's count, its tab's count and its total, as shown."""
    column = page.locator(f"section[data-drop-stage='{stage.pk}']")
    return (
        column.locator("h2 .count").inner_text(),
        page.locator(f"[data-stage-tab='{stage.pk}'] .count").inner_text(),
        column.locator(".board__totals span").first.inner_text(),
    )


def move_to_a_missing_stage(page: Any, deal: Deal) -> Any:
    """Send the card's "Move" form with a stage that does not exist (a refused move, 400)
    and return the notice that says why, once it shows."""
    card = page.locator(f"[data-deal-id='{deal.pk}']")
    card.locator("summary").click()
    move = card.locator("form.deal-card__move")
    move.locator("select").evaluate("s => { s.options[0].value = '999999'; s.value = '999999'; }")
    with page.expect_response(lambda r: f"/deals/{deal.pk}/move/" in r.url) as answer:
        move.locator("button[type=submit]").click()
    assert answer.value.status == 400
    notice = page.locator("#notice")
    notice.wait_for(state="visible")
    return notice


def test_rep_drags_a_deal_to_the_next_stage(
    live_server: Any, stages: None, company: Company, browser_page: Any
) -> None:
    qualification = Stage.objects.get(name="Qualification")
    proposal = Stage.objects.get(name="Proposal")
    deal = DealFactory(name="Drag me", owner=company.rep, stage=qualification)
    page = browser_page

    browser_log_in(page, base_url=live_server.url, email=company.rep.email)

    page.goto(f"{live_server.url}/pipeline/")
    card = page.locator(f"[data-deal-id='{deal.pk}']")
    source_column = page.locator(f"section[data-drop-stage='{qualification.pk}']")
    target_column = page.locator(f"section[data-drop-stage='{proposal.pk}']")
    assert source_column.locator(f"[data-deal-id='{deal.pk}']").count() == 1

    # The page's own requests (the feed's unread count comes after the page) must be over
    # before the test writes: the live server shares the in-memory SQLite database, whose
    # tables lock against a write while another thread reads ("database table is locked").
    page.wait_for_load_state("networkidle")
    DealFactory(name="Stays", owner=company.rep, stage=qualification, amount=700)
    page.reload()
    assert column_figures(page, qualification)[:2] == ("2", "2")
    assert column_figures(page, proposal)[:2] == ("0", "0")

    with page.expect_response(lambda r: f"/deals/{deal.pk}/move/" in r.url) as answer:
        card.drag_to(target_column.locator(".board__head"))
    assert answer.value.status == 200
    target_column.locator(f"[data-deal-id='{deal.pk}']").wait_for()
    # The answer held the two columns and their tabs only (swapped in by id): their counts
    # and totals changed, and the board is the one a reload shows.
    assert column_figures(page, qualification)[:2] == ("1", "1")
    assert column_figures(page, proposal) == ("1", "1", "10,000\xa0EUR")
    after_move = board_seen(page)

    page.reload()
    assert board_seen(page) == after_move
    moved = page.locator(f"section[data-drop-stage='{proposal.pk}'] [data-deal-id='{deal.pk}']")
    moved.wait_for()
    assert (
        page.locator(
            f"section[data-drop-stage='{qualification.pk}'] [data-deal-id='{deal.pk}']"
        ).count()
        == 0
    )

    deal = Deal.objects.get(pk=deal.pk)
    assert deal.stage_id == proposal.pk
    change = StageChange.objects.get(deal=deal, to_stage=proposal)
    assert change.changed_by_id == company.rep.pk

    # A refused drop (here a stage that does not exist) says why and leaves the card as it was.
    page.evaluate(
        f"document.querySelector(\"section[data-drop-stage='{qualification.pk}']\")"
        ".dataset.dropStage = '999999'"
    )
    with page.expect_response(lambda r: f"/deals/{deal.pk}/move/" in r.url) as answer:
        moved.drag_to(page.locator("section[data-drop-stage='999999'] .board__head"))
    assert answer.value.status == 400
    page.locator("#notice").wait_for(state="visible")
    assert "999999" in page.locator("#notice").inner_text()
    assert moved.get_attribute("class") == "deal-card"  # in place, not left dimmed
    assert column_figures(page, proposal)[:2] == ("1", "1")
    assert Deal.objects.get(pk=deal.pk).stage_id == proposal.pk


def test_move_says_so_and_undo_puts_it_back(
    live_server: Any, stages: None, company: Company, browser_page: Any
) -> None:
    """The toast "Moved X to Proposal. Undo", undo through the same move, focus kept;
    the rep's board opens on their own deals; on a phone, one stage at a time."""
    qualification = Stage.objects.get(name="Qualification")
    proposal = Stage.objects.get(name="Proposal")
    deal = DealFactory(name="Undo me", owner=company.rep, stage=qualification)
    DealFactory(name="Someone else's", owner=company.director, stage=qualification)
    page = browser_page
    browser_log_in(page, base_url=live_server.url, email=company.rep.email)

    page.goto(f"{live_server.url}/pipeline/")
    assert page.locator("text=Someone else's").count() == 0  # "My deals" by default
    card = page.locator(f"[data-deal-id='{deal.pk}']")
    card.locator("summary").click()
    card.locator("select[name=stage]").select_option(str(proposal.pk))
    with page.expect_response(lambda r: f"/deals/{deal.pk}/move/" in r.url):
        card.locator("button[type=submit]").click()
    toast = page.locator("#toast")
    toast.wait_for(state="visible")
    assert "Moved Undo me to Proposal." in toast.inner_text()
    moved = page.locator(f"section[data-drop-stage='{proposal.pk}'] [data-deal-id='{deal.pk}']")
    moved.wait_for()
    # Focus stays on the moved card.
    assert page.evaluate(
        "document.activeElement.closest('[data-deal-card]')?.dataset.dealId"
    ) == str(deal.pk)
    assert Deal.objects.get(pk=deal.pk).stage_id == proposal.pk

    with page.expect_response(lambda r: f"/deals/{deal.pk}/move/" in r.url):
        toast.locator("button", has_text="Undo").click()
    page.locator(
        f"section[data-drop-stage='{qualification.pk}'] [data-deal-id='{deal.pk}']"
    ).wait_for()
    assert Deal.objects.get(pk=deal.pk).stage_id == qualification.pk
    # Undo is a move like any other, recorded in the history.
    assert StageChange.objects.filter(deal=deal, to_stage=qualification).exists()

    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    columns = page.locator("section.board__column")
    visible = [c for c in columns.all() if c.is_visible()]
    assert len(visible) == 1
    page.locator(f"[data-stage-tab='{proposal.pk}']").click()
    assert page.locator(f"section[data-drop-stage='{proposal.pk}']").is_visible()
    assert not page.locator(f"section[data-drop-stage='{qualification.pk}']").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_long_column_scrolls_inside_the_board_not_the_page(
    live_server: Any, stages: None, company: Company, browser_page: Any
) -> None:
    """On a wide screen the board scrolls in its own box: a long column must not make the page
    longer (the cards' visually-hidden labels are absolutely placed; without a positioned
    board they escaped its scrolling box and left an empty page below it)."""
    qualification = Stage.objects.get(name="Qualification")
    for number in range(40):
        DealFactory(name=f"Long column {number}", owner=company.rep, stage=qualification)
    page = browser_page
    page.set_viewport_size({"width": 1366, "height": 800})
    browser_log_in(page, base_url=live_server.url, email=company.rep.email)
    page.goto(f"{live_server.url}/pipeline/")
    board_bottom, page_height, column_height = page.evaluate(
        "() => [document.getElementById('board').getBoundingClientRect().bottom,"
        " document.documentElement.scrollHeight,"
        f" document.querySelector(\"section[data-drop-stage='{qualification.pk}']\").scrollHeight]"
    )
    assert column_height > 2000  # the column is longer than the screen, so the case is real
    assert page_height <= board_bottom + 100


def test_an_error_stays_in_view_on_a_phone_scrolled_down(
    live_server: Any, stages: None, company: Company, browser_page: Any
) -> None:
    """A refused move far down a phone's column says why where the user is looking."""
    qualification = Stage.objects.get(name="Qualification")
    deals = [
        DealFactory(name=f"Phone {number}", owner=company.rep, stage=qualification)
        for number in range(25)
    ]
    page = browser_page
    page.set_viewport_size({"width": 360, "height": 740})
    browser_log_in(page, base_url=live_server.url, email=company.rep.email)
    page.goto(f"{live_server.url}/pipeline/")
    card = page.locator(f"[data-deal-id='{deals[-1].pk}']")
    card.scroll_into_view_if_needed()
    assert page.evaluate("window.scrollY") > 740  # far below the notice's place in the page
    notice = move_to_a_missing_stage(page, deals[-1])
    box = notice.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 740


def test_a_refused_move_keeps_the_page_with_debug_on(
    live_server: Any, stages: None, company: Company, browser_page: Any, settings: Any
) -> None:
    """``make demo`` serves with DEBUG on: a refused move still says why in a notice on the
    board (django-htmx's debug helper, which htmx_script added then, replaced the whole page
    by the answer's text: no menu, no board)."""
    settings.DEBUG = True
    qualification = Stage.objects.get(name="Qualification")
    deal = DealFactory(name="Refused", owner=company.rep, stage=qualification)
    page = browser_page
    browser_log_in(page, base_url=live_server.url, email=company.rep.email)
    page.goto(f"{live_server.url}/pipeline/")
    assert "django-htmx.js" not in page.content()
    card = page.locator(f"[data-deal-id='{deal.pk}']")
    assert "999999" in move_to_a_missing_stage(page, deal).inner_text()
    assert page.locator("#board").count() == 1 and page.locator("nav").count() >= 1
    assert card.is_visible()
