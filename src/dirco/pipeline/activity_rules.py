"""Plausibility of an activity's due date, in one place (beside ``deal_rules``).

``activity_create`` calls :func:`activity_plausibility_check`; the deal page's activity form
and ``POST /api/v1/activities`` both go through it, so both refuse the same dates:

- a due date more than ``MAX_YEARS_PAST`` year before today (a task "due in 2019" is a typo,
  not a plan; a call logged a few weeks after the fact is fine);
- a due date more than ``deal_rules.MAX_YEARS_AHEAD`` years after today (the same horizon as
  a deal's expected close date).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from dirco.core.errors import ApplicationError
from dirco.core.l10n import format_date
from dirco.pipeline.deal_rules import MAX_YEARS_AHEAD, years_from

MAX_YEARS_PAST = 1


def activity_due_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last plausible due days, both included."""
    return years_from(today, -MAX_YEARS_PAST), years_from(today, MAX_YEARS_AHEAD)


def activity_plausibility_errors(
    *, due_at: dt.datetime | None, today: dt.date
) -> dict[str, list[str]]:
    """The field errors of an activity's due date (none when it has no due date)."""
    if due_at is None:
        return {}
    day = timezone.localdate(due_at) if timezone.is_aware(due_at) else due_at.date()
    earliest, latest = activity_due_window(today)
    if day < earliest:
        return {
            "due_at": [
                _(
                    "The due date %(date)s is too far in the past: choose a date from "
                    "%(earliest)s on."
                )
                % {"date": format_date(day), "earliest": format_date(earliest)}
            ]
        }
    if day > latest:
        return {
            "due_at": [
                _("The due date %(date)s is too far ahead: choose a date until %(latest)s.")
                % {"date": format_date(day), "latest": format_date(latest)}
            ]
        }
    return {}


def activity_plausibility_check(*, due_at: dt.datetime | None, today: dt.date) -> None:
    """Raise an ApplicationError naming ``due_at`` when the due date is implausible."""
    errors = activity_plausibility_errors(due_at=due_at, today=today)
    if errors:
        raise ApplicationError(
            _("The activity was not saved: correct the fields shown."), fields=errors
        )
