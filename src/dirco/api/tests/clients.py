"""API test clients: the same user logged in by session or by bearer token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client

from dirco.accounts.models import User
from dirco.accounts.services import api_token_create

AUTH_KINDS = ["session", "token"]
LoginFn = Callable[[User], Client]


def session_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def token_client(user: User) -> Client:
    _token, key = api_token_create(user=user, name="tests")
    return Client(headers={"authorization": f"Bearer {key}"})


def client_for(kind: str, user: User) -> Client:
    return session_client(user) if kind == "session" else token_client(user)


def post_json(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data=data, content_type="application/json")


def patch_json(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.patch(url, data=data, content_type="application/json")


def error_fields(response: Any) -> dict[str, list[str]]:
    body = response.json()
    # An RFC 9457 problem document carrying dirco's error member.
    assert response["Content-Type"].startswith("application/problem+json"), response
    assert set(body) == {"type", "title", "status", "detail", "error"}, body
    assert body["status"] == response.status_code, body
    assert set(body["error"]) == {"code", "message", "fields"}, body
    fields: dict[str, list[str]] = body["error"]["fields"]
    return fields
