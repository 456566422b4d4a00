"""Browser test: the director allocates the company objective to a team and sees the team's
objectives curve update.

Runs Chromium from /usr/bin/chromium through Playwright; skipped when it is missing, except on
CI (env CI set) where a missing browser is a failure.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from typing import Any

import pytest

from dirco.conftest import PASSWORD, Company
from dirco.objectives.fiscal_calendar import fiscal_year_of
from dirco.objectives.models import Objective
from dirco.objectives.services import objective_create
from dirco.pipeline.models import Stage
from dirco.scopes import Scope

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
def browser_page() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM}: apt-get install -y chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            context.close()
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

    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", company.director.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

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
