"""Fixtures of the portal tests: partners A (Gold) and B (Bronze), each with a deal, a
registration, an offered lead, and documents and announcements of every audience."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dirco.accounts.models import User
from dirco.conftest import Company
from dirco.documents.models import Announcement, Document
from dirco.documents.tests.factories import make_announcement, make_document
from dirco.leads.models import Lead, LeadAssignment
from dirco.partners.models import Partner, Tier
from dirco.pipeline.models import Deal
from dirco.pipeline.tests.factories import DealFactory
from dirco.registrations.models import DealRegistration
from dirco.registrations.tests.factories import submit


@dataclass
class World:
    gold: Tier
    silver: Tier
    bronze: Tier
    deal_a: Deal
    deal_b: Deal
    registration_a: DealRegistration
    registration_b: DealRegistration
    lead_a: Lead
    lead_b: Lead
    doc_all: Document
    doc_gold: Document
    doc_only_a: Document
    doc_draft: Document
    news_all: Announcement
    news_gold: Announcement
    news_only_a: Announcement


def offer_lead(partner: Partner, company_name: str, *, due_in: dt.timedelta | None = None) -> Lead:
    now = timezone.now()
    due = now + (due_in or dt.timedelta(hours=48))
    lead = Lead.objects.create(
        company_name=company_name,
        contact_name="Jeanne Martin",
        email=f"jeanne@{company_name.lower().replace(' ', '-')}.example",
        phone="+33 1 23 45 67 89",
        country="FR",
        status=Lead.Status.OFFERED,
        partner=partner,
        offered_at=now,
        sla_due_at=due,
    )
    LeadAssignment.objects.create(
        lead=lead,
        partner=partner,
        rule=LeadAssignment.Rule.PARTNER_SCORE,
        offered_at=now,
        due_at=due,
    )
    return lead


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT  # type: ignore[no-any-return]


@pytest.fixture
def world(company: Company, media: Path) -> World:
    gold = Tier.objects.create(name="Gold", rank=30001, min_won_revenue=100000)
    silver = Tier.objects.create(
        name="Silver", rank=30002, min_won_revenue=50000, min_registrations=5
    )
    bronze = Tier.objects.create(name="Bronze", rank=30003)
    Partner.objects.filter(pk=company.partner_a.pk).update(tier=gold)
    Partner.objects.filter(pk=company.partner_b.pk).update(tier=bronze)
    company.partner_a.refresh_from_db()
    company.partner_b.refresh_from_db()
    return World(
        gold=gold,
        silver=silver,
        bronze=bronze,
        deal_a=DealFactory(name="Alpha secret deal", partner=company.partner_a, owner=company.rep),
        deal_b=DealFactory(
            name="Beta own deal", partner=company.partner_b, owner=company.other_rep
        ),
        registration_a=submit(
            company.partner_a_user,
            customer_name="Alphacustomer Widgets",
            customer_domain="alphacustomer.example",
            customer_legal_identifier="552100554",
        ),
        registration_b=submit(
            company.partner_b_user,
            customer_name="Betacustomer Gadgets",
            customer_domain="betacustomer.example",
            customer_legal_identifier="542065479",
        ),
        lead_a=offer_lead(company.partner_a, "Alphalead Foods"),
        lead_b=offer_lead(company.partner_b, "Betalead Tools"),
        doc_all=make_document("Price list"),
        doc_gold=make_document("Gold playbook", min_tier_rank=gold.rank),
        doc_only_a=make_document("Alpha contract", partners=[company.partner_a]),
        doc_draft=make_document("Draft deck", is_published=False),
        news_all=make_announcement("Hello partners"),
        news_gold=make_announcement(
            "Gold summit", audience=Announcement.Audience.TIER, min_tier_rank=gold.rank
        ),
        news_only_a=make_announcement(
            "Alpha news", audience=Announcement.Audience.PARTNERS, partners=[company.partner_a]
        ),
    )


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client
