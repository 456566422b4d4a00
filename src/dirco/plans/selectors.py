"""What the plan pages, the portal and the API read: plans with their figures, a plan's
measured impact (through ``dirco.impact``), and the counter-seasonality proposals.

One function per figure: the staff page, the portal's joint plan and the API call these.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Max, Prefetch, QuerySet
from django.utils import timezone

from dirco.accounts.models import User
from dirco.impact.attribution import ActionWindow, Segment
from dirco.impact.proposals import PastAction, Proposal, month_gaps, proposals_for_gaps
from dirco.impact.services import impact_for
from dirco.objectives.fiscal_calendar import fiscal_year_of
from dirco.objectives.selectors import objective_curve
from dirco.plans.models import Action, ActionMonth, ActionPlan, ActionTask
from dirco.plans.permissions import actions_visible_to, plans_visible_to, tasks_visible_to
from dirco.scopes import Scope

ZERO = Decimal("0")


def plan_list(
    *, user: User, status: str = "", scope_kind: str = "", fiscal_year: int | None = None
) -> QuerySet[ActionPlan]:
    """The plans ``user`` sees, filtered, newest period first."""
    plans = plans_visible_to(user).select_related("owner", "team", "rep", "partner")
    if status:
        plans = plans.filter(status=status)
    if scope_kind:
        plans = plans.filter(scope_kind=scope_kind)
    if fiscal_year:
        plans = plans.filter(fiscal_year=fiscal_year)
    return plans.order_by("-starts_on", "name", "id")


def plan_actions(*, plan: ActionPlan, user: User) -> list[Action]:
    """The plan's actions ``user`` sees, with their months and tasks, by start date."""
    return list(
        actions_visible_to(user)
        .filter(plan=plan)
        .select_related("owner")
        .prefetch_related(
            Prefetch("months", queryset=ActionMonth.objects.order_by("month")),
            Prefetch(
                "tasks", queryset=ActionTask.objects.select_related("assignee").order_by("due_on")
            ),
        )
        .order_by("starts_on", "id")
    )


def action_window(action: Action) -> ActionWindow:
    """The impact engine's view of an action: its windows, segment, cost and expectation."""
    months = list(action.months.all())
    cost = action.actual_cost if action.actual_cost is not None else action.planned_cost
    return ActionWindow(
        id=action.pk,
        name=action.title,
        kind=action.kind,
        start=action.starts_on,
        end=action.ends_on,
        segment=Segment(
            territory_ids=tuple(sorted(t.pk for t in action.territories.all())),
            tier_ids=tuple(sorted(t.pk for t in action.tiers.all())),
            product_line_ids=tuple(sorted(p.pk for p in action.product_lines.all())),
            account_ids=tuple(sorted(a.pk for a in action.accounts.all())),
            partner_ids=tuple(sorted(p.pk for p in action.partners.all())),
        ),
        cost=cost,
        expected=sum((m.expected_revenue for m in months), ZERO),
        expected_by_month={f"{m.month:%Y-%m}": m.expected_revenue for m in months},
        linked_deal_ids=frozenset(d.deal_id for d in action.deal_links.all()),
    )


def _plan_windows(plan: ActionPlan) -> list[ActionWindow]:
    actions = (
        Action.objects.filter(plan=plan)
        .exclude(status=Action.Status.CANCELLED)
        .prefetch_related(
            "months", "territories", "tiers", "product_lines", "accounts", "partners", "deal_links"
        )
        .order_by("starts_on", "id")
    )
    return [action_window(a) for a in actions]


def _plan_changed_at(plan: ActionPlan) -> dt.datetime:
    latest = Action.objects.filter(plan=plan).aggregate(latest=Max("updated_at"))["latest"]
    return max(plan.updated_at, latest) if latest else plan.updated_at


def plan_impact(*, plan: ActionPlan, recompute: bool = False) -> dict[str, Any]:
    """Expected against measured won revenue, cost, ROI and uplift of each action of the plan
    that has started, and of the plan (cancelled actions left out). Kept per plan and day
    (``impact.services.impact_for``). The staff page, the portal and the API read this."""
    today = timezone.localdate()
    impact = impact_for(
        subject_key=f"plan:{plan.pk}",
        actions=lambda: [w for w in _plan_windows(plan) if w.start <= today],
        inputs_changed_at=_plan_changed_at(plan),
        today=today,
        recompute=recompute,
    )
    return impact


def plan_figures(*, plan: ActionPlan, actions: list[Action]) -> dict[str, Decimal]:
    """Planned totals of the plan's actions (cancelled left out): expected revenue and cost."""
    live = [a for a in actions if a.status != Action.Status.CANCELLED]
    return {
        "expected": sum((m.expected_revenue for a in live for m in a.months.all()), ZERO),
        "planned_cost": sum((a.planned_cost for a in live), ZERO),
        "actual_cost": sum((a.actual_cost or ZERO for a in live), ZERO),
    }


def past_actions(*, user: User, today: dt.date) -> list[PastAction]:
    """The measured history the proposals learn from: the actions of the plans ``user`` sees
    that ended before today, with their measured revenue (from each plan's kept impact)."""
    plans = plans_visible_to(user).filter(actions__ends_on__lt=today).distinct()
    out: list[PastAction] = []
    for plan in plans:
        for row in plan_impact(plan=plan)["actions"]:
            start = dt.date.fromisoformat(row["start"])
            if dt.date.fromisoformat(row["end"]) >= today:
                continue
            out.append(
                PastAction(
                    kind=row["kind"],
                    start=start,
                    measured=Decimal(row["measured"]),
                    cost=Decimal(row["cost"]),
                )
            )
    return out


def proposals_for(
    *, user: User, scope: Scope | None = None, today: dt.date | None = None
) -> dict[str, Any]:
    """Counter-seasonality proposals for ``scope`` (the company by default): for each month
    from the current one whose forecast is under the objective, the action types with the
    best measured ROI at that time of year, sized to the gap (``impact.proposals``)."""
    today = today or timezone.localdate()
    scope = scope or Scope("company")
    curve = objective_curve(scope=scope, fiscal_year=fiscal_year_of(today), user=user, today=today)
    gaps = month_gaps(curve_rows=curve["rows"], today=today)
    history = past_actions(user=user, today=today)
    proposals: list[Proposal] = proposals_for_gaps(gaps=gaps, history=history, today=today)
    by_month: dict[dt.date, list[Proposal]] = defaultdict(list)
    for p in proposals:
        by_month[p.month].append(p)
    return {
        "scope": scope,
        "gaps": gaps,
        "history_count": len(history),
        "proposals": proposals,
        "by_month": sorted(by_month.items()),
    }


def proposal_find(
    *, user: User, key: str, scope: Scope | None = None, today: dt.date | None = None
) -> Proposal | None:
    """The proposal of ``key`` ("2026-12:event") among today's for ``scope``, or None."""
    proposals: list[Proposal] = proposals_for(user=user, scope=scope, today=today)["proposals"]
    return next((p for p in proposals if p.key == key), None)


def my_open_tasks(*, user: User) -> QuerySet[ActionTask]:
    """The checklist tasks assigned to ``user`` and not done, soonest due first (shown in
    "My activities" beside the pipeline's activities)."""
    return (
        tasks_visible_to(user)
        .filter(assignee=user, done_at__isnull=True)
        .select_related("action", "action__plan")
        .order_by("due_on", "id")
    )
