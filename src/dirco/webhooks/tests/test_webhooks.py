"""Webhooks: signed deliveries verified by a real receiver on loopback, retries with backoff,
redelivery, SSRF refusals for each address class, and who may manage them."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from dirco.api.tests.clients import post_json
from dirco.catalog.tests.factories import ProductLineFactory
from dirco.conftest import Company
from dirco.customers.tests.factories import AccountFactory
from dirco.pipeline.models import Stage
from dirco.pipeline.services import deal_create, deal_move_stage
from dirco.webhooks.models import WebhookDelivery, WebhookSubscription
from dirco.webhooks.outbound import OutboundRefused, address_refusal, url_check
from dirco.webhooks.services import (
    backoff_after,
    emit,
    emit_all,
    webhook_deliver,
    webhook_subscription_create,
    webhooks_retry_due,
)
from dirco.webhooks.signing import webhook_signature_verify

pytestmark = pytest.mark.django_db


class Receiver:
    """An HTTP server on 127.0.0.1 that records what it receives and answers ``status``."""

    def __init__(self, status: int = 200, headers: dict[str, str] | None = None) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = status
        self.headers = headers or {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                self.send_response(receiver.status)
                for name, value in receiver.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def loopback_allowed() -> Iterator[None]:
    with override_settings(WEBHOOKS_ALLOW_LOOPBACK=True):
        yield


def _deal(company: Company, stage_name: str = "Proposal") -> Any:
    return deal_create(
        created_by=company.rep,
        name="Hooked",
        account=AccountFactory(),
        owner=company.rep,
        product_line=ProductLineFactory(),
        amount=Decimal("1000.00"),
        currency="EUR",
        stage=Stage.objects.get(name=stage_name),
        expected_close_date=dt.date.today() + dt.timedelta(days=30),
    )


def test_deal_events_are_signed_and_verified_by_a_real_receiver(
    company: Company,
    receiver: Receiver,
    loopback_allowed: None,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    sub = webhook_subscription_create(
        created_by=company.director,
        url=receiver.url,
        events=["deal.created", "deal.stage_changed", "deal.won"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        deal = _deal(company)
    with django_capture_on_commit_callbacks(execute=True):
        deal_move_stage(deal=deal, stage=Stage.objects.get(is_won=True), moved_by=company.rep)
    events = [json.loads(r["body"])["type"] for r in receiver.requests]
    assert events == ["deal.created", "deal.stage_changed", "deal.won"]
    for request in receiver.requests:
        headers = {k.lower(): v for k, v in request["headers"].items()}
        assert webhook_signature_verify(
            secret=sub.secret,
            message_id=headers["webhook-id"],
            timestamp=int(headers["webhook-timestamp"]),
            body=request["body"],
            header=headers["webhook-signature"],
        )
        # A tampered body or another secret does not verify.
        assert not webhook_signature_verify(
            secret="whsec_" + "A" * 32,
            message_id=headers["webhook-id"],
            timestamp=int(headers["webhook-timestamp"]),
            body=request["body"],
            header=headers["webhook-signature"],
        )
        assert not webhook_signature_verify(
            secret=sub.secret,
            message_id=headers["webhook-id"],
            timestamp=int(headers["webhook-timestamp"]),
            body=request["body"] + b" ",
            header=headers["webhook-signature"],
        )
    created = json.loads(receiver.requests[0]["body"])
    assert created["data"]["id"] == deal.pk and created["data"]["amount"] == "1000.00"
    assert list(WebhookDelivery.objects.values_list("status", "response_code").distinct()) == [
        ("succeeded", 200)
    ]


def test_emit_all_reads_the_subscriptions_once_and_keeps_the_order(
    company: Company,
    receiver: Receiver,
    loopback_allowed: None,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    everything = webhook_subscription_create(
        created_by=company.director, url=receiver.url, events=["*"]
    )
    won_only = webhook_subscription_create(
        created_by=company.director, url=receiver.url, events=["deal.won"]
    )
    # One read of the subscriptions, then one insert per delivery.
    with django_assert_num_queries(1 + 3):
        deliveries = emit_all([("deal.updated", {"id": 1}), ("deal.won", {"id": 1})])
    assert [d.event for d in deliveries] == ["deal.updated", "deal.won", "deal.won"]
    assert sorted((d.event, d.subscription_id) for d in deliveries) == [
        ("deal.updated", everything.pk),
        ("deal.won", everything.pk),
        ("deal.won", won_only.pk),
    ]
    assert [d.payload["data"] for d in deliveries] == [{"id": 1}] * 3


def test_unsubscribed_and_paused_subscriptions_get_nothing(
    company: Company, receiver: Receiver, loopback_allowed: None
) -> None:
    webhook_subscription_create(
        created_by=company.director, url=receiver.url, events=["lead.routed"]
    )
    paused = webhook_subscription_create(
        created_by=company.director, url=receiver.url, events=["*"]
    )
    paused.is_active = False
    paused.save()
    assert emit("deal.created", {"id": 1}) == []


def test_failures_retry_with_exponential_backoff_then_fail(
    company: Company,
    loopback_allowed: None,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    failing = Receiver(status=500)
    try:
        sub = webhook_subscription_create(
            created_by=company.director, url=failing.url, events=["*"]
        )
        (delivery,) = emit("deal.created", {"id": 1})
        now = timezone.now()
        delivery = webhook_deliver(delivery=delivery, now=now)
        assert (delivery.status, delivery.response_code, delivery.attempts) == ("retrying", 500, 1)
        assert delivery.next_attempt_at == now + dt.timedelta(seconds=30)
        assert [backoff_after(n).total_seconds() for n in range(1, 6)] == [30, 120, 480, 1920, 7680]
        # Not due yet: nothing is sent.
        assert webhooks_retry_due(now=now + dt.timedelta(seconds=29)) == 0
        t = now
        for attempt in range(2, 7):
            t = t + backoff_after(attempt - 1)
            assert webhooks_retry_due(now=t) == 1
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 6, None)
        assert len(failing.requests) == 6
        # All attempts carry the same message id (receivers deduplicate on it).
        assert {r["headers"]["webhook-id"] for r in failing.requests} == {delivery.message_id}
        # Manual redelivery sends it again, now to a receiver that answers.
        failing.status = 204
        client = Client()
        client.force_login(company.director)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/webhooks/deliveries/{delivery.pk}/redeliver/")
        assert response.status_code == 302
        delivery.refresh_from_db()
        assert (delivery.status, delivery.response_code) == ("succeeded", 204)
        assert sub.deliveries.count() == 1
    finally:
        failing.close()


def test_redirects_are_not_followed(
    company: Company, receiver: Receiver, loopback_allowed: None
) -> None:
    bouncer = Receiver(status=302, headers={"Location": receiver.url})
    try:
        webhook_subscription_create(created_by=company.director, url=bouncer.url, events=["*"])
        (delivery,) = emit("deal.created", {"id": 1})
        delivery = webhook_deliver(delivery=delivery)
        assert delivery.response_code == 302 and delivery.status == "retrying"
        assert "Redirects are not followed" in delivery.error
        assert receiver.requests == []  # the target of the redirect was never contacted
    finally:
        bouncer.close()


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fd00::1", "private"),
        ("169.254.169.254", "link-local"),  # cloud metadata
        ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"),
        ("fd00:ec2::254", "private"),  # AWS metadata over IPv6
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped IPv6
        ("::ffff:169.254.169.254", "link-local"),
        ("::ffff:10.0.0.1", "private"),
        ("2002:7f00:1::", "loopback"),  # 6to4 carrying 127.0.0.1
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of 169.254.169.254
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("100.64.0.1", "reserved"),  # carrier-grade NAT, not global
        ("240.0.0.1", "private"),  # reserved (Python counts it private)
    ],
)
def test_ssrf_each_address_class_is_refused(address: str, kind: str) -> None:
    assert address_refusal(ipaddress.ip_address(address), allow_loopback=False) == kind
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(OutboundRefused):
        url_check(f"http://{host}/hook")


def test_ssrf_public_addresses_pass_and_loopback_only_with_the_setting() -> None:
    assert address_refusal(ipaddress.ip_address("93.184.215.14"), allow_loopback=False) is None
    assert address_refusal(ipaddress.ip_address("2606:4700::1111"), allow_loopback=False) is None
    assert address_refusal(ipaddress.ip_address("127.0.0.1"), allow_loopback=True) is None
    # The test setting lets loopback through, never private or metadata addresses.
    assert address_refusal(ipaddress.ip_address("169.254.169.254"), allow_loopback=True)
    assert address_refusal(ipaddress.ip_address("::ffff:10.0.0.1"), allow_loopback=True)


def test_ssrf_names_are_judged_after_resolution_and_odd_urls_refused() -> None:
    for url in (
        "http://localhost/hook",  # resolves to loopback
        "ftp://example.com/",
        "file:///etc/passwd",
        "http://user:pw@example.com/",
        "http:///nohost",
    ):
        with pytest.raises(OutboundRefused):
            url_check(url)


def test_a_private_url_is_refused_at_subscription_and_at_delivery(company: Company) -> None:
    client = Client()
    client.force_login(company.director)
    response = post_json(
        client, "/api/v1/webhooks", {"url": "http://169.254.169.254/latest", "events": ["*"]}
    )
    assert response.status_code == 400
    assert "url" in response.json()["error"]["fields"]
    assert not WebhookSubscription.objects.exists()
    # A name that resolved to a public address then to a private one: refused at sending.
    sub = WebhookSubscription.objects.create(url="http://127.0.0.1:9/x", events=["*"])
    (delivery,) = emit("deal.created", {"id": 1})
    delivery = webhook_deliver(delivery=delivery)
    assert delivery.response_code is None and "loopback" in delivery.error
    assert sub.deliveries.get().status == "retrying"


def test_only_the_director_manages_webhooks_pages_and_api(
    company: Company, receiver: Receiver, loopback_allowed: None
) -> None:
    director = Client()
    director.force_login(company.director)
    created = post_json(
        director,
        "/api/v1/webhooks",
        {"url": receiver.url, "events": ["deal.won", "lead.routed"], "description": "CRM"},
    )
    assert created.status_code == 201
    sub_id = created.json()["id"]
    assert created.json()["secret"].startswith("whsec_")
    assert director.get("/webhooks/").status_code == 200
    assert director.get(f"/webhooks/{sub_id}/").status_code == 200
    assert director.get(f"/api/v1/webhooks/{sub_id}/deliveries").status_code == 200
    bad = post_json(director, "/api/v1/webhooks", {"url": receiver.url, "events": ["nope"]})
    assert bad.status_code == 400
    for user in (company.manager, company.rep, company.marketing, company.partner_a_admin):
        other = Client()
        other.force_login(user)
        assert other.get("/api/v1/webhooks").status_code == 404
        assert other.get(f"/api/v1/webhooks/{sub_id}").status_code == 404
        assert (
            post_json(other, "/api/v1/webhooks", {"url": receiver.url, "events": ["*"]}).status_code
            == 404
        )
        assert other.delete(f"/api/v1/webhooks/{sub_id}").status_code == 404
        assert other.get(f"/webhooks/{sub_id}/").status_code in (302, 404)
    assert WebhookSubscription.objects.count() == 1
    assert director.delete(f"/api/v1/webhooks/{sub_id}").status_code == 204


def test_director_creates_a_subscription_in_the_page(company: Company) -> None:
    client = Client()
    client.force_login(company.director)
    response = client.post(
        "/webhooks/", {"url": "https://93.184.215.14/hook", "events": ["deal.won"]}
    )
    assert response.status_code == 302
    sub = WebhookSubscription.objects.get()
    assert sub.events == ["deal.won"] and sub.created_by == company.director
    response = client.post("/webhooks/", {"url": "http://10.0.0.1/x", "events": ["deal.won"]})
    assert response.status_code == 200 and "private" in response.content.decode()
    assert WebhookSubscription.objects.count() == 1


def test_registration_events_are_recorded_for_subscribers(company: Company) -> None:
    from dirco.registrations.services import registration_reject
    from dirco.registrations.tests.factories import submit

    WebhookSubscription.objects.create(
        url="https://93.184.215.14/hook",
        events=["registration.submitted", "registration.decided"],
    )
    registration = submit(company.partner_a_user)
    registration_reject(registration=registration, rejected_by=company.director, reason="Dup")
    rows = list(WebhookDelivery.objects.order_by("id").values_list("event", "payload"))
    assert [event for event, _payload in rows] == [
        "registration.submitted",
        "registration.decided",
    ]
    decided = rows[1][1]["data"]
    assert decided["id"] == registration.pk and decided["status"] == "rejected"
    assert decided["decided_by_id"] == company.director.pk
