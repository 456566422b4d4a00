"""The leads API for allowed and forbidden users, by session and by token."""

from __future__ import annotations

import pytest
from django.test import Client

from dirco.accounts.models import User
from dirco.api.tests.clients import AUTH_KINDS, client_for, error_fields, post_json
from dirco.conftest import Company
from dirco.leads.models import Lead
from dirco.leads.tests.conftest import Map
from dirco.leads.tests.scenario import Leads, leads_scenario
from dirco.leads.tests.urls import API_PREFIX

pytestmark = [pytest.mark.django_db, pytest.mark.urls("dirco.leads.tests.urls")]


@pytest.fixture(params=AUTH_KINDS)
def auth_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def leads(company: Company, geo: Map) -> Leads:
    return leads_scenario(company, geo)


def _api(kind: str, user: User) -> Client:
    return client_for(kind, user)


def test_anonymous_gets_401(leads: Leads) -> None:
    client = Client()
    assert client.get(f"{API_PREFIX}/leads").status_code == 401
    assert client.get(f"{API_PREFIX}/leads/{leads.a.pk}").status_code == 401
    assert post_json(client, f"{API_PREFIX}/leads/{leads.a.pk}/accept", {}).status_code == 401


def test_list_is_scoped(company: Company, leads: Leads, auth_kind: str) -> None:
    def names(user: User) -> set[str]:
        response = _api(auth_kind, user).get(f"{API_PREFIX}/leads")
        assert response.status_code == 200
        return {item["company_name"] for item in response.json()["items"]}

    assert len(names(company.director)) == 5
    assert names(company.partner_a_user) == {"Lead for A"}
    assert names(company.partner_b_user) == {"Lead for B", "Lead A then B"}
    assert names(company.other_rep) == {"Lead for B", "Lead A then B"}


@pytest.mark.parametrize(
    ("role", "lead", "status"),
    [
        ("director", "new", 200),
        ("partner_a_user", "a", 200),
        ("partner_a_admin", "a", 200),
        ("partner_a_user", "b", 404),
        ("partner_a_user", "ab", 404),
        ("partner_b_user", "a", 404),
        ("partner_b_user", "ab", 200),
        ("other_rep", "a", 404),
        ("other_manager", "rep", 404),
        ("manager", "rep", 200),
        ("rep", "new", 404),
    ],
)
def test_detail_allowed_and_hidden(
    company: Company, leads: Leads, auth_kind: str, role: str, lead: str, status: int
) -> None:
    user = getattr(company, role)
    response = _api(auth_kind, user).get(f"{API_PREFIX}/leads/{getattr(leads, lead).pk}")
    assert response.status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("marketing", 201),
        ("director", 201),
        ("manager", 403),
        ("rep", 403),
        ("partner_a_admin", 403),
        ("partner_b_user", 403),
    ],
)
def test_create(company: Company, geo: Map, auth_kind: str, role: str, status: int) -> None:
    payload = {
        "company_name": "Imported Co",
        "contact_name": "Ann Import",
        "email": "ann@imported.example",
        "country": "FR",
        "territory_id": geo.ouest.pk,
        "source": "campaign",
        "route": False,
    }
    response = post_json(_api(auth_kind, getattr(company, role)), f"{API_PREFIX}/leads", payload)
    assert response.status_code == status, response.content
    if status == 201:
        assert response.json()["status"] == "new"
        assert response.json()["territory"]["id"] == geo.ouest.pk


def test_create_refuses_fields_nobody_may_set(company: Company, auth_kind: str) -> None:
    payload = {
        "company_name": "X",
        "contact_name": "Y",
        "email": "y@x.example",
        "country": "FR",
        "status": "converted",
        "partner_id": company.partner_a.pk,
    }
    response = post_json(_api(auth_kind, company.marketing), f"{API_PREFIX}/leads", payload)
    assert response.status_code == 400
    assert {"status", "partner_id"} <= set(error_fields(response))


