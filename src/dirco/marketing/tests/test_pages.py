"""The marketing pages: the director and marketing only; the segment's live preview."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from dirco.conftest import Company
from dirco.marketing.models import Campaign, Consent, EmailTemplate, Segment, Suppression
from dirco.marketing.segments import SegmentFilter
from dirco.marketing.tests.factories import campaign_make, contact_make
from dirco.partners.tests.factories import TierFactory


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


PAGES = [
    ("marketing:overview", []),
    ("marketing:segment_list", []),
    ("marketing:segment_create", []),
    ("marketing:template_list", []),
    ("marketing:template_create", []),
    ("marketing:campaign_create", []),
    ("marketing:consent_list", []),
    ("marketing:suppression_list", []),
]


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_pages_serve_marketing_and_director_only(
    company: Company, name: str, args: list[Any]
) -> None:
    url = reverse(name, args=args)
    for user in (company.marketing, company.director):
        assert _client(user).get(url).status_code == 200, (name, user.role)
    for user in (company.manager, company.rep):
        assert _client(user).get(url).status_code == 404, (name, user.role)
    for user in (company.partner_a_admin, company.partner_a_user):
        assert _client(user).get(url).status_code == 404, (name, user.role)


def test_records_are_hidden_from_other_roles(company: Company) -> None:
    campaign = campaign_make(by=company.marketing, spec=SegmentFilter())
    urls = [
        reverse("marketing:campaign_detail", args=[campaign.pk]),
        reverse("marketing:segment_edit", args=[campaign.segment_id]),
        reverse("marketing:template_edit", args=[campaign.template_id]),
    ]
    for url in urls:
        assert _client(company.marketing).get(url).status_code == 200
        for user in (company.rep, company.manager, company.partner_a_admin):
            response = _client(user).get(url)
            assert response.status_code == 404 and campaign.name not in response.content.decode()
    # A refused write changes nothing.
    response = _client(company.rep).post(reverse("marketing:campaign_schedule", args=[campaign.pk]))
    assert response.status_code == 404
    assert Campaign.objects.get().status == Campaign.Status.DRAFT


def test_segment_create_and_live_preview(company: Company) -> None:
    gold = TierFactory(name="Gold", rank=1)
    company.partner_a.tier = gold
    company.partner_a.save()
    contact_make(partner=company.partner_a, email="in@a.example", job_title="Head of IT")
    contact_make(
        partner=company.partner_a, email="none@a.example", job_title="IT lead", consent=None
    )
    contact_make(partner=company.partner_b, email="out@b.example", job_title="IT")
    client = _client(company.marketing)
    preview = client.get(
        reverse("marketing:segment_preview"),
        {"tiers": [gold.pk], "roles": "it", "kind": "partner"},
        headers={"HX-Request": "true"},
    )
    body = preview.content.decode()
    assert '<strong data-count="matched">2</strong>' in body
    assert '<strong data-count="sendable">1</strong>' in body
    assert "in@a.example" in body and "out@b.example" not in body
    response = client.post(
        reverse("marketing:segment_create"),
        {"name": "Gold IT", "tiers": [gold.pk], "roles": "it", "kind": "partner"},
    )
    segment = Segment.objects.get()
    assert response.status_code == 302
    assert SegmentFilter.from_json(segment.filters) == SegmentFilter(
        kind="partner", tiers=[gold.pk], roles=["it"]
    )


def test_template_form_refuses_sandbox_escape_and_previews(company: Company) -> None:
    client = _client(company.marketing)
    data = {"name": "T", "subject": "Hi", "html_body": "{% debug %}", "text_body": "x"}
    response = client.post(reverse("marketing:template_create"), data)
    assert response.status_code == 200 and not EmailTemplate.objects.exists()
    assert "Template error" in response.content.decode()
    data["html_body"] = "<p>Hello {{ contact.first_name }}</p>"
    response = client.post(reverse("marketing:template_create"), data)
    assert EmailTemplate.objects.count() == 1
    page = client.get(response["Location"]).content.decode()
    # The preview is the email inside the iframe's srcdoc attribute, escaped: the
    # template's markup never reaches the staff page as markup.
    assert 'srcdoc="&lt;p&gt;Hello Camille&lt;/p&gt;"' in page
    data["text_body"] = "<script>alert(1)</script>"
    data["html_body"] = '<p title="x"></iframe><script>alert(2)</script></p>'
    client.post(response["Location"], data)
    page = client.get(response["Location"]).content.decode()
    assert "<script>alert" not in page


def test_template_test_send_goes_to_the_sender_only(company: Company) -> None:
    campaign = campaign_make(by=company.marketing, spec=SegmentFilter())
    client = _client(company.marketing)
    client.post(reverse("marketing:template_test", args=[campaign.template_id]))
    assert [m.to for m in mail.outbox] == [[company.marketing.email]]
    assert mail.outbox[0].subject.startswith("[TEST]")


def test_consent_recorded_and_withdrawn_from_the_page(company: Company) -> None:
    contact = contact_make(partner=company.partner_a, email="c@a.example", consent=None)
    client = _client(company.marketing)
    url = reverse("marketing:consent_record", args=[contact.pk])
    client.post(url, {"source": "event", "legal_basis": "consent"})
    consent = Consent.objects.get(contact=contact)
    assert (consent.status, consent.recorded_by) == (Consent.Status.GRANTED, company.marketing)
    client.post(url, {"withdraw": "1"})
    assert Consent.objects.get(contact=contact).status == Consent.Status.WITHDRAWN
    # Not for a rep (nor anyone outside marketing and the director).
    _client(company.rep).post(url, {"source": "event", "legal_basis": "consent"})
    assert Consent.objects.get(contact=contact).status == Consent.Status.WITHDRAWN


def test_public_sign_up_needs_double_opt_in(
    company: Company, django_capture_on_commit_callbacks: Any
) -> None:
    import re

    from dirco.marketing.consent import sendable_contacts

    contact = contact_make(partner=company.partner_a, email="web@a.example", consent=None)
    client = _client(company.marketing)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("marketing:consent_record", args=[contact.pk]),
            {"source": "web_form", "legal_basis": "consent"},
        )
    consent = Consent.objects.get(contact=contact)
    assert consent.status == Consent.Status.PENDING and consent.double_opt_in
    assert not sendable_contacts().filter(pk=contact.pk).exists()
    assert [m.to for m in mail.outbox] == [["web@a.example"]]
    link = re.search(r"https?://[^/]+(/m/confirm/[^/\s]+/)", mail.outbox[0].body)
    assert link is not None
    anonymous = Client()
    assert anonymous.get(link.group(1)).status_code == 200  # a GET confirms nothing
    assert Consent.objects.get(contact=contact).status == Consent.Status.PENDING
    anonymous.post(link.group(1))
    assert Consent.objects.get(contact=contact).status == Consent.Status.GRANTED
    assert sendable_contacts().filter(pk=contact.pk).exists()
    assert anonymous.post(link.group(1)[:-4] + "abc/").status_code == 404


def test_suppression_page_adds_lower_cased(company: Company) -> None:
    _client(company.marketing).post(
        reverse("marketing:suppression_list"), {"email": "Some@Where.example", "reason": "manual"}
    )
    assert list(Suppression.objects.values_list("email", flat=True)) == ["some@where.example"]
    _client(company.rep).post(
        reverse("marketing:suppression_list"), {"email": "x@y.example", "reason": "manual"}
    )
    assert Suppression.objects.count() == 1


def test_campaign_created_and_scheduled_from_the_pages(company: Company) -> None:
    draft = campaign_make(by=company.marketing, spec=SegmentFilter())
    client = _client(company.director)
    response = client.post(
        reverse("marketing:campaign_create"),
        {"name": "From page", "segment": draft.segment_id, "template": draft.template_id},
    )
    campaign = Campaign.objects.get(name="From page")
    assert response["Location"] == reverse("marketing:campaign_detail", args=[campaign.pk])
    client.post(
        reverse("marketing:campaign_schedule", args=[campaign.pk]),
        {"scheduled_at": "2099-01-01T10:00"},
    )
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SCHEDULED and campaign.scheduled_at.year == 2099
    page = client.get(reverse("marketing:campaign_detail", args=[campaign.pk]))
    assert page.status_code == 200 and "From page" in page.content.decode()
