"""The tier review: each active partner's KPIs over the last 12 months against the tier
thresholds, giving proposed upgrades and downgrades. Nothing changes until the director
confirms a proposal; each confirmed change is kept in the partner's tier history.

Certified people count "when known": a partner whose count is unknown keeps (or drops to) a
tier regardless of that threshold, but is not upgraded to a tier that requires certified people.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dirco.accounts.models import User
from dirco.accounts.permissions import partner_admins_of
from dirco.core.errors import ApplicationError
from dirco.core.money import company_currency, quantize
from dirco.notifications.services import notification_send
from dirco.partners.models import Partner, Tier
from dirco.pipeline.models import Deal
from dirco.registrations.models import (
    DealRegistration,
    OnboardingChecklist,
    TierChange,
    TierProposal,
    TierReview,
)
from dirco.registrations.permissions import tier_review_may_run

_Row = TypeVar("_Row")


@dataclass(frozen=True)
class PartnerKpis:
    won_revenue: Decimal
    registrations: int
    certified_people: int | None

    def as_json(self, *, start: dt.date, end: dt.date) -> dict[str, Any]:
        return {
            "won_revenue": str(self.won_revenue),
            "currency": company_currency(),
            "registrations": self.registrations,
            "certified_people": self.certified_people,
            "period_start": start.isoformat(),
            "period_end": end.isoformat(),
        }


def review_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last 12 months, today included."""
    return today - dt.timedelta(days=364), today


def _won_deals(start: dt.date, end: dt.date) -> QuerySet[Deal]:
    return Deal.objects.filter(stage__is_won=True, close_date__gte=start, close_date__lte=end)


