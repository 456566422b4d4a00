"""Browser test: a rep logs in, drags a deal to the next stage on the board, and it stays there.

Runs Chromium from /usr/bin/chromium through Playwright; skipped when it is missing, except on
CI (env CI set) where a missing browser is a failure.
"""

from __future__ import annotations

from typing import Any

import pytest

from dirco.conftest import Company, browser_log_in
from dirco.pipeline.models import Deal, Stage, StageChange
from dirco.pipeline.tests.factories import DealFactory

pytestmark = pytest.mark.e2e


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

    with page.expect_response(lambda r: f"/deals/{deal.pk}/move/" in r.url) as answer:
        card.drag_to(target_column.locator(".board__head"))
    assert answer.value.status == 200
    target_column.locator(f"[data-deal-id='{deal.pk}']").wait_for()

    page.reload()
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
