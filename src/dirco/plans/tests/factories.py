"""Plans and actions built through the services (the rules run), for the tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from dirco.accounts.models import User
from dirco.plans.models import Action, ActionPlan
from dirco.plans.services import ActionInput, PlanInput, action_create, plan_create
from dirco.scopes import Scope

YEAR = 2026


def make_plan(
    *, by: User, scope: str = "company", owner: User | None = None, **kw: Any
) -> ActionPlan:
    data = PlanInput(
        name=kw.pop("name", "Plan"),
        scope=Scope.parse(scope),
        period=kw.pop("period", str(YEAR)),
        owner=owner or by,
        **kw,
    )
    return plan_create(by=by, data=data)


def make_action(*, plan: ActionPlan, by: User, owner: User | None = None, **kw: Any) -> Action:
    data = ActionInput(
        kind=kw.pop("kind", Action.Kind.WEBINAR),
        title=kw.pop("title", "Spring webinar"),
        owner=owner or by,
        starts_on=kw.pop("starts_on", dt.date(YEAR, 3, 10)),
        ends_on=kw.pop("ends_on", dt.date(YEAR, 3, 10)),
        planned_cost=kw.pop("planned_cost", Decimal("1000")),
        expected_revenue=kw.pop(
            "expected_revenue",
            {dt.date(YEAR, 4, 1): Decimal("5000"), dt.date(YEAR, 5, 1): Decimal("3000")},
        ),
        **kw,
    )
    return action_create(plan=plan, by=by, data=data)
