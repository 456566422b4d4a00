"""Planned departures: record that someone of your line will leave (date, reason), change
it, or cancel it. The handover of their book confirms it (``handover.handover_execute``); the
turnover page's "what if" costs it meanwhile (``turnover.what_if_cost``)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dirco.accounts.models import User
from dirco.core.errors import ApplicationError
from dirco.dynamics.permissions import get_leaver_for_user, get_planned_departure_for_user
from dirco.teams.models import Departure

MAX_DAYS_AHEAD = 2 * 366


@transaction.atomic
def departure_plan(
    *, by: User, leaver: User, left_on: dt.date | None, reason: str, note: str = ""
) -> Departure:
    """Record ``leaver``'s planned departure, or move the one already planned (one per
    person)."""
    leaver = get_leaver_for_user(user=by, leaver_id=leaver.pk)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if not leaver.is_active:
        errors["user"] = [_("%(who)s has already left.") % {"who": leaver}]
    if left_on is None:
        errors["left_on"] = [_("Give the leaving date (YYYY-MM-DD).")]
    elif left_on < today:
        errors["left_on"] = [
            _("A planned departure is in the future; record a past one by handing the book over.")
        ]
    elif left_on > today + dt.timedelta(days=MAX_DAYS_AHEAD):
        errors["left_on"] = [_("Plan at most two years ahead.")]
    if reason not in Departure.Reason.values:
        errors["reason"] = [_("Choose a reason from the list.")]
    if errors:
        raise ApplicationError(
            _("The planned departure was not recorded: see below."), fields=errors
        )
    departure = (
        Departure.objects.select_for_update()
        .filter(user=leaver, status=Departure.Status.PLANNED)
        .first()
    )
    if departure is None:
        departure = Departure(user=leaver, status=Departure.Status.PLANNED, recorded_by=by)
    departure.left_on = left_on or today
    departure.reason = reason
    departure.note = note[:300]
    departure.recorded_by = by
    departure.full_clean()
    departure.save()
    return departure


@transaction.atomic
def departure_plan_cancel(*, by: User, departure_id: int | str) -> None:
    """The person stays: the planned departure is removed."""
    departure = get_planned_departure_for_user(user=by, departure_id=departure_id)
    Departure.objects.filter(pk=departure.pk, status=Departure.Status.PLANNED).delete()
