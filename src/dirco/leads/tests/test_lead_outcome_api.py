"""The outcome of an accepted lead over the API (convert, mark lost): one rule,
``leads.permissions.lead_can_convert`` (the matrix's ("lead", "approve")), for the page, the
API and the services; the allowed users beside the forbidden ones."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dirco.accounts.models import User
from dirco.api.tests.clients import AUTH_KINDS, client_for, error_fields, post_json
from dirco.conftest import Company
from dirco.core.access_matrix import access_scope
from dirco.leads.models import Lead
from dirco.leads.permissions import lead_can_convert
from dirco.leads.services import lead_accept
from dirco.leads.tests.conftest import Map
from dirco.leads.tests.factories import LeadFactory
from dirco.leads.tests.scenario import offer
from dirco.pipeline.models import Deal

pytestmark = pytest.mark.django_db


@pytest.fixture(params=AUTH_KINDS)
def auth_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _accepted_by_a(company: Company, geo: Map) -> Lead:
    lead = LeadFactory(
        company_name="Outcome Robotics",
        territory=geo.ouest,
        product_line=geo.product_line,
        email="buyer@outcome.example",
    )
    offer(lead, partner=company.partner_a)
    return lead_accept(lead=lead, user=company.partner_a_user)


def _accepted_by_rep(company: Company, geo: Map) -> Lead:
    lead = LeadFactory(territory=geo.ouest, product_line=geo.product_line)
    offer(lead, rep=company.rep)
    return lead_accept(lead=lead, user=company.rep)


# Partner A's accepted lead (channel manager: rep, in the manager's North team).
DECIDES = {
    "director": True,
    "manager": True,
    "rep": True,
    "partner_a_admin": True,
    "partner_a_user": True,
    "marketing": False,
    "other_manager": False,
    "other_rep": False,
    "partner_b_user": False,
}


@pytest.mark.parametrize(("who", "allowed"), sorted(DECIDES.items()))
def test_who_decides_an_accepted_lead_follows_the_matrix(
    company: Company, geo: Map, who: str, allowed: bool
) -> None:
    user: User = getattr(company, who)
    lead = _accepted_by_a(company, geo)
    assert lead_can_convert(user=user, lead=lead) is allowed
    # The matrix row says the same: "none" refuses, the narrower scopes name these users.
    if access_scope(obj="lead", action="approve", role=user.role) == "none":
        assert not allowed
    # Nobody decides a lead that is not accepted.
    lead.status = Lead.Status.OFFERED
    assert lead_can_convert(user=user, lead=lead) is False


def test_a_rep_s_own_lead_is_decided_by_the_rep_and_its_manager(company: Company, geo: Map) -> None:
    lead = _accepted_by_rep(company, geo)
    assert lead_can_convert(user=company.rep, lead=lead)
    assert lead_can_convert(user=company.manager, lead=lead)
    assert not lead_can_convert(user=company.other_manager, lead=lead)
    assert not lead_can_convert(user=company.partner_a_admin, lead=lead)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("partner_a_user", 200),
        ("manager", 200),
        ("marketing", 403),
        ("partner_b_user", 404),
        ("other_rep", 404),
    ],
)
def test_convert_over_the_api(
    company: Company, geo: Map, auth_kind: str, who: str, status: int
) -> None:
    lead = _accepted_by_a(company, geo)
    client = client_for(auth_kind, getattr(company, who))
    response = post_json(client, f"/api/v1/leads/{lead.pk}/convert", {})
    assert response.status_code == status, response.content
    lead.refresh_from_db()
    if status == 200:
        body = response.json()
        assert body["status"] == "converted" and body["deal_id"] == lead.deal_id
        deal = Deal.objects.get(pk=lead.deal_id)
        assert (deal.partner, deal.owner) == (company.partner_a, company.rep)
    else:
        assert lead.status == Lead.Status.ACCEPTED and lead.deal_id is None
        assert error_fields(response) == {}


def test_lost_over_the_api_needs_a_reason_and_the_right(
    company: Company, geo: Map, auth_kind: str
) -> None:
    lead = _accepted_by_a(company, geo)
    url = f"/api/v1/leads/{lead.pk}/lost"
    beta = client_for(auth_kind, company.partner_b_user)
    assert post_json(beta, url, {"reason": "Mine now"}).status_code == 404
    marketing = client_for(auth_kind, company.marketing)
    assert post_json(marketing, url, {"reason": "No"}).status_code == 403
    alpha = client_for(auth_kind, company.partner_a_admin)
    empty = post_json(alpha, url, {"reason": ""})
    assert empty.status_code == 400 and "reason" in error_fields(empty)
    response = post_json(alpha, url, {"reason": "No budget this year"})
    assert response.status_code == 200
    assert response.json()["status"] == "lost"
    assert response.json()["lost_reason"] == "No budget this year"
    # Decided once: a second decision is a 400 that says why, not a 403.
    again = post_json(alpha, f"/api/v1/leads/{lead.pk}/convert", {})
    assert again.status_code == 400
    assert "accepted" in again.json()["error"]["message"]


def test_the_page_and_the_api_share_the_rule(company: Company, geo: Map) -> None:
    """A manager whose line holds the partner's channel manager converts on the page too;
    marketing, which sees every lead, is refused on both."""
    lead = _accepted_by_a(company, geo)
    marketing = Client()
    marketing.force_login(company.marketing)
    response = marketing.post(reverse("lead_lost", args=[lead.pk]), {"reason": "x"})
    assert response.status_code == 403
    manager = Client()
    manager.force_login(company.manager)
    response = manager.post(reverse("lead_convert", args=[lead.pk]))
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.status == Lead.Status.CONVERTED
