"""Who may see customer accounts."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from dirco.accounts.models import User
from dirco.customers.models import Account


def accounts_visible_to(user: User) -> QuerySet[Account]:
    from dirco.pipeline.permissions import deals_visible_to

    if not user.is_authenticated or not user.is_active:
        return Account.objects.none()
    if user.role in (User.Role.DIRECTOR, User.Role.MARKETING):
        return Account.objects.all()
    deal_account_ids = deals_visible_to(user).values("account_id")
    if user.is_partner_user:
        return Account.objects.filter(id__in=deal_account_ids)
    if user.role == User.Role.MANAGER:
        from dirco.teams.selectors import team_member_ids_for_manager

        return Account.objects.filter(
            Q(owner_id__in=team_member_ids_for_manager(user)) | Q(id__in=deal_account_ids)
        )
    return Account.objects.filter(Q(owner=user) | Q(id__in=deal_account_ids))


def get_account_for_user(*, user: User, account_id: int) -> Account:
    try:
        return accounts_visible_to(user).select_related("territory", "owner").get(pk=account_id)
    except (Account.DoesNotExist, ValueError, TypeError):
        raise Http404("No such account.") from None


def account_can_edit(*, user: User, account: Account) -> bool:
    # Marketing reads every account but changes none, as for partners and deals.
    if user.is_partner_user or user.role == User.Role.MARKETING:
        return False
    if user.role == User.Role.DIRECTOR:
        return True
    return accounts_visible_to(user).filter(pk=account.pk).exists()


def account_can_create(*, user: User) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and user.role in (User.Role.DIRECTOR, User.Role.MANAGER, User.Role.REP)
    )
