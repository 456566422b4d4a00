"""Reads about teams and the reporting line."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from dirco.accounts.models import User
from dirco.teams.models import SalesTeam


def teams_managed_by(user: User) -> QuerySet[SalesTeam]:
    return SalesTeam.objects.filter(manager=user)


def team_member_ids_for_manager(user: User) -> QuerySet[User, dict[str, int]]:
    """The users a manager answers for: the members of every team they manage, and themselves."""
    return User.objects.filter(Q(sales_teams__manager=user) | Q(pk=user.pk)).values("id")


def team_of(user: User) -> SalesTeam | None:
    return user.sales_teams.order_by("id").first()
