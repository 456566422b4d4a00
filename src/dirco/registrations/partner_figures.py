"""A partner's figures of the tier programme, read in one place: the portal home, the tier
review and the partner list all show these.

- **Tier progress**: the tier review's own KPIs over its 12 months (``tier_review.partner_kpis``:
  won revenue, approved registrations, certified people) against the criteria of the next
  tier up, or of the current tier (to keep it) at the top.
- **Partner list columns**: won revenue over the same 12 months (the same won-deal filter,
  ``tier_review.won_in_period``) and the open pipeline, both over the deals the viewer may
  see, as sortable annotations.

This module sits above partners and the pipeline (it reads both), which is why the partner
list's view lives in ``registrations.views`` and not in ``partners.views``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from dirco.accounts.models import User
from dirco.partners.models import Partner, Tier
from dirco.pipeline.permissions import deals_visible_to
from dirco.registrations.tier_review import partner_kpis, review_period, won_in_period


@dataclass(frozen=True)
class TierKpi:
    key: str  # won_revenue, registrations, certified_people
    label: str
    value: Decimal | int | None  # None: not known yet (certified people)
    target: Decimal | int
    is_money: bool

    @property
    def met(self) -> bool:
        return self.value is not None and self.value >= self.target

    @property
    def percent(self) -> int:
        """Progress towards the target, 0-100, for a <progress> bar."""
        if self.value is None:
            return 0
        if not self.target:
            return 100
        return max(0, min(100, int(Decimal(self.value) * 100 / Decimal(self.target))))


@dataclass(frozen=True)
class TierProgress:
    tier: Tier
    next_tier: Tier | None
    period_start: dt.date
    period_end: dt.date
    kpis: list[TierKpi]

    @property
    def goal(self) -> Tier:
        """The tier whose criteria are counted: the next one up, or the current at the top."""
        return self.next_tier or self.tier

    @property
    def top(self) -> bool:
        return self.next_tier is None

    @property
    def met(self) -> int:
        return sum(1 for k in self.kpis if k.met)

    @property
    def of(self) -> int:
        return len(self.kpis)

    @property
    def all_met(self) -> bool:
        return self.met == self.of


def tier_progress(*, partners: Sequence[Partner], today: dt.date) -> dict[int, TierProgress]:
    """Each partner's tier progress (see the module), by id: four queries for any number."""
    if not partners:
        return {}
    start, end = review_period(today)
    kpis = partner_kpis(partner_ids=[p.pk for p in partners], start=start, end=end)
    tiers = list(Tier.objects.order_by("rank"))
    out: dict[int, TierProgress] = {}
    for partner in partners:
        above = [t for t in tiers if t.rank < partner.tier.rank]
        next_tier = above[-1] if above else None
        goal = next_tier or partner.tier
        k = kpis[partner.pk]
        out[partner.pk] = TierProgress(
            tier=partner.tier,
            next_tier=next_tier,
            period_start=start,
            period_end=end,
            kpis=[
                TierKpi("won_revenue", _("Won revenue"), k.won_revenue, goal.min_won_revenue, True),
                TierKpi(
                    "registrations",
                    _("Approved deal registrations"),
                    k.registrations,
                    goal.min_registrations,
                    False,
                ),
                TierKpi(
                    "certified_people",
                    _("Certified people"),
                    k.certified_people,
                    goal.min_certified_people,
                    False,
                ),
            ],
        )
    return out


def partners_with_figures(
    qs: QuerySet[Partner], *, user: User, today: dt.date
) -> QuerySet[Partner]:
    """``qs`` annotated with ``won_12m`` (won revenue over the tier review's period) and
    ``pipeline_open`` (open deals), in the company currency, over the deals ``user`` may
    see: one subquery each, sortable."""
    start, end = review_period(today)
    deals = deals_visible_to(user).filter(partner=OuterRef("pk")).order_by().values("partner")
    won = won_in_period(deals, start=start, end=end)
    open_ = deals.filter(stage__is_won=False, stage__is_lost=False)
    zero = Value(Decimal(0), output_field=DecimalField(max_digits=18, decimal_places=2))
    return qs.annotate(
        won_12m=Coalesce(Subquery(won.annotate(s=Sum("amount_company")).values("s")[:1]), zero),
        pipeline_open=Coalesce(
            Subquery(open_.annotate(s=Sum("amount_company")).values("s")[:1]), zero
        ),
    )
