"""Request ids, JSON logs and Prometheus metrics.

- Every request gets an id: the caller's ``X-Request-ID`` when it is a sane token (1-128
  letters, digits, ``.``, ``_``, ``-``; a proxy's id flows through), a new one otherwise. It is
  returned in the response's ``X-Request-ID`` and added to every log line written while the
  request runs (``RequestIdFilter``; ``JsonFormatter`` writes one JSON object a line).
- ``/metrics`` (Prometheus text format) answers only with ``Authorization: Bearer
  <DIRCO_METRICS_TOKEN>``, and is a 404 when no token is configured. It exposes the request
  latency per route (the URL pattern, not the path, so ids do not explode the series), the
  database time per request, and the task queue's depth and oldest age, read at scrape time.
- Several gunicorn workers: set ``PROMETHEUS_MULTIPROC_DIR`` to an empty folder shared by the
  workers of one machine (emptied before gunicorn starts). prometheus-client's multiprocess
  mode then writes each worker's samples to memory-mapped files there, and whichever worker
  answers the scrape sums them all (``MultiProcessCollector``). Without it, each worker counts
  alone (fine for one process). The queue gauges come from the database, so they are the
  same from any worker.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hmac
import json
import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Min
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
REQUEST_SECONDS = Histogram(
    "dirco_request_seconds",
    "Time to answer a request, per route (URL pattern), method and status class.",
    ["route", "method", "status"],
    buckets=LATENCY_BUCKETS,
)
REQUEST_DB_SECONDS = Histogram(
    "dirco_request_db_seconds",
    "Time spent in database queries while answering a request, per route.",
    ["route"],
    buckets=LATENCY_BUCKETS,
)


def request_id_from(header: str | None) -> str:
    """The caller's id when it is a sane token, else a new one."""
    if header and _SANE_ID.match(header):
        return header
    return uuid.uuid4().hex


class _DbTimer:
    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


def _route(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return "/" + str(match.route).lstrip("^")


class RequestIdMiddleware:
    """First of the middleware: sets the request id, times the request and its queries."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        token = request_id_var.set(request_id)
        timer = _DbTimer()
        started = time.perf_counter()
        try:
            with connection.execute_wrapper(timer):
                response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            route = _route(request)
            if route != "/metrics":
                REQUEST_SECONDS.labels(
                    route, request.method or "-", f"{response.status_code // 100}xx"
                ).observe(time.perf_counter() - started)
                REQUEST_DB_SECONDS.labels(route).observe(timer.seconds)
            return response
        finally:
            request_id_var.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request id (and the traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id_var.get()),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TaskQueueCollector(Collector):
    """The django-tasks database queue, read when Prometheus scrapes."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        depth = GaugeMetricFamily(
            "dirco_task_queue_depth", "Tasks waiting for a worker, per queue.", labels=["queue"]
        )
        age = GaugeMetricFamily(
            "dirco_task_queue_oldest_age_seconds",
            "Age of the oldest task waiting for a worker, per queue.",
            labels=["queue"],
        )
        now = timezone.now()
        rows = (
            DBTaskResult.objects.filter(status=TaskResultStatus.READY)
            .values("queue_name")
            .annotate(n=Count("id"), oldest=Min("enqueued_at"))
            .order_by("queue_name")
        )
        seen = False
        for row in rows:
            seen = True
            depth.add_metric([row["queue_name"]], row["n"])
            age.add_metric([row["queue_name"]], (now - row["oldest"]).total_seconds())
        if not seen:
            depth.add_metric(["default"], 0)
            age.add_metric(["default"], 0)
        yield depth
        yield age


def metrics_text() -> bytes:
    """The exposition: this process's (or all workers', in multiprocess mode) request metrics
    and the task queue."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    queue = CollectorRegistry()
    queue.register(TaskQueueCollector())
    return body + generate_latest(queue)


def metrics_view(request: HttpRequest) -> HttpResponse:
    """``/metrics``: 404 without a configured token or with a wrong one (nothing to find)."""
    expected = settings.DIRCO_METRICS_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise Http404
    return HttpResponse(metrics_text(), content_type=CONTENT_TYPE_LATEST)
