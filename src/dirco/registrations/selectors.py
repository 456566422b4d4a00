"""Reads on registrations and the partner lifecycle, always scoped by the permissions module."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from dirco.accounts.models import User
from dirco.customers.models import Account
from dirco.partners.models import Partner
from dirco.registrations.conflicts import Conflict, registration_conflicts_find
from dirco.registrations.models import (
    DealRegistration,
    OnboardingChecklist,
    RegistrationExtension,
    TierChange,
    TierProposal,
    TierReview,
)
from dirco.registrations.permissions import (
    registration_conflicts_may_see,
    registration_linkable_accounts,
    registrations_visible_to,
)


@dataclass(frozen=True)
class RegistrationFilters:
    status: str = ""
    partner_id: int | None = None
    q: str = ""


def registration_list(
    *, user: User, filters: RegistrationFilters | None = None
) -> QuerySet[DealRegistration]:
    """What ``user`` may see, newest first, pending ones on top for staff."""
    filters = filters or RegistrationFilters()
    qs = registrations_visible_to(user).select_related("partner", "product_line", "submitted_by")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.partner_id:
        qs = qs.filter(partner_id=filters.partner_id)
    if filters.q:
        qs = qs.filter(
            Q(customer_name__icontains=filters.q) | Q(customer_domain__icontains=filters.q)
        )
    return qs.order_by("-created_at", "-id")


def registration_status_for_partner(registration: DealRegistration) -> str:
    """What a partner is told: never who else registered the customer, only the outcome."""
    if registration.status == DealRegistration.Status.REJECTED:
        return _("Rejected: %(reason)s") % {"reason": registration.rejection_reason}
    return str(registration.get_status_display())


def registration_conflicts_for_user(
    *, user: User, registration: DealRegistration
) -> list[Conflict]:
    """Live conflicts for staff; an empty list for anyone else (they must never see them)."""
    if not registration_conflicts_may_see(user=user):
        return []
    return registration_conflicts_find(registration=registration)


def registration_account_choices(
    *, user: User, registration: DealRegistration
) -> QuerySet[Account]:
    """Accounts the approver may link (registrations.permissions.registration_linkable_accounts)."""
    return registration_linkable_accounts(user=user, registration=registration)


def registration_extensions(*, registration: DealRegistration) -> QuerySet[RegistrationExtension]:
    return registration.extensions.select_related("requested_by", "decided_by").order_by(
        "-created_at", "-id"
    )


def registration_pending_extension(
    *, registration: DealRegistration
) -> RegistrationExtension | None:
    return registration.extensions.filter(status=RegistrationExtension.Status.PENDING).first()


def onboarding_for_partner(*, partner: Partner) -> OnboardingChecklist | None:
    return (
        OnboardingChecklist.objects.filter(partner=partner)
        .prefetch_related("steps", "steps__done_by")
        .first()
    )


def tier_review_latest() -> TierReview | None:
    return TierReview.objects.select_related("run_by").order_by("-created_at", "-id").first()


def tier_proposals_open() -> QuerySet[TierProposal]:
    return (
        TierProposal.objects.filter(status=TierProposal.Status.PROPOSED)
        .select_related("partner", "from_tier", "to_tier", "review")
        .order_by("partner__name", "id")
    )


def tier_changes(*, partner: Partner | None = None) -> QuerySet[TierChange]:
    qs = TierChange.objects.select_related("partner", "from_tier", "to_tier", "changed_by")
    if partner is not None:
        qs = qs.filter(partner=partner)
    return qs.order_by("-changed_at", "-id")
