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
