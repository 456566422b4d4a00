"""Browser test: the director allocates the company objective to a team and sees the team's
objectives curve update.

Runs Chromium from /usr/bin/chromium through Playwright; skipped when it is missing, except on
CI (env CI set) where a missing browser is a failure.
"""

from __future__ import annotations

from typing import Any

import pytest

from dirco.conftest import Company, browser_log_in
from dirco.objectives.fiscal_calendar import fiscal_year_of
from dirco.objectives.models import Objective
from dirco.objectives.services import objective_create
from dirco.scopes import Scope

pytestmark = pytest.mark.e2e


def test_director_allocates_a_team_objective_and_sees_the_curve_update(
    live_server: Any, stages: None, company: Company, browser_page: Any
) -> None:
    from django.utils import timezone

    year = fiscal_year_of(timezone.localdate())
    parent = objective_create(
        user=company.director,
        scope=Scope("company"),
        fiscal_year=year,
        amount="120000",
        split_method="flat",
    )
    page = browser_page
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    curve_url = f"{live_server.url}/objectives/curve/?scope=team:{company.team.pk}&year={year}"

    browser_log_in(page, base_url=live_server.url, email=company.director.email)

    # Before: the team has no objective, its curve says so.
    page.goto(curve_url)
    assert page.locator("[data-testid=objective-amount]").inner_text().strip() == "—"

    # Allocate by hand: 60 000 to North, 60 000 to South.
    page.goto(f"{live_server.url}/objectives/{parent.pk}/allocate/")
    page.get_by_label("Amounts typed below").check()
    page.fill(f"input[name=a_team_{company.team.pk}]", "60000")
    page.fill(f"input[name=a_team_{company.other_team.pk}]", "60000")
    page.locator("form:has(input[name=method]) button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/objectives/{parent.pk}/allocate/")
    status = page.locator("[data-testid=allocation-status]")
    assert status.get_attribute("data-status") == "exact"

    child = Objective.objects.get(parent=parent, team=company.team)
    assert child.amount == 60000

    # After: the team's curve shows the new objective, month by month too (htmx swap).
    page.goto(curve_url)
    assert "60,000" in page.locator("[data-testid=objective-amount]").inner_text()
    assert page.locator("svg.curve[data-view=cumulative] .line-objective").count() == 1
    page.get_by_role("link", name="Monthly").click()
    page.locator("svg.curve[data-view=monthly]").wait_for()
    assert page.locator("svg.curve .bar-objective").count() == 12
    assert "view=monthly" in page.url
    assert csp_errors == []
