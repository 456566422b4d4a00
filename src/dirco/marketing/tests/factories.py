from __future__ import annotations

from typing import Any

from django.utils import timezone

from dirco.accounts.models import User
from dirco.marketing.models import Consent, EmailTemplate, Segment
from dirco.marketing.segments import SegmentFilter
from dirco.marketing.services import (
    CampaignInput,
    TemplateInput,
    campaign_create,
    segment_save,
    template_save,
)
from dirco.partners.models import Contact, Partner
from dirco.partners.tests.factories import PartnerContactFactory


def contact_make(
    *, partner: Partner, email: str, consent: str | None = "granted", **extra: Any
) -> Contact:
    contact: Contact = PartnerContactFactory(partner=partner, email=email, **extra)
    if consent is not None:
        Consent.objects.create(
            contact=contact,
            status=consent,
            source=Consent.Source.CONTRACT,
            legal_basis=Consent.LegalBasis.CONSENT,
            given_at=timezone.now(),
        )
    return contact


HTML = (
    "<html><body><p>Hello {{ contact.first_name }},</p>"
    '<p><a href="https://example.com/offer?a=1&amp;b=2">See the offer</a></p></body></html>'
)
TEXT = "Hello {{ contact.first_name }},\nSee https://example.com/offer"


def template_make(*, by: User, html: str = HTML, text: str = TEXT) -> EmailTemplate:
    return template_save(
        template=None,
        data=TemplateInput(
            name="Spring offer",
            subject="Spring offer for {{ contact.company }}",
            html_body=html,
            text_body=text,
        ),
        by=by,
    )


def segment_make(*, by: User, spec: SegmentFilter, name: str = "Segment") -> Segment:
    return segment_save(segment=None, name=name, spec=spec, by=by)


def campaign_make(*, by: User, spec: SegmentFilter, name: str = "Spring") -> Any:
    return campaign_create(
        data=CampaignInput(
            name=name, segment=segment_make(by=by, spec=spec), template=template_make(by=by)
        ),
        by=by,
    )
