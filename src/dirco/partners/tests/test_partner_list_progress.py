"""The partner list's Tier progress column: the tier review's KPIs against the next tier's
thresholds, computed in SQL (registrations.tier_review.partners_with_tier_progress) so that the
column sorts; it shows and sorts what the tier review counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dirco.conftest import Company
from dirco.partners.models import Partner, Tier
from dirco.partners.tests.factories import PartnerFactory
from dirco.pipeline.tests.factories import DealFactory, stage_named
from dirco.registrations.models import DealRegistration, OnboardingChecklist
from dirco.registrations.tests.factories import submit
from dirco.registrations.tier_review import partner_kpis, review_period

pytestmark = pytest.mark.django_db


def _met_by_the_tier_review(partner: Partner) -> int:
    """The count the tier review's own KPIs give (an independent reckoning)."""
    start, end = review_period(timezone.localdate())
    k = partner_kpis(partner_ids=[partner.pk], start=start, end=end)[partner.pk]
    above = Tier.objects.filter(rank__lt=partner.tier.rank).order_by("-rank").first()
    goal = above or partner.tier
    return sum(
        [
            k.won_revenue >= goal.min_won_revenue,
            k.registrations >= goal.min_registrations,
            k.certified_people is not None and k.certified_people >= goal.min_certified_people,
        ]
    )


@pytest.fixture
def ladder(company: Company) -> list[Partner]:
    top = Tier.objects.create(
        name="Platinum",
        rank=0,
        min_won_revenue=Decimal("50000"),
        min_registrations=2,
        min_certified_people=3,
    )
    entry = company.partner_a.tier
    strong = PartnerFactory(name="Strong", tier=entry, channel_manager=company.rep)
    middle = PartnerFactory(name="Middle", tier=entry, channel_manager=company.rep)
    weak = PartnerFactory(name="Weak", tier=entry, channel_manager=company.rep)
    at_top = PartnerFactory(name="Summit", tier=top, channel_manager=company.rep)
    today = timezone.localdate()
    for partner, amount in ((strong, 60000), (middle, 60000), (at_top, 1000)):
        DealFactory(
            partner=partner,
            owner=company.rep,
            stage=stage_named("Won"),
            amount=Decimal(amount),
            close_date=today,
        )
    for partner, n in ((strong, 2), (middle, 2)):
        for i in range(n):
            registration = submit(
                company.partner_a_user,
                customer_name=f"Customer {partner.name} {i}",
                customer_domain=f"c{partner.pk}-{i}.example",
                customer_legal_identifier="",
            )
            DealRegistration.objects.filter(pk=registration.pk).update(
                partner=partner,
                status=DealRegistration.Status.APPROVED,
                approved_at=timezone.now(),
            )
    # A pending registration counts for nothing (issue 9: junk does not climb tiers).
    pending = submit(company.partner_a_user, customer_name="Junk", customer_legal_identifier="")
    DealRegistration.objects.filter(pk=pending.pk).update(partner=weak)
    OnboardingChecklist.objects.create(partner=strong, certified_people=3)
    OnboardingChecklist.objects.create(partner=middle, certified_people=None)
    return [strong, middle, weak, at_top]


def test_the_column_shows_the_tier_reviews_count_and_sorts_by_it(
    company: Company, ladder: list[Partner]
) -> None:
    client = Client()
    client.force_login(company.director)
    response = client.get(reverse("partner_list"), {"sort": "-progress"})
    assert response.status_code == 200
    rows = list(response.context["page_obj"])
    met = [p.progress_met for p in rows]
    assert met == sorted(met, reverse=True)
    for partner in rows:
        assert partner.progress_met == _met_by_the_tier_review(partner), partner.name
    by_name = {p.name: p for p in rows}
    assert by_name["Strong"].progress_met == 3
    assert by_name["Middle"].progress_met == 2  # certified people unknown: not met
    assert by_name["Weak"].progress_met <= 1
    assert by_name["Summit"].progress_top and not by_name["Strong"].progress_top
    assert by_name["Strong"].goal_name == "Platinum"
    html = response.content.decode()
    assert "3/3 toward Platinum" in html
    assert html.index("Strong") < html.index("Middle") < html.index("Weak")
    # The header links the sort and says its state; the other way round flips it.
    assert 'aria-sort="descending"><a href="?sort=progress"' in html
    ascending = client.get(reverse("partner_list"), {"sort": "progress"})
    met = [p.progress_met for p in ascending.context["page_obj"]]
    assert met == sorted(met)


def test_sorting_by_progress_keeps_the_query_count(
    company: Company, ladder: list[Partner], django_assert_max_num_queries: object
) -> None:
    client = Client()
    client.force_login(company.director)
    with django_assert_max_num_queries(10):  # type: ignore[operator]
        assert client.get(reverse("partner_list"), {"sort": "-progress"}).status_code == 200
