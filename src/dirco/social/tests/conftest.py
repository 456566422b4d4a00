"""The social tests' world: partner A is gold, partner B silver; each has a deal with its
channel manager's team; a customer account shared by both partners' deals."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from dirco.conftest import Company
from dirco.customers.models import Account
from dirco.customers.tests.factories import AccountFactory
from dirco.marketing.tests.smtp_server import SinkHandler, SmtpServer
from dirco.partners.models import Partner, Tier
from dirco.pipeline.models import Deal
from dirco.pipeline.tests.factories import DealFactory


@dataclass
class Social:
    c: Company
    gold: Tier
    silver: Tier
    deal_a: Deal
    deal_b: Deal
    shared_account: Account


@pytest.fixture
def social(company: Company, settings: Any, tmp_path: Any) -> Social:
    settings.MEDIA_ROOT = tmp_path / "media"
    gold = Tier.objects.create(name="Gold", rank=101)
    silver = Tier.objects.create(name="Silver", rank=102)
    Partner.objects.filter(pk=company.partner_a.pk).update(tier=gold)
    Partner.objects.filter(pk=company.partner_b.pk).update(tier=silver)
    company.partner_a.refresh_from_db()
    company.partner_b.refresh_from_db()
    shared = AccountFactory(name="Shared Customer", owner=company.rep)
    deal_a = DealFactory(
        name="Alpha deal",
        account=shared,
        owner=company.rep,
        team=company.team,
        partner=company.partner_a,
    )
    deal_b = DealFactory(
        name="Beta deal",
        account=shared,
        owner=company.other_rep,
        team=company.other_team,
        partner=company.partner_b,
    )
    return Social(company, gold, silver, deal_a, deal_b, shared)


@pytest.fixture
def smtp(settings: Any) -> Iterator[SinkHandler]:
    """A real SMTP server on loopback, and Django's SMTP backend pointed at it."""
    with SmtpServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_TIMEOUT = 10
        settings.DIRCO_BASE_URL = "http://testserver"
        yield server.handler
