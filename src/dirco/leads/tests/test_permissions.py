"""Who sees which lead and which part of its history."""

from __future__ import annotations

import pytest
from django.http import Http404

from dirco.accounts.models import User
from dirco.conftest import Company
from dirco.leads.models import LeadEvent
from dirco.leads.permissions import (
    get_lead_for_user,
    lead_can_create,
    lead_can_respond,
    lead_can_route,
    lead_events_visible_to,
    leads_visible_to,
)
from dirco.leads.selectors import leads_offered_to
from dirco.leads.tests.conftest import Map
from dirco.leads.tests.scenario import Leads, leads_scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def leads(company: Company, geo: Map) -> Leads:
    return leads_scenario(company, geo)


def _names(user: User) -> set[str]:
    return set(leads_visible_to(user).values_list("company_name", flat=True))


def test_visibility_per_role(company: Company, leads: Leads) -> None:
    everything = {"Lead for A", "Lead for B", "Lead A then B", "Lead for the rep", "Unrouted lead"}
    assert _names(company.director) == everything
    assert _names(company.marketing) == everything
    assert _names(company.manager) == {"Lead for A", "Lead A then B", "Lead for the rep"}
    assert _names(company.rep) == {"Lead for A", "Lead A then B", "Lead for the rep"}
    assert _names(company.other_manager) == {"Lead for B", "Lead A then B"}
    assert _names(company.other_rep) == {"Lead for B", "Lead A then B"}
    # Partners: only what is offered to or taken by their own partner, now.
    assert _names(company.partner_a_user) == {"Lead for A"}
    assert _names(company.partner_a_admin) == {"Lead for A"}
    assert _names(company.partner_b_user) == {"Lead for B", "Lead A then B"}


def test_hidden_and_missing_leads_both_404(company: Company, leads: Leads) -> None:
    with pytest.raises(Http404):
        get_lead_for_user(user=company.partner_a_user, lead_id=leads.ab.pk)
    with pytest.raises(Http404):
        get_lead_for_user(user=company.partner_b_user, lead_id=leads.a.pk)
    with pytest.raises(Http404):
        get_lead_for_user(user=company.director, lead_id=999999)
    with pytest.raises(Http404):
        get_lead_for_user(user=company.director, lead_id="nope")


def test_partner_sees_only_its_own_events(company: Company, leads: Leads) -> None:
    events = lead_events_visible_to(user=company.partner_b_user, lead=leads.ab)
    assert {e.partner_id for e in events} == {company.partner_b.pk}
    assert not events.filter(message__contains="Secret").exists()
    assert not lead_events_visible_to(user=company.partner_a_user, lead=leads.ab).exists()
    assert (
        lead_events_visible_to(user=company.director, lead=leads.ab)
        .filter(kind=LeadEvent.Kind.DECLINED)
        .exists()
    )


def test_inactive_user_sees_nothing(company: Company, leads: Leads) -> None:
    company.director.is_active = False
    company.director.save()
    assert not leads_visible_to(company.director).exists()


def test_action_rights(company: Company, leads: Leads) -> None:
    assert lead_can_create(user=company.marketing) and lead_can_create(user=company.director)
    for user in (company.manager, company.rep, company.partner_a_admin):
        assert not lead_can_create(user=user)
    assert lead_can_route(user=company.manager, lead=leads.a)
    assert not lead_can_route(user=company.other_manager, lead=leads.a)
    assert not lead_can_route(user=company.rep, lead=leads.a)
    assert not lead_can_route(user=company.partner_a_admin, lead=leads.a)
    assert lead_can_respond(user=company.partner_a_user, lead=leads.a)
    assert not lead_can_respond(user=company.partner_b_user, lead=leads.a)
    assert not lead_can_respond(user=company.rep, lead=leads.a)
    assert lead_can_respond(user=company.rep, lead=leads.rep)
    assert not lead_can_respond(user=company.other_rep, lead=leads.rep)


def test_leads_offered_to(company: Company, leads: Leads) -> None:
    assert list(leads_offered_to(company.partner_a_user)) == [leads.a]
    assert set(leads_offered_to(company.partner_b_user)) == {leads.b, leads.ab}
    assert list(leads_offered_to(company.rep)) == [leads.rep]
    assert not leads_offered_to(company.director).exists()