@pytest.mark.parametrize(
    ("role", "lead", "status"),
    [
        ("director", "new", 200),
        ("manager", "a", 200),
        ("marketing", "b", 200),
        ("other_manager", "a", 404),
        ("rep", "a", 403),
        ("partner_a_user", "a", 403),
        ("partner_b_user", "a", 404),
    ],
)
def test_route(
    company: Company, leads: Leads, auth_kind: str, role: str, lead: str, status: int
) -> None:
    url = f"{API_PREFIX}/leads/{getattr(leads, lead).pk}/route"
    response = post_json(_api(auth_kind, getattr(company, role)), url, {})
    assert response.status_code == status, response.content


@pytest.mark.parametrize(
    ("role", "lead", "status"),
    [
        ("partner_a_user", "a", 200),
        ("partner_a_admin", "a", 200),
        ("partner_b_user", "a", 404),
        ("rep", "a", 403),
        ("director", "a", 403),
        ("rep", "rep", 200),
        ("manager", "rep", 403),
        ("other_rep", "rep", 404),
    ],
)
def test_accept(
    company: Company, leads: Leads, auth_kind: str, role: str, lead: str, status: int
) -> None:
    url = f"{API_PREFIX}/leads/{getattr(leads, lead).pk}/accept"
    response = post_json(_api(auth_kind, getattr(company, role)), url, {})
    assert response.status_code == status, response.content
    if status == 200:
        assert response.json()["status"] == Lead.Status.ACCEPTED
        # Answered once: a second answer is refused.
        again = post_json(_api(auth_kind, getattr(company, role)), url, {})
        assert again.status_code == 400


def test_decline(company: Company, leads: Leads, auth_kind: str) -> None:
    url = f"{API_PREFIX}/leads/{leads.ab.pk}/decline"
    assert (
        post_json(_api(auth_kind, company.partner_a_user), url, {"reason": "x"}).status_code == 404
    )
    assert post_json(_api(auth_kind, company.rep), url, {"reason": "x"}).status_code == 403
    client = _api(auth_kind, company.partner_b_user)
    assert post_json(client, url, {"reason": ""}).status_code == 400
    response = post_json(client, url, {"reason": "Not for us"})
    assert response.status_code == 200
    # Both partners refused it: it went to the west team's rep, out of B's sight.
    assert response.json() is None
    leads.ab.refresh_from_db()
    assert leads.ab.rep == company.rep
    assert client.get(f"{API_PREFIX}/leads/{leads.ab.pk}").status_code == 404


def test_history_shows_a_partner_only_its_own_events(
    company: Company, leads: Leads, auth_kind: str
) -> None:
    url = f"{API_PREFIX}/leads/{leads.ab.pk}/history"
    staff = _api(auth_kind, company.director).get(url)
    assert staff.status_code == 200
    kinds = [(e["kind"], e["partner"]["name"]) for e in staff.json()["items"]]
    assert kinds == [
        ("offered", "Alpha Systems"),
        ("declined", "Alpha Systems"),
        ("offered", "Beta Integration"),
    ]
    partner_b = _api(auth_kind, company.partner_b_user).get(url)
    assert partner_b.status_code == 200
    assert [e["partner"]["name"] for e in partner_b.json()["items"]] == ["Beta Integration"]
    assert b"Alpha" not in partner_b.content and b"Secret" not in partner_b.content
    assert _api(auth_kind, company.partner_a_user).get(url).status_code == 404
    assert (
        _api(auth_kind, company.other_manager)
        .get(f"{API_PREFIX}/leads/{leads.a.pk}/history")
        .status_code
        == 404
    )


def test_openapi_lists_the_lead_routes(company: Company) -> None:
    paths = Client().get(f"{API_PREFIX}/openapi.json").json()["paths"]
    for route in (
        "/leads",
        "/leads/{lead_id}",
        "/leads/{lead_id}/route",
        "/leads/{lead_id}/accept",
        "/leads/{lead_id}/decline",
        "/leads/{lead_id}/history",
    ):
        assert f"{API_PREFIX}{route}" in paths
