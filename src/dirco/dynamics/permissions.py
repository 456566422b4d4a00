"""Who sees the team dynamics pages and who hands over whose book.

The director: the whole sales force. A manager: their line (dirco.teams.permissions), not
themselves. Reps, marketing and partner users: nothing (403 on a page, 404 on a record). The
pages, the API and the exports all ask these functions.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from dirco.accounts.models import User
from dirco.accounts.permissions import (
    SELLING_ROLES,
    user_is_director,
    user_is_manager,
    user_manages_people,
)
from dirco.teams.models import Departure, SalesTeam
from dirco.teams.permissions import manager_line_ids, users_assignable_by


def dynamics_can_view(user: User) -> bool:
    """The director and managers read the team dynamics figures (their line's for a manager)."""
    return user_manages_people(user)


def dynamics_check_view(user: User) -> None:
    if not dynamics_can_view(user):
        raise PermissionDenied(_("Team dynamics are for the director and the managers."))


def handover_leavers_for(user: User) -> QuerySet[User]:
    """Whose book ``user`` may hand over: any staff member but themselves for the director,
    the people of their line for a manager (active or already deactivated), nobody else; only
    people who sell (director, manager, rep) own a book."""
    staff = User.objects.filter(role__in=SELLING_ROLES)
    if user_is_director(user):
        return staff.exclude(pk=user.pk)
    if user_is_manager(user):
        return staff.filter(pk__in=manager_line_ids(user)).exclude(pk=user.pk)
    return staff.none()


def get_leaver_for_user(*, user: User, leaver_id: int | str) -> User:
    """The person whose book ``user`` hands over; 403 for a role without handovers, 404 for
    someone outside the user's reach (or unknown)."""
    if not dynamics_can_view(user):
        raise PermissionDenied(_("Only the director and the managers hand a book over."))
    try:
        return handover_leavers_for(user).get(pk=int(leaver_id))
    except (User.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("No such person in your line.")) from exc


def handover_recipients_for(*, user: User, leaver: User) -> QuerySet[User]:
    """Who may receive the items: the active staff ``user`` may make owners, but the leaver."""
    return users_assignable_by(user).exclude(pk=leaver.pk).order_by("first_name", "last_name")


def teams_visible_for_dynamics(user: User) -> QuerySet[SalesTeam]:
    """The teams whose figures ``user`` reads: all for the director, those they manage for a
    manager."""
    if user_is_director(user):
        return SalesTeam.objects.all()
    if user_is_manager(user):
        return SalesTeam.objects.filter(manager=user)
    return SalesTeam.objects.none()


def people_visible_for_dynamics(user: User) -> QuerySet[User]:
    """The reps (and managers) whose individual figures ``user`` reads."""
    staff = User.objects.exclude(role__in=User.PARTNER_ROLES)
    if user_is_director(user):
        return staff
    if user_is_manager(user):
        return staff.filter(pk__in=manager_line_ids(user))
    return staff.none()


def planned_departures_visible_to(user: User) -> QuerySet[Departure]:
    """The planned departures of the people whose book ``user`` may hand over."""
    if not dynamics_can_view(user):
        return Departure.objects.none()
    return Departure.objects.filter(
        status=Departure.Status.PLANNED, user__in=handover_leavers_for(user)
    )


def get_planned_departure_for_user(*, user: User, departure_id: int | str) -> Departure:
    """A planned departure ``user`` may change; 403 for a role without team dynamics, 404
    for one outside their line (or unknown, or already confirmed)."""
    dynamics_check_view(user)
    try:
        return planned_departures_visible_to(user).select_related("user").get(pk=int(departure_id))
    except (Departure.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("No such planned departure in your line.")) from exc


def dynamics_sees_company(user: User) -> bool:
    """Whether ``user`` reads the company-wide plans (capacity of the whole sales force):
    the director only; a manager plans their teams."""
    return user_is_director(user)
