"""Who sees which documents and announcements: tier gate, partner restriction, time window."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.http import Http404
from django.utils import timezone

from dirco.conftest import Company
from dirco.documents.models import Announcement
from dirco.documents.permissions import (
    announcements_visible_to,
    documents_visible_to,
    get_announcement_for_user,
    get_document_for_user,
)
from dirco.documents.selectors import announcement_list, document_list
from dirco.documents.tests.factories import make_announcement, make_document
from dirco.partners.models import Partner, Tier

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiers(company: Company, settings: Any, tmp_path: Path) -> tuple[Tier, Tier, Tier]:
    settings.MEDIA_ROOT = tmp_path
    gold = Tier.objects.create(name="Gold", rank=31001)
    silver = Tier.objects.create(name="Silver", rank=31002)
    bronze = Tier.objects.create(name="Bronze", rank=31003)
    Partner.objects.filter(pk=company.partner_a.pk).update(tier=silver)
    Partner.objects.filter(pk=company.partner_b.pk).update(tier=bronze)
    return gold, silver, bronze


def _titles(qs: Any) -> set[str]:
    return {o.title for o in qs}


def test_documents_gated_by_tier_partner_and_publication(
    company: Company, tiers: tuple[Tier, Tier, Tier]
) -> None:
    gold, silver, _bronze = tiers
    make_document("Everyone")
    make_document("Silver and up", min_tier_rank=silver.rank)
    make_document("Gold only", min_tier_rank=gold.rank)
    make_document("For A", partners=[company.partner_a])
    make_document("For A if gold", partners=[company.partner_a], min_tier_rank=gold.rank)
    make_document("Unpublished", is_published=False)
    assert _titles(documents_visible_to(company.partner_a_user)) == {
        "Everyone",
        "Silver and up",
        "For A",
    }
    assert _titles(documents_visible_to(company.partner_a_admin)) == {
        "Everyone",
        "Silver and up",
        "For A",
    }
    assert _titles(documents_visible_to(company.partner_b_user)) == {"Everyone"}
    assert len(documents_visible_to(company.director)) == 6
    assert _titles(document_list(user=company.partner_a_user, q="silver")) == {"Silver and up"}


def test_get_document_for_user_hides_as_missing(
    company: Company, tiers: tuple[Tier, Tier, Tier]
) -> None:
    gold = tiers[0]
    hidden = make_document("Gold only", min_tier_rank=gold.rank)
    for document_id in (hidden.pk, 999999, "nope"):
        with pytest.raises(Http404):
            get_document_for_user(user=company.partner_b_user, document_id=document_id)
    assert get_document_for_user(user=company.director, document_id=hidden.pk) == hidden


def test_inactive_user_sees_nothing(company: Company, tiers: tuple[Tier, Tier, Tier]) -> None:
    make_document("Everyone")
    make_announcement("Hello")
    company.partner_a_user.is_active = False
    assert not documents_visible_to(company.partner_a_user).exists()
    assert not announcements_visible_to(company.partner_a_user).exists()


def test_announcements_by_audience_and_window(
    company: Company, tiers: tuple[Tier, Tier, Tier]
) -> None:
    gold, silver, _bronze = tiers
    now = timezone.now()
    make_announcement("All")
    make_announcement("Silver+", audience=Announcement.Audience.TIER, min_tier_rank=silver.rank)
    make_announcement("Gold+", audience=Announcement.Audience.TIER, min_tier_rank=gold.rank)
    make_announcement("To B", audience=Announcement.Audience.PARTNERS, partners=[company.partner_b])
    make_announcement("Draft", published_at=None)
    make_announcement("Later", published_at=now + dt.timedelta(days=1))
    make_announcement("Expired", expires_at=now - dt.timedelta(minutes=1))
    assert _titles(announcements_visible_to(company.partner_a_user)) == {"All", "Silver+"}
    assert _titles(announcements_visible_to(company.partner_b_user)) == {"All", "To B"}
    later = now + dt.timedelta(days=2)
    assert "Later" in _titles(announcements_visible_to(company.partner_a_user, now=later))
    assert _titles(announcement_list(user=company.director)) == {
        "All",
        "Silver+",
        "Gold+",
        "To B",
    }
    gold_news = Announcement.objects.get(title="Gold+")
    with pytest.raises(Http404):
        get_announcement_for_user(user=company.partner_a_user, announcement_id=gold_news.pk)
