"""API: customer accounts, for allowed and forbidden users."""

from __future__ import annotations

import pytest

from dirco.api.tests.clients import AUTH_KINDS, client_for, error_fields, patch_json, post_json
from dirco.conftest import Company
from dirco.customers.models import Account
from dirco.customers.tests.factories import AccountFactory
from dirco.partners.tests.factories import TerritoryFactory
from dirco.pipeline.tests.factories import DealFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(params=AUTH_KINDS)
def auth_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def accounts(company: Company) -> dict[str, Account]:
    owned = AccountFactory(name="Owned by rep", owner=company.rep)
    via_a = AccountFactory(name="Bought via Alpha", owner=None)
    DealFactory(owner=company.rep, partner=company.partner_a, account=via_a)
    via_b = AccountFactory(name="Bought via Beta", owner=None)
    DealFactory(owner=company.other_rep, partner=company.partner_b, account=via_b)
    south = AccountFactory(name="South account", owner=company.other_rep)
    return {"owned": owned, "via_a": via_a, "via_b": via_b, "south": south}


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("rep", {"owned", "via_a"}),
        ("other_rep", {"via_b", "south"}),
        ("manager", {"owned", "via_a"}),
        ("other_manager", {"via_b", "south"}),
        ("partner_a_user", {"via_a"}),
        ("partner_b_user", {"via_b"}),
        ("director", {"owned", "via_a", "via_b", "south"}),
    ],
)
def test_account_list_and_detail_show_only_visible_accounts(
    company: Company, accounts: dict[str, Account], auth_kind: str, who: str, visible: set[str]
) -> None:
    client = client_for(auth_kind, getattr(company, who))
    items = client.get("/api/v1/accounts").json()["items"]
    assert {a["id"] for a in items} == {accounts[k].pk for k in visible}
    for key, account in accounts.items():
        expected = 200 if key in visible else 404
        assert client.get(f"/api/v1/accounts/{account.pk}").status_code == expected


def test_account_list_filters(company: Company, accounts: dict[str, Account]) -> None:
    client = client_for("session", company.director)
    items = client.get("/api/v1/accounts?q=beta").json()["items"]
    assert [a["name"] for a in items] == ["Bought via Beta"]
    items = client.get(f"/api/v1/accounts?owner={company.other_rep.pk}").json()["items"]
    assert [a["name"] for a in items] == ["South account"]


def test_rep_creates_an_account_they_own(company: Company, auth_kind: str) -> None:
    response = post_json(
        client_for(auth_kind, company.rep),
        "/api/v1/accounts",
        {"name": "Acme", "domain": "ACME.example", "territory_id": TerritoryFactory().pk},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["owner"]["id"] == company.rep.pk and body["domain"] == "acme.example"


@pytest.mark.parametrize("who", ["partner_a_admin", "partner_b_user", "marketing"])
def test_partner_users_and_marketing_cannot_create_accounts(company: Company, who: str) -> None:
    response = post_json(
        client_for("token", getattr(company, who)),
        "/api/v1/accounts",
        {"name": "Acme", "territory_id": TerritoryFactory().pk},
    )
    assert response.status_code == 403
    assert not Account.objects.filter(name="Acme").exists()


def test_account_create_bad_input_saves_nothing(company: Company) -> None:
    client = client_for("session", company.rep)
    for payload, field in (
        ({"name": "Acme", "territory_id": 999999}, "territory"),
        ({"name": "Acme", "territory_id": TerritoryFactory().pk, "size": "huge"}, "size"),
        (
            {
                "name": "Acme",
                "territory_id": TerritoryFactory().pk,
                "owner_id": company.other_rep.pk,
            },
            "owner",
        ),
        ({"territory_id": TerritoryFactory().pk}, "name"),
        ({"name": "Acme", "territory_id": TerritoryFactory().pk, "id": 3}, "id"),
    ):
        response = post_json(client, "/api/v1/accounts", payload)
        assert response.status_code == 400, payload
        assert field in error_fields(response), (payload, response.json())
    assert not Account.objects.filter(name="Acme").exists()


def test_account_update_allowed_hidden_and_readonly(
    company: Company, accounts: dict[str, Account], auth_kind: str
) -> None:
    url = f"/api/v1/accounts/{accounts['owned'].pk}"
    response = patch_json(client_for(auth_kind, company.rep), url, {"industry": "Retail"})
    assert response.status_code == 200 and response.json()["industry"] == "Retail"
    for who in ("other_rep", "other_manager", "partner_b_user"):
        response = patch_json(client_for(auth_kind, getattr(company, who)), url, {"name": "X"})
        assert response.status_code == 404, who
    via_a = f"/api/v1/accounts/{accounts['via_a'].pk}"
    response = patch_json(client_for(auth_kind, company.partner_a_user), via_a, {"name": "X"})
    assert response.status_code == 403
    assert not Account.objects.filter(name="X").exists()


def test_manager_reassigns_within_the_line_only(
    company: Company, accounts: dict[str, Account]
) -> None:
    url = f"/api/v1/accounts/{accounts['owned'].pk}"
    client = client_for("session", company.manager)
    response = patch_json(client, url, {"owner_id": company.other_rep.pk})
    assert response.status_code == 400 and "owner" in error_fields(response)
    response = patch_json(client, url, {"owner_id": company.manager.pk})
    assert response.status_code == 200 and response.json()["owner"]["id"] == company.manager.pk
