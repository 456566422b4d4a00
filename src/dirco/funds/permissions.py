"""Who may see and act on marketing development funds: the one chokepoint of pages, API and
proof downloads.

- partner users: the budgets of their partner (a partner admin: also its child partners')
  and of their partner's tier; the requests and claims of their partner. They submit
  requests and claims, nothing else.
- staff: the director and marketing see everything; a manager and a rep see the budgets,
  requests and claims of the partners they see (``partners_visible_to``: a rep the partners
  it channel-manages, a manager those of its line), and every tier budget.
- deciding (approve or reject a request, pay or reject a claim): the partner's channel
  manager, their manager or the director, i.e. a selling role that sees the request.
  Marketing reads only.
- creating a budget: the director.

Hidden and missing records both answer 404.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from dirco.accounts.models import User
from dirco.accounts.permissions import (
    user_is_director,
    user_is_partner,
    user_sees_all_staff_work,
    user_sells,
)
from dirco.funds.models import FundBudget, FundClaim, FundRequest
from dirco.partners.models import Partner
from dirco.partners.permissions import partner_ids_of_partner_user, partners_visible_to


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def _partner_condition(user: User, prefix: str = "") -> Q | None:
    """The condition on ``<prefix>partner_id`` for ``user``; None: no restriction."""
    if user_is_partner(user):
        return Q(**{f"{prefix}partner_id__in": partner_ids_of_partner_user(user)})
    if user_sees_all_staff_work(user):
        return None
    return Q(**{f"{prefix}partner_id__in": partners_visible_to(user).values("id")})


def fund_budgets_visible_to(user: User) -> QuerySet[FundBudget]:
    qs = FundBudget.objects.all()
    if not _active(user):
        return qs.none()
    if user_is_partner(user):
        ids = partner_ids_of_partner_user(user)
        tiers = Partner.objects.filter(pk__in=ids).values("tier_id")
        return qs.filter(Q(partner_id__in=ids) | Q(tier_id__in=tiers))
    condition = _partner_condition(user)
    return qs if condition is None else qs.filter(condition | Q(tier__isnull=False))


def get_fund_budget_for_user(*, user: User, budget_id: int | str) -> FundBudget:
    try:
        return fund_budgets_visible_to(user).select_related("partner", "tier").get(pk=budget_id)
    except (FundBudget.DoesNotExist, ValueError, TypeError):
        raise Http404("No such budget.") from None


def fund_budget_can_create(*, user: User) -> bool:
    """Budgets are money the company commits: the director sets them."""
    return user_is_director(user)


def fund_requests_visible_to(user: User) -> QuerySet[FundRequest]:
    qs = FundRequest.objects.all()
    if not _active(user):
        return qs.none()
    condition = _partner_condition(user)
    return qs if condition is None else qs.filter(condition)


def get_fund_request_for_user(*, user: User, request_id: int | str) -> FundRequest:
    try:
        return (
            fund_requests_visible_to(user)
            .select_related("budget", "partner", "partner__channel_manager", "decided_by")
            .get(pk=request_id)
        )
    except (FundRequest.DoesNotExist, ValueError, TypeError):
        raise Http404("No such fund request.") from None


def fund_request_can_submit(*, user: User) -> bool:
    """Partner users of an onboarding or active partner ask for funds; staff do not."""
    if not _active(user) or not user_is_partner(user) or user.partner is None:
        return False
    return user.partner.status in (Partner.Status.ONBOARDING, Partner.Status.ACTIVE)


def fund_request_can_decide(*, user: User, fund_request: FundRequest) -> bool:
    """The partner's channel manager, their manager or the director (a selling role that sees
    the request); marketing and partner users never decide."""
    if not user_sells(user):
        return False
    return fund_requests_visible_to(user).filter(pk=fund_request.pk).exists()


def fund_request_can_claim(*, user: User, fund_request: FundRequest) -> bool:
    """The users of the request's partner claim its funds."""
    return (
        _active(user)
        and user_is_partner(user)
        and fund_request.partner_id in partner_ids_of_partner_user(user)
    )


def fund_request_can_edit(*, user: User, fund_request: FundRequest) -> bool:
    """The users of the request's partner correct it (the matrix's ("mdf_request", "edit"),
    like a claim); the service then refuses a request that was already decided."""
    return fund_request_can_claim(user=user, fund_request=fund_request)


def fund_claims_visible_to(user: User) -> QuerySet[FundClaim]:
    qs = FundClaim.objects.all()
    if not _active(user):
        return qs.none()
    condition = _partner_condition(user, "request__")
    return qs if condition is None else qs.filter(condition)


def get_fund_claim_for_user(*, user: User, claim_id: int | str) -> FundClaim:
    try:
        return (
            fund_claims_visible_to(user)
            .select_related("request", "request__partner", "request__budget", "decided_by")
            .get(pk=claim_id)
        )
    except (FundClaim.DoesNotExist, ValueError, TypeError):
        raise Http404("No such claim.") from None


def fund_claim_can_decide(*, user: User, claim: FundClaim) -> bool:
    """Who decides the request pays (or rejects) its claims."""
    return fund_request_can_decide(user=user, fund_request=claim.request)
