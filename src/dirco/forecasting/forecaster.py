"""``forecast()``: clean the series, backtest the candidates, combine, add intervals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from dirco.forecasting.intervals import (
    LUMPY_VOLATILITY,
    WIDENING,
    ErrorProfile,
    level_and_volatility,
    prediction_bands,
)
from dirco.forecasting.models import (
    Criterion,
    OriginForecasts,
    adjusted_trend_models,
    airline_arima,
    exponential_smoothing,
    exponential_smoothing_family,
    seasonal_naive,
    theta,
)
from dirco.forecasting.notes import Note
from dirco.forecasting.seasonality import FORECAST_DECAY, seasonal_acf_test, seasonal_strength
from dirco.forecasting.selection import (
    Scored,
    backtest_mase,
    backtest_origins,
    combine,
    ensemble_weights,
    mase_scale,
    pool_weights,
)
from dirco.forecasting.series import (
    PERIODS_PER_YEAR,
    FloatArray,
    Freq,
    Period,
    clean_series,
    detect_level_shift,
    period_range,
)

MAX_HORIZON = 120
MIN_POINTS = 3
# Older history costs time and rarely helps a monthly revenue forecast.
MAX_YEARS = 20
# Below this STL seasonal strength, seasonal models fit noise (a pure trend gives ~0).
SEASONAL_STRENGTH_MIN = 0.3
BACKTEST_YEARS = 2
# The airline ARIMA fits on the twice-differenced series: three seasons leave two of it.
AIRLINE_MIN_SEASONS = 3
# Below eight seasons the short-history rule decides (see short_history()): under five
# the long pool's backtest window (two years of origins after two years of model start-up)
# does not fit, and from five to seven its few origins rank the models worse than the
# equal mean does (rule 7 of docs/forecasting.md: MASE 0.467/0.463/0.470 ->
# 0.457/0.453/0.464 at 60/72/84 months).
SHORT_SEASONS = 8
# Holt-Winters' grid point at each origin: least mean squared error of its 1..12-step
# forecasts ("amse"), not of its one-step forecasts (rule 12: public set 0.3864 ->
# 0.3830 on the rolling cuts, named series 0.964 -> 0.949; holdout unchanged or better).
HOLT_WINTERS_CRITERION: Criterion = "amse"


@dataclass
class ForecastResult:
    """Point forecasts and nested prediction intervals for ``periods``.

    ``lower[80]``/``upper[80]`` etc. hold one list per requested level;
    ``method`` names the models combined; ``weights`` their share; ``backtest_mase``
    each candidate's rolling-origin MASE (``"ensemble"`` for the combination; below 1
    beats last year's value); ``warnings`` says what was assumed or could not be done.
    """

    periods: list[Period]
    point: list[float]
    lower: dict[int, list[float]]
    upper: dict[int, list[float]]
    method: str
    weights: dict[str, float]
    backtest_mase: dict[str, float]
    seasonal: bool
    warnings: list[str] = field(default_factory=list)
    error_profile: ErrorProfile | None = None

    @property
    def lower80(self) -> list[float]:
        return self.lower[80]

    @property
    def upper80(self) -> list[float]:
        return self.upper[80]

    @property
    def lower95(self) -> list[float]:
        return self.lower[95]

    @property
    def upper95(self) -> list[float]:
        return self.upper[95]


def candidate_models(
    y: FloatArray, period: int, horizon: int, seasonal: bool
) -> list[OriginForecasts]:
    """The models worth backtesting for this series."""
    positive = bool(np.all(y > 0))
    models = [
        seasonal_naive(y, 1, horizon),
        theta(y, period, horizon, seasonal=False),
    ]
    if len(y) >= 5:
        models.append(exponential_smoothing(y, period, horizon, trend=True, seasonal=None))
    if seasonal:
        models.append(seasonal_naive(y, period, horizon))
        models.append(theta(y, period, horizon, seasonal=True))
        # Holt-Winters picks its parameters by the errors of its year-ahead forecasts
        # (rule 12 of docs/forecasting.md); ETS on logs keeps the one-step errors.
        if positive:
            models.extend(
                exponential_smoothing_family(
                    y, period, horizon, seasonal="mul", criterion=HOLT_WINTERS_CRITERION
                )
            )
            models.extend(
                exponential_smoothing_family(y, period, horizon, seasonal="add", transform="log")
            )
        else:
            models.append(
                exponential_smoothing(
                    y, period, horizon, seasonal="add", criterion=HOLT_WINTERS_CRITERION
                )
            )
        if len(y) >= AIRLINE_MIN_SEASONS * period + 1:
            models.append(airline_arima(y, period, horizon))
            if positive:
                # The one additive-season model of a positive series' pool (rule 14 of
                # docs/forecasting.md): a swing that keeps its size in units while the
                # level grows, which every log or multiplicative model stretches.
                models.append(airline_arima(y, period, horizon, log=False))
    return models


def seasonal_naive_beats_naive(y: FloatArray, period: int, eval_horizon: int) -> bool:
    """Whether last year's values forecast the recent history better than the last value.

    Half of the seasonality gate: STL strength can be low on a series whose trend
    wanders a lot while a plain seasonal naive still beats the naive in the backtest.
    """
    same_month = seasonal_naive(y, period, eval_horizon)
    last_value = seasonal_naive(y, 1, eval_horizon)
    origins = backtest_origins(
        len(y), same_month.first_origin, eval_horizon, BACKTEST_YEARS * period
    )
    scale = mase_scale(y, period)
    seasonal_error = backtest_mase(same_month, y, origins, eval_horizon, scale)
    naive_error = backtest_mase(last_value, y, origins, eval_horizon, scale)
    return bool(np.isfinite(seasonal_error) and seasonal_error < naive_error)


def beside_seasonal_naive(
    scores: Sequence[Scored],
    weights: dict[str, float],
    table: FloatArray,
    y: FloatArray,
    origins: range,
    eval_horizon: int,
    scale: float,
) -> tuple[dict[str, float], float]:
    """The combination's weights with last year's values beside it, and their share.

    The seasonal naive and the combination are weighed like the combination's own
    members, by 1/MASE^2 of their backtests (rule 16 of docs/forecasting.md): where the
    combination backtests far better, last year's values get a few per cent; where the
    two are close, about half; where it backtests worse, most (this replaced a guard
    that switched to the seasonal naive only then). Without a seasonal naive in the
    pool, or when it is the forecast already, the weights are returned unchanged.
    """
    naive = next((s for s in scores if s.model.name == "seasonal_naive"), None)
    if naive is None or not np.isfinite(naive.mase) or set(weights) == {naive.model.name}:
        return weights, 0.0
    combined = OriginForecasts("ensemble", True, table, naive.model.first_origin)
    combined_mase = backtest_mase(combined, y, origins, eval_horizon, scale)
    if not np.isfinite(combined_mase):
        return weights, 0.0
    own, naive_weight = 1.0 / max(combined_mase, 1e-6) ** 2, 1.0 / max(naive.mase, 1e-6) ** 2
    share = naive_weight / (own + naive_weight)
    merged = {name: w * (1.0 - share) for name, w in weights.items()}
    merged[naive.model.name] = merged.get(naive.model.name, 0.0) + share
    return merged, share


def shorter_than_two_seasons(n: int, period: int) -> Note:
    return Note(
        "short_for_seasons",
        f"history of {n} periods is shorter than two seasons ({2 * period}): "
        "seasonality is not modelled",
        periods=n,
        needed=2 * period,
    )


@dataclass
class Selection:
    """The models backtested, their weights and combined origin table, and the backtest."""

    seasonal: bool
    models: list[OriginForecasts]
    weights: dict[str, float]
    table: FloatArray
    scores: list[Scored]
    origins: range
    scale: float


def long_history(
    y: FloatArray, period: int, eval_horizon: int, table_horizon: int, notes: list[str]
) -> Selection:
    """Eight seasons or more: backtest the whole pool, combine the best three and last year."""
    n = len(y)
    # Seasonal models are candidates when last year's values forecast better than the
    # last value, or when the lag-12 autocorrelation of the differences is significant
    # (rule 15 of docs/forecasting.md: a weak shape on a wandering trend fails the first
    # test and STL's strength), or else when STL finds a strong seasonal component (the
    # check costs more than the whole backtest of the seasonal naive, so it comes last).
    # The backtest still chooses between the seasonal and the trend models: a false
    # alarm costs little. (Eight seasons or more: two seasons are always there.)
    seasonal = seasonal_naive_beats_naive(y, period, eval_horizon) or seasonal_acf_test(y, period)
    if not seasonal:
        strength = seasonal_strength(y, period)
        seasonal = strength >= SEASONAL_STRENGTH_MIN
        if not seasonal:
            notes.append(
                Note(
                    "weak_seasonality",
                    f"weak seasonality (strength {strength:.2f}): seasonal models skipped",
                    strength=round(strength, 2),
                )
            )

    models = candidate_models(y, period, table_horizon, seasonal)
    scale = mase_scale(y, period)
    first_origin = max(m.first_origin for m in models)
    origins = backtest_origins(n, first_origin, eval_horizon, BACKTEST_YEARS * period)
    scores = [Scored(m, backtest_mase(m, y, origins, eval_horizon, scale)) for m in models]
    weights = ensemble_weights(scores)
    if not weights:
        names = [m.name for m in models]
        if seasonal and "seasonal_naive" in names:
            # Two seasons and a strong seasonal shape, but no room to backtest: last year's
            # values keep the shape, where the last value would flatten it.
            notes.append(
                Note(
                    "no_backtest_last_year",
                    "too little history to backtest: seasonal naive forecast (last year)",
                )
            )
            weights = {"seasonal_naive": 1.0}
        else:
            notes.append(
                Note(
                    "no_backtest_last_value",
                    "too little history to backtest: naive forecast (last value)",
                )
            )
            weights = {models[0].name: 1.0}
    table = combine(models, weights)
    weights, naive_share = beside_seasonal_naive(
        scores, weights, table, y, origins, eval_horizon, scale
    )
    if naive_share > 0.5:
        notes.append(
            Note(
                "last_year_outweighs",
                "the combination did worse than last year's values in the backtest: "
                f"last year's values weigh {naive_share:.0%}",
                share=round(naive_share, 2),
            )
        )
    if naive_share > 0:
        table = combine(models, weights)
    return Selection(seasonal, models, weights, table, scores, origins, scale)


def short_history(
    y: FloatArray, period: int, eval_horizon: int, table_horizon: int, notes: list[str]
) -> Selection:
    """Under eight seasons: equal mean of drift, Theta and damped trend on adjusted data.

    Seasonality comes from the lag-12 autocorrelation test, which works with two
    seasons; the trend models follow a trend where last year's values lag a year
    behind. Equal weights: with so few origins the backtest cannot rank the models.
    """
    n = len(y)
    seasonal = seasonal_acf_test(y, period)
    if n < 2 * period:
        notes.append(shorter_than_two_seasons(n, period))
    elif not seasonal:
        notes.append(
            Note(
                "no_significant_seasonality",
                "no significant seasonality (lag autocorrelation test): trend models only",
            )
        )
    lumpy = level_and_volatility(y, period)[1] > LUMPY_VOLATILITY
    if lumpy:
        notes.append(
            Note("lumpy", "lumpy series (a few big months): level models, no trend extrapolated")
        )
    models = adjusted_trend_models(y, period, table_horizon, seasonal=seasonal, lumpy=lumpy)
    if seasonal and not lumpy and n >= AIRLINE_MIN_SEASONS * period + 1:
        # From three seasons and a month the airline model joins (48 months: mean MASE
        # 0.478 against 0.484 without it; at 36 months it cannot run).
        models.append(airline_arima(y, period, table_horizon))
    weights = {m.name: 1.0 / len(models) for m in models}
    scale = mase_scale(y, period)
    first_origin = max(m.first_origin for m in models)
    origins = backtest_origins(n, first_origin, eval_horizon, BACKTEST_YEARS * period)
    scores = [Scored(m, backtest_mase(m, y, origins, eval_horizon, scale)) for m in models]
    return Selection(seasonal, models, weights, combine(models, weights), scores, origins, scale)


def index_years(n: int, period: int, decay: float = FORECAST_DECAY) -> float:
    """Effective number of years of seasonal ratios behind the forecasting indices.

    Kish's effective sample size (sum w)^2 / sum w^2 of the yearly weights decay^k
    (rule 8 of docs/forecasting.md): with a decay of 0.5, 1 year for one year of ratios,
    1.8 for two, 2.3 for three, 3 at most however long the history.
    """
    years = max(1, (n - period) // period)
    weights = decay ** np.arange(years, dtype=np.float64)
    return float(weights.sum() ** 2 / (weights * weights).sum())


def short_history_widening(n: int, period: int) -> float:
    """Widening of short-history seasonal intervals: sqrt(1 + 1/k), k = ``index_years``.

    The seasonal indices come from the whole history, the forecast values included, so
    the backtest errors miss the error of the indices themselves, whose variance falls
    as 1/k with k effective years of ratios to the trend. Measured on the short track:
    80 % intervals covered 68 % at 24 months without it, 79 % with it; with the decayed
    indices and k counted in plain years, 76 % and 90.5 % (95 %) at 48 months, with the
    effective years 78 % and 91 % (see the docs).
    """
    return float(np.sqrt(1.0 + 1.0 / index_years(n, period)))


def forecast(
    values: Sequence[float | None],
    start: Period | dt.date | str,
    freq: Freq = "M",
    horizon: int = 12,
    level: Sequence[int] = (80, 95),
    prior: ErrorProfile | None = None,
) -> ForecastResult:
    """Forecast ``horizon`` periods after a monthly (``"M"``) or quarterly (``"Q"``) series.

    ``values`` are consecutive periods from ``start``; None/NaN mark missing periods.
    Forecasts and bounds are never negative and never NaN. ``prior`` is the
    ``error_profile`` of the parent scope's forecast: the intervals of a lumpy series
    then borrow from it when the series' own backtest errors are few (see intervals.py).
    """
    if not 1 <= horizon <= MAX_HORIZON:
        raise ValueError(f"horizon must be between 1 and {MAX_HORIZON}, got {horizon}")
    levels = sorted({int(lv) for lv in (*level, 80, 95)})
    if any(not 0 < lv < 100 for lv in levels):
        raise ValueError("interval levels must be percentages between 0 and 100")
    first = Period.coerce(start, freq)
    period = PERIODS_PER_YEAR[freq]
    known = sum(1 for v in values if v is not None and np.isfinite(v))
    if known < MIN_POINTS:
        raise ValueError(f"need at least {MIN_POINTS} known values to forecast, got {known}")

    clean = clean_series(values, period, first)
    notes = list(clean.warnings)
    y = clean.values
    if np.any(y < 0):
        notes.append(
            Note("negative_values", "negative values found: forecasts are still floored at zero")
        )
    if len(y) > MAX_YEARS * period:
        y = y[-MAX_YEARS * period :]
        notes.append(
            Note("last_years_only", f"only the last {MAX_YEARS} years were used", years=MAX_YEARS)
        )
    if np.mean(y == 0) > 0.3:
        notes.append(
            Note(
                "intermittent",
                "intermittent series (over 30% zero periods): expect wide intervals",
            )
        )
    shift = detect_level_shift(y, period)
    if shift is not None:
        around = first + (len(values) - len(y) + shift)
        notes.append(
            Note(
                "level_shift",
                f"level shift detected around {around}: "
                "models adapt, but intervals may be too narrow",
                period=str(around),
            )
        )

    n = len(y)
    eval_horizon = min(horizon, period)
    table_horizon = max(horizon, eval_horizon)
    short = n < SHORT_SEASONS * period
    choose = short_history if short else long_history
    sel = choose(y, period, eval_horizon, table_horizon, notes)
    seasonal, weights, scores, origins, scale = (
        sel.seasonal,
        sel.weights,
        sel.scores,
        sel.origins,
        sel.scale,
    )
    first_origin = max(m.first_origin for m in sel.models)
    # Intervals read the real backtest rows only: a row where a combined model has not
    # run yet (NaN) stays out, never filled with the last value (rule 9 of the docs).
    band_table = sel.table[:, :horizon].copy()
    table = np.where(np.isfinite(sel.table), sel.table, y[-1])
    point = np.maximum(table[-1, :horizon], 0.0)
    widening = WIDENING
    if short:
        band_table[: first_origin + 1] = np.nan
        if seasonal:
            widening = short_history_widening(n, period)
    members = None
    if not short and len(sel.weights) > 1:
        # Today's excess disagreement is read on the whole backtested pool (rule 13 of
        # docs/forecasting.md; the three combined models alone under-covered the named
        # series: 80 % band 0.750 on the rolling cuts).
        by_name = {m.name: m for m in sel.models}
        pool = pool_weights(scores)
        members = (
            np.array(list(pool.values())),
            np.stack([by_name[name].table[:, :horizon] for name in pool]),
        )
    bands = prediction_bands(
        y, band_table, point, levels, widening=widening, prior=prior, members=members
    )
    notes.extend(bands.notes)

    lower: dict[int, list[float]] = {}
    upper: dict[int, list[float]] = {}
    inner_lo, inner_hi = point, point
    for lv in levels:  # ascending, so each band contains the narrower one
        lo = np.minimum(np.nan_to_num(bands.lower[lv], nan=0.0), inner_lo)
        hi = np.maximum(np.nan_to_num(bands.upper[lv], nan=inner_hi.max()), inner_hi)
        lo = np.maximum(lo, 0.0)
        lower[lv], upper[lv] = [float(v) for v in lo], [float(v) for v in hi]
        inner_lo, inner_hi = lo, hi

    mase = {s.model.name: round(s.mase, 4) for s in scores if np.isfinite(s.mase)}
    ensemble = OriginForecasts("ensemble", seasonal, table, first_origin)
    ens_mase = backtest_mase(ensemble, y, origins, eval_horizon, scale)
    if np.isfinite(ens_mase):
        mase["ensemble"] = round(ens_mase, 4)
    method = " + ".join(f"{name} ({w:.0%})" for name, w in weights.items())
    return ForecastResult(
        periods=period_range(first + len(values), horizon),
        point=[float(v) for v in point],
        lower=lower,
        upper=upper,
        method=method,
        weights=weights,
        backtest_mase=mase,
        seasonal=seasonal,
        warnings=notes,
        error_profile=bands.profile,
    )
