"""Submit, approve, reject, extend and expire deal registrations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from dirco.conftest import Company
from dirco.core.errors import ApplicationError
from dirco.customers.models import Account
from dirco.customers.tests.factories import AccountFactory
from dirco.notifications.models import Notification
from dirco.pipeline.models import Deal
from dirco.pipeline.tests.factories import stage_named
from dirco.registrations.lifecycle import onboarding_checklist_create
from dirco.registrations.models import (
    DealRegistration,
    OnboardingStep,
    RegistrationConflict,
    RegistrationExtension,
)
from dirco.registrations.services import (
    registration_approve,
    registration_extension_decide,
    registration_extension_request,
    registration_reject,
    registration_submit,
    registrations_expire,
)
from dirco.registrations.tests.factories import registration_data, submit

pytestmark = pytest.mark.django_db


def test_submit_stores_normalised_keys_for_the_users_partner(company: Company) -> None:
    registration = submit(company.partner_a_user)
    assert registration.partner == company.partner_a
    assert registration.status == DealRegistration.Status.PENDING
    assert registration.customer_country == "FR"
    assert (registration.name_key, registration.domain_key, registration.legal_id_key) == (
        "acme industries",
        "acme-industries.fr",
        "732829320",
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"currency": "XYZ"}, "currency"),
        ({"amount": Decimal("-1")}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"expected_close_date": dt.date(2000, 1, 1)}, "expected_close_date"),
        ({"customer_name": "  "}, "customer_name"),
        ({"product_line_id": 999999}, "product_line"),
        ({"customer_country": "France"}, "customer_country"),
    ],
)
def test_submit_refuses_bad_input_and_saves_nothing(
    company: Company, overrides: dict[str, Any], field: str
) -> None:
    data = registration_data(**overrides)
    if "product_line_id" in overrides:
        data.pop("product_line")
    with pytest.raises(ApplicationError) as exc:
        registration_submit(user=company.partner_a_user, data=data)
    assert field in exc.value.fields
    assert DealRegistration.objects.count() == 0
    assert Notification.objects.count() == 0


@pytest.mark.parametrize("field", ["status", "partner", "owner", "approved_at", "protected_until"])
def test_submit_refuses_fields_a_partner_may_not_set(company: Company, field: str) -> None:
    with pytest.raises(ApplicationError) as exc:
        registration_submit(user=company.partner_a_user, data=registration_data(**{field: "x"}))
    assert field in exc.value.fields
    assert DealRegistration.objects.count() == 0


def test_only_partner_users_of_active_partners_submit(company: Company) -> None:
    with pytest.raises(PermissionDenied):
        submit(company.rep)
    company.partner_b.status = "suspended"
    company.partner_b.save()
    company.partner_b_user.refresh_from_db()
    with pytest.raises(PermissionDenied):
        submit(company.partner_b_user)


def test_submit_notifies_channel_manager_with_conflict_count(
    company: Company, django_capture_on_commit_callbacks: Any
) -> None:
    AccountFactory(name="Acme Industries", domain="acme.example")
    with django_capture_on_commit_callbacks(execute=True):
        registration = submit(company.partner_a_user)
    assert registration.conflict_count == 1
    assert RegistrationConflict.objects.filter(registration=registration).count() == 1
    [note] = Notification.objects.filter(recipient=company.rep)
    assert note.kind == "registration-submitted"
    assert "1 possible conflict" in note.body
    assert [m.to for m in mail.outbox] == [[company.rep.email]]


def test_approve_creates_account_and_deal_with_tier_protection(
    company: Company, django_capture_on_commit_callbacks: Any
) -> None:
    tier = company.partner_a.tier
    tier.protection_days = 45
    tier.save()
    registration = submit(company.partner_a_user)
    moment = timezone.now()
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(moment, tick=False):
        registration = registration_approve(registration=registration, approved_by=company.rep)
    assert registration.status == DealRegistration.Status.APPROVED
    assert registration.approved_at == moment
    assert registration.protected_until == moment + dt.timedelta(days=45)
    deal = Deal.objects.get(pk=registration.deal_id)
    assert deal.partner == company.partner_a
    assert deal.owner == company.rep  # the channel manager, a staff user
    assert deal.source == Deal.Source.PARTNER
    assert deal.amount == Decimal("25000.00")
    assert deal.account.name == "Acme Industries SAS"
    assert deal.account.domain == "acme-industries.fr"
    assert Notification.objects.filter(
        recipient=company.partner_a_user, kind="registration-approved"
    ).exists()
    assert company.partner_a_user.email in [m.to[0] for m in mail.outbox]


def test_approve_links_an_existing_account(company: Company) -> None:
    account = AccountFactory(name="Acme Industries", owner=company.rep)
    registration = submit(company.partner_a_user)
    registration = registration_approve(
        registration=registration, approved_by=company.rep, account=account
    )
    assert registration.account == account
    assert Account.objects.count() == 1


def test_only_the_channel_line_or_director_decides(company: Company) -> None:
    registration = submit(company.partner_a_user)
    for user in (
        company.other_rep,
        company.other_manager,
        company.marketing,
        company.partner_a_admin,
    ):
        with pytest.raises(PermissionDenied):
            registration_approve(registration=registration, approved_by=user)
        with pytest.raises(PermissionDenied):
            registration_reject(registration=registration, rejected_by=user, reason="no")
    registration_approve(registration=registration, approved_by=company.manager)
    other = submit(
        company.partner_a_user,
        customer_name="Other Customer",
        customer_domain="",
        customer_legal_identifier="",
    )
    registration_reject(registration=other, rejected_by=company.director, reason="Duplicate")


def test_approving_over_a_protected_registration_needs_override(company: Company) -> None:
    protected = submit(company.partner_b_user)
    registration_approve(registration=protected, approved_by=company.other_rep)
    late = submit(company.partner_a_user)
    with pytest.raises(ApplicationError) as exc:
        registration_approve(registration=late, approved_by=company.rep)
    assert "override_conflicts" in exc.value.fields
    late.refresh_from_db()
    assert late.status == DealRegistration.Status.PENDING
    assert late.deal_id is None
    approved = registration_approve(
        registration=late, approved_by=company.rep, override_conflicts=True
    )
    assert approved.conflicts_overridden


def test_reject_needs_a_reason_and_tells_the_partner(
    company: Company, django_capture_on_commit_callbacks: Any
) -> None:
    registration = submit(company.partner_a_user)
    with pytest.raises(ApplicationError) as exc:
        registration_reject(registration=registration, rejected_by=company.rep, reason="  ")
    assert "reason" in exc.value.fields
    with django_capture_on_commit_callbacks(execute=True):
        registration_reject(registration=registration, rejected_by=company.rep, reason="Known lead")
    registration.refresh_from_db()
    assert registration.status == DealRegistration.Status.REJECTED
    note = Notification.objects.get(recipient=company.partner_a_user, kind="registration-rejected")
    assert "Known lead" in note.body
    with pytest.raises(ApplicationError):
        registration_approve(registration=registration, approved_by=company.rep)


def test_expiry_with_a_frozen_clock(company: Company) -> None:
    start = dt.datetime(2030, 1, 10, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        protected = submit(company.partner_a_user)
        registration_approve(registration=protected, approved_by=company.rep)
        won = submit(
            company.partner_a_user,
            customer_name="Won Customer",
            customer_domain="won.example",
            customer_legal_identifier="",
        )
        won = registration_approve(registration=won, approved_by=company.rep)
        Deal.objects.filter(pk=won.deal_id).update(stage=stage_named("Won"))
        stale = submit(
            company.partner_a_user,
            customer_name="Slow Review",
            customer_domain="slow.example",
            customer_legal_identifier="",
        )
    protection_days = company.partner_a.tier.protection_days
    with time_machine.travel(start + dt.timedelta(days=29), tick=False):
        assert registrations_expire() == {"approved": 0, "pending": 0}
    with time_machine.travel(start + dt.timedelta(days=31), tick=False):
        assert registrations_expire() == {"approved": 0, "pending": 1}
    with time_machine.travel(start + dt.timedelta(days=protection_days, seconds=1), tick=False):
        assert registrations_expire() == {"approved": 1, "pending": 0}
    for reg, status in ((protected, "expired"), (won, "approved"), (stale, "expired")):
        reg.refresh_from_db()
        assert reg.status == status
    assert (
        Notification.objects.filter(
            recipient=company.partner_a_user, kind="registration-expired"
        ).count()
        == 2
    )


def test_extension_request_and_decision(
    company: Company, django_capture_on_commit_callbacks: Any
) -> None:
    start = dt.datetime(2030, 3, 1, 9, 0, tzinfo=dt.UTC)
    days = company.partner_a.tier.protection_days
    with time_machine.travel(start, tick=False):
        registration = submit(company.partner_a_user)
        registration = registration_approve(registration=registration, approved_by=company.rep)
    with time_machine.travel(start + dt.timedelta(days=days - 5), tick=False):
        with pytest.raises(ApplicationError):
            registration_extension_request(
                registration=registration, requested_by=company.partner_a_user, reason=""
            )
        with pytest.raises(PermissionDenied):
            registration_extension_request(
                registration=registration, requested_by=company.partner_b_user, reason="x"
            )
        with django_capture_on_commit_callbacks(execute=True):
            extension = registration_extension_request(
                registration=registration,
                requested_by=company.partner_a_user,
                reason="Customer board meets next quarter",
            )
        assert Notification.objects.filter(
            recipient=company.rep, kind="registration-extension-requested"
        ).exists()
        with pytest.raises(ApplicationError):
            registration_extension_request(
                registration=registration, requested_by=company.partner_a_user, reason="again"
            )
        with pytest.raises(PermissionDenied):
            registration_extension_decide(
                extension=extension, decided_by=company.other_rep, approve=True
            )
        registration_extension_decide(extension=extension, decided_by=company.rep, approve=True)
    registration.refresh_from_db()
    assert registration.protected_until == start + dt.timedelta(days=2 * days)
    extension.refresh_from_db()
    assert extension.status == RegistrationExtension.Status.APPROVED
    assert Notification.objects.filter(
        recipient=company.partner_a_user, kind="registration-extension-decided"
    ).exists()
    with time_machine.travel(start + dt.timedelta(days=days + 1), tick=False):
        assert registrations_expire()["approved"] == 0
        second = registration_extension_request(
            registration=registration, requested_by=company.partner_a_user, reason="more"
        )
        registration_extension_decide(
            extension=second, decided_by=company.rep, approve=False, note="No"
        )
    registration.refresh_from_db()
    assert registration.protected_until == start + dt.timedelta(days=2 * days)


def test_first_registration_ticks_onboarding(company: Company) -> None:
    partner = company.partner_a
    partner.status = "onboarding"
    partner.save()
    checklist = onboarding_checklist_create(partner=partner)
    company.partner_a_user.refresh_from_db()
    submit(company.partner_a_user)
    step = checklist.steps.get(code=OnboardingStep.Code.FIRST_REGISTRATION)
    assert step.done_at is not None and step.done_by == company.partner_a_user
    partner.refresh_from_db()
    assert partner.status == "onboarding"  # the other steps are still open
