"""A manager's line, and whom a user may pick as a deal's, account's or partner's owner.

The line is defined here once: a manager answers for themselves, the members of every team
they manage and their direct reports (``reports_to``). Deal, account, partner, activity and
lead visibility, owner choices and objective setting all read it from here.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from dirco.accounts.models import User
from dirco.accounts.permissions import (
    user_is_director,
    user_is_manager,
    user_is_rep,
    user_sees_all_staff_work,
)


def manager_line_ids(user: User) -> QuerySet[User, Any]:
    """The ids of a manager's line: themselves, their teams' members and their direct reports,
    active or not (a rep who left keeps their deals in the line)."""
    return (
        User.objects.filter(Q(sales_teams__manager=user) | Q(reports_to=user) | Q(pk=user.pk))
        .order_by()
        .values("id")
    )


def manager_line_reports(user: User) -> QuerySet[User]:
    """The active staff a manager answers for, without the manager (whose objectives they set)."""
    return _active_staff().filter(pk__in=manager_line_ids(user)).exclude(pk=user.pk)


def _active_staff() -> QuerySet[User]:
    return User.objects.filter(is_active=True).exclude(role__in=User.PARTNER_ROLES)


def _staff_reached_by(user: User, *, whole_company: bool) -> QuerySet[User]:
    """Active staff: everyone when ``whole_company``, a manager's line, a rep alone."""
    staff = _active_staff()
    if not user.is_authenticated or not user.is_active:
        return staff.none()
    if whole_company:
        return staff
    if user_is_manager(user):
        return staff.filter(pk__in=manager_line_ids(user))
    if user_is_rep(user):
        return staff.filter(pk=user.pk)
    return staff.none()


def users_assignable_by(user: User) -> QuerySet[User]:
    """Who ``user`` may make the owner of a deal or account, or a partner's channel manager.

    The director: any active staff user; a manager: their line; a rep: only themselves;
    anyone else (marketing, partner users): nobody. The HTML forms and the API both use this.
    """
    return _staff_reached_by(user, whole_company=user_is_director(user))


def people_visible_to(user: User) -> QuerySet[User]:
    """The staff whose work ``user`` sees, to filter lists on: everyone for the director and
    marketing, the line for a manager, themselves for a rep, nobody for partner users."""
    return _staff_reached_by(user, whole_company=user_sees_all_staff_work(user))
