"""Through-channel campaigns: marketing approves a template, a partner admin sends it,
co-branded, to its OWN consenting contacts through a real SMTP server on loopback; the
results roll up to the channel manager. Another partner never sees or sends anything."""

from __future__ import annotations

import email.utils
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from dirco.accounts.models import User
from dirco.conftest import Company
from dirco.core.errors import ApplicationError
from dirco.marketing.channel import (
    BrandInput,
    PartnerCampaignInput,
    channel_figures,
    partner_brand_save,
    partner_campaign_create,
    template_partner_approval_set,
)
from dirco.marketing.models import Campaign, Recipient, Suppression
from dirco.marketing.services import suppression_add
from dirco.marketing.tests.factories import contact_make, template_make
from dirco.marketing.tests.smtp_server import SinkHandler
from dirco.marketing.tracking import verp_read
from dirco.partners.models import Partner

pytestmark = pytest.mark.django_db

# The smallest valid PNG header is enough for the type check; the bytes travel as they are.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def approved(company: Company) -> Any:
    template = template_make(by=company.marketing)
    return template_partner_approval_set(template=template, approved=True, by=company.marketing)


def test_only_marketing_approves_and_only_approved_templates_are_offered(
    company: Company,
) -> None:
    template = template_make(by=company.marketing)
    with pytest.raises(PermissionDenied):
        template_partner_approval_set(template=template, approved=True, by=company.rep)
    with pytest.raises(ApplicationError):
        partner_campaign_create(
            data=PartnerCampaignInput(name="Mine", template=template), by=company.partner_a_admin
        )
    page = _client(company.partner_a_admin).get(reverse("portal:campaign_list"))
    assert page.status_code == 200 and template.name.encode() not in page.content
    response = _client(company.partner_a_admin).get(
        reverse("portal:campaign_template", args=[template.pk])
    )
    assert response.status_code == 404
    # Approved through marketing's page: now offered and previewed with the partner's brand.
    _client(company.marketing).post(
        reverse("marketing:template_partner_approval", args=[template.pk]), {"approved": "on"}
    )
    preview = _client(company.partner_a_user).get(
        reverse("portal:campaign_template", args=[template.pk])
    )
    assert preview.status_code == 200
    assert company.partner_a.name.encode() in preview.content
    # Nobody but marketing approves, even by posting the form.
    response = _client(company.rep).post(
        reverse("marketing:template_partner_approval", args=[template.pk]), {}
    )
    assert response.status_code == 404


