"""Prediction intervals from the ensemble's own rolling-origin errors, per horizon."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from dirco.forecasting.models import FloatArray

# Backtest errors come from parameters chosen on a grid and weights chosen on the same
# history, so they are a little optimistic; this widening was set once on the public
# benchmark series (not per series) to bring coverage to its nominal level.
WIDENING = 1.0
# Recent origins say more about the next year's errors than those of ten years ago.
MAX_ORIGINS = 72
MIN_ERRORS = 6


@dataclass
class Bands:
    lower: dict[int, FloatArray]
    upper: dict[int, FloatArray]


def horizon_scales(
    errors: FloatArray, counts: FloatArray, horizon: int, growth: float = 0.5
) -> FloatArray:
    """Root mean square error per horizon, made non-decreasing and extended by h^growth."""
    scales = np.full(horizon, np.nan)
    usable = counts >= MIN_ERRORS
    scales[usable] = errors[usable]
    valid = np.flatnonzero(np.isfinite(scales))
    if len(valid) == 0:
        return scales
    last = int(valid[-1])
    steps = np.arange(1, horizon + 1)
    scales[last + 1 :] = scales[last] * (steps[last + 1 :] / steps[last]) ** growth
    # Interior gaps (a horizon with too few errors) take the previous horizon's scale.
    for i in range(horizon):
        if not np.isfinite(scales[i]):
            scales[i] = scales[i - 1] if i > 0 else scales[valid[0]]
    return np.maximum.accumulate(scales)


def backtest_error_rms(
    y: FloatArray, table: FloatArray, horizon: int, multiplicative: bool
) -> tuple[FloatArray, FloatArray]:
    """RMS of the errors (log ratios when multiplicative) for each horizon, and counts."""
    n = len(y)
    rms = np.full(horizon, np.nan)
    counts = np.zeros(horizon)
    for h in range(1, min(horizon, n - 1) + 1):
        origins = np.arange(max(0, n - 1 - h - MAX_ORIGINS + 1), n - h)
        forecast = table[origins, h - 1]
        actual = y[origins + h]
        ok = np.isfinite(forecast)
        if multiplicative:
            ok &= forecast > 0
            err = np.log(actual[ok] / forecast[ok])
        else:
            err = actual[ok] - forecast[ok]
        counts[h - 1] = len(err)
        if len(err):
            rms[h - 1] = float(np.sqrt(np.mean(err * err)))
    return rms, counts


def fallback_scales(y: FloatArray, horizon: int, multiplicative: bool) -> FloatArray:
    """Random-walk scales for series too short to have backtest errors."""
    z = np.log(y) if multiplicative else y
    step = float(np.std(np.diff(z))) if len(z) > 2 else float(np.abs(z).mean()) * 0.5
    if not np.isfinite(step) or step <= 0:
        step = max(float(np.abs(z).mean()) * 0.1, 1e-6)
    return step * np.sqrt(np.arange(1, horizon + 1))


def prediction_bands(
    y: FloatArray,
    table: FloatArray,
    point: FloatArray,
    levels: Sequence[int],
    *,
    growth: float = 0.5,
    widening: float = WIDENING,
) -> Bands:
    """Symmetric bands (in log space for positive series) at each level in percent."""
    horizon = len(point)
    multiplicative = bool(np.all(y > 0) and np.all(point > 0))
    rms, counts = backtest_error_rms(y, table, horizon, multiplicative)
    scales = horizon_scales(rms, counts, horizon, growth)
    if not np.all(np.isfinite(scales)):
        scales = fallback_scales(y, horizon, multiplicative)
    scales = scales * widening
    lower: dict[int, FloatArray] = {}
    upper: dict[int, FloatArray] = {}
    for level in levels:
        z = float(norm.ppf(0.5 + level / 200))
        if multiplicative:
            lower[level] = point * np.exp(-z * scales)
            upper[level] = point * np.exp(z * scales)
        else:
            lower[level] = point - z * scales
            upper[level] = point + z * scales
    return Bands(lower, upper)
