"""Browser test: a manager makes a plan, adds an action proposed against a month under the
objective (counter-seasonality), and finds it on the calendar.

The history is real: last year, in this calendar month, an event on the manager's team won a
deal worth fifty times its cost; this year the team's objective for the month is above its
forecast. Chromium from /usr/bin/chromium through Playwright (skipped when missing, except on
CI).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from dirco.conftest import Company, browser_log_in
from dirco.objectives.fiscal_calendar import fiscal_year_of
from dirco.objectives.models import Objective
from dirco.objectives.services import objective_create, rollups_rebuild
from dirco.pipeline.models import Stage
from dirco.pipeline.tests.factories import DealFactory
from dirco.plans.models import Action, ActionPlan
from dirco.plans.services import ActionInput, PlanInput, action_create, plan_create
from dirco.scopes import Scope

pytestmark = pytest.mark.e2e


def _history(company: Company, today: dt.date) -> None:
    start = today - dt.timedelta(days=365)
    past = plan_create(
        by=company.manager,
        data=PlanInput(
            name="Last year's plan",
            scope=Scope("team", company.team.pk),
            period=str(fiscal_year_of(start)),
            owner=company.manager,
        ),
    )
    action_create(
        plan=past,
        by=company.manager,
        data=ActionInput(
            kind=Action.Kind.EVENT,
            title="Last year's customer day",
            owner=company.manager,
            starts_on=start,
            ends_on=start,
            planned_cost=Decimal("1000"),
        ),
    )
    won = Stage.objects.get(is_won=True)
    deal = DealFactory(
        name="Won at the customer day",
        owner=company.rep,
        team=company.team,
        amount=Decimal("50000"),
        stage=won,
        probability=100,
        close_date=start + dt.timedelta(days=20),
        expected_close_date=start + dt.timedelta(days=20),
        source="event",
    )
    deal.created_at = timezone.make_aware(dt.datetime.combine(start, dt.time(10)))
    deal.save(update_fields=["created_at"])
    # Three years of the team's won deals: the engine forecasts from them.
    for months_back in range(1, 37):
        month = (today.replace(day=1) - dt.timedelta(days=months_back * 30)).replace(day=15)
        DealFactory(
            name=f"History {months_back}",
            owner=company.rep,
            team=company.team,
            amount=Decimal("20000") + months_back * 100,
            stage=won,
            probability=100,
            close_date=month,
            expected_close_date=month,
        )
    rollups_rebuild()
    objective = objective_create(
        user=company.director,
        scope=Scope("team", company.team.pk),
        fiscal_year=fiscal_year_of(today),
        amount="12000000",
        split_method="flat",
    )
    Objective.objects.filter(pk=objective.pk).update(
        status=Objective.Status.PUBLISHED, published_at=timezone.now()
    )


def test_a_manager_plans_a_proposed_action_and_sees_it_on_the_calendar(
    live_server: Any, stages: None, company: Company, browser_page: Any
) -> None:
    today = timezone.localdate()
    _history(company, today)
    page = browser_page
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    base = live_server.url
    browser_log_in(page, base_url=base, email=company.manager.email)

    # A new plan for the team, this fiscal year.
    page.goto(f"{base}/plans/new/")
    page.fill("input[name=name]", "Fill the gap")
    page.select_option("select[name=scope]", f"team:{company.team.pk}")
    page.get_by_role("button", name="Create the plan").click()
    page.wait_for_load_state()
    plan = ActionPlan.objects.get(name="Fill the gap")
    page.wait_for_url(f"{base}/plans/{plan.pk}/")

    # From the gap page to the proposals, sized to the month under objective.
    page.goto(f"{base}/objectives/gap/?scope=team:{company.team.pk}")
    page.click("[data-testid=gap-proposals]")
    page.wait_for_url(f"{base}/plans/proposals/?scope=team:{company.team.pk}")
    proposal = page.locator("[data-testid=proposals] li").first
    assert "Event or trade show" in proposal.inner_text()
    proposal.locator("select[name=plan]").select_option(str(plan.pk))
    proposal.get_by_role("button", name="Add to the plan").click()
    action = Action.objects.get(plan=plan)
    page.wait_for_url(f"{base}/plans/actions/{action.pk}/")
    assert action.kind == Action.Kind.EVENT and action.planned_cost > 0

    # On the calendar, in the month the action starts.
    page.goto(f"{base}/plans/calendar/?date={action.starts_on.isoformat()}")
    grid = page.locator("[data-testid=calendar-grid]")
    assert grid.get_by_role("link", name=action.title).count() >= 1
    grid.get_by_role("link", name=action.title).first.click()
    page.wait_for_url(f"{base}/plans/actions/{action.pk}/")
    assert not errors, errors