def test_partner_campaign_co_branded_to_own_consenting_contacts_only(
    company: Company,
    approved: Any,
    smtp: SinkHandler,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.DIRCO_BOUNCE_ADDRESS = "bounces@mail.dirco.example"
    settings.DIRCO_MARKETING_FROM_EMAIL = "Demo Industries <news@dirco.example>"
    a, b = company.partner_a, company.partner_b
    contact_make(partner=a, email="ana@a.example", first_name="Ana")
    contact_make(partner=a, email="noconsent@a.example", consent=None)
    contact_make(partner=a, email="pending@a.example", consent="pending")
    contact_make(partner=a, email="stop@a.example")
    suppression_add(email="stop@a.example", reason=Suppression.Reason.UNSUBSCRIBED)
    contact_make(partner=b, email="bob@b.example")  # another partner's: never
    admin = company.partner_a_admin
    client = _client(admin)
    brand = client.post(
        reverse("portal:brand"),
        {
            "display_name": "Alpha Systems",
            "signature": "Alice Admin\nAlpha Systems, Nantes",
            "reply_to": "alice@a.example",
            "logo": _upload("logo.png", PNG),
        },
    )
    assert brand.status_code == 302, brand.content
    created = client.post(
        reverse("portal:campaign_create"), {"name": "Alpha spring", "template": approved.pk}
    )
    assert created.status_code == 302, created.content
    campaign = Campaign.objects.get(name="Alpha spring")
    assert campaign.partner_id == a.pk and campaign.segment_id is None

    # A partner user (not admin) may read it but not send it.
    user_client = _client(company.partner_a_user)
    assert user_client.get(reverse("portal:campaign_detail", args=[campaign.pk])).status_code == 200
    refused = user_client.post(reverse("portal:campaign_schedule", args=[campaign.pk]), {})
    assert refused.status_code == 403
    # Partner B's user does not even see it.
    other = _client(company.partner_b_user)
    assert other.get(reverse("portal:campaign_detail", args=[campaign.pk])).status_code == 404
    assert other.post(reverse("portal:campaign_schedule", args=[campaign.pk])).status_code == 404
    assert b"Alpha spring" not in other.get(reverse("portal:campaign_list")).content

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(reverse("portal:campaign_schedule", args=[campaign.pk]), {})
    assert sent.status_code == 302

    assert [r.envelope_to for r in smtp.received] == [["ana@a.example"]]
    received = smtp.received[0]
    message = received.message
    assert email.utils.parseaddr(message["From"]) == ("Alpha Systems", "news@dirco.example")
    assert message["Reply-To"] == "alice@a.example"
    # VERP: the envelope sender names the recipient (signed); so does the Message-ID.
    recipient = Recipient.objects.get(campaign=campaign)
    assert verp_read(received.envelope_from) == recipient.pk
    assert received.envelope_from.endswith("@mail.dirco.example")
    html = str(message.get_body(preferencelist=("html",)).get_content())
    text = str(message.get_body(preferencelist=("plain",)).get_content()).replace("\r\n", "\n")
    assert "Alpha Systems" in html and "Alice Admin<br>Alpha Systems, Nantes" in html
    assert 'src="cid:partner-logo@dirco"' in html
    assert "Alice Admin\nAlpha Systems, Nantes" in text
    logo = [p for p in message.walk() if p.get_content_type() == "image/png"]
    assert len(logo) == 1 and logo[0]["Content-ID"] == "<partner-logo@dirco>"
    assert logo[0].get_payload(decode=True) == PNG
    assert message["List-Unsubscribe"]  # every email, partner's too

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT
    # Results roll up to the channel manager (rep channel-manages A), not to the other rep.
    rows = channel_figures(partners=Partner.objects.all())
    assert [(r.partner_id, r.campaigns, r.sent) for r in rows] == [(a.pk, 1, 1)]
    page = _client(company.rep).get(reverse("marketing:channel"))
    assert page.status_code == 200 and b"Alpha spring" in page.content
    assert (
        _client(company.rep)
        .get(reverse("marketing:channel_campaign", args=[campaign.pk]))
        .status_code
        == 200
    )
    other_rep = _client(company.other_rep)
    assert b"Alpha spring" not in other_rep.get(reverse("marketing:channel")).content
    assert (
        other_rep.get(reverse("marketing:channel_campaign", args=[campaign.pk])).status_code == 404
    )


def test_partner_admin_cannot_create_for_another_partner_or_with_a_withdrawn_template(
    company: Company, approved: Any
) -> None:
    campaign = partner_campaign_create(
        data=PartnerCampaignInput(name="A1", template=approved), by=company.partner_a_admin
    )
    assert campaign.partner_id == company.partner_a.pk  # whatever the caller wished
    with pytest.raises(PermissionDenied):
        partner_campaign_create(
            data=PartnerCampaignInput(name="U", template=approved), by=company.partner_a_user
        )
    with pytest.raises(PermissionDenied):
        partner_brand_save(
            partner=company.partner_b,
            data=BrandInput(display_name="Hijack", signature="", reply_to=""),
            by=company.partner_a_admin,
        )
    template_partner_approval_set(template=approved, approved=False, by=company.marketing)
    response = _client(company.partner_a_admin).post(
        reverse("portal:campaign_schedule", args=[campaign.pk]), {}
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT  # refused: the approval was withdrawn


def test_brand_logo_must_be_an_image(company: Company) -> None:
    response = _client(company.partner_a_admin).post(
        reverse("portal:brand"),
        {"display_name": "A", "logo": _upload("logo.png", b"<svg onload=alert(1)>")},
    )
    assert response.status_code == 200
    assert "The logo must be a PNG or JPEG image." in response.content.decode()
    assert _client(company.partner_a_user).get(reverse("portal:brand")).status_code == 404


def _upload(name: str, data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="image/png")
