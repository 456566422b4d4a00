"""Request ids in answers and in every log line of the request, JSON logs, and /metrics
behind its token (latency per route, database time, the task queue)."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
from collections.abc import Iterator

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import include, path
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from dirco.accounts.models import User
from dirco.core.observability import JsonFormatter, RequestIdFilter

log = logging.getLogger("dirco.test.observability")


def noisy_view(request: HttpRequest, n: int) -> HttpResponse:
    log.warning("first line")
    User.objects.count()
    log.warning("second line")
    return HttpResponse("ok")


urlpatterns = [path("noisy/<int:n>/", noisy_view), path("", include("dirco.urls"))]


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """The configured console handler (settings.LOGGING), writing into a buffer as JSON."""
    (handler,) = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.StreamHandler)
        and any(isinstance(f, RequestIdFilter) for f in h.filters)
    ]
    buffer = io.StringIO()
    old_stream, old_formatter = handler.stream, handler.formatter
    handler.setStream(buffer)
    handler.setFormatter(JsonFormatter())
    try:
        yield buffer
    finally:
        handler.setStream(old_stream)
        handler.setFormatter(old_formatter)


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_request_id_generated_returned_and_in_every_log_line(log_lines: io.StringIO) -> None:
    client = Client()
    first = client.get("/noisy/1/")
    second = client.get("/noisy/2/")
    ids = [first["X-Request-ID"], second["X-Request-ID"]]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids) and ids[0] != ids[1]
    lines = [json.loads(line) for line in log_lines.getvalue().splitlines()]
    mine = [line for line in lines if line["logger"] == "dirco.test.observability"]
    assert [(m["message"], m["request_id"]) for m in mine] == [
        ("first line", ids[0]),
        ("second line", ids[0]),
        ("first line", ids[1]),
        ("second line", ids[1]),
    ]
    assert all(m["level"] == "WARNING" and m["time"] for m in mine)
    log.warning("outside")
    assert json.loads(log_lines.getvalue().splitlines()[-1])["request_id"] == "-"


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_caller_request_id_honoured_when_sane(log_lines: io.StringIO) -> None:
    client = Client()
    kept = client.get("/noisy/1/", HTTP_X_REQUEST_ID="lb-1234.abc_DEF")
    assert kept["X-Request-ID"] == "lb-1234.abc_DEF"
    assert '"request_id": "lb-1234.abc_DEF"' in log_lines.getvalue()
    for bad in ("has space", "x" * 129, "new\nline", "é"):
        answer = client.get("/noisy/1/", HTTP_X_REQUEST_ID=bad)
        assert re.fullmatch(r"[0-9a-f]{32}", answer["X-Request-ID"]), bad


@pytest.mark.django_db
def test_metrics_hidden_without_the_token(client: Client) -> None:
    assert client.get("/metrics").status_code == 404
    with override_settings(DIRCO_METRICS_TOKEN="s3cret-metrics-token"):
        assert client.get("/metrics").status_code == 404
        assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
        answer = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token")
        assert answer.status_code == 200


def _sample(text: str, name: str, **labels: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            found = dict(re.findall(r'(\w+)="([^"]*)"', line.split(" ")[0]))
            if all(found.get(k) == v for k, v in labels.items()):
                return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} {labels} not in the metrics")


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_metrics_latency_per_route_db_time_and_queue() -> None:
    client = Client()
    with override_settings(DIRCO_METRICS_TOKEN="tok"):

        def scrape() -> str:
            return client.get("/metrics", HTTP_AUTHORIZATION="Bearer tok").content.decode()

        before = scrape()
        route = "/noisy/<int:n>/"
        start = (
            _sample(before, "dirco_request_seconds_count", route=route, status="2xx")
            if route in before
            else 0.0
        )
        for n in range(3):
            client.get(f"/noisy/{n}/")
        now = timezone.now()
        for minutes in (1, 10):
            task = DBTaskResult.objects.create(
                status=TaskResultStatus.READY,
                args_kwargs={"args": [], "kwargs": {}},
                task_path="dirco.test.none",
                queue_name="default",
                backend_name="default",
                run_after=now,
            )
            # enqueued_at is auto_now_add: age the row afterwards.
            DBTaskResult.objects.filter(pk=task.pk).update(
                enqueued_at=now - dt.timedelta(minutes=minutes)
            )
        text = scrape()
    # One series per URL pattern (not per path), with the three requests in it.
    assert _sample(text, "dirco_request_seconds_count", route=route, method="GET") == start + 3
    assert "/noisy/1/" not in text
    assert _sample(text, "dirco_request_db_seconds_count", route=route) >= 3
    assert _sample(text, "dirco_request_db_seconds_sum", route=route) > 0
    assert _sample(text, "dirco_task_queue_depth", queue="default") == 2
    assert 590 < _sample(text, "dirco_task_queue_oldest_age_seconds", queue="default") < 700
