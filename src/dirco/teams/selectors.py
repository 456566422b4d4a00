"""Reads about teams and the reporting line."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from dirco.accounts.models import User
from dirco.teams.models import SalesTeam


def teams_managed_by(user: User) -> QuerySet[SalesTeam]:
    return SalesTeam.objects.filter(manager=user)


def team_member_ids_for_manager(user: User) -> QuerySet[User, Any]:
    """The users a manager answers for: the members of every team they manage, and themselves."""
    return User.objects.filter(Q(sales_teams__manager=user) | Q(pk=user.pk)).values("id")


def team_of(user: User) -> SalesTeam | None:
    return user.sales_teams.order_by("id").first()


def users_assignable_by(user: User) -> QuerySet[User]:
    """Who ``user`` may make the owner of a deal or account, or a partner's channel manager.

    The director: any active staff user; a manager: their line (team members, direct reports
    and themselves); a rep: only themselves; anyone else: nobody.
    """
    staff = User.objects.filter(is_active=True).exclude(role__in=User.PARTNER_ROLES)
    if not user.is_authenticated or not user.is_active:
        return staff.none()
    if user.role == User.Role.DIRECTOR:
        return staff
    if user.role == User.Role.MANAGER:
        return staff.filter(
            Q(pk__in=team_member_ids_for_manager(user)) | Q(reports_to=user)
        ).distinct()
    if user.role == User.Role.REP:
        return staff.filter(pk=user.pk)
    return staff.none()
