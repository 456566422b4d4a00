"""The forecast of a month in progress and the projected landing, defined once.

The statistical engine (``dirco.forecasting``) forecasts complete months from complete
history. For the month in progress part of the answer is already known: what is won so
far. Its forecast is therefore what is won so far plus a forecast of the rest of the month,
and its interval never goes below what is won.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from dirco.metrics.definitions import CENT, ZERO, days_left, elapsed_share

BOUNDS = ("lower80", "upper80", "lower95", "upper95")


def share_won_by_day(pattern: Sequence[float] | None, as_of: dt.date) -> Decimal:
    """The share of a month's revenue usually won by as_of's day (as_of included).

    ``pattern`` is the in-month pattern learned from history: 31 cumulative shares, the
    share of a month's won revenue closed by day 1, 2 ... 31. Without one, the days."""
    if days_left(as_of) == 0:
        return Decimal(1)
    if not pattern:
        return elapsed_share(as_of)
    share = Decimal(str(pattern[min(as_of.day, len(pattern)) - 1]))
    return min(max(share, ZERO), Decimal(1))


@dataclass(frozen=True)
class MonthInProgress:
    """**Forecast of the month in progress** = won so far + forecast of the remainder."""

    month: dt.date
    won_so_far: Decimal
    remainder: Decimal  # the forecast of what is still to be won this month
    remainder_low80: Decimal
    remainder_high80: Decimal
    remainder_low95: Decimal
    remainder_high95: Decimal
    share_elapsed: Decimal  # share of the month's revenue usually won by as_of
    from_history: Decimal | None  # the engine's month forecast x (1 - share_elapsed)
    from_pipeline: Decimal  # open deals expected to close this month, weighted

    @property
    def forecast(self) -> Decimal:
        return self.won_so_far + self.remainder

    def bound(self, name: str) -> Decimal:
        value = {
            "lower80": self.remainder_low80,
            "upper80": self.remainder_high80,
            "lower95": self.remainder_low95,
            "upper95": self.remainder_high95,
        }[name]
        return self.won_so_far + value

    def point(self) -> dict[str, Any]:
        """The month as a forecast point (the engine's keys)."""
        return {
            "period": f"{self.month:%Y-%m}",
            "forecast": self.forecast,
            **{name: self.bound(name) for name in BOUNDS},
            "won_so_far": self.won_so_far,
            "in_progress": True,
        }


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def month_in_progress(
    *,
    as_of: dt.date,
    won_so_far: Decimal,
    weighted_open: Decimal,
    engine_point: Mapping[str, Any] | None,
    pattern: Sequence[float] | None = None,
) -> MonthInProgress:
    """The month in progress: won so far + the remainder.

    The remainder is the mean of two estimates when both exist: the engine's forecast of
    the whole month times the share of a month usually still to come after as_of (the
    in-month pattern), and the open deals expected to close this month weighted by their
    probability. No day left: no remainder. The interval of the remainder is the engine's
    interval for the month narrowed to the share still to come, and never goes below 0,
    so the month's interval never goes below what is won."""
    month = as_of.replace(day=1)
    share = share_won_by_day(pattern, as_of)
    rest = Decimal(1) - share
    weighted_open = max(weighted_open, ZERO)
    if days_left(as_of) == 0:
        zero = ZERO.quantize(CENT)
        return MonthInProgress(month, won_so_far, zero, zero, zero, zero, zero, share, zero, zero)
    if engine_point is None:
        remainder = weighted_open
        return MonthInProgress(
            month,
            won_so_far,
            _q(remainder),
            _q(remainder),
            _q(remainder),
            _q(remainder),
            _q(remainder),
            share,
            None,
            _q(weighted_open),
        )
    point = Decimal(str(engine_point["forecast"]))
    from_history = max(point * rest, ZERO)
    remainder = (from_history + weighted_open) / 2
    spread = {name: (Decimal(str(engine_point[name])) - point) * rest for name in BOUNDS}
    return MonthInProgress(
        month=month,
        won_so_far=won_so_far,
        remainder=_q(remainder),
        remainder_low80=_q(max(remainder + spread["lower80"], ZERO)),
        remainder_high80=_q(max(remainder + spread["upper80"], remainder)),
        remainder_low95=_q(max(remainder + spread["lower95"], ZERO)),
        remainder_high95=_q(max(remainder + spread["upper95"], remainder)),
        share_elapsed=share,
        from_history=_q(from_history),
        from_pipeline=_q(weighted_open),
    )


@dataclass(frozen=True)
class Landing:
    """**Projected landing**: won to date + the forecast of the rest of the period (the
    remainder of the month in progress, then the engine's forecast of the months after);
    without a forecast, won to date + the weighted pipeline."""

    amount: Decimal
    lower80: Decimal | None
    upper80: Decimal | None
    rest: Decimal | None  # the forecast of the rest of the period (None: no forecast)
    method: str  # "closed", "forecast" or "weighted_pipeline"


def projected_landing(
    *,
    months: Sequence[dt.date],
    as_of: dt.date,
    won_to_date: Decimal,
    points: Mapping[str, Mapping[str, Any]],
    weighted: Decimal,
) -> Landing:
    """The landing of the period ``months``. ``points`` are the forecast by period
    ("2026-11"); the month in progress's point is :meth:`MonthInProgress.point` (its
    ``won_so_far`` is already in won to date: only its remainder is added)."""
    current = as_of.replace(day=1)
    left = [m for m in months if m >= current]
    if not left:
        return Landing(won_to_date, won_to_date, won_to_date, ZERO, "closed")
    if not all(f"{m:%Y-%m}" in points for m in left):
        return Landing(won_to_date + weighted, None, None, None, "weighted_pipeline")
    rest = low = high = ZERO
    for month in left:
        point = points[f"{month:%Y-%m}"]
        already = Decimal(str(point.get("won_so_far") or 0)) if month == current else ZERO
        rest += max(Decimal(str(point["forecast"])) - already, ZERO)
        low += max(Decimal(str(point["lower80"])) - already, ZERO)
        high += max(Decimal(str(point["upper80"])) - already, ZERO)
    return Landing(
        won_to_date + _q(rest), won_to_date + _q(low), won_to_date + _q(high), _q(rest), "forecast"
    )
