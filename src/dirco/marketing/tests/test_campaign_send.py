"""Campaigns through a real SMTP server on loopback: consent and suppression are never
bypassed, the email carries its unsubscribe link and RFC 8058 headers, and its tracked
links, pixel and one-click unsubscribe work."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dirco.conftest import Company
from dirco.marketing.consent import sendable_contacts
from dirco.marketing.models import Campaign, Consent, Recipient, Suppression
from dirco.marketing.segments import SegmentFilter
from dirco.marketing.sending import Throttle, campaign_recipients_draw, campaign_send
from dirco.marketing.services import campaign_schedule, suppression_add
from dirco.marketing.tests.factories import campaign_make, contact_make
from dirco.marketing.tests.smtp_server import SinkHandler
from dirco.partners.tests.factories import TierFactory


@pytest.fixture
def gold(company: Company) -> Any:
    tier = TierFactory(name="Gold", rank=1)
    company.partner_a.tier = tier
    company.partner_a.save()
    return tier


def _send(campaign: Campaign) -> Any:
    campaign_schedule(campaign=campaign, at=None)
    return campaign_send(campaign_id=campaign.pk)


def _html(received: Any) -> str:
    part = received.message.get_body(preferencelist=("html",))
    return str(part.get_content())


def _text(received: Any) -> str:
    return str(received.message.get_body(preferencelist=("plain",)).get_content())


def test_sendable_contacts_need_consent_and_no_suppression(company: Company) -> None:
    p = company.partner_a
    ok = contact_make(partner=p, email="ok@a.example")
    none = contact_make(partner=p, email="none@a.example", consent=None)
    pending = contact_make(partner=p, email="pending@a.example", consent="pending")
    withdrawn = contact_make(partner=p, email="gone@a.example", consent="withdrawn")
    suppressed = contact_make(partner=p, email="Sup@A.example")
    no_email = contact_make(partner=p, email="")
    unconfirmed = contact_make(partner=p, email="unconfirmed@a.example")
    Consent.objects.filter(contact=unconfirmed).update(double_opt_in=True)
    suppression_add(email="sup@a.example", reason=Suppression.Reason.MANUAL)
    found = set(sendable_contacts().values_list("pk", flat=True))
    assert ok.pk in found
    for contact in (none, pending, withdrawn, suppressed, no_email, unconfirmed):
        assert contact.pk not in found, contact.email


def test_campaign_reaches_only_consenting_unsuppressed_contacts(
    company: Company, gold: Any, smtp: SinkHandler
) -> None:
    p = company.partner_a
    contact_make(partner=p, email="ana@a.example", first_name="Ana<script>")
    contact_make(partner=p, email="noconsent@a.example", consent=None)
    contact_make(partner=p, email="stop@a.example")
    contact_make(partner=company.partner_b, email="otherTier@b.example")
    suppression_add(email="STOP@a.example", reason=Suppression.Reason.UNSUBSCRIBED)
    campaign = campaign_make(by=company.marketing, spec=SegmentFilter(tiers=[gold.pk]))

    report = _send(campaign)

    assert report.sent == 1
    assert [r.envelope_to for r in smtp.received] == [["ana@a.example"]]
    message = smtp.received[0].message
    assert message["Subject"] == f"Spring offer for {p.name}"
    unsubscribe = re.fullmatch(
        r"<(http://testserver/m/u/[^>]+/)>", message["List-Unsubscribe"].strip()
    )
    assert unsubscribe is not None, message["List-Unsubscribe"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html, text = _html(smtp.received[0]), _text(smtp.received[0])
    assert unsubscribe.group(1) in html and unsubscribe.group(1) in text
    assert "Hello Ana&lt;script&gt;" in html and "<script>" not in html  # escaped
    assert "Hello Ana<script>," in text  # the text part is not HTML
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT
    assert list(Recipient.objects.filter(campaign=campaign).values_list("email", "status")) == [
        ("ana@a.example", "sent")
    ]


def test_consent_lost_after_the_draw_is_checked_again_before_sending(
    company: Company, gold: Any, smtp: SinkHandler
) -> None:
    p = company.partner_a
    keep = contact_make(partner=p, email="keep@a.example")
    late = contact_make(partner=p, email="late@a.example")
    withdrawn = contact_make(partner=p, email="withdrawn@a.example")
    campaign = campaign_make(by=company.marketing, spec=SegmentFilter(tiers=[gold.pk]))
    campaign_schedule(campaign=campaign, at=None)
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.SENDING)
    assert campaign_recipients_draw(campaign=campaign) == 3
    suppression_add(email=late.email, reason=Suppression.Reason.MANUAL)
    Consent.objects.filter(contact=withdrawn).update(status=Consent.Status.WITHDRAWN)

    report = campaign_send(campaign_id=campaign.pk)

    assert (report.sent, report.skipped) == (1, 2)
    assert [r.envelope_to for r in smtp.received] == [[keep.email]]
    statuses = dict(Recipient.objects.values_list("email", "status"))
    assert statuses == {keep.email: "sent", late.email: "skipped", withdrawn.email: "skipped"}


def test_one_click_unsubscribe_rfc8058_then_never_again(
    company: Company, gold: Any, smtp: SinkHandler
) -> None:
    contact = contact_make(partner=company.partner_a, email="bye@a.example")
    _send(campaign_make(by=company.marketing, spec=SegmentFilter(tiers=[gold.pk])))
    header = smtp.received[0].message["List-Unsubscribe"]
    url = header.strip().strip("<>").removeprefix("http://testserver")

    client = Client()
    page = client.get(url)  # a link scanner's GET changes nothing
    assert page.status_code == 200 and not Suppression.objects.exists()
    response = client.post(
        url, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert Suppression.objects.get().email == "bye@a.example"
    assert Consent.objects.get(contact=contact).status == Consent.Status.WITHDRAWN
    assert Recipient.objects.get().status == Recipient.Status.UNSUBSCRIBED
    assert client.post(url).status_code == 200  # twice is fine

    report = _send(
        campaign_make(by=company.marketing, spec=SegmentFilter(tiers=[gold.pk]), name="Again")
    )
    assert report.sent == 0 and len(smtp.received) == 1
    # A forged token unsubscribes nobody.
    assert client.post(url[:-3] + "xx/").status_code == 404


def test_open_pixel_and_click_redirect_with_signed_tokens(
    company: Company, gold: Any, smtp: SinkHandler
) -> None:
    contact_make(partner=company.partner_a, email="reader@a.example")
    _send(campaign_make(by=company.marketing, spec=SegmentFilter(tiers=[gold.pk])))
    html = _html(smtp.received[0])
    pixel = re.search(r'src="http://testserver(/m/o/[^"]+\.gif)"', html)
    click = re.search(r'href="http://testserver(/m/c/[^"]+/)"', html)
    assert pixel and click
    assert "https://example.com/offer" not in html  # every link goes through the redirect
    client = Client()
    assert client.get(pixel.group(1)).status_code == 200
    recipient = Recipient.objects.get()
    assert recipient.status == Recipient.Status.OPENED and recipient.opened_at is not None
    response = client.get(click.group(1))
    assert response.status_code == 302
    assert response["Location"] == "https://example.com/offer?a=1&b=2"
    recipient.refresh_from_db()
    assert recipient.status == Recipient.Status.CLICKED and recipient.clicked_at is not None
    # A tampered token: 404, no redirect anywhere.
    tampered = click.group(1).replace("/m/c/", "/m/c/x")
    assert client.get(tampered).status_code == 404
    assert client.get("/m/o/1:forged.gif").status_code == 404


def test_hard_bounce_is_suppressed_and_temporary_failure_retried(
    company: Company, gold: Any, smtp: SinkHandler
) -> None:
    p = company.partner_a
    contact_make(partner=p, email="nobody@a.example")
    contact_make(partner=p, email="busy@a.example")
    smtp.refuse.add("nobody@a.example")
    smtp.defer["busy@a.example"] = 1
    report = _send(campaign_make(by=company.marketing, spec=SegmentFilter(tiers=[gold.pk])))
    assert (report.sent, report.bounced) == (1, 1)
    bounced = Recipient.objects.get(email="nobody@a.example")
    assert bounced.status == Recipient.Status.BOUNCED and "550" in bounced.last_error
    assert Suppression.objects.get().reason == Suppression.Reason.BOUNCED
    busy = Recipient.objects.get(email="busy@a.example")
    assert (busy.status, busy.attempts) == (Recipient.Status.SENT, 2)
    assert [r.envelope_to for r in smtp.received] == [["busy@a.example"]]


def test_unreachable_server_fails_after_the_attempts(
    company: Company, gold: Any, settings: Any
) -> None:
    from dirco.marketing.tests.smtp_server import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.DIRCO_CAMPAIGN_RETRY_PAUSE_SECONDS = 0
    settings.DIRCO_CAMPAIGN_MAX_ATTEMPTS = 2
    contact_make(partner=company.partner_a, email="x@a.example")
    report = _send(campaign_make(by=company.marketing, spec=SegmentFilter(tiers=[gold.pk])))
    assert report.failed == 1
    recipient = Recipient.objects.get()
    assert (recipient.status, recipient.attempts) == (Recipient.Status.FAILED, 2)
    assert recipient.last_error


def test_scheduled_send_runs_through_the_task_queue(
    company: Company,
    gold: Any,
    smtp: SinkHandler,
    django_capture_on_commit_callbacks: Any,
) -> None:
    contact_make(partner=company.partner_a, email="now@a.example")
    later = campaign_make(by=company.marketing, spec=SegmentFilter(tiers=[gold.pk]), name="L")
    campaign_schedule(campaign=later, at=timezone.now() + timezone.timedelta(days=1))
    now = campaign_make(by=company.marketing, spec=SegmentFilter(tiers=[gold.pk]), name="N")
    with django_capture_on_commit_callbacks(execute=True):
        campaign_schedule(campaign=now, at=None)
    assert [r.envelope_to for r in smtp.received] == [["now@a.example"]]
    assert Campaign.objects.get(pk=later.pk).status == Campaign.Status.SCHEDULED

    from dirco.marketing.tasks import campaigns_send_due_task

    Campaign.objects.filter(pk=later.pk).update(scheduled_at=timezone.now())
    assert campaigns_send_due_task.call() == 1
    assert len(smtp.received) == 2
    assert Campaign.objects.get(pk=later.pk).status == Campaign.Status.SENT


def test_cancelled_campaign_sends_nothing(company: Company, gold: Any, smtp: SinkHandler) -> None:
    from dirco.marketing.services import campaign_cancel

    contact_make(partner=company.partner_a, email="c@a.example")
    campaign = campaign_make(by=company.marketing, spec=SegmentFilter(tiers=[gold.pk]))
    campaign_schedule(campaign=campaign, at=timezone.now() + timezone.timedelta(hours=1))
    campaign_cancel(campaign=campaign)
    assert campaign_send(campaign_id=campaign.pk).sent == 0
    assert smtp.received == []


def test_throttle_paces_to_the_rate() -> None:
    clock = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    throttle = Throttle(10, sleep=sleep, clock=lambda: clock[0])
    for _ in range(11):
        throttle.wait()
    assert clock[0] == pytest.approx(101.0)  # 11 sends at 10/s take one second
    assert Throttle(0, sleep=sleep).interval == 0


def test_segment_naming_a_deleted_tier_cancels_the_campaign(
    company: Company, smtp: SinkHandler
) -> None:
    from django.test import Client

    lone = TierFactory(name="Lone", rank=9)
    contact_make(partner=company.partner_a, email="x@a.example")
    campaign = campaign_make(by=company.marketing, spec=SegmentFilter(tiers=[lone.pk]))
    lone.delete()
    client = Client()
    client.force_login(company.marketing)
    for url in (
        "/marketing/segments/",
        f"/marketing/segments/{campaign.segment_id}/",
        f"/marketing/campaigns/{campaign.pk}/",
    ):
        assert client.get(url).status_code == 200, url
    assert _send(campaign).sent == 0
    assert Campaign.objects.get().status == Campaign.Status.CANCELLED
    assert smtp.received == []
