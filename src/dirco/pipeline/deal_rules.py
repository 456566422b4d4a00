"""Plausibility rules of a deal's dates and amount, in one place.

``deal_create`` and ``deal_update`` call :func:`deal_plausibility_check`; the staff forms, the
API, the portal, the board, registrations and lead conversion all go through those services,
so every path applies the same rules:

- an open deal cannot be expected to close before today (a deal whose date has slipped stays
  savable as long as nobody sets that past date again: it shows as overdue instead);
- a won or lost deal may have closed in the past (a deal recorded after the fact), but not
  after today, nor before an existing deal was created;
- no date further than ``MAX_YEARS_AHEAD`` years ahead;
- an amount of 0 is saved only when the caller confirms it (``zero_amount_confirmed``);
  deal registrations ask the same (:func:`zero_amount_problem`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from dirco.core.errors import ApplicationError
from dirco.core.l10n import format_date
from dirco.pipeline.models import Deal

MAX_YEARS_AHEAD = 5


@dataclass(frozen=True)
class DealFacts:
    """What the rules need to know about a deal before a change."""

    expected_close_date: dt.date | None
    close_date: dt.date | None
    is_closed: bool
    amount: Decimal | None

    @classmethod
    def of(cls, deal: Deal) -> DealFacts:
        return cls(
            expected_close_date=deal.expected_close_date,
            close_date=deal.close_date,
            is_closed=bool(deal.stage_id and deal.stage.is_closed),
            amount=_decimal(deal.amount),
        )


def _decimal(value: object) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None


def years_from(today: dt.date, years: int) -> dt.date:
    """The same day ``years`` years later (earlier when negative); 28 February for a
    29 February that the target year lacks."""
    try:
        return today.replace(year=today.year + years)
    except ValueError:  # 29 February
        return today.replace(year=today.year + years, day=28)


def _years_ahead(today: dt.date) -> dt.date:
    return years_from(today, MAX_YEARS_AHEAD)


def deal_plausibility_errors(
    *, deal: Deal, before: DealFacts | None, today: dt.date, zero_amount_confirmed: bool = False
) -> dict[str, list[str]]:
    """The field errors of ``deal`` as it is about to be saved; ``before`` is None on create."""
    errors: dict[str, list[str]] = {}
    is_closed = bool(deal.stage_id and deal.stage.is_closed)
    latest = _years_ahead(today)
    expected = deal.expected_close_date
    if isinstance(expected, dt.date):
        date_set_now = before is None or before.is_closed or before.expected_close_date != expected
        if not is_closed and expected < today and date_set_now:
            errors["expected_close_date"] = [
                _(
                    "An open deal cannot be expected to close in the past (%(date)s). "
                    "Choose today or a later date, or mark the deal won or lost."
                )
                % {"date": format_date(expected)}
            ]
        elif expected > latest:
            errors["expected_close_date"] = [
                _("Choose an expected close date before %(date)s.") % {"date": format_date(latest)}
            ]
    close = deal.close_date
    if is_closed and isinstance(close, dt.date) and close > today:
        errors["close_date"] = [
            _("A won or lost deal cannot close after today (%(date)s).")
            % {"date": format_date(today)}
        ]
    elif isinstance(close, dt.date) and before is not None and deal.created_at is not None:
        created = timezone.localdate(deal.created_at)
        if close < created:
            errors["close_date"] = [
                _("The close date %(close)s is before the deal was created (%(created)s).")
                % {"close": format_date(close), "created": format_date(created)}
            ]
    amount = _decimal(deal.amount)
    amount_set_now = before is None or before.amount != amount
    problem = zero_amount_problem(amount, confirmed=zero_amount_confirmed or not amount_set_now)
    if problem is not None:
        errors["amount"] = [problem]
    return errors


def zero_amount_problem(amount: object, *, confirmed: bool) -> str | None:
    """An amount of 0 needs a confirmation (deals and deal registrations alike); the error,
    or None."""
    value = _decimal(amount)
    if value is None or value != 0 or confirmed:
        return None
    return _(
        "The amount is 0. If the deal really has no value yet, confirm that the "
        "amount is 0; otherwise enter its amount."
    )


def deal_plausibility_check(
    *, deal: Deal, before: DealFacts | None, today: dt.date, zero_amount_confirmed: bool = False
) -> None:
    """Raise an ApplicationError with field errors when the deal is implausible."""
    errors = deal_plausibility_errors(
        deal=deal, before=before, today=today, zero_amount_confirmed=zero_amount_confirmed
    )
    if errors:
        raise ApplicationError(
            _("The deal was not saved: correct the fields shown."),
            fields=errors,
        )
