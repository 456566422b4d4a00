"""The board's move answers only the columns it changed (htmx out-of-band swaps): the board
after the swap must be the board a reload shows. Each test reads the board, moves a deal,
swaps the answer into the first reading the way htmx does (by id), and compares the result
with a fresh reading of the board."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dirco.accounts.models import User
from dirco.conftest import Company
from dirco.pipeline.models import Deal
from dirco.pipeline.tests.factories import DealFactory, stage_named

pytestmark = pytest.mark.django_db

# A tab and a column of the board, each whole (neither holds another of its kind).
PART = re.compile(
    r'<button type="button" id="(stage-tab-\d+)".*?</button>'
    r'|<section id="(column-\d+)".*?</section>',
    re.DOTALL,
)
OOB = ' hx-swap-oob="true"'
# Which stage a phone shows is the browser's choice (board.js) once the page is open.
CLIENT_STATE = re.compile(r' is-current|aria-pressed="(?:true|false)"')
# The CSRF token is masked anew on every page.
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def same(html: str) -> str:
    return CSRF.sub("csrf", html)


def parts(html: str) -> dict[str, str]:
    return {m.group(1) or m.group(2): m.group(0) for m in PART.finditer(html)}


def board_of(page: str) -> str:
    start = page.index('<div id="board"')
    return page[start : page.index("<dialog", start)]


def swapped(board: str, answer: str) -> str:
    """``board`` with the answer's out-of-band parts put in place of the same ids (htmx)."""
    oob = parts(answer)
    assert oob, "the answer holds no part to swap"
    assert all(OOB in html for html in oob.values())
    assert not PART.sub("", answer).strip(), "the answer holds more than its parts"
    current = parts(board)
    assert set(oob) <= set(current)
    return PART.sub(lambda m: oob.get(m.group(1) or m.group(2), m.group(0)).replace(OOB, ""), board)


def move_and_compare(
    user: User,
    deal: Deal,
    to_stage: str,
    query: str = "",
    lost_reason: str = "",
    language: str = "en",
) -> tuple[str, str]:
    """Move ``deal`` as the board of ``/pipeline/?query`` does; assert the board after the
    swap is the board reloaded; returns (answer, board reloaded)."""
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    path = reverse("pipeline_board") + (f"?{query}" if query else "")
    before = board_of(client.get(path).content.decode())
    # board.js posts the filter form's values with the stage.
    filters: dict[str, str] = {}
    if query:
        filters.update(dict(pair.split("=", 1) for pair in query.split("&")))
    elif user.role == User.Role.REP:
        filters["owner"] = str(user.pk)
    response = client.post(
        reverse("deal_move", args=[deal.pk]),
        {"stage": stage_named(to_stage).pk, "lost_reason": lost_reason, **filters},
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{path}"},
    )
    assert response.status_code == 200
    assert response["HX-Reswap"] == "none"
    answer = response.content.decode()
    after = board_of(client.get(path).content.decode())
    assert "<html" not in answer and 'id="board"' not in answer
    assert CLIENT_STATE.sub("", same(swapped(before, answer))) == CLIENT_STATE.sub("", same(after))
    # The swapped parts carry what the reload shows, client state included.
    reloaded = parts(after)
    for key, html in parts(answer).items():
        assert same(html.replace(OOB, "")) == same(reloaded[key])
    return answer, after


def test_a_move_answers_the_two_columns_and_their_tabs(company: Company) -> None:
    qualification, proposal = stage_named("Qualification"), stage_named("Proposal")
    deal = DealFactory(name="Move me", owner=company.rep, stage=qualification, amount=1500)
    DealFactory(name="Stays", owner=company.rep, stage=qualification, amount=700)
    DealFactory(name="Already there", owner=company.rep, stage=stage_named("Negotiation"))
    answer, _ = move_and_compare(company.rep, deal, "Proposal")
    assert set(parts(answer)) == {
        f"stage-tab-{qualification.pk}",
        f"column-{qualification.pk}",
        f"stage-tab-{proposal.pk}",
        f"column-{proposal.pk}",
    }
    column = parts(answer)[f"column-{proposal.pk}"]
    assert "Move me" in column and '<span class="count">1</span>' in column
    assert "Move me" not in parts(answer)[f"column-{qualification.pk}"]
    # The cards' form without JavaScript comes back to the board, not to the move's URL.
    assert 'name="next" value="/pipeline/"' in column
    assert "/move/" not in re.sub(r'(action|data-move-url)="[^"]*"', "", answer)


def test_a_move_out_of_the_first_stage_with_deals_changes_the_default_stage(
    company: Company,
) -> None:
    """The phones' default stage (the first holding deals) moves with the last deal."""
    deal = DealFactory(name="Only one", owner=company.rep, stage=stage_named("Prospecting"))
    DealFactory(owner=company.rep, stage=stage_named("Negotiation"))
    client = Client(headers={"HX-Request": "true"})
    client.force_login(company.rep)
    response = client.post(
        reverse("deal_move", args=[deal.pk]),
        {"stage": stage_named("Proposal").pk, "owner": company.rep.pk},
    )
    moved = json.loads(response["HX-Trigger"])["dirco:deal-moved"]
    assert moved["current_stage"] == stage_named("Proposal").pk
    move_and_compare(company.rep, deal, "Negotiation")


def test_a_move_to_lost_answers_the_column_it_left(company: Company) -> None:
    negotiation = stage_named("Negotiation")
    deal = DealFactory(name="Lose me", owner=company.rep, stage=negotiation)
    answer, after = move_and_compare(company.rep, deal, "Lost", lost_reason="price")
    assert set(parts(answer)) == {f"stage-tab-{negotiation.pk}", f"column-{negotiation.pk}"}
    assert "Lose me" not in after
    # Undo: from Lost back to an open stage, the column it enters.
    answer, after = move_and_compare(company.rep, deal, "Negotiation")
    assert set(parts(answer)) == {f"stage-tab-{negotiation.pk}", f"column-{negotiation.pk}"}
    assert "Lose me" in after


def test_a_move_into_a_full_column_keeps_its_first_cards_and_see_all(company: Company) -> None:
    """25 cards a column, closing soonest first; "See all N" beyond."""
    proposal = stage_named("Proposal")
    today = timezone.localdate()
    for i in range(25):
        DealFactory(
            owner=company.rep,
            stage=proposal,
            amount=Decimal(1000 + i),
            expected_close_date=today + dt.timedelta(days=10 + i),
        )
    soon = DealFactory(
        name="Closing soonest",
        owner=company.rep,
        expected_close_date=today - dt.timedelta(days=2),  # overdue, first of the column
    )
    answer, _ = move_and_compare(company.rep, soon, "Proposal")
    column = parts(answer)[f"column-{proposal.pk}"]
    assert "Closing soonest" in column and "deal-card--overdue" in column
    assert "See all 26" in column and column.count("data-deal-card") == 25


def test_a_managers_filtered_board_and_a_french_one(company: Company) -> None:
    """Someone else's deal on the board of "Anyone" (owners shown), then in French."""
    deal = DealFactory(name="Team deal", owner=company.rep, stage=stage_named("Qualification"))
    DealFactory(owner=company.other_rep, stage=stage_named("Proposal"))
    answer, _ = move_and_compare(company.director, deal, "Proposal", query="owner=")
    assert 'name="next" value="/pipeline/?owner="' in answer
    assert str(company.rep) in parts(answer)[f"column-{stage_named('Proposal').pk}"]
    answer, _ = move_and_compare(
        company.director, deal, "Negotiation", query=f"owner={company.rep.pk}", language="fr"
    )
    assert "pondéré" in answer
