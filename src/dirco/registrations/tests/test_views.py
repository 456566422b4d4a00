"""Staff pages: allowed and forbidden users, decisions, and the public application form."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dirco.accounts.models import User
from dirco.conftest import Company
from dirco.partners.tests.factories import TerritoryFactory
from dirco.registrations.forms import application_form_token
from dirco.registrations.models import (
    DealRegistration,
    PartnerApplication,
    TierProposal,
    TierReview,
)
from dirco.registrations.tests.factories import submit

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def contested(company: Company) -> DealRegistration:
    submit(company.partner_b_user)
    return submit(company.partner_a_user, customer_name="ACME Industries")


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("rep", 200),
        ("manager", 200),
        ("director", 200),
        ("other_rep", 404),
        ("other_manager", 404),
        ("marketing", 404),
    ],
)
def test_detail_page_access(
    company: Company, contested: DealRegistration, name: str, status: int
) -> None:
    response = _client(getattr(company, name)).get(
        reverse("registrations:detail", args=[contested.pk])
    )
    assert response.status_code == status


def test_detail_page_shows_conflicts_to_the_channel_manager(
    company: Company, contested: DealRegistration
) -> None:
    html = _client(company.rep).get(reverse("registrations:detail", args=[contested.pk])).content
    assert company.partner_b.name.encode() in html
    assert b"Approve" in html


@pytest.mark.parametrize("name", ["partner_a_user", "partner_a_admin", "partner_b_user"])
def test_partner_users_never_reach_staff_pages(
    company: Company, contested: DealRegistration, name: str
) -> None:
    client = _client(getattr(company, name))
    for url in (
        reverse("registrations:list"),
        reverse("registrations:detail", args=[contested.pk]),
        reverse("registrations:application_list"),
        reverse("registrations:tier_review"),
    ):
        # The portal equivalent (their own registrations) or 404 (dirco.web.partner_gate).
        response = client.get(url)
        assert response.status_code in (302, 404), url
        if response.status_code == 302:
            assert response["Location"].startswith("/portal/"), url
        assert company.partner_b.name.encode() not in response.content
    for action in ("approve", "reject"):
        response = client.post(
            reverse(f"registrations:{action}", args=[contested.pk]), {"reason": "x"}
        )
        assert response.status_code == 404
    contested.refresh_from_db()
    assert contested.status == DealRegistration.Status.PENDING


def test_list_shows_only_visible_registrations_with_conflict_counts(
    company: Company, contested: DealRegistration
) -> None:
    html = _client(company.rep).get(reverse("registrations:list")).content.decode()
    assert "ACME Industries" in html
    assert company.partner_b.name not in html
    other = _client(company.other_rep).get(reverse("registrations:list")).content.decode()
    assert company.partner_a.name not in other
    assert "Acme Industries SAS" in other  # partner B's own registration


def test_anonymous_goes_to_login(contested: DealRegistration) -> None:
    response = Client().get(reverse("registrations:detail", args=[contested.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_approve_and_reject_from_the_page(company: Company) -> None:
    registration = submit(company.partner_a_user)
    client = _client(company.rep)
    response = client.post(reverse("registrations:approve", args=[registration.pk]), {})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == "approved" and registration.deal_id is not None

    other = submit(company.partner_a_user, customer_name="Zed", customer_domain="zed.example")
    response = client.post(reverse("registrations:reject", args=[other.pk]), {"reason": ""})
    assert response.status_code == 400
    response = client.post(reverse("registrations:reject", args=[other.pk]), {"reason": "Dup"})
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.status == "rejected"


def test_override_needed_on_the_page(company: Company, contested: DealRegistration) -> None:
    theirs = DealRegistration.objects.exclude(pk=contested.pk).get()
    _client(company.other_rep).post(reverse("registrations:approve", args=[theirs.pk]), {})
    client = _client(company.rep)
    response = client.post(reverse("registrations:approve", args=[contested.pk]), {})
    assert response.status_code == 400
    response = client.post(
        reverse("registrations:approve", args=[contested.pk]), {"override_conflicts": "on"}
    )
    assert response.status_code == 302


def test_forbidden_staff_cannot_decide(company: Company, contested: DealRegistration) -> None:
    for name in ("other_rep", "other_manager", "marketing"):
        client = _client(getattr(company, name))
        for action in ("approve", "reject", "extension_decide"):
            response = client.post(
                reverse(f"registrations:{action}", args=[contested.pk]), {"reason": "x"}
            )
            assert response.status_code == 404


# The public application form.


def _application(**overrides: Any) -> dict[str, Any]:
    data = {
        "company_name": "Nouveau Partenaire SARL",
        "country": "FR",
        "kind": "reseller",
        "contact_first_name": "Jeanne",
        "contact_last_name": "Martin",
        "contact_email": "jeanne@nouveau.example",
        "website": "",
    }
    data.update(overrides)
    return data


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


def _old_token() -> str:
    with time_machine.travel(timezone.now() - timezone.timedelta(seconds=60)):
        return application_form_token()


def test_application_form_accepts_a_person(company: Company) -> None:
    client = Client()
    assert client.get(reverse("registrations:apply")).status_code == 200
    response = client.post(reverse("registrations:apply"), _application(started=_old_token()))
    assert response.status_code == 302
    application = PartnerApplication.objects.get()
    assert application.company_name == "Nouveau Partenaire SARL"
    assert application.submitted_ip == "127.0.0.1"


def test_application_honeypot_refuses(company: Company) -> None:
    """A bot is answered as if it had succeeded (as by the contact form); nothing is kept."""
    response = Client().post(
        reverse("registrations:apply"), _application(started=_old_token(), website="http://spam")
    )
    assert response.status_code == 302
    assert PartnerApplication.objects.count() == 0


def test_application_sent_too_fast_or_forged_refuses(company: Company) -> None:
    client = Client()
    client.post(reverse("registrations:apply"), _application(started=application_form_token()))
    client.post(reverse("registrations:apply"), _application(started="forged"))
    client.post(reverse("registrations:apply"), _application())
    assert PartnerApplication.objects.count() == 0


def test_application_rate_limited_per_address(company: Company, settings: Any) -> None:
    settings.DIRCO_APPLICATION_RATE_LIMIT = 2
    client = Client()
    statuses = [
        client.post(
            reverse("registrations:apply"),
            _application(started=_old_token(), contact_email=f"p{i}@x.example"),
        ).status_code
        for i in range(3)
    ]
    assert statuses == [302, 302, 429]
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert (
        other.post(reverse("registrations:apply"), _application(started=_old_token())).status_code
        == 302
    )
    assert PartnerApplication.objects.count() == 3


def test_application_review_pages(company: Company) -> None:
    application = PartnerApplication.objects.create(
        company_name="Gamma",
        country="FR",
        contact_first_name="A",
        contact_last_name="B",
        contact_email="a@gamma.example",
    )
    url = reverse("registrations:application_detail", args=[application.pk])
    for name, status in (("director", 200), ("manager", 200), ("rep", 404), ("marketing", 404)):
        assert _client(getattr(company, name)).get(url).status_code == status
    assert _client(company.partner_a_admin).get(url).status_code == 404
    territory = TerritoryFactory()
    response = _client(company.manager).post(
        reverse("registrations:application_approve", args=[application.pk]),
        {"territory": territory.pk, "channel_manager": company.rep.pk},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.partner is not None
    assert application.partner.status == "onboarding"
    assert application.partner.channel_manager == company.rep
    onboarding = _client(company.rep).get(
        reverse("registrations:onboarding", args=[application.partner.pk])
    )
    assert onboarding.status_code == 200
    assert (
        _client(company.other_rep)
        .get(reverse("registrations:onboarding", args=[application.partner.pk]))
        .status_code
        == 404
    )


def test_tier_review_page_is_the_directors(company: Company) -> None:
    for name in ("manager", "rep", "marketing"):
        assert (
            _client(getattr(company, name)).get(reverse("registrations:tier_review")).status_code
            == 404
        )
    client = _client(company.director)
    assert client.get(reverse("registrations:tier_review")).status_code == 200
    assert client.post(reverse("registrations:tier_review")).status_code == 302
    review = TierReview.objects.get()
    proposal = TierProposal.objects.create(
        review=review,
        partner=company.partner_a,
        from_tier=company.partner_a.tier,
        to_tier=company.partner_b.tier,
        kpis={"won_revenue": "1500.00", "currency": "EUR", "registrations": 2},
    )
    html = client.get(reverse("registrations:tier_review")).content.decode()
    assert company.partner_a.name in html and "1,500.00" in html
    response = client.post(reverse("registrations:tier_proposal_confirm", args=[proposal.pk]))
    assert response.status_code == 302
    company.partner_a.refresh_from_db()
    assert company.partner_a.tier == company.partner_b.tier
    forbidden = _client(company.manager).post(
        reverse("registrations:tier_proposal_dismiss", args=[proposal.pk])
    )
    assert forbidden.status_code == 404
