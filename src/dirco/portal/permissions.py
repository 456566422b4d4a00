"""Who a partner admin may see and manage in the portal: the users of its own partner only.

Never staff, never the users of another partner (child partners manage their own users).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from dirco.accounts.models import User


def partner_users_may_manage(*, user: User) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role == User.Role.PARTNER_ADMIN
        and user.partner_id is not None
    )


def partner_users_visible_to(user: User) -> QuerySet[User]:
    partner_id = user.partner_id
    if partner_id is None or not partner_users_may_manage(user=user):
        return User.objects.none()
    return User.objects.filter(partner_id=partner_id, role__in=User.PARTNER_ROLES)


def get_partner_user_for_admin(*, user: User, user_id: int | str) -> User:
    """A user of the admin's partner, or 404 (missing, staff, another partner's, not admin)."""
    try:
        return partner_users_visible_to(user).get(pk=user_id)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404("No such user.") from None
