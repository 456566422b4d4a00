"""Postcode areas give a lead its territory (public form and API); a region that does not cover
the lead's country is refused; a lead can be offered by hand, by whoever may route it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from dirco.api.tests.clients import client_for, error_fields, post_json
from dirco.conftest import Company
from dirco.core.errors import ApplicationError
from dirco.leads.forms import contact_form_token
from dirco.leads.models import Lead, LeadAssignment, LeadEvent, TerritoryArea
from dirco.leads.services import lead_assign, lead_create, lead_route
from dirco.leads.tests.conftest import Map
from dirco.leads.tests.urls import API_PREFIX
from dirco.partners.models import Territory
from dirco.partners.tests.factories import PartnerFactory, TerritoryFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("dirco.leads.tests.urls")]
T0 = dt.datetime(2031, 3, 3, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def areas(geo: Map) -> dict[str, Territory]:
    """Lille's department (59) in the north-east, Nantes' (44) in the west, America apart."""
    nord = TerritoryFactory(name="France Nord", code="fr-nord", parent=geo.france)
    america = TerritoryFactory(name="Amérique du Nord", code="north-america")
    TerritoryArea.objects.create(territory=nord, country="FR", postcode_prefix="59")
    TerritoryArea.objects.create(territory=geo.ouest, country="FR", postcode_prefix="44")
    TerritoryArea.objects.create(territory=geo.france, country="FR", postcode_prefix="")
    TerritoryArea.objects.create(territory=america, country="CA", postcode_prefix="")
    TerritoryArea.objects.create(territory=america, country="US", postcode_prefix="")
    return {"nord": nord, "america": america}


def _lead(**overrides: Any) -> dict[str, Any]:
    data = {
        "company_name": "Brasserie Lilloise",
        "contact_name": "Julie Vandamme",
        "email": "julie@brasserie.example",
        "country": "FR",
        "postcode": "59000",
        "consent": True,
    }
    data.update(overrides)
    return data


def test_a_lead_from_lille_gets_its_territory_and_routes_through_the_public_form(
    company: Company, geo: Map, areas: dict[str, Territory], django_capture_on_commit_callbacks: Any
) -> None:
    lille_partner = PartnerFactory(name="Nord Automatismes", territory=areas["nord"], tier=geo.gold)
    form = {
        "company_name": "Brasserie Lilloise",
        "contact_name": "Julie Vandamme",
        "email": "julie@brasserie.example",
        "country": "FR",
        "postcode": "59 000",
        "message": "A demo please.",
        "consent": "on",
        "website": "",
    }
    with time_machine.travel(T0, tick=False) as traveller:
        token = contact_form_token()
        traveller.move_to(T0 + dt.timedelta(seconds=20))
        with django_capture_on_commit_callbacks(execute=True):
            response = Client().post(reverse("lead_contact"), {**form, "started": token})
    assert response.status_code == 302
    lead = Lead.objects.get()
    assert lead.territory == areas["nord"]
    assert lead.status == Lead.Status.OFFERED
    assert lead.partner == lille_partner  # the only partner of the north
    # Nantes (44) goes west, where the company's partners are.
    nantes = lead_create(created_by=None, route=False, **_lead(postcode="44000"))
    assert nantes.territory == geo.ouest
    assert lead_route(lead=nantes) is not None


def test_the_api_resolves_the_territory_too(
    company: Company, geo: Map, areas: dict[str, Territory]
) -> None:
    client = client_for("session", company.director)
    response = post_json(client, f"{API_PREFIX}/leads", {**_lead(), "route": False})
    assert response.status_code == 201, response.content
    assert Lead.objects.get(pk=response.json()["id"]).territory == areas["nord"]


def test_a_region_that_does_not_cover_the_country_is_refused(
    company: Company, geo: Map, areas: dict[str, Territory]
) -> None:
    with pytest.raises(ApplicationError) as exc:
        lead_create(created_by=company.director, route=False, **_lead(territory=areas["america"]))
    assert "territory" in exc.value.fields
    assert "FR" in exc.value.message and "CA, US" in exc.value.message
    assert not Lead.objects.exists()
    # A region of France (or France itself) is fine for a French lead, whatever the postcode.
    ok = lead_create(created_by=company.director, route=False, **_lead(territory=geo.sud))
    assert ok.territory == geo.sud
    # The API says the same, field by field.
    client = client_for("session", company.director)
    response = post_json(
        client,
        f"{API_PREFIX}/leads",
        {**_lead(), "territory_id": areas["america"].pk, "route": False},
    )
    assert response.status_code == 400
    assert "territory" in error_fields(response)


def test_a_country_that_is_not_one_is_refused(company: Company, geo: Map) -> None:
    with pytest.raises(ApplicationError) as exc:
        lead_create(created_by=company.director, route=False, **_lead(country="ZZ"))
    assert "country" in exc.value.fields
    assert not Lead.objects.exists()


def test_manual_assignment_withdraws_the_pending_offer(company: Company, geo: Map) -> None:
    lead = lead_create(created_by=company.director, route=False, **_lead(postcode="44000"))
    first = lead_route(lead=lead)
    assert first is not None
    target = company.partner_b if first.partner == company.partner_a else company.partner_a
    assignment = lead_assign(lead=lead, user=company.director, partner=target)
    lead.refresh_from_db()
    first.refresh_from_db()
    assert (lead.status, lead.partner) == (Lead.Status.OFFERED, target)
    assert assignment.rule == LeadAssignment.Rule.MANUAL
    assert first.outcome == LeadAssignment.Outcome.WITHDRAWN
    assert lead.events.filter(kind=LeadEvent.Kind.OFFERED, assignment=assignment).exists()
    # To a rep instead: the partner's offer is withdrawn in turn.
    lead_assign(lead=lead, user=company.director, rep=company.rep)
    lead.refresh_from_db()
    assert (lead.partner, lead.rep) == (None, company.rep)


def test_manual_assignment_is_refused_to_who_may_not_route(company: Company, geo: Map) -> None:
    lead = lead_create(created_by=company.director, route=False, **_lead(postcode="44000"))
    lead_route(lead=lead)
    lead.refresh_from_db()
    before = LeadAssignment.objects.count()
    with pytest.raises(PermissionDenied):
        lead_assign(lead=lead, user=company.rep, partner=company.partner_a)
    with pytest.raises(ApplicationError):
        lead_assign(lead=lead, user=company.director)  # nobody chosen
    with pytest.raises(ApplicationError):
        lead_assign(lead=lead, user=company.director, partner=company.partner_a, rep=company.rep)
    assert LeadAssignment.objects.count() == before


def test_lead_page_offers_manual_assignment_to_the_director_only(
    company: Company, geo: Map
) -> None:
    lead = lead_create(created_by=company.director, route=False, **_lead(postcode="44000"))
    url = reverse("lead_assign", args=[lead.pk])
    director = Client()
    director.force_login(company.director)
    page = director.get(reverse("lead_detail", args=[lead.pk]))
    assert page.status_code == 200 and url.encode() in page.content
    response = director.post(url, {"partner": company.partner_a.pk})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.partner == company.partner_a
    bad = director.post(url, {})
    assert bad.status_code == 400 and b"Choose one partner or one rep" in bad.content

    partner_user = Client()
    partner_user.force_login(company.partner_a_user)
    # Staff pages send a partner user back to the portal; nothing changes.
    refused = partner_user.post(url, {"partner": company.partner_b.pk})
    assert refused.status_code in (302, 403, 404)
    assert refused.status_code != 302 or refused["Location"] != reverse(
        "lead_detail", args=[lead.pk]
    )
    rep = Client()
    rep.force_login(company.rep)
    assert rep.post(url, {"partner": company.partner_b.pk}).status_code in (403, 404)
    lead.refresh_from_db()
    assert lead.partner == company.partner_a


def test_the_public_form_explains_a_region_that_does_not_cover_the_country(
    company: Company, geo: Map, areas: dict[str, Territory]
) -> None:
    form = {
        "company_name": "Brasserie Lilloise",
        "contact_name": "Julie Vandamme",
        "email": "julie@brasserie.example",
        "country": "FR",
        "postcode": "59000",
        "territory": areas["america"].pk,
        "consent": "on",
        "website": "",
    }
    with time_machine.travel(T0, tick=False) as traveller:
        token = contact_form_token()
        traveller.move_to(T0 + dt.timedelta(seconds=20))
        response = Client().post(reverse("lead_contact"), {**form, "started": token})
    assert response.status_code == 400
    assert "does not cover the country FR" in response.content.decode()
    assert not Lead.objects.exists()
