"""Reads of the portal home: attainment of the partner's objective and its tier progress.

Everything comes from the domain selectors (objectives, registrations' tier review, pipeline),
called with the partner user so that their own access checks apply.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from dirco.accounts.models import User
from dirco.objectives.fiscal_calendar import fiscal_year_of
from dirco.objectives.selectors import attainment_for
from dirco.partners.models import Partner, Tier
from dirco.registrations.tier_review import partner_kpis, review_period
from dirco.scopes import Scope


@dataclass(frozen=True)
class TierKpi:
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
    def all_met(self) -> bool:
        return all(k.met for k in self.kpis)


def partner_tier_progress(*, partner: Partner, today: dt.date) -> TierProgress:
    """The last 12 months' KPIs against the thresholds of the next tier up (or the current
    tier's, to keep it, when the partner is already at the top)."""
    start, end = review_period(today)
    kpis = partner_kpis(partner_ids=[partner.pk], start=start, end=end)[partner.pk]
    next_tier = Tier.objects.filter(rank__lt=partner.tier.rank).order_by("-rank").first()
    goal = next_tier or partner.tier
    return TierProgress(
        tier=partner.tier,
        next_tier=next_tier,
        period_start=start,
        period_end=end,
        kpis=[
            TierKpi(_("Won revenue"), kpis.won_revenue, goal.min_won_revenue, True),
            TierKpi(
                _("Approved deal registrations"), kpis.registrations, goal.min_registrations, False
            ),
            TierKpi(_("Certified people"), kpis.certified_people, goal.min_certified_people, False),
        ],
    )


def partner_attainment(*, user: User, partner: Partner, today: dt.date) -> dict[str, Any]:
    """The partner's objective for this fiscal year and where it stands (objectives app)."""
    return attainment_for(
        scope=Scope("partner", partner.pk), period=fiscal_year_of(today), user=user, today=today
    )
