"""Candidate forecasting models, each run from every origin of the history in one pass.

Every model returns an :class:`OriginForecasts`: row ``t`` holds the forecasts for
``y[t+1] .. y[t+H]`` made with the data up to and including ``y[t]``. The last row is
the real forecast; the other rows are honest rolling-origin backtests, used to weight
the models and to size the prediction intervals.

Exponential smoothing parameters are chosen on a fixed grid evaluated for all grid
points at once (numpy over the grid, a Python loop over time). At each origin the
grid point with the smallest squared error *up to that origin* is used, so
backtests never see the future, and the whole backtest costs one filtering pass
instead of one optimiser run per origin. That is what keeps a series under 100 ms.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize
from scipy.signal import lfilter

from dirco.forecasting.seasonality import FORECAST_DECAY, seasonal_indices

FloatArray = npt.NDArray[np.float64]
Seasonal = Literal["add", "mul"] | None
Transform = Literal["none", "log"]
# "mse": each origin takes the grid point with the least one-step squared error so far;
# "amse": the least mean squared error of its 1..period-step (a year's) forecasts (rule 12
# of the docs).
Criterion = Literal["mse", "amse"]

ALPHAS = (0.05, 0.1, 0.2, 0.35, 0.5, 0.7, 0.9)
BETAS = (0.01, 0.05, 0.15, 0.3)
GAMMAS = (0.01, 0.05, 0.1, 0.2, 0.35)
PHIS = (0.8, 0.9, 0.95, 0.98)
INIT_YEARS = 2
# Rows (origins) worth filling: the ensemble backtest uses the last two years of origins
# plus a year of horizon, the intervals the last 72 origins plus a year of horizon.
# Earlier origins only cost time, so the models leave them NaN.
KEPT_ORIGINS = 96


@dataclass
class OriginForecasts:
    """Forecasts of one model from each origin; rows before ``first_origin`` are NaN."""

    name: str
    seasonal: bool
    table: FloatArray  # shape (n, horizon); table[t, h-1] forecasts y[t+h]
    first_origin: int

    @property
    def final(self) -> FloatArray:
        last: FloatArray = self.table[-1]
        return last


def _empty(n: int, horizon: int) -> FloatArray:
    return np.full((n, horizon), np.nan)


def seasonal_naive(y: FloatArray, period: int, horizon: int) -> OriginForecasts:
    """Same period last year (or the last value when ``period`` is 1)."""
    n = len(y)
    table = _empty(n, horizon)
    steps = np.arange(1, horizon + 1)
    # The value one whole number of seasons before the target, and still observed.
    lag = period * np.ceil(steps / period).astype(int)
    for t in range(period - 1, n):
        table[t] = y[t + steps - lag]
    return OriginForecasts(
        "seasonal_naive" if period > 1 else "naive", period > 1, table, period - 1
    )


def _grid(trend: bool, seasonal: Seasonal) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    betas = BETAS if trend else (0.0,)
    phis = PHIS if trend else (0.0,)
    gammas = GAMMAS if seasonal else (0.0,)
    combos = np.array(list(itertools.product(ALPHAS, betas, gammas, phis)), dtype=np.float64)
    return combos[:, 0], combos[:, 1], combos[:, 2], combos[:, 3]


def exponential_smoothing(
    y: FloatArray,
    period: int,
    horizon: int,
    *,
    trend: bool = True,
    seasonal: Seasonal = "add",
    transform: Transform = "none",
    name: str | None = None,
    criterion: Criterion = "mse",
) -> OriginForecasts:
    """Holt-Winters / ETS with additive damped trend, fitted on a grid at every origin.

    ``transform="log"`` fits the additive model to log(y), an ETS with multiplicative
    errors, trend and season in all but name, and well behaved for revenue.
    """
    model = exponential_smoothing_family(
        y,
        period,
        horizon,
        trends=(trend,),
        seasonal=seasonal,
        transform=transform,
        criterion=criterion,
    )[0]
    if name is not None:
        model.name = name
    return model


def exponential_smoothing_family(
    y: FloatArray,
    period: int,
    horizon: int,
    *,
    trends: Sequence[bool] = (True, False),
    seasonal: Seasonal = "add",
    transform: Transform = "none",
    criterion: Criterion = "mse",
) -> list[OriginForecasts]:
    """One model per entry of ``trends`` (damped trend or level only), in one pass.

    The grids of the variants are stacked and filtered together, each variant taking
    its own best grid point at each origin: the Python loop over time is the cost, so
    two variants cost little more than one.

    ``criterion="amse"`` ranks the grid points by the mean squared error of their
    1..min(horizon, period)-step forecasts from every past origin, each scored when its
    target arrives (so still nothing from the future): the forecasts are used a year
    ahead, and one-step errors favour a trend that chases the last few months.
    """
    n = len(y)
    m = period if seasonal else 1
    kind = "holt" if seasonal is None else ("ets_log" if transform == "log" else "hw")
    z = np.log(y) if transform == "log" else y.astype(np.float64)
    mul = seasonal == "mul"
    grids = [_grid(trend, seasonal) for trend in trends]
    alpha, beta, gamma, phi = (np.concatenate([g[i] for g in grids]) for i in range(4))
    bounds = np.cumsum([0] + [len(g[0]) for g in grids])
    k = len(alpha)

    level = np.empty(k)
    slope_state = np.empty(k)
    if seasonal:
        # Seasonal indices from the first two years: with a small gamma the initial
        # indices persist for years, so one year's noise must not set them.
        head = z[: min(n, INIT_YEARS * m)]
        season0 = seasonal_indices(head, m, mul)
        if mul:
            season0 = np.clip(season0, 1e-3, None)
        slots0 = np.arange(2 * m) % m
        adjusted = z[: 2 * m] / season0[slots0] if mul else z[: 2 * m] - season0[slots0]
        times = np.arange(2 * m, dtype=np.float64)
        fitted_slope, fitted_intercept = np.polyfit(times, adjusted, 1)
        for trend, lo, hi in zip(trends, bounds[:-1], bounds[1:], strict=True):
            slope, intercept = (
                (fitted_slope, fitted_intercept) if trend else (0.0, float(adjusted.mean()))
            )
            level[lo:hi] = intercept + slope * (m - 1)
            slope_state[lo:hi] = slope
        start = m
    else:
        drift = float(np.mean(np.diff(z[: min(n, 4)]))) if n > 1 else 0.0
        for trend, lo, hi in zip(trends, bounds[:-1], bounds[1:], strict=True):
            level[lo:hi] = float(z[0])
            slope_state[lo:hi] = drift if trend else 0.0
        season0 = np.zeros(1)
        start = 1
    season = np.repeat(season0[:, None], k, axis=1)  # ring buffer indexed by t % m
    sse = np.zeros(k)

    steps = np.arange(1, horizon + 1)
    # damp_sum[j, h-1] = phi_j + phi_j^2 + ... + phi_j^h
    damp_sum = np.cumsum(phi[:, None] ** steps[None, :], axis=1)
    tables = [_empty(n, horizon) for _ in trends]
    amse = criterion == "amse"
    # Level and slope at the last ``reach`` origins (ring buffer indexed by origin %
    # reach): with reach <= m (or no season), every forecast of y[t] made from them used
    # the seasonal index that y[t] is fitted with now, so their errors need no stored
    # paths.
    reach = min(horizon, period) if amse else 1
    reach_steps = np.arange(1, reach + 1)
    levels_seen = np.zeros((reach, k))
    slopes_seen = np.zeros((reach, k))
    damp_by_step = damp_sum[:, :reach].T
    multi_sse = np.zeros(k)
    first_origin = max(start + m, start + 2) if seasonal else start + 2
    first_origin = min(max(first_origin, n - KEPT_ORIGINS), n - 1)
    for t in range(start, n):
        slot = t % m
        s_old = season[slot]
        base = level + phi * slope_state
        if mul:
            base = np.maximum(base, 1e-9)
            fitted = base * s_old
        else:
            fitted = base + s_old
        obs = z[t]
        err = obs - fitted
        sse += err * err
        if amse and t > start:
            back = reach_steps[: t - start]  # the origins t - back >= start
            rows = (t - back) % reach
            ahead = levels_seen[rows] + slopes_seen[rows] * damp_by_step[back - 1]
            missed = obs - (ahead * s_old if mul else ahead + s_old)
            multi_sse += np.sum(missed * missed, axis=0)
        if mul:
            level_new = alpha * obs / s_old + (1 - alpha) * base
            season[slot] = np.clip(gamma * obs / base + (1 - gamma) * s_old, 1e-3, None)
        else:
            level_new = alpha * (obs - s_old) + (1 - alpha) * base
            season[slot] = gamma * (obs - base) + (1 - gamma) * s_old
        slope_state = beta * (level_new - level) + (1 - beta) * phi * slope_state
        level = level_new
        if amse:
            levels_seen[t % reach] = level
            slopes_seen[t % reach] = slope_state
        score = multi_sse if amse else sse
        if t >= first_origin:
            for table, lo, hi in zip(tables, bounds[:-1], bounds[1:], strict=True):
                best = lo + int(np.argmin(score[lo:hi]))
                path = level[best] + slope_state[best] * damp_sum[best]
                if seasonal:
                    s_future = season[(t + steps) % m, best]
                    path = path * s_future if mul else path + s_future
                table[t] = path
    models = []
    for trend, table in zip(trends, tables, strict=True):
        if transform == "log":
            # Cap the exponent: a runaway log trend must not overflow to inf.
            table = np.exp(np.clip(table, None, np.log(np.max(y)) + 5.0))
        name = f"{kind}_{'damped' if trend else 'level'}" + (f"_{seasonal}" if seasonal else "")
        models.append(OriginForecasts(name, seasonal is not None, table, first_origin))
    return models


def theta(y: FloatArray, period: int, horizon: int, *, seasonal: bool) -> OriginForecasts:
    """Standard Theta: SES with half the linear drift, on seasonally adjusted data.

    Seasonal indices come from the whole history (with the airline model's
    parameters, the places where a backtest here sees the future). With the decayed
    indices (rule 8) the recent years, which the backtest forecasts, weigh most, so
    this model backtests better than it forecasts and often gets the largest weight.
    Indices from the data up to each origin were measured (fourth round in
    docs/forecasting.md): its weight falls and the forecasts get worse (six named
    series 0.913 -> 0.973), so the optimism stays, said here.
    """
    n = len(y)
    multiplicative = bool(np.all(y > 0))
    if seasonal and period > 1 and n >= 2 * period:
        idx = seasonal_indices(y, period, multiplicative, FORECAST_DECAY)
    else:
        seasonal = False
        idx = np.ones(period) if multiplicative else np.zeros(period)
    slots = np.arange(n) % period
    adj = y / idx[slots] if multiplicative else y - idx[slots]

    alpha = np.array([0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.99])
    level = np.full(len(alpha), adj[0])
    sse = np.zeros(len(alpha))
    steps = np.arange(1, horizon + 1)
    table = _empty(n, horizon)
    first_origin = min(max(3, period if seasonal else 3, n - KEPT_ORIGINS), n - 1)
    # Running sums for the OLS slope of adj on time up to each origin.
    tt = np.arange(n, dtype=np.float64)
    c_t, c_y, c_tt, c_ty = (np.cumsum(v) for v in (tt, adj, tt * tt, tt * adj))
    for t in range(1, n):
        err = adj[t] - level
        sse += err * err
        level = level + alpha * err
        if t >= first_origin:
            count = t + 1
            denom = count * c_tt[t] - c_t[t] ** 2
            slope = (count * c_ty[t] - c_t[t] * c_y[t]) / denom if denom > 0 else 0.0
            best = int(np.argmin(sse))
            a = alpha[best]
            path = level[best] + 0.5 * slope * (steps - 1 + 1 / a)
            s_future = idx[(t + steps) % period]
            table[t] = path * s_future if multiplicative else path + s_future
    return OriginForecasts("theta_seasonal" if seasonal else "theta", seasonal, table, first_origin)


def adjusted_trend_models(
    y: FloatArray, period: int, horizon: int, *, seasonal: bool, lumpy: bool = False
) -> list[OriginForecasts]:
    """Drift, Theta and Holt's damped trend on the seasonally adjusted series.

    The models of short histories: each needs only a few points, follows a trend
    (where last year's values lag a whole year behind it) and gets the seasonal shape
    back from classical-decomposition indices (multiplicative for positive series).
    Like ``theta``, the indices come from the whole history. A ``lumpy`` series (a few
    big deals, months without any) has no trend worth extrapolating from its first and
    last values: the mean of the last year replaces the drift (a last month without a
    deal would otherwise drag the whole year toward zero).
    """
    n = len(y)
    multiplicative = bool(np.all(y > 0))
    if seasonal and period > 1 and n >= 2 * period:
        idx = seasonal_indices(y, period, multiplicative, FORECAST_DECAY)
        if multiplicative:
            idx = np.clip(idx, 1e-3, None)
    else:
        seasonal = False
        period = 1
        idx = np.ones(1) if multiplicative else np.zeros(1)
    slots = np.arange(n) % period
    adjusted = y / idx[slots] if multiplicative else y - idx[slots]
    steps = np.arange(1, horizon + 1)
    rows = np.arange(n)
    future = idx[(rows[:, None] + steps[None, :]) % period]

    def reseason(table: FloatArray) -> FloatArray:
        result: FloatArray = table * future if multiplicative else table + future
        return result

    suffix = "_sa" if seasonal else ""
    if lumpy:
        # The mean of the last year (fewer points at the first origins), flat ahead.
        window = 12 if period == 1 else period
        sums = np.cumsum(np.r_[0.0, adjusted])
        counts = np.minimum(rows + 1, window)
        mean = (sums[rows + 1] - sums[rows + 1 - counts]) / counts
        first = OriginForecasts(
            f"mean_last_year{suffix}", seasonal, reseason(np.repeat(mean[:, None], horizon, 1)), 1
        )
    else:
        # Drift: the last value plus the mean change since the first, from every origin.
        slope = (adjusted - adjusted[0]) / np.maximum(rows, 1)
        drift = adjusted[:, None] + slope[:, None] * steps[None, :]
        drift[0] = np.nan
        first = OriginForecasts(f"drift{suffix}", seasonal, reseason(drift), 1)
    models = [first]
    for model in (
        theta(adjusted, 1, horizon, seasonal=False),
        exponential_smoothing(adjusted, 1, horizon, trend=True, seasonal=None),
    ):
        name = "holt_damped" if model.name.startswith("holt") else model.name
        models.append(
            OriginForecasts(f"{name}{suffix}", seasonal, reseason(model.table), model.first_origin)
        )
    return models


def _airline_polynomial(theta1: float, theta_s: float, period: int) -> FloatArray:
    """Coefficients of the MA polynomial (1 + theta1 B)(1 + theta_s B^m)."""
    poly = np.zeros(period + 2)
    poly[0] = 1.0
    poly[1] += theta1
    poly[period] += theta_s
    poly[period + 1] += theta1 * theta_s
    return poly


def airline_arima(
    y: FloatArray, period: int, horizon: int, *, log: bool | None = None
) -> OriginForecasts:
    """Seasonal ARIMA(0,1,1)(0,1,1)_m, Box and Jenkins' "airline" model, on log(y).

    Fitted by conditional sum of squares: the residuals of the twice-differenced series
    come from one linear filter (scipy's ``lfilter``), so an L-BFGS-B fit of the two MA
    coefficients costs a few milliseconds. Parameters are fitted once on the whole
    history (the backtest rows reuse them); each row forecasts with the residuals known
    at its origin only. Needs three seasons plus one period; log only for positive y.
    ``log=False`` fits it on y itself for a positive series ("arima_airline_y"): a
    seasonal swing that stays the same size in units while the level grows (rule 14 of
    docs/forecasting.md).
    """
    n = len(y)
    m = period
    d = m + 1
    if m < 2 or n < 3 * m + 1:
        raise ValueError(f"the airline model needs at least {3 * m + 1} points")
    positive = bool(np.all(y > 0))
    name = "arima_airline" if log is not False or not positive else "arima_airline_y"
    log = positive if log is None else log and positive
    z = np.log(y) if log else y.astype(np.float64)
    w = z[d:] - z[d - 1 : -1] - z[1:-m] + z[:-d]
    one = np.ones(1)

    def css(params: FloatArray) -> float:
        resid = lfilter(one, _airline_polynomial(params[0], params[1], m), w)
        return float(resid @ resid)

    if float(np.var(w)) <= 1e-18:
        params = np.zeros(2)
    else:
        fit = minimize(
            css, x0=np.array([-0.4, -0.6]), method="L-BFGS-B", bounds=[(-0.95, 0.95)] * 2
        )
        params = np.asarray(fit.x, dtype=np.float64)
    poly = _airline_polynomial(params[0], params[1], m)
    resid = np.zeros(n)
    resid[d:] = lfilter(one, poly, w)

    table = _empty(n, horizon)
    first_origin = d + m  # a season of residuals before the first backtest origin
    origins = np.arange(first_origin, n)
    # Per origin: the last m + 1 values, then the forecasts, one column per step.
    path = np.zeros((len(origins), d + horizon))
    path[:, :d] = z[origins[:, None] - m + np.arange(d)[None, :]]
    for h in range(1, horizon + 1):
        col = m + h
        shock = np.zeros(len(origins))
        for lag in (1, m, m + 1):
            if lag >= h:
                shock += poly[lag] * resid[origins + h - lag]
        path[:, col] = path[:, col - 1] + path[:, col - m] - path[:, col - m - 1] + shock
    paths = path[:, d:]
    if log:
        paths = np.exp(np.clip(paths, None, np.log(np.max(y)) + 5.0))
    table[origins] = paths
    return OriginForecasts(name, True, table, first_origin)
