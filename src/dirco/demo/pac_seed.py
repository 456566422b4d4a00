"""The demo's past commercial action plans: two years of actions whose effect is in the deals.

Each fiscal year has the same rhythm: trade shows and a customer day before the peaks
(March, June, November), a summer promotion against the August trough, a partner training
in September, a webinar and a year-end email campaign that do little. Every action that has
started by today gets its effect written into the deals: extra won deals in its target
segment, created in the weeks after its start (source ``event`` or ``campaign`` for the
actions of those channels) and won within the attribution window, worth ``effect`` times
the segment's average monthly won revenue of the year before. So the impact page measures
something true: the effect was put there, at a known size, and the engine must find it.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Sum
from django.utils import timezone

from dirco.catalog.models import ProductLine
from dirco.core.periods import month_add
from dirco.customers.models import Account
from dirco.impact.attribution import Segment
from dirco.partners.models import Partner, Territory, Tier
from dirco.pipeline.models import Deal, Stage
from dirco.pipeline.services import deal_team_for_owner


@dataclass(frozen=True)
class PastActionSpec:
    kind: str
    name: str
    month: int  # calendar month of the start
    day: int
    days: int  # duration
    target: str  # "territory:<index among leaf territories>", "line:<i>", "tier:<rank>", "company"
    cost: Decimal
    effect: Decimal  # extra won revenue, in months of the segment's average
    channel: str  # the source of the extra deals


SPECS: tuple[PastActionSpec, ...] = (
    PastActionSpec(
        "trade_show",
        "Industry fair before the spring peak",
        2,
        10,
        3,
        "territory:0",
        Decimal("18000"),
        Decimal("0.9"),
        "event",
    ),
    PastActionSpec(
        "webinar", "Product webinar", 4, 15, 1, "line:1", Decimal("3000"), Decimal("0.05"), "event"
    ),
    PastActionSpec(
        "trade_show",
        "Trade show before the June peak",
        5,
        12,
        3,
        "territory:1",
        Decimal("20000"),
        Decimal("0.8"),
        "event",
    ),
    PastActionSpec(
        "promotion",
        "Summer promotion",
        7,
        1,
        30,
        "line:0",
        Decimal("12000"),
        Decimal("0.6"),
        "campaign",
    ),
    PastActionSpec(
        "partner_training",
        "Partner training for the Silver tier",
        9,
        8,
        2,
        "tier:2",
        Decimal("8000"),
        Decimal("0.5"),
        "partner",
    ),
    PastActionSpec(
        "event",
        "Customer day before the November peak",
        10,
        14,
        1,
        "territory:2",
        Decimal("10000"),
        Decimal("0.7"),
        "event",
    ),
    PastActionSpec(
        "email_campaign",
        "Year-end email campaign",
        12,
        1,
        10,
        "company",
        Decimal("2000"),
        Decimal("0.01"),
        "campaign",
    ),
)


@dataclass(frozen=True)
class SeededAction:
    spec: PastActionSpec
    start: dt.date
    end: dt.date
    segment: Segment
    expected: Decimal
    effect_deal_ids: tuple[int, ...]


def segment_for(target: str) -> Segment:
    kind, _, raw = target.partition(":")
    if kind == "territory":
        leaves = list(
            Territory.objects.filter(children__isnull=True, accounts__isnull=False)
            .distinct()
            .order_by("id")
            .values_list("id", flat=True)
        )
        return Segment(territory_ids=(leaves[int(raw) % len(leaves)],)) if leaves else Segment()
    if kind == "line":
        lines = list(ProductLine.objects.order_by("id").values_list("id", flat=True))
        return Segment(product_line_ids=(lines[int(raw) % len(lines)],)) if lines else Segment()
    if kind == "tier":
        tier = Tier.objects.filter(rank=int(raw)).first()
        return Segment(tier_ids=(tier.pk,)) if tier else Segment()
    return Segment()


def _won_stage() -> Stage:
    return Stage.objects.filter(is_won=True).order_by("order").first()  # type: ignore[return-value]


def effect_deals_create(
    *,
    segment: Segment,
    start: dt.date,
    end: dt.date,
    effect: Decimal,
    channel: str,
    rng: random.Random,
    name: str,
) -> tuple[int, ...]:
    """Won deals worth ``effect`` x the segment's average monthly won revenue over the year
    before ``start``, created in the three weeks after the start, won 10 to 60 days later
    (inside the attribution windows of ``impact.attribution``)."""
    won = _won_stage()
    year_before = Deal.objects.filter(
        segment.deal_q(),
        stage=won,
        close_date__gte=month_add(start.replace(day=1), -12),
        close_date__lt=start.replace(day=1),
    )
    total = year_before.aggregate(total=Sum("amount_company"))["total"] or Decimal(0)
    if total <= 0:
        return ()
    average_deal = year_before.aggregate(a=Avg("amount_company"))["a"] or Decimal(5000)
    target = total / 12 * effect
    n = max(1, min(40, round(target / average_deal)))
    accounts = list(
        Account.objects.filter(deals__in=Deal.objects.filter(segment.deal_q()))
        .distinct()
        .order_by("id")
        .values_list("id", "owner_id")[:200]
    )
    partners = []
    if segment.partner_ids:
        partners = list(
            Partner.objects.filter(pk__in=segment.partner_ids)
            .order_by("id")
            .values_list("id", "channel_manager_id")
        )
    elif segment.tier_ids:
        partners = list(
            Partner.objects.filter(tier_id__in=segment.tier_ids)
            .order_by("id")
            .values_list("id", "channel_manager_id")
        )
    lines = list(segment.product_line_ids) or list(
        ProductLine.objects.order_by("id").values_list("id", flat=True)
    )
    today = timezone.localdate()
    teams: dict[int, int | None] = {}
    deals = []
    for i in range(n):
        amount = (target / n * Decimal(str(rng.uniform(0.7, 1.3)))).quantize(Decimal("1"))
        created = start + dt.timedelta(days=rng.randint(0, min(20, (end - start).days + 20)))
        closed = min(created + dt.timedelta(days=rng.randint(10, 60)), today - dt.timedelta(days=1))
        if closed < created:
            continue
        account_id, owner_id = rng.choice(accounts)
        partner_id = None
        if partners:
            partner_id, manager_id = rng.choice(partners)
            owner_id = manager_id or owner_id
        if owner_id not in teams:
            team = deal_team_for_owner(owner_id)
            teams[owner_id] = team.pk if team else None
        created_at = timezone.make_aware(dt.datetime.combine(created, dt.time(10, 0)))
        deals.append(
            Deal(
                name=f"{name} — deal {i + 1}",
                account_id=account_id,
                partner_id=partner_id,
                owner_id=owner_id,
                team_id=teams[owner_id],
                product_line_id=rng.choice(lines),
                amount=amount,
                currency="EUR",
                amount_company=amount,
                stage=won,
                probability=100,
                forecast_category=won.forecast_category,
                expected_close_date=closed,
                close_date=closed,
                source=channel,
                created_at=created_at,
                stage_entered_at=timezone.make_aware(dt.datetime.combine(closed, dt.time(16, 0))),
            )
        )
    created_deals = Deal.objects.bulk_create(deals)
    return tuple(d.pk for d in created_deals)


# -- the plans themselves ------------------------------------------------------------------------

_KIND = {"trade_show": "event"}  # the spec's wording -> plans.Action.Kind


def _in_period(start: dt.date, end: dt.date, month: int, day: int) -> dt.date | None:
    """The day ``month``/``day`` that falls inside [start, end], if any."""
    for year in (start.year, start.year + 1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue
        if start <= candidate <= end:
            return candidate
    return None


def demo_plans_seed(*, director: Any, today: dt.date, seed: int = 0) -> dict[str, int]:
    """The demo's commercial action plans, through the plans services: a company plan for
    each of the last two fiscal years (closed) and this one (active), with the rhythm of
    ``SPECS``; every action started a month ago or more has its effect written into the deals
    (``effect_deals_create``), so the impact pages measure something true. Then a team plan
    with checklist tasks for a rep, and a joint business plan with the portal's partner,
    shared, accepted, amended and shared again (the partner's comment waits for an answer).
    The caller rebuilds the rollups afterwards (the effect deals are bulk-inserted)."""
    from dirco.accounts.models import User
    from dirco.objectives.fiscal_calendar import fiscal_year_of
    from dirco.plans.models import Action, ActionPlan
    from dirco.plans.services import (
        ActionInput,
        PlanInput,
        TaskInput,
        action_create,
        action_set_status,
        plan_comment_add,
        plan_create,
        plan_set_status,
        plan_version_accept,
        plan_version_share,
        task_create,
    )
    from dirco.scopes import Scope

    rng = random.Random(f"pac|{seed}")
    current = fiscal_year_of(today)
    counts = {"plans": 0, "actions": 0, "effect_deals": 0, "tasks": 0}

    def action_for(plan: ActionPlan, spec: PastActionSpec, owner: Any) -> Action | None:
        start = _in_period(plan.starts_on, plan.ends_on, spec.month, spec.day)
        if start is None:
            return None
        end = min(start + dt.timedelta(days=spec.days - 1), plan.ends_on)
        segment = segment_for(spec.target)
        first_month = month_add(start.replace(day=1), 1)
        action = action_create(
            plan=plan,
            by=director,
            data=ActionInput(
                kind=_KIND.get(spec.kind, spec.kind),
                title=spec.name,
                owner=owner,
                starts_on=start,
                ends_on=end,
                planned_cost=spec.cost,
                expected_revenue={first_month: spec.cost * 4},
                territory_ids=segment.territory_ids,
                tier_ids=segment.tier_ids,
                product_line_ids=segment.product_line_ids,
            ),
        )
        counts["actions"] += 1
        if start <= today:
            action_set_status(action=action, status=Action.Status.RUNNING)
        if end < today:
            actual = (spec.cost * Decimal(str(rng.uniform(0.85, 1.15)))).quantize(Decimal("1"))
            action_set_status(action=action, status=Action.Status.DONE, actual_cost=actual)
        if start < today - dt.timedelta(days=30):
            counts["effect_deals"] += len(
                effect_deals_create(
                    segment=segment,
                    start=start,
                    end=end,
                    effect=spec.effect,
                    channel=spec.channel,
                    rng=rng,
                    name=spec.name,
                )
            )
        return action

    marketing = User.objects.filter(role=User.Role.MARKETING).order_by("id").first() or director
    for year in (current - 2, current - 1, current):
        plan = plan_create(
            by=director,
            data=PlanInput(
                name=f"Commercial action plan {year}",
                scope=Scope("company"),
                period=str(year),
                owner=director,
                diagnosis=(
                    "Revenue peaks in **March**, **June** and **November** and falls in "
                    "**August**. We fill the trough with a summer promotion, prepare each "
                    "peak with a trade show or a customer day, and train the Silver partners "
                    "before the autumn."
                ),
            ),
        )
        counts["plans"] += 1
        for spec in SPECS:
            owner = (
                marketing if spec.kind in ("webinar", "email_campaign", "promotion") else director
            )
            action_for(plan, spec, owner)
        plan_set_status(plan=plan, status=ActionPlan.Status.ACTIVE)
        if year < current:
            plan_set_status(plan=plan, status=ActionPlan.Status.CLOSED)

    # A team plan with checklist tasks for the manager's reps (they show in My activities).
    manager = User.objects.filter(email="manager1@demo.test").first()
    team = manager.managed_teams.order_by("id").first() if manager else None  # type: ignore[attr-defined]
    rep = User.objects.filter(email="rep1@demo.test").first()
    if manager and team and rep:
        plan = plan_create(
            by=manager,
            data=PlanInput(
                name=f"{team.name}: back-to-school call campaign",
                scope=Scope("team", team.pk),
                period=str(current),
                owner=manager,
                diagnosis="September starts slowly: call last year's customers in the first weeks.",
                next_review_on=today + dt.timedelta(days=14),
            ),
        )
        counts["plans"] += 1
        start = max(plan.starts_on, today + dt.timedelta(days=7))
        end = min(start + dt.timedelta(days=20), plan.ends_on)
        if start <= plan.ends_on:
            action = action_create(
                plan=plan,
                by=manager,
                data=ActionInput(
                    kind=Action.Kind.CALL_CAMPAIGN,
                    title="Call last year's customers",
                    owner=rep,
                    starts_on=start,
                    ends_on=end,
                    planned_cost=Decimal("500"),
                    expected_revenue={month_add(start.replace(day=1), 1): Decimal("60000")},
                ),
            )
            counts["actions"] += 1
            for title, due in (
                ("Export last year's customers from the CRM", start - dt.timedelta(days=3)),
                ("Write the call script", start - dt.timedelta(days=1)),
                ("Report the calls made", end),
            ):
                task_create(
                    action=action,
                    by=manager,
                    data=TaskInput(title=title, due_on=max(due, today), assignee=rep),
                )
                counts["tasks"] += 1
            plan_set_status(plan=plan, status=ActionPlan.Status.ACTIVE)

    # The joint business plan with the portal's partner.
    partner_admin = User.objects.filter(email="partner1@demo.test").first()
    partner = partner_admin.partner if partner_admin else None
    if partner_admin is not None and partner is not None and partner.channel_manager is not None:
        cm = partner.channel_manager
        plan = plan_create(
            by=director,
            data=PlanInput(
                name=f"Joint business plan {current}: {partner.name}",
                scope=Scope("partner", partner.pk),
                period=str(current),
                owner=cm,
                diagnosis=(
                    f"{partner.name} sells well before the peaks but misses the summer. "
                    "Together: a certification day for its sales people, and a co-hosted "
                    "customer event before the November peak."
                ),
            ),
        )
        counts["plans"] += 1
        for kind, title, month, days in (
            (Action.Kind.PARTNER_TRAINING, "Certification day for the sales team", 9, 1),
            (Action.Kind.EVENT, "Co-hosted customer event", 10, 1),
        ):
            day = _in_period(plan.starts_on, plan.ends_on, month, 20)
            if day is None:
                continue
            start = day
            action_create(
                plan=plan,
                by=cm,
                data=ActionInput(
                    kind=kind,
                    title=title,
                    owner=cm,
                    starts_on=start,
                    ends_on=start + dt.timedelta(days=days - 1),
                    planned_cost=Decimal("4000"),
                    expected_revenue={month_add(start.replace(day=1), 1): Decimal("30000")},
                    partner_ids=(partner.pk,),
                ),
            )
            counts["actions"] += 1
        plan_set_status(plan=plan, status=ActionPlan.Status.ACTIVE)
        first = plan_version_share(plan=plan, by=cm, note="Our plan for the year, as discussed.")
        plan_version_accept(version=first, by=partner_admin)
        december = _in_period(plan.starts_on, plan.ends_on, 12, 1)
        if december is not None:
            action_create(
                plan=plan,
                by=cm,
                data=ActionInput(
                    kind=Action.Kind.EMAIL_CAMPAIGN,
                    title="Year-end offer to the partner's customers",
                    owner=cm,
                    starts_on=december,
                    ends_on=december + dt.timedelta(days=9),
                    planned_cost=Decimal("1500"),
                    partner_ids=(partner.pk,),
                ),
            )
            counts["actions"] += 1
        plan_version_share(plan=plan, by=cm, note="Adds a year-end campaign.")
        partner_user = User.objects.filter(partner=partner, role=User.Role.PARTNER_USER).first()
        plan_comment_add(
            plan=plan,
            by=partner_user or partner_admin,
            body="Can the year-end campaign include our own customer list?",
        )
    return counts
