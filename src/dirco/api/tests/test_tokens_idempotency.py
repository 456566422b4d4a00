"""Token scopes and expiry, rate limiting, and Idempotency-Key (replay, reuse, race)."""

from __future__ import annotations

import datetime as dt
import threading
from io import StringIO
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client, override_settings
from django.utils import timezone

from dirco.accounts.models import ApiToken, User
from dirco.accounts.services import api_token_create
from dirco.api.idempotency import idempotency_prune
from dirco.api.models import IdempotencyKey
from dirco.api.tests.clients import error_fields, post_json
from dirco.catalog.tests.factories import ProductLineFactory
from dirco.conftest import Company
from dirco.customers.tests.factories import AccountFactory
from dirco.pipeline.models import Deal, Stage


def bearer(key: str, **headers: str) -> Client:
    return Client(headers={"authorization": f"Bearer {key}", **headers})


def deal_body(**extra: Any) -> dict[str, Any]:
    return {
        "name": "Idempotent deal",
        "account_id": AccountFactory().pk,
        "product_line_id": ProductLineFactory().pk,
        "amount": "1000",
        "stage_id": Stage.objects.filter(is_won=False, is_lost=False).first().pk,  # type: ignore[union-attr]
        "expected_close_date": str(dt.date.today() + dt.timedelta(days=30)),
        **extra,
    }


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


# Token scopes and expiry


@pytest.mark.django_db
def test_read_only_token_reads_but_every_write_is_403(company: Company) -> None:
    _token, key = api_token_create(user=company.director, name="ro", read_only=True)
    client = bearer(key)
    assert client.get("/api/v1/deals").status_code == 200
    response = post_json(client, "/api/v1/deals", deal_body())
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "read_only_token"
    assert client.delete("/api/v1/tokens/1").status_code == 403
    assert (
        client.patch("/api/v1/deals/1", data={}, content_type="application/json").status_code == 403
    )
    assert not Deal.objects.exists()
    # The same user's read-write token writes.
    _token, rw = api_token_create(user=company.director, name="rw")
    assert post_json(bearer(rw), "/api/v1/deals", deal_body()).status_code == 201


@pytest.mark.django_db
def test_expired_token_is_401(company: Company) -> None:
    token, key = api_token_create(
        user=company.rep, name="soon", expires_at=timezone.now() + dt.timedelta(hours=1)
    )
    assert bearer(key).get("/api/v1/me").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert bearer(key).get("/api/v1/me").status_code == 401


@pytest.mark.django_db
def test_create_api_token_command_prints_a_working_key(company: Company) -> None:
    out = StringIO()
    call_command("create_api_token", user="REP@example.test", read_only=True, days=7, stdout=out)
    key = out.getvalue().strip()
    token = ApiToken.objects.get(key_hash=ApiToken.hash_key(key))
    assert token.read_only and token.user == company.rep
    assert dt.timedelta(days=6) < token.expires_at - timezone.now() <= dt.timedelta(days=7)  # type: ignore[operator]
    assert bearer(key).get("/api/v1/me").json()["email"] == "rep@example.test"
    assert post_json(bearer(key), "/api/v1/deals", {}).status_code == 403


