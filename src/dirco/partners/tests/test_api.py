"""API: partners and contacts, for allowed and forbidden users."""

from __future__ import annotations

import pytest
from django.test import Client

from dirco.api.tests.clients import AUTH_KINDS, client_for, error_fields, patch_json, post_json
from dirco.conftest import Company
from dirco.customers.tests.factories import AccountFactory
from dirco.partners.models import Contact, Partner
from dirco.partners.tests.factories import (
    PartnerContactFactory,
    PartnerFactory,
    TerritoryFactory,
    TierFactory,
)
from dirco.pipeline.tests.factories import DealFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(params=AUTH_KINDS)
def auth_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _names(client: Client, url: str = "/api/v1/partners") -> set[str]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return {p["name"] for p in response.json()["items"]}


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("director", {"Alpha Systems", "Beta Integration"}),
        ("marketing", {"Alpha Systems", "Beta Integration"}),
        ("rep", {"Alpha Systems"}),
        ("other_rep", {"Beta Integration"}),
        ("manager", {"Alpha Systems"}),
        ("other_manager", {"Beta Integration"}),
        ("partner_a_user", {"Alpha Systems"}),
        ("partner_b_user", {"Beta Integration"}),
    ],
)
def test_partner_list_and_detail_show_only_visible_partners(
    company: Company, auth_kind: str, who: str, visible: set[str]
) -> None:
    client = client_for(auth_kind, getattr(company, who))
    assert _names(client) == visible
    for partner in (company.partner_a, company.partner_b):
        status = client.get(f"/api/v1/partners/{partner.pk}").status_code
        assert status == (200 if partner.name in visible else 404)


def test_partner_list_filters(company: Company) -> None:
    gold = TierFactory(name="Gold", rank=50)
    west = TerritoryFactory(name="West", code="west")
    PartnerFactory(
        name="Gamma Gold", country="FR", territory=west, tier=gold, status=Partner.Status.PROSPECT
    )
    client = client_for("session", company.director)
    assert _names(client, "/api/v1/partners?q=gamma") == {"Gamma Gold"}
    assert _names(client, f"/api/v1/partners?tier={gold.pk}") == {"Gamma Gold"}
    assert _names(client, f"/api/v1/partners?territory={west.pk}") == {"Gamma Gold"}
    assert _names(client, "/api/v1/partners?status=active") == {"Alpha Systems", "Beta Integration"}
    response = client.get("/api/v1/partners?status=dreaming")
    assert response.status_code == 400 and "status" in error_fields(response)


def test_rep_creates_a_partner_they_manage(company: Company, auth_kind: str) -> None:
    territory = TerritoryFactory()
    response = post_json(
        client_for(auth_kind, company.rep),
        "/api/v1/partners",
        {"name": "Delta", "country": "fr", "territory_id": territory.pk},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["channel_manager"]["id"] == company.rep.pk
    assert body["country"] == "FR" and body["status"] == "prospect"


def test_only_the_director_sets_status_and_tier(company: Company) -> None:
    territory = TerritoryFactory()
    payload = {"name": "Delta", "country": "FR", "territory_id": territory.pk, "status": "active"}
    response = post_json(client_for("session", company.rep), "/api/v1/partners", payload)
    assert response.status_code == 400 and "status" in error_fields(response)
    assert not Partner.objects.filter(name="Delta").exists()
    response = post_json(client_for("session", company.director), "/api/v1/partners", payload)
    assert response.status_code == 201 and response.json()["status"] == "active"
    url = f"/api/v1/partners/{company.partner_a.pk}"
    response = patch_json(client_for("token", company.rep), url, {"tier_id": TierFactory().pk})
    assert response.status_code == 400 and "tier" in error_fields(response)


@pytest.mark.parametrize("who", ["partner_a_admin", "marketing"])
def test_partner_users_and_marketing_cannot_create_partners(company: Company, who: str) -> None:
    response = post_json(
        client_for("token", getattr(company, who)),
        "/api/v1/partners",
        {"name": "Delta", "country": "FR", "territory_id": TerritoryFactory().pk},
    )
    assert response.status_code == 403
    assert not Partner.objects.filter(name="Delta").exists()


def test_partner_update_allowed_hidden_and_readonly(company: Company, auth_kind: str) -> None:
    url = f"/api/v1/partners/{company.partner_a.pk}"
    response = patch_json(client_for(auth_kind, company.rep), url, {"domain": "alpha.example"})
    assert response.status_code == 200 and response.json()["domain"] == "alpha.example"
    for who, status in (
        ("other_rep", 404),
        ("partner_b_user", 404),
        ("partner_a_admin", 403),
        ("marketing", 403),
    ):
        response = patch_json(client_for(auth_kind, getattr(company, who)), url, {"name": "X"})
        assert response.status_code == status, who
    company.partner_a.refresh_from_db()
    assert company.partner_a.name == "Alpha Systems"


def test_partner_update_refuses_a_channel_manager_outside_the_line(company: Company) -> None:
    url = f"/api/v1/partners/{company.partner_a.pk}"
    response = patch_json(
        client_for("session", company.manager), url, {"channel_manager_id": company.other_rep.pk}
    )
    assert response.status_code == 400 and "channel_manager" in error_fields(response)
    company.partner_a.refresh_from_db()
    assert company.partner_a.channel_manager == company.rep


# Contacts.


@pytest.fixture
def contacts(company: Company) -> dict[str, Contact]:
    account = AccountFactory(owner=company.rep)
    return {
        "a": PartnerContactFactory(partner=company.partner_a, last_name="Aalto"),
        "b": PartnerContactFactory(partner=company.partner_b, last_name="Berg"),
        "account": Contact.objects.create(first_name="Cy", last_name="Customer", account=account),
    }


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("partner_a_user", {"a"}),
        ("partner_b_user", {"b"}),
        ("rep", {"a", "account"}),
        ("other_rep", {"b"}),
        ("director", {"a", "b", "account"}),
    ],
)
def test_contacts_visible_only_to_whom_they_belong(
    company: Company, contacts: dict[str, Contact], auth_kind: str, who: str, visible: set[str]
) -> None:
    client = client_for(auth_kind, getattr(company, who))
    items = client.get("/api/v1/contacts").json()["items"]
    assert {c["id"] for c in items} == {contacts[k].pk for k in visible}
    for key, contact in contacts.items():
        expected = 200 if key in visible else 404
        assert client.get(f"/api/v1/contacts/{contact.pk}").status_code == expected


