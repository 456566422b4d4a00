"""Several web processes: the client address behind a trusted proxy, and the state they share
in Redis (the API throttle, sessions, django-axes' lockouts) when ``REDIS_URL`` is set.

The Redis tests run against the server on 127.0.0.1:6379 and are skipped when none answers."""

from __future__ import annotations

import ipaddress
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_ip_address
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.test import Client, RequestFactory, override_settings
from ninja.errors import Throttled

from dirco.api.throttle import rate_limit_check
from dirco.conftest import PASSWORD, Company
from dirco.web.http import client_ip

REDIS = "redis://127.0.0.1:6379/15"
PROXY = [ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("10.0.0.0/8")]


def _request(remote: str, forwarded: str | None = None) -> object:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_forwarded_for_is_ignored_without_a_trusted_proxy() -> None:
    request = _request("203.0.113.9", "198.51.100.7")
    assert client_ip(request) == "203.0.113.9"  # type: ignore[arg-type]
    with override_settings(DIRCO_TRUSTED_PROXIES=PROXY):
        # The peer is not a trusted proxy: its header is a forgery, ignored.
        assert client_ip(request) == "203.0.113.9"  # type: ignore[arg-type]
        assert get_client_ip_address(request) == "203.0.113.9"  # type: ignore[arg-type]


def test_forwarded_for_is_read_from_a_trusted_proxy() -> None:
    with override_settings(DIRCO_TRUSTED_PROXIES=PROXY):
        # The client forged "6.6.6.6"; the proxy appended the real peer: the rightmost
        # address that is not a trusted hop is the client.
        request = _request("127.0.0.1", "6.6.6.6, 198.51.100.7, 10.1.2.3")
        assert client_ip(request) == "198.51.100.7"  # type: ignore[arg-type]
        assert get_client_ip_address(request) == "198.51.100.7"  # type: ignore[arg-type]
        assert client_ip(_request("127.0.0.1")) == "127.0.0.1"  # type: ignore[arg-type]
        assert client_ip(_request("127.0.0.1", "not an address")) == "127.0.0.1"  # type: ignore[arg-type]


def test_lockouts_get_no_address_rather_than_a_word_when_there_is_none() -> None:
    """A request without REMOTE_ADDR (a test client's force_login, a Unix socket) gives
    django-axes None, which its IP address column takes on PostgreSQL too; "unknown" did not."""
    request = RequestFactory().get("/")
    del request.META["REMOTE_ADDR"]
    assert client_ip(request) == "unknown"  # type: ignore[arg-type]
    assert get_client_ip_address(request) is None  # type: ignore[arg-type]


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping())
    except Exception:
        return False


@pytest.fixture
def redis_cache() -> Iterator[str]:
    if not _redis_up():
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"test-{uuid.uuid4().hex}"
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS,
            "KEY_PREFIX": prefix,
        }
    }
    with override_settings(CACHES=caches):
        yield prefix
        cache.clear()


def _other_process_cache(prefix: str) -> RedisCache:
    """A second, independent client of the same Redis: what another web process sees."""
    return RedisCache(REDIS, {"KEY_PREFIX": prefix})


def test_api_throttle_is_shared_through_redis(redis_cache: str) -> None:
    with override_settings(API_RATE_LIMIT=(3, 60)):
        for _ in range(3):
            rate_limit_check("token:shared")
        other = _other_process_cache(redis_cache)
        keys = list(other._cache.get_client().keys(f"{redis_cache}:*ratelimit:token:shared*"))
        assert len(keys) == 1
        with pytest.raises(Throttled):
            rate_limit_check("token:shared")


def test_sessions_survive_in_redis_and_the_database(redis_cache: str, company: Company) -> None:
    with override_settings(SESSION_ENGINE="django.contrib.sessions.backends.cached_db"):
        client = Client()
        response = client.post("/login/", {"username": company.rep.email, "password": PASSWORD})
        assert response.status_code == 302
        key = client.cookies["sessionid"].value
        other = _other_process_cache(redis_cache)
        assert other.get(f"django.contrib.sessions.cached_db{key}") is not None
        assert Session.objects.filter(session_key=key).exists()
        # Another process (a fresh client with the same cookie) is logged in.
        second = Client()
        second.cookies["sessionid"] = key
        assert second.get("/").status_code == 200


def test_axes_lockout_counted_in_redis(redis_cache: str, company: Company) -> None:
    with override_settings(
        AXES_HANDLER="axes.handlers.cache.AxesCacheHandler", AXES_FAILURE_LIMIT=2
    ):
        AxesProxyHandler.implementation = None  # axes caches its handler: take the new one
        try:
            client = Client()
            for _ in range(2):
                client.post("/login/", {"username": company.rep.email, "password": "wrong"})
            locked = client.post("/login/", {"username": company.rep.email, "password": PASSWORD})
            assert locked.status_code == 429
            other = _other_process_cache(redis_cache)
            assert other._cache.get_client().keys(f"{redis_cache}:*axes*")
        finally:
            AxesProxyHandler.implementation = None


def test_s3_storage_chosen_by_environment(tmp_path: Path) -> None:
    """DIRCO_S3_BUCKET switches the default storage to django-storages' S3 backend with
    private files; without it, files stay on disk. (No S3 endpoint to upload to here.)"""
    probe = (
        "import json; from django.conf import settings; "
        "print(json.dumps(settings.STORAGES['default']))"
    )
    # The probe process reads settings only: a scratch SQLite file, never the test run's
    # PostgreSQL (its open session would outlive the test and delay the database's teardown).
    base = {
        k: v for k, v in os.environ.items() if not k.startswith("DIRCO_S3") and k != "DATABASE_URL"
    }
    base["SQLITE_PATH"] = str(tmp_path / "x.sqlite3")
    dirco = str(Path(sys.executable).with_name("dirco"))

    def storage(**env: str) -> dict[str, Any]:
        out = subprocess.run(
            [dirco, "shell", "-c", probe],
            env={**base, **env},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
        return result

    assert storage()["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    s3 = storage(DIRCO_S3_BUCKET="dirco-files", DIRCO_S3_ENDPOINT_URL="http://127.0.0.1:9000")
    assert s3["BACKEND"] == "storages.backends.s3.S3Storage"
    assert s3["OPTIONS"]["bucket_name"] == "dirco-files"
    assert s3["OPTIONS"]["endpoint_url"] == "http://127.0.0.1:9000"
    assert s3["OPTIONS"]["default_acl"] is None
    assert s3["OPTIONS"]["file_overwrite"] is False