def _approved_registrations(start: dt.date, end: dt.date) -> QuerySet[DealRegistration]:
    """Registrations approved in the period (pending, rejected and never-approved expired ones
    do not count: a partner must not climb a tier by submitting junk)."""
    tz = timezone.get_current_timezone()
    return DealRegistration.objects.filter(
        approved_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        approved_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def won_in_period(
    deals: QuerySet[Deal, _Row], *, start: dt.date, end: dt.date
) -> QuerySet[Deal, _Row]:
    """The deals that count as a partner's won revenue of a review period: won, closed in
    it (both days included). The tier review, the portal and the partner list all filter so."""
    return deals.filter(stage__is_won=True, close_date__gte=start, close_date__lte=end)


def partner_kpis(*, partner_ids: list[int], start: dt.date, end: dt.date) -> dict[int, PartnerKpis]:
    """KPIs per partner in three queries: won revenue (company currency), registrations
    approved in the period, certified people (None when unknown)."""
    revenue = dict(
        won_in_period(Deal.objects.filter(partner_id__in=partner_ids), start=start, end=end)
        .values("partner_id")
        .annotate(total=Sum("amount_company"))
        .values_list("partner_id", "total")
    )
    registrations = dict(
        _approved_registrations(start, end)
        .filter(partner_id__in=partner_ids)
        .values("partner_id")
        .annotate(n=Count("id"))
        .values_list("partner_id", "n")
    )
    certified = dict(
        OnboardingChecklist.objects.filter(partner_id__in=partner_ids).values_list(
            "partner_id", "certified_people"
        )
    )
    return {
        pk: PartnerKpis(
            won_revenue=quantize(Decimal(revenue.get(pk) or 0)),
            registrations=registrations.get(pk, 0),
            certified_people=certified.get(pk),
        )
        for pk in partner_ids
    }


TIER_PROGRESS_CRITERIA = 3


def partners_with_tier_progress(
    qs: QuerySet[Partner], *, start: dt.date, end: dt.date
) -> QuerySet[Partner]:
    """``qs`` annotated with each partner's progress toward its next tier, in SQL so that a
    list can sort by it: the tier review's KPIs (the filters of :func:`partner_kpis`), the
    goal tier (the next one up; its own tier, to keep it, at the top) and ``progress_met``,
    how many of the ``TIER_PROGRESS_CRITERIA`` thresholds the partner meets (an unknown
    certified count meets none). The one definition of the partner list's Tier progress column
    and of its sort. Correlated subqueries: the database computes them only for the rows it
    returns, or for every row when sorting by progress (like the list's Won column)."""
    partner = OuterRef("pk")
    zero = Value(Decimal(0), output_field=DecimalField(max_digits=18, decimal_places=2))
    won = (
        _won_deals(start, end)
        .filter(partner=partner)
        .order_by()
        .values("partner")
        .annotate(s=Sum("amount_company"))
        .values("s")[:1]
    )
    approved = (
        _approved_registrations(start, end)
        .filter(partner=partner)
        .order_by()
        .values("partner")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )
    certified = OnboardingChecklist.objects.filter(partner=partner).values("certified_people")[:1]
    above = Tier.objects.filter(rank__lt=OuterRef("tier__rank")).order_by("-rank")

    def goal(field: str) -> Coalesce:
        return Coalesce(Subquery(above.values(field)[:1]), F(f"tier__{field}"))

    def met(kpi: str, threshold: str) -> Case:
        return Case(When(**{f"{kpi}__gte": F(threshold)}, then=1), default=0)

    return qs.annotate(
        kpi_won=Coalesce(Subquery(won), zero),
        kpi_registrations=Coalesce(Subquery(approved), 0),
        kpi_certified=Subquery(certified),
        goal_name=goal("name"),
        goal_min_won=goal("min_won_revenue"),
        goal_min_registrations=goal("min_registrations"),
        goal_min_certified=goal("min_certified_people"),
        progress_top=~Exists(above),
    ).annotate(
        progress_met=met("kpi_won", "goal_min_won")
        + met("kpi_registrations", "goal_min_registrations")
        + met("kpi_certified", "goal_min_certified")
    )


def tier_qualifies(*, tier: Tier, kpis: PartnerKpis, current: Tier) -> bool:
    if kpis.won_revenue < tier.min_won_revenue or kpis.registrations < tier.min_registrations:
        return False
    if kpis.certified_people is None:
        # Unknown certifications never block keeping a tier, but never earn an upgrade.
        return tier.min_certified_people == 0 or tier.rank >= current.rank
    return kpis.certified_people >= tier.min_certified_people


def tier_eligible(*, kpis: PartnerKpis, current: Tier, tiers: list[Tier]) -> Tier:
    """The best tier (lowest rank) whose thresholds are met; the entry tier otherwise."""
    ranked = sorted(tiers, key=lambda t: t.rank)
    for tier in ranked:
        if tier_qualifies(tier=tier, kpis=kpis, current=current):
            return tier
    return ranked[-1]


@transaction.atomic
def tier_review_run(*, run_by: User, today: dt.date | None = None) -> TierReview:
    """Compute the KPIs of every active partner and propose each needed tier change.

    Earlier proposals still waiting are dismissed: the new review supersedes them.
    """
    if not tier_review_may_run(user=run_by):
        raise PermissionDenied(_("Only the sales director runs the tier review."))
    today = today or timezone.localdate()
    start, end = review_period(today)
    tiers = list(Tier.objects.all())
    if not tiers:
        raise ApplicationError(_("Create partner tiers in the admin before reviewing them."))
    TierProposal.objects.filter(status=TierProposal.Status.PROPOSED).update(
        status=TierProposal.Status.DISMISSED, decided_at=timezone.now()
    )
    review = TierReview.objects.create(run_by=run_by, period_start=start, period_end=end)
    partners = list(Partner.objects.filter(status=Partner.Status.ACTIVE).select_related("tier"))
    kpis = partner_kpis(partner_ids=[p.pk for p in partners], start=start, end=end)
    proposals = []
    for partner in partners:
        target = tier_eligible(kpis=kpis[partner.pk], current=partner.tier, tiers=tiers)
        if target.pk != partner.tier_id:
            proposals.append(
                TierProposal(
                    review=review,
                    partner=partner,
                    from_tier=partner.tier,
                    to_tier=target,
                    kpis=kpis[partner.pk].as_json(start=start, end=end),
                )
            )
    TierProposal.objects.bulk_create(proposals)
    return review


def _proposal_open(proposal: TierProposal, user: User) -> TierProposal:
    if not tier_review_may_run(user=user):
        raise PermissionDenied(_("Only the sales director confirms tier changes."))
    proposal = (
        TierProposal.objects.select_for_update(of=("self",))
        .select_related("partner", "from_tier", "to_tier")
        .get(pk=proposal.pk)
    )
    if proposal.status != TierProposal.Status.PROPOSED:
        raise ApplicationError(_("This proposal was already decided."))
    return proposal


@transaction.atomic
def tier_proposal_confirm(*, proposal: TierProposal, confirmed_by: User) -> TierChange:
    proposal = _proposal_open(proposal, confirmed_by)
    partner = Partner.objects.select_for_update().get(pk=proposal.partner_id)
    if partner.tier_id != proposal.from_tier_id:
        raise ApplicationError(
            _("The partner's tier changed since this review; run the review again.")
        )
    now = timezone.now()
    partner.tier = proposal.to_tier
    partner.save(update_fields=["tier", "updated_at"])
    proposal.status = TierProposal.Status.CONFIRMED
    proposal.decided_by = confirmed_by
    proposal.decided_at = now
    proposal.save(update_fields=["status", "decided_by", "decided_at"])
    change = TierChange.objects.create(
        partner=partner,
        from_tier=proposal.from_tier,
        to_tier=proposal.to_tier,
        changed_by=confirmed_by,
        changed_at=now,
        kpis=proposal.kpis,
        proposal=proposal,
    )
    recipients = list(partner_admins_of(partner.pk))
    if partner.channel_manager is not None:
        recipients.append(partner.channel_manager)
    for user in recipients:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            notification_send(
                recipients=[user],
                kind="partner-tier-changed",
                title=_("%(partner)s is now in tier %(tier)s")
                % {"partner": partner.name, "tier": proposal.to_tier.name},
            )
    return change


@transaction.atomic
def tier_proposal_dismiss(*, proposal: TierProposal, dismissed_by: User) -> TierProposal:
    proposal = _proposal_open(proposal, dismissed_by)
    proposal.status = TierProposal.Status.DISMISSED
    proposal.decided_by = dismissed_by
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decided_by", "decided_at"])
    return proposal
