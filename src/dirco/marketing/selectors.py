"""Reads of direct marketing: campaign figures and the contacts' consent page."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from dirco.marketing.consent import suppressed_q
from dirco.marketing.models import Campaign, Recipient
from dirco.partners.models import Contact


@dataclass(frozen=True)
class CampaignFigures:
    """How far a campaign's emails got. ``opened`` counts every recipient who opened (a
    click counts as an open); rates are out of the emails delivered (sent, opened, clicked
    and unsubscribed after delivery)."""

    total: int
    by_status: dict[str, int]
    delivered: int
    opened: int
    clicked: int

    @property
    def open_rate(self) -> float | None:
        return self.opened / self.delivered if self.delivered else None

    @property
    def click_rate(self) -> float | None:
        return self.clicked / self.delivered if self.delivered else None


def campaign_figures(*, campaign: Campaign) -> CampaignFigures:
    rows = dict(
        Recipient.objects.filter(campaign=campaign)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    by_status = {status: int(rows.get(status, 0)) for status in Recipient.Status.values}
    agg = Recipient.objects.filter(campaign=campaign).aggregate(
        delivered=Count("pk", filter=Q(sent_at__isnull=False)),
        opened=Count("pk", filter=Q(opened_at__isnull=False)),
        clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
    )
    return CampaignFigures(
        total=sum(by_status.values()),
        by_status=by_status,
        delivered=agg["delivered"],
        opened=agg["opened"],
        clicked=agg["clicked"],
    )


def contacts_with_consent(*, q: str = "") -> QuerySet[Contact]:
    """Every contact with an address, its consent and whether it is suppressed (the
    consent page of marketing, which sees every contact of the company)."""
    qs = (
        Contact.objects.exclude(email="")
        .select_related("partner", "account", "marketing_consent")
        .annotate(is_suppressed=suppressed_q())
    )
    q = q.strip()
    if q:
        qs = qs.filter(
            Q(email__icontains=q)
            | Q(last_name__icontains=q)
            | Q(first_name__icontains=q)
            | Q(partner__name__icontains=q)
            | Q(account__name__icontains=q)
        )
    return qs.order_by("last_name", "first_name", "pk")
