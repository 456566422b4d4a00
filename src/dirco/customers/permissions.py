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


def accounts_editable_by(user: User) -> QuerySet[Account]:
    """The accounts ``user`` may change: its own, never "whatever it can see".

    The director changes every account; a manager the accounts owned by their line (team
    members and themselves); a rep the accounts it owns. Seeing an account through a deal of
    a partner one channel-manages gives no right to change it (finding 2 of the security
    test): the account stays its owner's. Marketing and partner users change none.
    """
    if not user.is_authenticated or not user.is_active:
        return Account.objects.none()
    if user.role == User.Role.DIRECTOR:
        return Account.objects.all()
    if user.role == User.Role.MANAGER:
        from dirco.teams.selectors import team_member_ids_for_manager

        return Account.objects.filter(owner_id__in=team_member_ids_for_manager(user))
    if user.role == User.Role.REP:
        return Account.objects.filter(owner=user)
    return Account.objects.none()


def account_can_edit(*, user: User, account: Account) -> bool:
    return accounts_editable_by(user).filter(pk=account.pk).exists()


def account_can_create(*, user: User) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and user.role in (User.Role.DIRECTOR, User.Role.MANAGER, User.Role.REP)
    )