@pytest.mark.django_db
def test_token_page_creates_shows_the_key_once_and_revokes(company: Company) -> None:
    client = Client()
    client.force_login(company.rep)
    response = client.post("/security/tokens/", {"name": "Zapier", "days": "30", "read_only": "on"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=company.rep)
    key = response.context["new_key"]
    assert token.key_hash == ApiToken.hash_key(key) and token.read_only
    assert key not in client.get("/security/tokens/").content.decode()
    # Another user's token cannot be revoked from here (404), one's own can.
    other = Client()
    other.force_login(company.other_rep)
    assert other.post(f"/security/tokens/{token.pk}/revoke/").status_code == 404
    assert client.post(f"/security/tokens/{token.pk}/revoke/").status_code == 302
    assert bearer(key).get("/api/v1/me").status_code == 401


# Rate limiting


@pytest.mark.django_db
@override_settings(API_RATE_LIMIT=(3, 60))
def test_rate_limit_per_token_answers_429_with_retry_after(company: Company) -> None:
    _t, key = api_token_create(user=company.rep, name="a")
    _t, other_key = api_token_create(user=company.rep, name="b")
    client = bearer(key)
    assert [client.get("/api/v1/me").status_code for _ in range(3)] == [200, 200, 200]
    response = client.get("/api/v1/me")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["error"]["code"] == "throttled"
    # Per token: another token of the same user is not throttled.
    assert bearer(other_key).get("/api/v1/me").status_code == 200


# Idempotency-Key


@pytest.mark.django_db
def test_idempotency_replays_the_first_answer_and_refuses_another_body(company: Company) -> None:
    _t, key = api_token_create(user=company.director, name="i")
    client = bearer(key, **{"Idempotency-Key": "k-1"})
    body = deal_body()
    first = post_json(client, "/api/v1/deals", body)
    assert first.status_code == 201
    again = post_json(client, "/api/v1/deals", body)
    assert again.status_code == 201
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert Deal.objects.count() == 1
    other = post_json(client, "/api/v1/deals", {**body, "amount": "2000"})
    assert other.status_code == 422
    assert "Idempotency-Key" in error_fields(other)
    assert Deal.objects.count() == 1
    # Keys are per user: another user's same key is a new request.
    _t, key2 = api_token_create(user=company.manager, name="i")
    response = post_json(bearer(key2, **{"Idempotency-Key": "k-1"}), "/api/v1/deals", body)
    # (the manager may not reference the director's new account: a fresh 400, not a replay)
    assert response.status_code == 400 and "Idempotent-Replayed" not in response
    # An error answer is replayed too (Stripe): the request is not run again.
    bad = bearer(key, **{"Idempotency-Key": "k-bad"})
    assert post_json(bad, "/api/v1/deals", {**body, "amount": "-1"}).status_code == 400
    assert post_json(bad, "/api/v1/deals", {**body, "amount": "-1"})["Idempotent-Replayed"]


@pytest.mark.django_db
def test_idempotency_keys_are_kept_24_hours_then_pruned(company: Company) -> None:
    _t, key = api_token_create(user=company.director, name="i")
    client = bearer(key, **{"Idempotency-Key": "k-old"})
    body = deal_body()
    assert post_json(client, "/api/v1/deals", body).status_code == 201
    IdempotencyKey.objects.update(created_at=timezone.now() - dt.timedelta(hours=23))
    assert idempotency_prune() == 0
    assert post_json(client, "/api/v1/deals", body)["Idempotent-Replayed"] == "true"
    IdempotencyKey.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    assert idempotency_prune() == 1
    assert not IdempotencyKey.objects.exists()


@pytest.mark.django_db
def test_idempotency_key_too_long_is_400(company: Company) -> None:
    _t, key = api_token_create(user=company.director, name="i")
    client = bearer(key, **{"Idempotency-Key": "x" * 256})
    response = post_json(client, "/api/v1/deals", deal_body())
    assert response.status_code == 400
    assert not Deal.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_posts_with_one_key_create_one_deal(
    company: Company, stages: None
) -> None:
    """50 threads, each with its own database connection, POST the same body and key."""
    if (connection.vendor == "sqlite" and connection.settings_dict["NAME"] in ("", ":memory:")) or (
        connection.vendor == "sqlite" and "mode=memory" in str(connection.settings_dict["NAME"])
    ):
        pytest.skip("an in-memory SQLite database cannot be shared by threads")
    _t, key = api_token_create(user=company.director, name="race")
    body = deal_body()
    statuses: list[int] = []
    bodies: list[bytes] = []
    barrier = threading.Barrier(50)
    lock = threading.Lock()

    def post() -> None:
        try:
            client = bearer(key, **{"Idempotency-Key": "race-1"})
            barrier.wait()
            response = post_json(client, "/api/v1/deals", body)
            with lock:
                statuses.append(response.status_code)
                if response.status_code == 201:
                    bodies.append(response.content)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Deal.objects.count() == 1
    assert len(statuses) == 50
    assert set(statuses) <= {201, 409}, statuses
    assert len(set(bodies)) == 1  # every 201 is the one deal (first answer or its replay)
    # Once the first has finished, a retry replays it.
    replay = post_json(bearer(key, **{"Idempotency-Key": "race-1"}), "/api/v1/deals", body)
    assert replay.status_code == 201 and replay.content == bodies[0]


def test_user_model_is_the_auth_user() -> None:
    assert IdempotencyKey._meta.get_field("user").related_model is User
