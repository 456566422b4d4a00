"""What a user's role allows, asked in one place.

Every app's permissions module asks these predicates instead of comparing ``user.role``
itself, so that a role's meaning (who sells, who sees the whole company, who only reads)
is written once. Also here: who manages partner users and who may deactivate whom.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404

from dirco.accounts.models import User

SELLING_ROLES = frozenset({User.Role.DIRECTOR, User.Role.MANAGER, User.Role.REP})
ALL_SEEING_ROLES = frozenset({User.Role.DIRECTOR, User.Role.MARKETING})
MANAGING_ROLES = frozenset({User.Role.DIRECTOR, User.Role.MANAGER})


def _active(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_active)


def user_is_director(user: User) -> bool:
    return _active(user) and user.role == User.Role.DIRECTOR


def user_is_manager(user: User) -> bool:
    return _active(user) and user.role == User.Role.MANAGER


def user_is_rep(user: User) -> bool:
    return _active(user) and user.role == User.Role.REP


def user_is_marketing(user: User) -> bool:
    return _active(user) and user.role == User.Role.MARKETING


def user_is_partner_admin(user: User) -> bool:
    return _active(user) and user.role == User.Role.PARTNER_ADMIN


def user_is_partner(user: User | AnonymousUser) -> bool:
    """A partner user or partner admin: someone of a partner company, not of our staff."""
    return bool(user.is_authenticated and getattr(user, "is_partner_user", False))


def user_is_staff_member(user: User) -> bool:
    """Anyone of our own company (any role but the partner roles)."""
    return _active(user) and not user.is_partner_user


def user_sees_all_staff_work(user: User) -> bool:
    """The director and marketing see every deal, account and partner of the company."""
    return _active(user) and user.role in ALL_SEEING_ROLES


def user_sells(user: User) -> bool:
    """The director, managers and reps create and change deals, accounts and partners;
    marketing only reads, partner users go through the portal."""
    return _active(user) and user.role in SELLING_ROLES


def user_manages_people(user: User) -> bool:
    """The director and managers: they set others' objectives and decide registrations."""
    return _active(user) and user.role in MANAGING_ROLES


def directors() -> QuerySet[User]:
    """The active sales directors (who are told about company-wide decisions)."""
    return User.objects.filter(role=User.Role.DIRECTOR, is_active=True)


def reps_among(users: QuerySet[User]) -> QuerySet[User]:
    """The active sales reps among ``users`` (those who take leads and carry objectives)."""
    return users.filter(role=User.Role.REP, is_active=True)


def quota_carriers() -> QuerySet[User]:
    """The active reps and managers: whom the director may give a personal objective."""
    return User.objects.filter(is_active=True, role__in=[User.Role.REP, User.Role.MANAGER])


def partner_admins_of(partner_id: int) -> QuerySet[User]:
    return User.objects.filter(partner_id=partner_id, role=User.Role.PARTNER_ADMIN, is_active=True)


# Partner users: a partner admin manages the users of its own partner, never staff and never
# another partner's users (child partners manage their own).


def partner_users_may_manage(*, user: User) -> bool:
    return user_is_partner_admin(user) and user.partner_id is not None


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


def partner_user_can_edit(*, by: User, user: User) -> bool:
    """A partner admin changes the names and role of its own partner's users (the matrix's
    ("user", "edit") partner scope; the portal and the API ask this). Its own role it may
    not change: the last admin would lock its partner out."""
    return (
        partner_users_may_manage(user=by)
        and user.partner_id == by.partner_id
        and user.role in User.PARTNER_ROLES
    )


def partner_user_can_change_role(*, by: User, user: User) -> bool:
    return partner_user_can_edit(by=by, user=user) and by.pk != user.pk


def user_can_deactivate(*, by: User, user: User) -> bool:
    """Admins and the director deactivate anyone; a partner admin, the users of its partner."""
    if by.pk == user.pk or not by.is_active:
        return False
    if by.is_superuser or by.role == User.Role.DIRECTOR:
        return True
    if by.is_staff and not user.is_superuser:
        return True
    return (
        by.role == User.Role.PARTNER_ADMIN
        and user.is_partner_user
        and by.partner_id is not None
        and user.partner_id == by.partner_id
    )