def test_contact_create_update_delete(company: Company, auth_kind: str) -> None:
    client = client_for(auth_kind, company.rep)
    response = post_json(
        client,
        "/api/v1/contacts",
        {"first_name": "Ada", "last_name": "Lovelace", "partner_id": company.partner_a.pk},
    )
    assert response.status_code == 201, response.content
    url = f"/api/v1/contacts/{response.json()['id']}"
    response = patch_json(client, url, {"job_title": "CTO"})
    assert response.status_code == 200 and response.json()["job_title"] == "CTO"
    assert client.delete(url).status_code == 204
    assert not Contact.objects.exists()


def test_contact_at_an_invisible_partner_is_unknown(company: Company) -> None:
    response = post_json(
        client_for("token", company.partner_b_user),
        "/api/v1/contacts",
        {"first_name": "Eve", "last_name": "Spy", "partner_id": company.partner_a.pk},
    )
    assert response.status_code == 400 and "partner" in error_fields(response)
    assert not Contact.objects.exists()


def test_contact_needs_exactly_one_of_partner_or_account(company: Company) -> None:
    account = AccountFactory(owner=company.rep)
    client = client_for("session", company.rep)
    for links in ({}, {"partner_id": company.partner_a.pk, "account_id": account.pk}):
        response = post_json(
            client, "/api/v1/contacts", {"first_name": "A", "last_name": "B", **links}
        )
        assert response.status_code == 400, links
    assert not Contact.objects.exists()


def test_contact_readonly_users_get_403(company: Company, contacts: dict[str, Contact]) -> None:
    url = f"/api/v1/contacts/{contacts['a'].pk}"
    for who in ("partner_a_user", "marketing"):
        client = client_for("session", getattr(company, who))
        assert patch_json(client, url, {"first_name": "X"}).status_code == 403
        assert client.delete(url).status_code == 403
    other = client_for("session", company.other_rep)
    assert other.delete(url).status_code == 404
    assert Contact.objects.filter(pk=contacts["a"].pk, first_name__in=["X"]).count() == 0
    assert Contact.objects.filter(pk=contacts["a"].pk).exists()


def test_partner_user_sees_account_contacts_of_no_one(company: Company) -> None:
    account = AccountFactory(owner=company.rep)
    DealFactory(owner=company.rep, partner=company.partner_a, account=account)
    Contact.objects.create(first_name="Cy", last_name="Customer", account=account)
    items = client_for("token", company.partner_b_user).get("/api/v1/contacts").json()["items"]
    assert items == []
