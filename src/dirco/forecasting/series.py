"""Periods (months, quarters) and the cleaning of a raw revenue series before modelling."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from dirco.forecasting.notes import Note

Freq = Literal["M", "Q"]
FloatArray = npt.NDArray[np.float64]

PERIODS_PER_YEAR: dict[str, int] = {"M": 12, "Q": 4}

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER_RE = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)


class PeriodError(ValueError):
    """A period label could not be parsed."""


@dataclass(frozen=True, order=True)
class Period:
    """A calendar month (``freq="M"``, ``sub`` 1-12) or quarter (``freq="Q"``, ``sub`` 1-4)."""

    year: int
    sub: int
    freq: Freq = "M"

    def __post_init__(self) -> None:
        if not 1 <= self.sub <= PERIODS_PER_YEAR[self.freq]:
            raise PeriodError(f"{self.freq} period number {self.sub} is out of range")

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse ``YYYY-MM`` or ``YYYY-Qn`` (also ``YYYYQn``)."""
        text = text.strip()
        if match := _MONTH_RE.match(text):
            month = int(match.group(2))
            if not 1 <= month <= 12:
                raise PeriodError(f"month {month} is not between 01 and 12")
            return cls(int(match.group(1)), month, "M")
        if match := _QUARTER_RE.match(text):
            return cls(int(match.group(1)), int(match.group(2)), "Q")
        raise PeriodError(f"'{text}' is not a period like 2024-03 or 2024-Q1")

    @classmethod
    def coerce(cls, value: Period | dt.date | str, freq: Freq = "M") -> Period:
        """A Period from a Period, a date (its month or quarter) or a label."""
        if isinstance(value, Period):
            if value.freq != freq:
                raise PeriodError(f"start {value} is not a period of frequency {freq}")
            return value
        if isinstance(value, dt.date):
            sub = value.month if freq == "M" else (value.month - 1) // 3 + 1
            return cls(value.year, sub, freq)
        parsed = cls.parse(value)
        if parsed.freq != freq:
            raise PeriodError(f"start {value} is not a period of frequency {freq}")
        return parsed

    @property
    def per_year(self) -> int:
        return PERIODS_PER_YEAR[self.freq]

    @property
    def ordinal(self) -> int:
        """Periods since year 0, so that differences count periods."""
        return self.year * self.per_year + self.sub - 1

    def __add__(self, steps: int) -> Period:
        ordinal = self.ordinal + steps
        return Period(ordinal // self.per_year, ordinal % self.per_year + 1, self.freq)

    def __sub__(self, other: Period) -> int:
        if other.freq != self.freq:
            raise PeriodError("cannot subtract a monthly and a quarterly period")
        return self.ordinal - other.ordinal

    def __str__(self) -> str:
        if self.freq == "M":
            return f"{self.year:04d}-{self.sub:02d}"
        return f"{self.year:04d}-Q{self.sub}"


def period_range(start: Period, count: int) -> list[Period]:
    return [start + i for i in range(count)]


@dataclass
class CleanSeries:
    """A series ready for the models: no gaps, outliers tamed, with what was done to it."""

    values: FloatArray
    period: int
    missing: list[int] = field(default_factory=list)
    outliers: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def positive(self) -> bool:
        """Multiplicative and log models need every value strictly above zero."""
        return bool(np.all(self.values > 0))


def fill_gaps(values: Sequence[float | None]) -> tuple[FloatArray, list[int]]:
    """Linearly interpolate missing (None/NaN) points; leading/trailing gaps take the nearest value."""
    y = np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)
    y[~np.isfinite(y)] = np.nan
    missing = [int(i) for i in np.flatnonzero(np.isnan(y))]
    if missing and len(missing) < len(y):
        known = np.flatnonzero(~np.isnan(y))
        y = np.interp(np.arange(len(y)), known, y[known])
    return y, missing


def tame_outliers(
    y: FloatArray, period: int, threshold: float = 6.0
) -> tuple[FloatArray, list[int]]:
    """Replace points far from the seasonal-robust fit by that fit.

    The fit is a centred rolling median of the values with their seasonal median
    removed; the threshold is in robust standard deviations, high on purpose so that
    only gross errors (a booking typo, a one-off mega deal) are touched.
    """
    n = len(y)
    if n < 2 * period + 1 or period < 2:
        return y, []
    if np.all(y > 0):
        # Revenue seasonality grows with the level: judge outliers on the log scale.
        logged, flagged = tame_outliers(np.log(y), period, threshold)
        cleaned = y.copy()
        cleaned[flagged] = np.exp(logged[flagged])
        return cleaned, flagged
    season = np.array([np.median(y[i::period]) for i in range(period)])
    season -= season.mean()
    adjusted = y - np.resize(season, n)
    half = period // 2
    padded = np.pad(adjusted, half, mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)
    smooth = np.median(windows, axis=1)[:n]
    resid = adjusted - smooth
    mad = float(np.median(np.abs(resid - np.median(resid))))
    if mad <= 0:
        return y, []
    flagged = [int(i) for i in np.flatnonzero(np.abs(resid) > threshold * 1.4826 * mad)]
    if len(flagged) == 0 or len(flagged) > max(1, n // 20):
        # Many "outliers" means a heavy-tailed or shifting series, not data errors.
        return y, []
    cleaned = y.copy()
    cleaned[flagged] = (smooth + np.resize(season, n))[flagged]
    return cleaned, flagged


def detect_level_shift(y: FloatArray, period: int) -> int | None:
    """Index where the level jumps for good, or None.

    Compares the median of the year before and the year after each point (on the
    seasonally differenced scale this would need more history than we often have);
    a jump is reported when it dwarfs the year-on-year noise.
    """
    n = len(y)
    window = max(period, 3)
    if n < 3 * window:
        return None
    scale = float(np.median(np.abs(np.diff(y)))) * 1.4826
    if scale <= 0 or not math.isfinite(scale):
        return None
    # medians[j] is the median of y[j : j + window]; compare each window with the previous.
    medians = np.median(np.lib.stride_tricks.sliding_window_view(y, window), axis=1)
    jumps = np.abs(medians[window:] - medians[: len(medians) - window])
    if len(jumps) == 0:
        return None
    best = int(np.argmax(jumps))
    best_jump = float(jumps[best])
    spread = float(np.std(y))
    if best_jump > 0 and best_jump > 6 * scale and best_jump > 1.5 * spread:
        return best + window
    return None


def clean_series(
    values: Sequence[float | None], period: int, start: Period | None = None
) -> CleanSeries:
    """Fill gaps and tame gross outliers; record each intervention as a warning."""
    y, missing = fill_gaps(values)
    warnings: list[str] = []

    def label(i: int) -> str:
        return str(start + i) if start is not None else f"position {i}"

    if missing:
        shown = ", ".join(label(i) for i in missing[:6]) + (" ..." if len(missing) > 6 else "")
        warnings.append(
            Note(
                "missing_interpolated",
                f"{len(missing)} missing period(s) interpolated: {shown}",
                count=len(missing),
                periods=shown,
            )
        )
    if np.isnan(y).any():
        y = np.zeros(len(y))
    y, outliers = tame_outliers(y, period)
    if outliers:
        where = ", ".join(label(i) for i in outliers)
        warnings.append(
            Note(
                "outliers_replaced",
                f"{len(outliers)} outlier(s) at {where} replaced by the seasonal fit for modelling",
                count=len(outliers),
                periods=where,
            )
        )
    return CleanSeries(y, period, missing, outliers, warnings)
