"""Partner applications, onboarding and the tier review."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from dirco.accounts.tests.factories import UserFactory
from dirco.conftest import Company
from dirco.core.errors import ApplicationError
from dirco.notifications.models import Notification
from dirco.partners.models import Contact, Partner, Tier
from dirco.partners.tests.factories import PartnerFactory, TerritoryFactory
from dirco.pipeline.tests.factories import DealFactory, stage_named
from dirco.registrations.lifecycle import (
    application_approve,
    application_reject,
    application_submit,
    onboarding_certified_people_set,
    onboarding_step_complete,
)
from dirco.registrations.models import (
    OnboardingStep,
    PartnerApplication,
    TierChange,
    TierProposal,
)
from dirco.registrations.services import registration_approve, registration_reject
from dirco.registrations.tests.factories import submit
from dirco.registrations.tier_review import (
    partner_kpis,
    review_period,
    tier_proposal_confirm,
    tier_proposal_dismiss,
    tier_review_run,
)

pytestmark = pytest.mark.django_db

APPLICATION = {
    "company_name": "Delta Conseil",
    "country": "fr",
    "kind": "integrator",
    "contact_first_name": "Paul",
    "contact_last_name": "Durand",
    "contact_email": "paul@delta.example",
}


def test_application_submit_notifies_directors(
    company: Company, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        application = application_submit(data=dict(APPLICATION), ip="10.1.1.1")
    assert application.country == "FR"
    assert Notification.objects.filter(
        recipient=company.director, kind="partner-application"
    ).exists()
    with pytest.raises(ApplicationError) as exc:
        application_submit(data={**APPLICATION, "status": "approved"}, ip=None)
    assert "status" in exc.value.fields
    with pytest.raises(ApplicationError) as exc:
        application_submit(data={**APPLICATION, "contact_email": "nope"}, ip=None)
    assert "contact_email" in exc.value.fields


def test_approve_creates_onboarding_partner_with_checklist_then_active(
    company: Company, django_capture_on_commit_callbacks: Any
) -> None:
    application = application_submit(data=dict(APPLICATION), ip=None)
    with pytest.raises(PermissionDenied):
        application_approve(
            application=application, approved_by=company.rep, territory=TerritoryFactory()
        )
    with django_capture_on_commit_callbacks(execute=True):
        partner = application_approve(
            application=application, approved_by=company.director, territory=TerritoryFactory()
        )
    assert partner.status == Partner.Status.ONBOARDING
    assert partner.tier == Tier.objects.order_by("-rank").first()
    assert Contact.objects.filter(partner=partner, email="paul@delta.example").exists()
    assert [m.to for m in mail.outbox if "Welcome" in m.subject] == [["paul@delta.example"]]
    steps = list(partner.onboarding.steps.values_list("code", flat=True))
    assert steps == ["agreement_signed", "first_training", "first_registration"]
    with pytest.raises(ApplicationError):
        application_reject(application=application, rejected_by=company.director, reason="late")

    onboarding_step_complete(partner=partner, code="agreement_signed", done_by=company.director)
    onboarding_step_complete(partner=partner, code="first_training", done_by=company.director)
    partner.refresh_from_db()
    assert partner.status == Partner.Status.ONBOARDING
    user = UserFactory(role="partner_user", partner=partner)
    submit(user)
    partner.refresh_from_db()
    assert partner.status == Partner.Status.ACTIVE
    assert partner.onboarding.completed_at is not None
    step = partner.onboarding.steps.get(code=OnboardingStep.Code.FIRST_REGISTRATION)
    assert step.done_by == user


def test_manager_may_not_pick_a_tier(company: Company) -> None:
    application = application_submit(data=dict(APPLICATION), ip=None)
    with pytest.raises(ApplicationError) as exc:
        application_approve(
            application=application,
            approved_by=company.manager,
            territory=TerritoryFactory(),
            tier=Tier.objects.order_by("rank").first(),
        )
    assert "tier" in exc.value.fields
    assert Partner.objects.filter(name="Delta Conseil").count() == 0


def test_reject_needs_reason_and_emails_applicant(
    company: Company, django_capture_on_commit_callbacks: Any
) -> None:
    application = application_submit(data=dict(APPLICATION), ip=None)
    with pytest.raises(ApplicationError):
        application_reject(application=application, rejected_by=company.manager, reason="")
    with django_capture_on_commit_callbacks(execute=True):
        application_reject(
            application=application, rejected_by=company.manager, reason="Out of our market"
        )
    application.refresh_from_db()
    assert application.status == PartnerApplication.Status.REJECTED
    assert any("Out of our market" in m.body for m in mail.outbox)


@pytest.fixture
def tiers(db: None) -> dict[str, Tier]:
    gold, _ = Tier.objects.update_or_create(
        rank=101,
        defaults={
            "name": "Gold",
            "min_won_revenue": Decimal("100000"),
            "min_registrations": 3,
            "min_certified_people": 2,
        },
    )
    silver, _ = Tier.objects.update_or_create(
        rank=102, defaults={"name": "Silver", "min_won_revenue": Decimal("20000")}
    )
    entry, _ = Tier.objects.update_or_create(rank=103, defaults={"name": "Registered"})
    return {"gold": gold, "silver": silver, "entry": entry}


def _won(partner: Partner, amount: str, days_ago: int, owner: Any) -> None:
    close = dt.date.today() - dt.timedelta(days=days_ago)
    DealFactory(
        partner=partner,
        owner=owner,
        stage=stage_named("Won"),
        amount=Decimal(amount),
        close_date=close,
    )


def test_tier_review_proposes_and_director_confirms(
    company: Company, tiers: dict[str, Tier]
) -> None:
    # Only the four tiers of this test: the company's partners are moved into them.
    climber = PartnerFactory(name="Climber", tier=tiers["entry"], channel_manager=company.rep)
    faller = PartnerFactory(name="Faller", tier=tiers["gold"], channel_manager=company.rep)
    unknown_certs = PartnerFactory(
        name="Unknown", tier=tiers["silver"], channel_manager=company.rep
    )
    Partner.objects.filter(pk__in=[company.partner_a.pk, company.partner_b.pk]).update(
        tier=tiers["entry"]
    )
    Tier.objects.exclude(pk__in=[t.pk for t in tiers.values()]).delete()
    _won(climber, "150000", 30, company.rep)
    _won(climber, "999999", 400, company.rep)  # outside the 12 months: not counted
    climber_user = UserFactory(role="partner_user", partner=climber)
    for i, customer in enumerate(["Alpha Forge", "Brisk Mills", "Cobalt Plastics"]):
        registration = submit(
            climber_user,
            customer_name=customer,
            customer_domain=f"c{i}.example",
            customer_legal_identifier="",
        )
        registration_approve(registration=registration, approved_by=company.director)
    onboarding_certified_people_set(partner=climber, certified_people=2)
    _won(faller, "5000", 10, company.rep)
    _won(unknown_certs, "300000", 10, company.rep)  # certifications unknown: no upgrade to gold

    with pytest.raises(PermissionDenied):
        tier_review_run(run_by=company.manager)
    review = tier_review_run(run_by=company.director)
    proposals = {p.partner.name: p for p in review.proposals.select_related("partner", "to_tier")}
    assert set(proposals) == {"Climber", "Faller"}  # partners A and B stay in the entry tier
    assert proposals["Climber"].to_tier == tiers["gold"]
    assert proposals["Climber"].is_upgrade
    assert proposals["Climber"].kpis["won_revenue"] == "150000.00"
    assert proposals["Climber"].kpis["registrations"] == 3
    assert proposals["Faller"].to_tier == tiers["entry"]
    climber.refresh_from_db()
    assert climber.tier == tiers["entry"]  # nothing changes without confirmation

    with pytest.raises(PermissionDenied):
        tier_proposal_confirm(proposal=proposals["Climber"], confirmed_by=company.manager)
    change = tier_proposal_confirm(proposal=proposals["Climber"], confirmed_by=company.director)
    climber.refresh_from_db()
    assert climber.tier == tiers["gold"]
    assert (change.from_tier, change.to_tier, change.changed_by) == (
        tiers["entry"],
        tiers["gold"],
        company.director,
    )
    assert change.kpis["registrations"] == 3
    tier_proposal_dismiss(proposal=proposals["Faller"], dismissed_by=company.director)
    faller.refresh_from_db()
    assert faller.tier == tiers["gold"]
    assert TierChange.objects.count() == 1
    with pytest.raises(ApplicationError):
        tier_proposal_confirm(proposal=proposals["Faller"], confirmed_by=company.director)

    again = tier_review_run(run_by=company.director)
    assert [p.partner.name for p in again.proposals.all()] == ["Faller"]
    assert TierProposal.objects.filter(status="proposed").count() == 1


def test_tier_kpis_count_approved_registrations_only(company: Company) -> None:
    partner_user = UserFactory(role="partner_user", partner=company.partner_a)
    registrations = [
        submit(
            partner_user,
            customer_name=f"Junk {i}",
            customer_domain=f"junk{i}.example",
            customer_legal_identifier="",
        )
        for i in range(4)
    ]
    registration_reject(
        registration=registrations[0], rejected_by=company.director, reason="Not a real project"
    )
    start, end = review_period(dt.date.today())

    def counted() -> int:
        kpis = partner_kpis(partner_ids=[company.partner_a.pk], start=start, end=end)
        return kpis[company.partner_a.pk].registrations

    assert counted() == 0  # three under review and one rejected move nothing
    registration_approve(registration=registrations[1], approved_by=company.director)
    assert counted() == 1
