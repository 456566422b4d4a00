"""Staff lead pages for allowed and forbidden users, and the public contact form."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from dirco.accounts.models import User
from dirco.conftest import Company
from dirco.leads.forms import contact_form_token
from dirco.leads.models import Lead
from dirco.leads.tests.conftest import Map
from dirco.leads.tests.scenario import Leads, leads_scenario

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2025, 5, 5, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def leads(company: Company, geo: Map) -> Leads:
    return leads_scenario(company, geo)


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_list_page_is_scoped(company: Company, leads: Leads) -> None:
    response = _client(company.other_rep).get(reverse("lead_list"))
    assert response.status_code == 200
    assert b"Lead for B" in response.content and b"Lead for A" not in response.content
    director = _client(company.director).get(reverse("lead_list"), {"status": "new"})
    assert b"Unrouted lead" in director.content and b"Lead for B" not in director.content


def test_staff_pages_need_login_and_keep_partners_out(company: Company, leads: Leads) -> None:
    # Partners get their portal's leads, or 404 (dirco.web.partner_gate).
    for url, status, target in (
        (reverse("lead_list"), 302, reverse("portal:lead_list")),
        (reverse("lead_detail", args=[leads.a.pk]), 404, None),
    ):
        assert Client().get(url).status_code == 302
        response = _client(company.partner_a_user).get(url)
        assert response.status_code == status
        if target:
            assert response["Location"] == target


@pytest.mark.parametrize(
    ("role", "lead", "status"),
    [
        ("director", "ab", 200),
        ("rep", "a", 200),
        ("manager", "rep", 200),
        ("other_rep", "a", 404),
        ("other_manager", "rep", 404),
        ("rep", "new", 404),
    ],
)
def test_detail_page(company: Company, leads: Leads, role: str, lead: str, status: int) -> None:
    response = _client(getattr(company, role)).get(
        reverse("lead_detail", args=[getattr(leads, lead).pk])
    )
    assert response.status_code == status
    if status == 200 and lead == "ab":
        assert b"Secret reason of A" in response.content  # staff see the whole history


def test_route_page_action(company: Company, leads: Leads) -> None:
    url = reverse("lead_route", args=[leads.a.pk])
    assert _client(company.rep).post(url).status_code == 403
    assert _client(company.other_manager).post(url).status_code == 404
    assert _client(company.manager).get(url).status_code == 405
    assert _client(company.manager).post(url).status_code == 302


def test_rep_accepts_and_declines_from_the_page(company: Company, leads: Leads) -> None:
    accept = reverse("lead_accept", args=[leads.rep.pk])
    decline = reverse("lead_decline", args=[leads.rep.pk])
    assert _client(company.other_rep).post(accept).status_code == 404
    assert _client(company.manager).post(decline, {"reason": "x"}).status_code == 403
    page = _client(company.rep).get(reverse("lead_detail", args=[leads.rep.pk]))
    assert b"This lead is offered to you" in page.content
    assert _client(company.rep).post(decline, {"reason": ""}).status_code == 400
    assert _client(company.rep).post(decline, {"reason": "On leave"}).status_code == 302
    leads.rep.refresh_from_db()
    assert leads.rep.rep is None or leads.rep.rep != company.rep


def test_rep_accept_from_the_page(company: Company, leads: Leads) -> None:
    response = _client(company.rep).post(reverse("lead_accept", args=[leads.rep.pk]))
    assert response.status_code == 302
    leads.rep.refresh_from_db()
    assert leads.rep.status == Lead.Status.ACCEPTED


def _form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "company_name": "Acme Robotics",
        "contact_name": "Jane Doe",
        "email": "jane@acme.example",
        "phone": "+33 1 23 45 67 89",
        "country": "FR",
        "postcode": "44000",
        "product_line": "",
        "message": "We need 20 robots.",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def test_public_form_renders_without_login(geo: Map) -> None:
    response = Client().get(reverse("lead_contact"))
    assert response.status_code == 200
    assert b'name="website"' in response.content and b'name="started"' in response.content
    assert b"csrfmiddlewaretoken" in response.content


def test_valid_submission_creates_and_routes_the_lead(
    company: Company, geo: Map, django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(T0, tick=False) as traveller:
        token = contact_form_token()
        traveller.move_to(T0 + dt.timedelta(seconds=20))
        with django_capture_on_commit_callbacks(execute=True):
            response = Client().post(reverse("lead_contact"), _form_data(started=token))
    assert response.status_code == 302
    assert response["Location"] == reverse("lead_contact_thanks")
    lead = Lead.objects.get()
    assert (lead.source, lead.country, lead.consent) == (Lead.Source.WEB_FORM, "FR", True)
    assert lead.territory == geo.france
    assert lead.status == Lead.Status.OFFERED
    assert lead.partner in (company.partner_a, company.partner_b)
    assert Client().get(response["Location"]).status_code == 200


def test_honeypot_drops_the_submission_silently(geo: Map) -> None:
    with time_machine.travel(T0, tick=False) as traveller:
        token = contact_form_token()
        traveller.move_to(T0 + dt.timedelta(seconds=20))
        response = Client().post(
            reverse("lead_contact"), _form_data(started=token, website="http://spam.example")
        )
    assert response.status_code == 302
    assert not Lead.objects.exists()


def test_too_fast_or_forged_submission_is_refused(geo: Map) -> None:
    with time_machine.travel(T0, tick=False) as traveller:
        token = contact_form_token()
        traveller.move_to(T0 + dt.timedelta(seconds=1))
        fast = Client().post(reverse("lead_contact"), _form_data(started=token))
        forged = Client().post(reverse("lead_contact"), _form_data(started="1700000000"))
    assert fast.status_code == 400 and b"too quickly" in fast.content
    assert forged.status_code == 400
    assert not Lead.objects.exists()


def test_field_validation(geo: Map) -> None:
    with time_machine.travel(T0, tick=False) as traveller:
        token = contact_form_token()
        traveller.move_to(T0 + dt.timedelta(seconds=20))
        response = Client().post(
            reverse("lead_contact"),
            _form_data(started=token, email="not-an-email", country="France", consent=""),
        )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"email", "country", "consent"} <= set(errors)
    assert not Lead.objects.exists()


def test_rate_limit_per_address(geo: Map, settings: Any) -> None:
    settings.DIRCO_LEAD_FORM_RATE_LIMIT = 3
    with time_machine.travel(T0, tick=False) as traveller:
        token = contact_form_token()
        traveller.move_to(T0 + dt.timedelta(seconds=20))
        statuses = [
            Client().post(reverse("lead_contact"), _form_data(started=token)).status_code
            for _ in range(4)
        ]
        other = Client(REMOTE_ADDR="10.0.0.9").post(
            reverse("lead_contact"), _form_data(started=token)
        )
    assert statuses == [302, 302, 302, 429]
    assert other.status_code == 302
    assert Lead.objects.count() == 4


def test_csrf_stays_on(geo: Map) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("lead_contact"), _form_data(started=contact_form_token()))
    assert response.status_code == 403
    assert not Lead.objects.exists()
