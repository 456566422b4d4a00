"""The API skeleton: schema and docs, authentication, the error format and pagination."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from dirco.accounts.models import User
from dirco.api.pagination import cursor_decode, cursor_encode
from dirco.api.tests.clients import AUTH_KINDS, client_for, error_fields, post_json
from dirco.conftest import Company
from dirco.core.errors import ApplicationError
from dirco.pipeline.tests.factories import DealFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(params=AUTH_KINDS)
def auth_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_openapi_schema_loads_and_lists_routes(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for route in (
        "/api/v1/me",
        "/api/v1/tokens",
        "/api/v1/tokens/{token_id}",
        "/api/v1/partners",
        "/api/v1/partners/{partner_id}",
        "/api/v1/accounts",
        "/api/v1/contacts",
        "/api/v1/deals",
        "/api/v1/deals/{deal_id}",
        "/api/v1/deals/{deal_id}/stage",
        "/api/v1/deals/{deal_id}/history",
        "/api/v1/stages",
        "/api/v1/activities",
        "/api/v1/activities/{activity_id}/complete",
    ):
        assert route in paths
    schemes = response.json()["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}


def test_docs_page_loads_without_any_external_url(client: Client) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"https?://", html), "the docs page must not load anything remote"
    assert '"validatorUrl": null' in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not a local static file"


@pytest.mark.parametrize("url", ["/api/v1/me", "/api/v1/deals", "/api/v1/partners"])
def test_no_credentials_answers_401_in_the_error_format(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert error_fields(response) == {}


def test_a_wrong_bearer_key_answers_401(company: Company) -> None:
    response = Client(headers={"authorization": "Bearer dirco_nope"}).get("/api/v1/me")
    assert response.status_code == 401


def test_inactive_session_user_answers_401(client: Client, company: Company) -> None:
    client.force_login(company.rep)
    User.objects.filter(pk=company.rep.pk).update(is_active=False)
    assert client.get("/api/v1/me").status_code == 401


def test_session_write_needs_the_csrf_token(company: Company) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(company.rep)
    response = post_json(client, "/api/v1/tokens", {"name": "cli"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
    client.get("/api/v1/me")  # a safe request passes without a token
    client.cookies["csrftoken"] = "a" * 32
    response = client.post(
        "/api/v1/tokens",
        data={"name": "cli"},
        content_type="application/json",
        headers={"x-csrftoken": "a" * 32},
    )
    assert response.status_code == 201


def test_bearer_write_needs_no_csrf_token(company: Company) -> None:
    client = client_for("token", company.rep)
    client.handler.enforce_csrf_checks = True
    response = post_json(client, "/api/v1/activities", {"kind": "call", "subject": "x"})
    assert response.status_code == 400  # reached validation: no CSRF refusal


def test_validation_errors_name_the_field(company: Company, auth_kind: str) -> None:
    client = client_for(auth_kind, company.rep)
    response = client.get("/api/v1/deals?limit=500")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert "limit" in error_fields(response)


def test_a_token_cannot_mint_tokens(company: Company) -> None:
    client = client_for("token", company.rep)
    response = post_json(client, "/api/v1/tokens", {"name": "x"})  # session only
    assert response.status_code == 401


def test_not_found_uses_the_error_format(company: Company, auth_kind: str) -> None:
    response = client_for(auth_kind, company.rep).get("/api/v1/deals/999999")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_forged_cursor_is_a_field_error(company: Company) -> None:
    response = client_for("session", company.director).get("/api/v1/deals?after=garbage")
    assert response.status_code == 400
    assert "after" in error_fields(response)


def test_cursor_round_trip() -> None:
    values = [dt.date(2025, 1, 2).isoformat(), Decimal("12.50"), 7]
    assert cursor_decode(cursor_encode(values), size=3) == ["2025-01-02", "12.50", "7"]
    with pytest.raises(ApplicationError):
        cursor_decode(cursor_encode(values), size=2)


@pytest.mark.parametrize("sort", ["-close", "close", "amount", "-amount", "name", "-created"])
def test_pages_walk_every_deal_once_in_order(company: Company, sort: str) -> None:
    today = dt.date.today()
    for i in range(11):
        # Repeated close dates and amounts: the cursor must break ties by id.
        DealFactory(
            owner=company.rep,
            name=f"Deal {i % 4}",
            expected_close_date=today + dt.timedelta(days=i % 3),
            amount=Decimal(1000 * (i % 2)),
            amount_company=Decimal(1000 * (i % 2)),
        )
    client = client_for("session", company.rep)
    url: str | None = f"/api/v1/deals?limit=4&sort={sort}"
    seen: list[int] = []
    pages = 0
    while url:
        body = client.get(url).json()
        assert len(body["items"]) <= 4
        seen += [d["id"] for d in body["items"]]
        url = body["next"]
        pages += 1
    assert pages == 3
    assert len(seen) == len(set(seen)) == 11
    everything = client.get(f"/api/v1/deals?limit=200&sort={sort}").json()
    assert [d["id"] for d in everything["items"]] == seen
    assert everything["next"] is None
