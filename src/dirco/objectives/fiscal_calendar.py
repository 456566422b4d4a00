"""The company's fiscal calendar: fiscal years, quarters and months.

The fiscal year starts on the first day of ``settings.DIRCO_FISCAL_YEAR_START_MONTH``
(1 = January, the default) and is named after the calendar year it ends in (Salesforce's
default): with a July start, fiscal year 2026 runs from July 2025 to June 2026. Fiscal
month 1 is the first month of the fiscal year.

Periods are written ``2026`` (a fiscal year), ``2026-Q2`` (a fiscal quarter) or ``2026-05``
(a calendar month, May 2026).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from dirco.core.errors import ApplicationError
from dirco.core.periods import month_add

_PERIOD_RE = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<quarter>[Qq][1-4])|(?P<month>\d{2})))?$")


def fiscal_start_month() -> int:
    start = int(getattr(settings, "DIRCO_FISCAL_YEAR_START_MONTH", 1))
    if not 1 <= start <= 12:
        raise ApplicationError(
            _("DIRCO_FISCAL_YEAR_START_MONTH must be a month number from 1 to 12.")
        )
    return start


def month_diff(later: dt.date, earlier: dt.date) -> int:
    return (later.year * 12 + later.month) - (earlier.year * 12 + earlier.month)


def fiscal_year_start(fiscal_year: int) -> dt.date:
    start = fiscal_start_month()
    return dt.date(fiscal_year if start == 1 else fiscal_year - 1, start, 1)


def fiscal_year_months(fiscal_year: int) -> list[dt.date]:
    """The twelve calendar months (first days) of a fiscal year, in fiscal order."""
    first = fiscal_year_start(fiscal_year)
    return [month_add(first, i) for i in range(12)]


def fiscal_year_of(day: dt.date) -> int:
    start = fiscal_start_month()
    if start == 1:
        return day.year
    return day.year + 1 if day.month >= start else day.year


def fiscal_month_of(day: dt.date) -> int:
    """1 for the first month of the fiscal year ... 12 for the last."""
    return (day.month - fiscal_start_month()) % 12 + 1


def fiscal_quarter_of(day: dt.date) -> int:
    return (fiscal_month_of(day) - 1) // 3 + 1


@dataclass(frozen=True)
class FiscalPeriod:
    """A fiscal year, a fiscal quarter or a calendar month, as a range of months."""

    kind: str  # "year", "quarter" or "month"
    fiscal_year: int
    first_month: dt.date
    months: int

    @property
    def last_month(self) -> dt.date:
        return month_add(self.first_month, self.months - 1)

    @property
    def month_list(self) -> list[dt.date]:
        return [month_add(self.first_month, i) for i in range(self.months)]

    @property
    def end(self) -> dt.date:
        """The day after the period."""
        return month_add(self.first_month, self.months)

    @property
    def label(self) -> str:
        if self.kind == "year":
            return str(self.fiscal_year)
        if self.kind == "quarter":
            return f"{self.fiscal_year}-Q{fiscal_quarter_of(self.first_month)}"
        return f"{self.first_month:%Y-%m}"

    @property
    def fiscal_month_indexes(self) -> list[int]:
        return [fiscal_month_of(m) for m in self.month_list]


def period_for_year(fiscal_year: int) -> FiscalPeriod:
    return FiscalPeriod("year", fiscal_year, fiscal_year_start(fiscal_year), 12)


def period_parse(text: str, *, field: str = "period") -> FiscalPeriod:
    """``2026`` -> fiscal year 2026, ``2026-Q2`` -> its second quarter, ``2026-05`` -> May 2026."""
    match = _PERIOD_RE.match((text or "").strip())
    if not match or not 1900 <= int(match["year"]) <= 2999:
        raise ApplicationError(
            _(
                "Unknown period '%(period)s': write a fiscal year (2026), a quarter (2026-Q2) or "
                "a month (2026-05)."
            )
            % {"period": text},
            fields={field: [_("Not a valid period.")]},
        )
    year = int(match["year"])
    if match["quarter"]:
        quarter = int(match["quarter"][1])
        return FiscalPeriod(
            "quarter", year, month_add(fiscal_year_start(year), 3 * (quarter - 1)), 3
        )
    if match["month"]:
        month = int(match["month"])
        if not 1 <= month <= 12:
            raise ApplicationError(
                _("Unknown month %(month)s in '%(period)s': use 01 to 12.")
                % {"month": match["month"], "period": text},
                fields={field: [_("Not a valid period.")]},
            )
        first = dt.date(year, month, 1)
        return FiscalPeriod("month", fiscal_year_of(first), first, 1)
    return period_for_year(year)


def fiscal_year_check(fiscal_year: int, *, field: str = "fiscal_year") -> None:
    if not 2000 <= fiscal_year <= 2100:
        raise ApplicationError(
            _("The fiscal year %(year)s is out of range: use a year from 2000 to 2100.")
            % {"year": fiscal_year},
            fields={field: [_("Use a year from 2000 to 2100.")]},
        )


# Objectives are set for the running fiscal year, the one before (to record it late) and the
# next two; anything else is a typo (2019 for 2029) rather than a plan.
SETTABLE_YEARS_BACK, SETTABLE_YEARS_AHEAD = 1, 2


def fiscal_year_settable_check(
    fiscal_year: int, *, today: dt.date, field: str = "fiscal_year"
) -> None:
    """Refuse an objective's fiscal year outside the window around the running one."""
    fiscal_year_check(fiscal_year, field=field)
    current = fiscal_year_of(today)
    first, last = current - SETTABLE_YEARS_BACK, current + SETTABLE_YEARS_AHEAD
    if not first <= fiscal_year <= last:
        raise ApplicationError(
            _(
                "Objectives can be set for fiscal years %(first)s to %(last)s; "
                "%(year)s is outside that window."
            )
            % {"first": first, "last": last, "year": fiscal_year},
            fields={
                field: [
                    _("Use a year from %(first)s to %(last)s.") % {"first": first, "last": last}
                ]
            },
        )
