"""API: /me and API tokens (create once with a session, list, revoke, expiry)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from dirco.accounts.models import ApiToken, User
from dirco.accounts.services import api_token_authenticate, api_token_create, api_token_revoke
from dirco.api.tests.clients import AUTH_KINDS, client_for, error_fields, post_json
from dirco.conftest import Company

pytestmark = pytest.mark.django_db


@pytest.fixture(params=AUTH_KINDS)
def auth_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_me_describes_the_caller(company: Company, auth_kind: str) -> None:
    body = client_for(auth_kind, company.partner_a_user).get("/api/v1/me").json()
    assert body["email"] == "user@alpha.test"
    assert body["role"] == "partner_user"
    assert body["partner"] == {"id": company.partner_a.pk, "name": "Alpha Systems"}


def test_me_without_credentials_is_401(client: Client) -> None:
    assert client.get("/api/v1/me").status_code == 401


def test_token_created_by_session_is_shown_once_and_works(company: Company) -> None:
    session = client_for("session", company.rep)
    response = post_json(session, "/api/v1/tokens", {"name": "CRM sync"})
    assert response.status_code == 201
    key = response.json()["key"]
    token = ApiToken.objects.get(pk=response.json()["id"])
    assert token.key_hash == ApiToken.hash_key(key) and key not in token.key_hash
    bearer = Client(headers={"authorization": f"Bearer {key}"})
    assert bearer.get("/api/v1/me").json()["email"] == "rep@example.test"
    listed = session.get("/api/v1/tokens").json()
    assert [t["name"] for t in listed["items"]] == ["CRM sync"]
    assert "key" not in listed["items"][0]


def test_token_create_refuses_a_past_expiry_and_saves_nothing(company: Company) -> None:
    past = (timezone.now() - dt.timedelta(days=1)).isoformat()
    response = post_json(
        client_for("session", company.rep), "/api/v1/tokens", {"name": "x", "expires_at": past}
    )
    assert response.status_code == 400
    assert "expires_at" in error_fields(response)
    assert not ApiToken.objects.exists()


def test_token_create_refuses_unknown_fields(company: Company) -> None:
    response = post_json(
        client_for("session", company.rep), "/api/v1/tokens", {"name": "x", "user_id": 1}
    )
    assert response.status_code == 400
    assert "user_id" in error_fields(response)
    assert not ApiToken.objects.exists()


def test_token_list_shows_only_own_tokens(company: Company, auth_kind: str) -> None:
    api_token_create(user=company.other_rep, name="theirs")
    client = client_for(auth_kind, company.rep)
    names = [t["name"] for t in client.get("/api/v1/tokens").json()["items"]]
    assert "theirs" not in names


def test_revoke_ends_access(company: Company, auth_kind: str) -> None:
    token, key = api_token_create(user=company.rep, name="script")
    bearer = Client(headers={"authorization": f"Bearer {key}"})
    assert bearer.get("/api/v1/deals").status_code == 200
    response = client_for(auth_kind, company.rep).delete(f"/api/v1/tokens/{token.pk}")
    assert response.status_code == 204
    assert bearer.get("/api/v1/deals").status_code == 401


def test_cannot_revoke_another_users_token(company: Company, auth_kind: str) -> None:
    token, _key = api_token_create(user=company.other_rep, name="theirs")
    response = client_for(auth_kind, company.rep).delete(f"/api/v1/tokens/{token.pk}")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_expired_token_and_inactive_user_are_refused(company: Company) -> None:
    token, key = api_token_create(user=company.rep, name="short")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert api_token_authenticate(key=key) is None
    _token, key2 = api_token_create(user=company.rep, name="long")
    User.objects.filter(pk=company.rep.pk).update(is_active=False)
    assert api_token_authenticate(key=key2) is None


def test_last_used_at_is_written_at_most_once_a_minute(company: Company) -> None:
    token, key = api_token_create(user=company.rep, name="busy")
    now = timezone.now()
    assert api_token_authenticate(key=key, now=now) == company.rep
    token.refresh_from_db()
    assert token.last_used_at == now
    api_token_authenticate(key=key, now=now + dt.timedelta(seconds=30))
    token.refresh_from_db()
    assert token.last_used_at == now
    later = now + dt.timedelta(minutes=2)
    api_token_authenticate(key=key, now=later)
    token.refresh_from_db()
    assert token.last_used_at == later


def test_revoked_token_is_refused(company: Company) -> None:
    token, key = api_token_create(user=company.rep, name="gone")
    api_token_revoke(token=token)
    assert api_token_authenticate(key=key) is None
