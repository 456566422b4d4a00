"""The portal home: the partner's published objective and attainment, its tier progress."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from dirco.conftest import Company
from dirco.objectives.fiscal_calendar import fiscal_year_of
from dirco.objectives.services import objective_create, objective_publish
from dirco.partners.models import Partner
from dirco.portal.selectors import partner_tier_progress
from dirco.portal.tests.conftest import World, client_for
from dirco.registrations.services import registration_approve
from dirco.scopes import Scope

pytestmark = pytest.mark.django_db


def test_home_shows_the_published_objective(company: Company, world: World) -> None:
    year = fiscal_year_of(timezone.localdate())
    client = client_for(company.partner_a_user)
    assert b"No objective has been set" in client.get(reverse("portal:home")).content
    objective = objective_create(
        user=company.director,
        scope=Scope("partner", company.partner_a.pk),
        fiscal_year=year,
        amount="120000",
        split_method="flat",
    )
    objective_publish(objective=objective, user=company.director, confirm=True)
    html = client.get(reverse("portal:home")).content.decode()
    assert f"Objective {year}" in html
    assert "120,000" in html
    # B has no objective, and never sees A's.
    b_html = client_for(company.partner_b_user).get(reverse("portal:home")).content.decode()
    assert "120,000" not in b_html and "No objective has been set" in b_html


def test_tier_progress_against_the_next_tier(company: Company, world: World) -> None:
    partner = Partner.objects.select_related("tier").get(pk=company.partner_b.pk)
    # Only approved registrations count: the one under review does not, until approved.
    progress = partner_tier_progress(partner=partner, today=timezone.localdate())
    assert progress.kpis[1].value == 0
    registration_approve(registration=world.registration_b, approved_by=company.director)
    progress = partner_tier_progress(partner=partner, today=timezone.localdate())
    assert progress.tier == world.bronze and progress.next_tier == world.silver
    revenue, registrations, certified = progress.kpis
    assert revenue.target == Decimal(50000) and not revenue.met
    assert registrations.value == 1 and registrations.target == 5
    assert registrations.percent == 20
    assert certified.value is None and certified.percent == 0
    html = client_for(company.partner_b_user).get(reverse("portal:home")).content.decode()
    assert "What Silver asks" in html


def test_tier_progress_is_one_figure_on_the_portal_home_and_the_partner_list(
    company: Company, world: World
) -> None:
    """The portal home and the partner list read the same selector
    (registrations.partner_figures): same criteria met, same goal tier, and the list's won
    column is the tier progress's won revenue (the director sees every deal)."""
    import re

    from dirco.pipeline.models import Stage
    from dirco.pipeline.tests.factories import DealFactory

    DealFactory(
        owner=company.rep,
        partner=company.partner_b,
        stage=Stage.objects.get(name="Won"),
        amount=Decimal(60000),
        amount_company=Decimal(60000),
        close_date=timezone.localdate(),
        expected_close_date=timezone.localdate(),
    )
    registration_approve(registration=world.registration_b, approved_by=company.director)
    partner = Partner.objects.select_related("tier").get(pk=company.partner_b.pk)
    progress = partner_tier_progress(partner=partner, today=timezone.localdate())
    assert progress.kpis[0].value == Decimal(60000) and progress.kpis[0].met
    response = client_for(company.director).get(reverse("partner_list"), {"q": partner.name})
    listed = response.context["progress"][partner.pk]
    assert (listed.met, listed.of, listed.goal) == (progress.met, progress.of, progress.goal)
    row = next(p for p in response.context["page_obj"] if p.pk == partner.pk)
    assert row.won_12m == progress.kpis[0].value
    html = response.content.decode()
    assert re.search(rf"{progress.met}/{progress.of} toward {progress.goal.name}", html)
    portal = client_for(company.partner_b_user).get(reverse("portal:home"))
    assert portal.context["tier_progress"].met == progress.met
