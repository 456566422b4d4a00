"""``monthly_split()``: the share of a year that falls in each calendar month (or quarter).

An objective split by the learned seasonality is only as good as the shape it uses.
The shape is the mean of the detrended seasonal shape and last year's shares (see
``learned_shares``), and a scope takes its parent scope's shape (team -> company) when
that shape forecast the scope's last year better than the scope's own one (a backtest),
which is what happens to short or lumpy histories.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from dirco.forecasting.seasonality import centred_trend
from dirco.forecasting.series import PERIODS_PER_YEAR, FloatArray, Freq, Period, clean_series

Source = Literal["own", "parent", "flat"]
History = tuple[Sequence[float | None], Period | dt.date | str]


@dataclass
class MonthlySplit:
    """``shares[i]`` is the share of the year in calendar month i + 1 (quarter i + 1);
    they add up to 1. ``source`` says whose shape it is; ``backtest`` holds the mean
    absolute error (in shares) of each shape on the scope's last complete year, learned
    without that year, when it could be measured."""

    shares: list[float]
    source: Source
    backtest: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _flat(period: int) -> FloatArray:
    return np.full(period, 1.0 / period)


def learned_shares(
    values: Sequence[float | None], start: Period | dt.date | str, freq: Freq = "M"
) -> FloatArray | None:
    """Calendar shares: the mean of the detrended shape and of last year's shares.

    The detrended shape (ratios to a centred moving average, averaged per calendar
    month) is the seasonality without the noise of one year; last year's shares carry
    the tilt that growth gives to the later months, which the detrended shape removes.
    Their mean beat each alone on every length of the benchmark's short track (share
    MAE 0.070 against 0.075 and 0.082 at 24 months, 0.067 against 0.069 and 0.082 at
    48). None under two years of history, or with negative values or no revenue.
    """
    period = PERIODS_PER_YEAR[freq]
    first = Period.coerce(start, freq)
    if sum(1 for v in values if v is not None and np.isfinite(v)) < 2 * period:
        return None
    y = clean_series(values, period, first).values
    if len(y) < 2 * period or np.any(y < 0) or float(np.sum(y[-period:])) <= 0:
        return None
    trend, offset = centred_trend(y, period)
    times = np.arange(len(trend)) + offset
    ok = trend > 0
    slots = (first.sub - 1 + times[ok]) % period
    ratios = y[times[ok]] / trend[ok]
    index = np.ones(period)
    for slot in range(period):
        if np.any(slots == slot):
            index[slot] = float(np.mean(ratios[slots == slot]))
    if index.sum() <= 0:
        return None
    last = np.zeros(period)
    last[(first.sub - 1 + np.arange(len(y) - period, len(y))) % period] = y[-period:]
    shares: FloatArray = (index / index.sum() + last / last.sum()) / 2
    return shares


def _last_year_shares(
    values: Sequence[float | None], first: Period, period: int
) -> FloatArray | None:
    """Shares of the last ``period`` values by calendar position; None if unusable."""
    last = np.array([np.nan if v is None else v for v in values[-period:]], dtype=np.float64)
    if len(last) < period or not np.all(np.isfinite(last)) or np.any(last < 0):
        return None
    total = float(last.sum())
    if total <= 0:
        return None
    shares = np.zeros(period)
    shares[(first.sub - 1 + np.arange(len(values) - period, len(values))) % period] = last / total
    return shares


def _shape_before_last_year(
    values: Sequence[float | None], first: Period, freq: Freq, period: int
) -> FloatArray:
    """The scope's own shape as it could be learned a year ago (flat if it could not)."""
    past = list(values[: len(values) - period])
    learned = learned_shares(past, first, freq)
    if learned is not None:
        return learned
    year = _last_year_shares(past, first, period) if len(past) >= period else None
    return year if year is not None else _flat(period)


def monthly_split(
    values: Sequence[float | None],
    start: Period | dt.date | str,
    freq: Freq = "M",
    parent: History | None = None,
) -> MonthlySplit:
    """The calendar shares of a year for a scope, from its history and its parent's.

    ``parent`` is the parent scope's ``(values, start)``; each series is placed on the
    calendar by its own start, so they need not cover the same months. The parent's
    shape replaces the scope's own when, learned without the scope's last complete
    year, it forecast that year's shares better than the scope's own shape did (or the
    scope has no shape of its own).
    """
    period = PERIODS_PER_YEAR[freq]
    first = Period.coerce(start, freq)
    own = learned_shares(values, first, freq)
    shapes: dict[Source, FloatArray] = {"flat": _flat(period)}
    if own is not None:
        shapes["own"] = own
    backtest: dict[str, float] = {}
    actual = _last_year_shares(values, first, period)
    candidates: dict[Source, FloatArray] = {"flat": _flat(period)}
    if len(values) >= 2 * period and actual is not None:
        candidates["own"] = _shape_before_last_year(values, first, freq, period)
    if parent is not None:
        p_first = Period.coerce(parent[1], freq)
        parent_shape = learned_shares(parent[0], p_first, freq)
        # The parent's history up to the start of the scope's last complete year.
        p_end = (first + (len(values) - period)).ordinal - p_first.ordinal
        if parent_shape is not None:
            shapes["parent"] = parent_shape
            if p_end >= period:
                candidates["parent"] = _shape_before_last_year(
                    list(parent[0][:p_end]) + [None] * period, p_first, freq, period
                )
    if actual is not None and len(candidates) > 1:
        backtest = {k: float(np.mean(np.abs(v - actual))) for k, v in candidates.items()}
        best = min(backtest, key=lambda k: backtest[k])
        source: Source = best  # type: ignore[assignment]
        if source in shapes:
            note = [] if source == "own" else [_NOTES[source]]
            return MonthlySplit([float(v) for v in shapes[source]], source, backtest, note)
    if "own" in shapes:
        return MonthlySplit([float(v) for v in shapes["own"]], "own", backtest)
    if "parent" in shapes:
        return MonthlySplit(
            [float(v) for v in shapes["parent"]], "parent", backtest, [_NOTES["parent"]]
        )
    return MonthlySplit([1.0 / period] * period, "flat", backtest, [_NOTES["flat"]])


_NOTES: dict[str, str] = {
    "parent": "the parent scope's monthly shape is used (it forecast last year better)",
    "flat": "flat split: no learned shape forecast last year better than a flat one",
}
