"""The marketing API: the director and marketing only (404 for every other role, partners
included), the same services as the pages, problem+json errors, cursor pages, and the
Idempotency-Key of every POST."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dirco.accounts.models import User
from dirco.api.tests.clients import AUTH_KINDS, client_for, error_fields, post_json
from dirco.conftest import Company
from dirco.marketing.models import Campaign, Segment
from dirco.marketing.segments import SegmentFilter
from dirco.marketing.sending import campaign_send
from dirco.marketing.tests.factories import campaign_make, contact_make
from dirco.marketing.tests.smtp_server import SinkHandler

pytestmark = pytest.mark.django_db
API = "/api/v1/marketing"
TEMPLATE = {
    "name": "API template",
    "subject": "Hello {{ contact.first_name }}",
    "html_body": "<p>Hello {{ contact.first_name }}</p>",
    "text_body": "Hello {{ contact.first_name }}",
}


def put_json(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.put(url, data=data, content_type="application/json")


@pytest.mark.parametrize("kind", AUTH_KINDS)
def test_marketing_builds_and_schedules_a_campaign(company: Company, kind: str) -> None:
    client = client_for(kind, company.marketing)
    segment = post_json(
        client, f"{API}/segments", {"name": "Partners", "filters": {"kind": "partner"}}
    )
    assert segment.status_code == 201, segment.content
    segment_id = segment.json()["id"]
    renamed = put_json(
        client,
        f"{API}/segments/{segment_id}",
        {"name": "All partners", "filters": {"kind": "partner", "consent": "sendable"}},
    )
    assert renamed.status_code == 200 and renamed.json()["filters"]["consent"] == "sendable"
    template = post_json(client, f"{API}/templates", TEMPLATE)
    assert template.status_code == 201, template.content
    template_id = template.json()["id"]
    changed = put_json(client, f"{API}/templates/{template_id}", {**TEMPLATE, "subject": "Hi"})
    assert changed.status_code == 200 and changed.json()["subject"] == "Hi"
    body = {"name": "API spring", "segment_id": segment_id, "template_id": template_id}
    campaign = post_json(client, f"{API}/campaigns", body)
    assert campaign.status_code == 201, campaign.content
    campaign_id = campaign.json()["id"]
    assert (
        put_json(client, f"{API}/campaigns/{campaign_id}", {**body, "name": "Renamed"}).json()[
            "name"
        ]
        == "Renamed"
    )
    scheduled = post_json(
        client, f"{API}/campaigns/{campaign_id}/schedule", {"at": "2099-03-01T09:00:00+01:00"}
    )
    assert scheduled.status_code == 200 and scheduled.json()["status"] == "scheduled"
    # No longer a draft: a problem document saying why.
    again = put_json(client, f"{API}/campaigns/{campaign_id}", body)
    assert again.status_code == 400
    error_fields(again)
    listed = client.get(f"{API}/campaigns", {"limit": 1})
    assert listed.status_code == 200 and set(listed.json()) == {"items", "next"}


def test_bad_input_is_a_problem_document(company: Company) -> None:
    client = client_for("session", company.marketing)
    broken = post_json(client, f"{API}/templates", {**TEMPLATE, "html_body": "{% debug %}"})
    assert broken.status_code == 400
    assert "html_body" in error_fields(broken)
    unknown_tier = post_json(
        client, f"{API}/segments", {"name": "X", "filters": {"tiers": [999999]}}
    )
    assert unknown_tier.status_code == 400 and "tiers" in error_fields(unknown_tier)
    naive = post_json(client, f"{API}/campaigns", {"name": "N", "segment_id": 1, "template_id": 1})
    assert naive.status_code == 404  # no such segment
    assert not Segment.objects.exists()


@pytest.mark.parametrize(
    "actor", ["manager", "rep", "other_rep", "partner_a_admin", "partner_a_user"]
)
def test_every_other_role_is_refused_everywhere(company: Company, actor: str) -> None:
    campaign = campaign_make(by=company.marketing, spec=SegmentFilter())
    user: User = getattr(company, actor)
    client = client_for("token", user)
    for url in (
        f"{API}/segments",
        f"{API}/segments/{campaign.segment_id}",
        f"{API}/templates",
        f"{API}/templates/{campaign.template_id}",
        f"{API}/campaigns",
        f"{API}/campaigns/{campaign.pk}",
        f"{API}/campaigns/{campaign.pk}/recipients",
        f"{API}/consents",
    ):
        assert client.get(url).status_code == 404, url
    for url, body in (
        (f"{API}/segments", {"name": "X"}),
        (f"{API}/templates", TEMPLATE),
        (
            f"{API}/campaigns",
            {"name": "X", "segment_id": campaign.segment_id, "template_id": campaign.template_id},
        ),
        (f"{API}/campaigns/{campaign.pk}/schedule", {}),
        (f"{API}/campaigns/{campaign.pk}/cancel", {}),
    ):
        assert post_json(client, url, body).status_code == 404, url
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT
    assert Segment.objects.count() == 1


def test_recipients_status_and_consents(company: Company, smtp: SinkHandler) -> None:
    contact_make(partner=company.partner_a, email="ana@a.example")
    contact_make(partner=company.partner_a, email="wait@a.example", consent="pending")
    campaign = campaign_make(by=company.marketing, spec=SegmentFilter(kind="partner"))
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.SCHEDULED)
    campaign_send(campaign_id=campaign.pk)
    client = client_for("token", company.director)
    rows = client.get(f"{API}/campaigns/{campaign.pk}/recipients").json()["items"]
    assert [(r["email"], r["status"]) for r in rows] == [("ana@a.example", "sent")]
    assert (
        client.get(f"{API}/campaigns/{campaign.pk}/recipients", {"status": "bounced"}).json()[
            "items"
        ]
        == []
    )
    consents = client.get(f"{API}/consents", {"status": "pending"}).json()["items"]
    assert [c["status"] for c in consents] == ["pending"]


def test_idempotency_key_replays_a_create(company: Company) -> None:
    client = Client(headers={"idempotency-key": "mkt-1"})
    client.force_login(company.marketing)
    first = post_json(client, f"{API}/segments", {"name": "Once"})
    second = post_json(client, f"{API}/segments", {"name": "Once"})
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert Segment.objects.count() == 1


def test_a_name_or_body_the_model_refuses_answers_400_not_500(company: Company) -> None:
    """Found by schemathesis: a segment name over the model's 120 characters and a template
    with empty bodies reached full_clean and answered 500."""
    client = client_for("token", company.marketing)
    long_name = post_json(client, "/api/v1/marketing/segments", {"name": "0" * 199, "filters": {}})
    assert long_name.status_code == 400 and "name" in error_fields(long_name)
    empty = post_json(
        client,
        "/api/v1/marketing/templates",
        {"name": "", "subject": "0" * 199, "html_body": "", "text_body": ""},
    )
    assert empty.status_code == 400
    assert {"html_body", "text_body"} <= set(error_fields(empty))
