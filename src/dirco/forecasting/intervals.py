"""Prediction intervals from the ensemble's own rolling-origin errors, per horizon."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.stats import t as student_t

from dirco.forecasting.models import FloatArray
from dirco.forecasting.notes import Note

# Backtest errors come from parameters chosen on a grid and weights chosen on the same
# history, so they are a little optimistic; this widening was set once on the public
# benchmark series (not per series) to bring coverage to its nominal level.
WIDENING = 1.0
# Recent origins say more about the next year's errors than those of ten years ago.
MAX_ORIGINS = 72
# The long-history pool reads its last four years of origins only (rule 13 of
# docs/forecasting.md): with twenty years of history its errors of six years ago (a
# recession, a recovery) sized the bands of a calmer today, and the other way round.
LONG_POOL_ORIGINS = 48
MIN_ERRORS = 6
# A series whose mean month-to-month change exceeds half its level is lumpy (a rep, a
# partner, a product line with a few big deals): its errors are not log-normal, and
# log-space bands stretch the upper bound to several times the forecast.
LUMPY_VOLATILITY = 0.25
# The parent scope's errors count as this many backtest origins of the scope's own.
PRIOR_ORIGINS = 24
# Quantiles of the backtest errors themselves replace the normal (Student) quantile when
# at least this many standardised errors are pooled from horizons with 24 errors or more
# (the long-history pool; rule 10 of docs/forecasting.md).
POOLED_MIN_ERRORS = 200
POOLED_MIN_PER_HORIZON = 24


@dataclass
class ErrorProfile:
    """A forecast's backtest errors relative to the series' level, for its children.

    ``scales[h-1]`` is the RMS of the additive errors at horizon h divided by the mean
    of the last year; ``origins`` how many origins measured horizon 1; ``volatility``
    the mean absolute month-to-month change divided by the same level.
    """

    scales: list[float]
    origins: int
    volatility: float


@dataclass
class Bands:
    lower: dict[int, FloatArray]
    upper: dict[int, FloatArray]
    profile: ErrorProfile | None = None
    notes: list[str] = field(default_factory=list)


def level_and_volatility(y: FloatArray, period: int = 12) -> tuple[float, float]:
    """Mean absolute value of the last ``period`` points, and the volatility: the mean
    absolute change over the last two years relative to that level, month to month or
    year to year whichever is smaller (a strong but regular seasonal shape or a steady
    trend is not lumpy; a few big deals are both). 0 when the level is 0."""
    level = float(np.mean(np.abs(y[-period:])))
    if level <= 0 or len(y) < 2:
        return level, 0.0
    recent = y[-2 * period :]
    change = float(np.mean(np.abs(np.diff(recent))))
    if len(y) >= 2 * period:
        change = min(change, float(np.mean(np.abs(y[-period:] - y[-2 * period : -period]))))
    return level, change / level


def shrunk_scales(
    own: FloatArray, counts: FloatArray, prior: ErrorProfile, level: float, volatility: float
) -> FloatArray:
    """Own error scales shrunk toward the parent's, rescaled to this series' volatility.

    The parent gives the growth of the errors with the horizon, the series its own
    noise: prior_h = parent_h x level x (volatility / parent volatility). Each horizon
    weighs its own RMS by n / (n + PRIOR_ORIGINS) for n own errors (in variance).
    """
    horizon = len(own)
    parent = np.asarray(prior.scales, dtype=np.float64)
    if len(parent) < horizon:
        last = parent[-1] if len(parent) else 0.0
        steps = np.arange(len(parent) + 1, horizon + 1)
        parent = np.r_[parent, last * np.sqrt(steps / max(len(parent), 1))]
    ratio = volatility / prior.volatility if prior.volatility > 0 else 1.0
    prior_scales = parent[:horizon] * level * ratio
    weight = counts / (counts + PRIOR_ORIGINS)
    own_var = np.where(np.isfinite(own), own, 0.0) ** 2
    weight = np.where(np.isfinite(own), weight, 0.0)
    result: FloatArray = np.sqrt(weight * own_var + (1 - weight) * prior_scales**2)
    return result


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


def backtest_errors(
    y: FloatArray,
    table: FloatArray,
    horizon: int,
    multiplicative: bool,
    window: int = MAX_ORIGINS,
) -> list[FloatArray]:
    """The backtest errors (log ratios when multiplicative) at each horizon 1..horizon,
    from the rows of ``table`` that hold a forecast (the last ``window`` origins)."""
    n = len(y)
    out: list[FloatArray] = []
    for h in range(1, horizon + 1):
        if h > n - 1:
            out.append(np.zeros(0))
            continue
        origins = np.arange(max(0, n - 1 - h - window + 1), n - h)
        forecast = table[origins, h - 1]
        actual = y[origins + h]
        ok = np.isfinite(forecast)
        if multiplicative:
            ok &= forecast > 0
            out.append(np.log(actual[ok] / forecast[ok]))
        else:
            out.append(actual[ok] - forecast[ok])
    return out


def backtest_error_rms(
    y: FloatArray,
    table: FloatArray,
    horizon: int,
    multiplicative: bool,
    window: int = MAX_ORIGINS,
) -> tuple[FloatArray, FloatArray]:
    """RMS of the errors (log ratios when multiplicative) for each horizon, and counts."""
    errors = backtest_errors(y, table, horizon, multiplicative, window)
    counts = np.array([len(e) for e in errors], dtype=np.float64)
    rms = np.array([float(np.sqrt(np.mean(e * e))) if len(e) else np.nan for e in errors])
    return rms, counts


def pooled_quantile(errors: Sequence[FloatArray], rms: FloatArray, level: int) -> float | None:
    """The ``level`` % quantile of the absolute backtest errors, each divided by its
    horizon's RMS, pooled over the horizons with enough errors; None when too few.

    Forecast errors are not normal: on the public series most months miss by less than
    the RMS and a few by much more, so RMS x 1.28 covered 84 % at 80 %. Their own
    quantiles size each level as the backtest saw it.
    """
    pooled = [
        np.abs(e) / rms[i]
        for i, e in enumerate(errors)
        if len(e) >= POOLED_MIN_PER_HORIZON and np.isfinite(rms[i]) and rms[i] > 0
    ]
    if not pooled or sum(len(p) for p in pooled) < POOLED_MIN_ERRORS:
        return None
    return float(np.quantile(np.concatenate(pooled), level / 100))


def excess_disagreement(
    members: FloatArray, weights: FloatArray, multiplicative: bool, window: int = MAX_ORIGINS
) -> FloatArray:
    """Per horizon, the part of today's spread between the backtested models that exceeds
    their usual spread (weighted standard deviation, log scale when multiplicative).

    ``members[k, t, h-1]`` is model k's forecast from origin t. The backtest errors
    already hold the models' usual disagreement; when they disagree more today (a trend
    that turned, a shape that changed), the combination is less sure than its past errors
    say (rule 11 of docs/forecasting.md; the whole pool, weighted by backtest, since
    rule 13). 0 where today's spread is the usual one or less; ``window`` origins before
    today give the usual spread.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.log(np.maximum(members, 1e-12)) if multiplicative else members
        mean = np.tensordot(weights, z, axes=1)
        spread = np.tensordot(weights, (z - mean) ** 2, axes=1)
    past = spread[:-1][np.all(np.isfinite(spread[:-1]), axis=1)][-window:]
    if len(past) < MIN_ERRORS or not np.all(np.isfinite(spread[-1])):
        return np.zeros(members.shape[2])
    result: FloatArray = np.sqrt(np.maximum(spread[-1] - past.mean(axis=0), 0.0))
    return result


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
    prior: ErrorProfile | None = None,
    members: tuple[FloatArray, FloatArray] | None = None,
) -> Bands:
    """Symmetric bands at each level in percent: in log space for positive, smooth series,
    otherwise additive (and then shrunk toward ``prior``, the parent's errors, if given).

    ``members`` (the backtested pool's weights and stacked origin tables, long-history
    pool only) turns on the errors' own quantiles, the excess-disagreement term and the
    shorter window of origins (``LONG_POOL_ORIGINS``)."""
    horizon = len(point)
    level, volatility = level_and_volatility(y)
    lumpy = volatility > LUMPY_VOLATILITY
    multiplicative = bool(np.all(y > 0) and np.all(point > 0)) and not lumpy
    window = LONG_POOL_ORIGINS if members is not None else MAX_ORIGINS
    errors = backtest_errors(y, table, horizon, multiplicative, window)
    counts = np.array([len(e) for e in errors], dtype=np.float64)
    rms = np.array([float(np.sqrt(np.mean(e * e))) if len(e) else np.nan for e in errors])
    scales = horizon_scales(rms, counts, horizon, growth)
    notes: list[str] = []
    if multiplicative:
        add_rms, add_counts = backtest_error_rms(y, table, horizon, False, window)
        add_scales = horizon_scales(add_rms, add_counts, horizon, growth)
    else:
        add_scales, add_counts = scales, counts
    profile = None
    if level > 0 and np.all(np.isfinite(add_scales)):
        profile = ErrorProfile(
            [float(v) for v in add_scales / level], int(add_counts.max()), volatility
        )
    if prior is not None and not multiplicative and level > 0 and prior.scales:
        scales = shrunk_scales(scales, counts, prior, level, volatility)
        notes.append(
            Note("borrowed_errors", "intervals borrow from the parent scope's backtest errors")
        )
    if not np.all(np.isfinite(scales)):
        scales = fallback_scales(y, horizon, multiplicative)
    scales = scales * widening
    own = prior is None or multiplicative
    if members is not None and own:
        weights, tables = members
        excess = excess_disagreement(tables, weights, multiplicative, window)
        scales = np.sqrt(scales**2 + excess**2)
    # Student's t with one degree of freedom per backtest origin: RMS from a dozen errors
    # understates the spread (at 24 months the 95 % bands covered 91 % with normal z).
    used = counts[counts > 0]
    dof = float(np.median(used)) - 1 if len(used) else 1.0
    lower: dict[int, FloatArray] = {}
    upper: dict[int, FloatArray] = {}
    for lv in levels:
        z = float(student_t.ppf(0.5 + lv / 200, max(dof, 2.0)))
        empirical = pooled_quantile(errors, rms, lv) if members is not None and own else None
        if empirical is not None:
            z = empirical
        if multiplicative:
            lower[lv] = point * np.exp(-z * scales)
            upper[lv] = point * np.exp(z * scales)
        else:
            lower[lv] = point - z * scales
            upper[lv] = point + z * scales
    return Bands(lower, upper, profile, notes)
