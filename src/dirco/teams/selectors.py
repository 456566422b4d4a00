"""Reads about teams and the reporting line (the line itself: dirco.teams.permissions)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from dirco.accounts.models import User
from dirco.teams.models import SalesTeam
from dirco.teams.permissions import manager_line_ids, users_assignable_by

__all__ = ["team_member_ids_for_manager", "team_of", "teams_managed_by", "users_assignable_by"]


def teams_managed_by(user: User) -> QuerySet[SalesTeam]:
    return SalesTeam.objects.filter(manager=user)


def team_member_ids_for_manager(user: User) -> QuerySet[User, Any]:
    """The ids of a manager's line; the name older callers know for
    :func:`dirco.teams.permissions.manager_line_ids`."""
    return manager_line_ids(user)


def team_of(user: User) -> SalesTeam | None:
    return user.sales_teams.order_by("id").first()
