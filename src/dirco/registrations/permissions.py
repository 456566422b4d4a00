"""Who may see and decide deal registrations, partner applications and tier reviews.

Partner users see their partner's registrations (a partner admin also its child partners'),
never another partner's. Staff see the registrations of the partners they see through
``partners_visible_to``: a rep those of the partners they are channel manager of, a manager
those of the partners managed by their team, the director all. Marketing sees none.
Conflicts name other partners: staff only.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from dirco.accounts.models import User
from dirco.accounts.permissions import user_manages_people
from dirco.customers.models import Account
from dirco.partners.models import Partner
from dirco.partners.permissions import (
    partner_can_edit,
    partner_ids_of_partner_user,
    partners_visible_to,
)
from dirco.registrations.models import DealRegistration, PartnerApplication, TierProposal

DECIDING_ROLES = frozenset({User.Role.DIRECTOR, User.Role.MANAGER, User.Role.REP})


def application_can_review(*, user: User) -> bool:
    """The director and managers review partner applications."""
    return user_manages_people(user)


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def registrations_visible_to(user: User) -> QuerySet[DealRegistration]:
    qs = DealRegistration.objects.all()
    if not _active(user):
        return qs.none()
    if user.is_partner_user:
        return qs.filter(partner_id__in=partner_ids_of_partner_user(user))
    if user.role == User.Role.DIRECTOR:
        return qs
    if user.role in (User.Role.MANAGER, User.Role.REP):
        return qs.filter(partner_id__in=partners_visible_to(user).values("id"))
    return qs.none()


def get_registration_for_user(*, user: User, registration_id: int | str) -> DealRegistration:
    """The registration, or 404 both when it does not exist and when the user may not see it."""
    try:
        return (
            registrations_visible_to(user)
            .select_related(
                "partner",
                "partner__tier",
                "partner__channel_manager",
                "product_line",
                "submitted_by",
                "decided_by",
                "account",
                "deal",
            )
            .get(pk=registration_id)
        )
    except (DealRegistration.DoesNotExist, ValueError, TypeError):
        raise Http404("No such registration.") from None


def registration_can_submit(*, user: User) -> bool:
    """Partner users of a partner in onboarding or active register deals; staff create deals."""
    if not _active(user) or not user.is_partner_user or user.partner is None:
        return False
    return user.partner.status in (Partner.Status.ONBOARDING, Partner.Status.ACTIVE)


def registration_can_decide(*, user: User, registration: DealRegistration) -> bool:
    """The partner's channel manager, their manager, or the director."""
    if not _active(user) or user.role not in DECIDING_ROLES:
        return False
    return registrations_visible_to(user).filter(pk=registration.pk).exists()


def registration_can_request_extension(*, user: User, registration: DealRegistration) -> bool:
    if not _active(user) or not user.is_partner_user:
        return False
    return registrations_visible_to(user).filter(pk=registration.pk).exists()


def registration_conflicts_may_see(*, user: User) -> bool:
    """Conflicts name other partners and customers: never shown to a partner user."""
    return _active(user) and user.role in DECIDING_ROLES


def applications_visible_to(user: User) -> QuerySet[PartnerApplication]:
    """The director and managers review partner applications."""
    qs = PartnerApplication.objects.all()
    if _active(user) and user.role in (User.Role.DIRECTOR, User.Role.MANAGER):
        return qs
    return qs.none()


def get_application_for_user(*, user: User, application_id: int | str) -> PartnerApplication:
    try:
        return (
            applications_visible_to(user)
            .select_related("partner", "reviewed_by")
            .get(pk=application_id)
        )
    except (PartnerApplication.DoesNotExist, ValueError, TypeError):
        raise Http404("No such application.") from None


def onboarding_can_edit(*, user: User, partner: Partner) -> bool:
    """Whoever may change the partner ticks its onboarding steps."""
    return (
        _active(user) and not user.is_partner_user and partner_can_edit(user=user, partner=partner)
    )


def tier_review_may_run(*, user: User) -> bool:
    """Tiers are the director's call: only the director runs the review and confirms changes."""
    return _active(user) and user.role == User.Role.DIRECTOR


def get_tier_proposal_for_user(*, user: User, proposal_id: int | str) -> TierProposal:
    if not tier_review_may_run(user=user):
        raise Http404("No such proposal.")
    try:
        return TierProposal.objects.select_related("partner", "from_tier", "to_tier").get(
            pk=proposal_id
        )
    except (TierProposal.DoesNotExist, ValueError, TypeError):
        raise Http404("No such proposal.") from None


def _accounts_where_another_partner_sells(registration: DealRegistration) -> QuerySet[Any]:
    from dirco.pipeline.models import Deal

    return (
        Deal.objects.filter(partner__isnull=False)
        .exclude(partner_id=registration.partner_id)
        .values("account_id")
    )


def registration_linkable_accounts(
    *, user: User, registration: DealRegistration
) -> QuerySet[Account]:
    """The existing accounts an approver may link a registration to (finding 8 of the
    security test).

    Only accounts the approver may change (``accounts_editable_by``, never one hidden from
    them, even when the conflict check matched it), and none where another partner sells:
    the linked account, with its domain, legal identifier and owner, becomes visible to the
    registering partner, which must not learn another partner's customer that way. Otherwise
    the approver creates a new account.
    """
    from dirco.customers.permissions import accounts_editable_by

    return accounts_editable_by(user).exclude(
        pk__in=_accounts_where_another_partner_sells(registration)
    )


def registration_account_link_refusal(
    *, user: User, registration: DealRegistration, account_id: int
) -> str | None:
    """Why the approver may not link ``account_id`` (the rule of
    :func:`registration_linkable_accounts`, in words), or None when they may. For staff
    pages only: the reason names no other partner, but says that one sells there."""
    from dirco.customers.permissions import accounts_editable_by

    if _accounts_where_another_partner_sells(registration).filter(account_id=account_id).exists():
        return _(
            "another partner sells to this customer, and linking the account would show "
            "that partner's customer to the registering partner"
        )
    if not accounts_editable_by(user).filter(pk=account_id).exists():
        return _("you may not edit this account")
    return None
