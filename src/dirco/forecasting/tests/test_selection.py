from __future__ import annotations

import numpy as np
import pytest

from dirco.forecasting import forecast, forecaster
from dirco.forecasting.forecaster import beside_seasonal_naive, seasonal_naive_beats_naive
from dirco.forecasting.models import OriginForecasts, seasonal_naive
from dirco.forecasting.selection import (
    Scored,
    backtest_mase,
    backtest_origins,
    combine,
    ensemble_weights,
    mase_scale,
)
from dirco.forecasting.tests.conftest import seasonal_series

SEASONAL_MODELS = (
    "seasonal_naive",
    "theta_seasonal",
    "hw_damped_mul",
    "hw_damped_add",
    "hw_level_mul",
    "ets_log_damped_add",
    "ets_log_level_add",
    "arima_airline",
)


def _model(name: str, value: float, n: int = 10, h: int = 3) -> OriginForecasts:
    return OriginForecasts(name, False, np.full((n, h), value), 0)


def test_mase_scale_is_the_seasonal_naive_mae() -> None:
    y = np.r_[np.arange(12.0), np.arange(12.0) + 2]
    assert mase_scale(y, 12) == 2.0
    assert mase_scale(np.array([1.0, 3.0, 6.0]), 12) == 2.5  # too short: naive


def test_backtest_origins_are_the_last_ones() -> None:
    assert backtest_origins(50, 5, 12, 24) == range(14, 49)
    assert backtest_origins(20, 15, 12, 24) == range(15, 19)


def test_backtest_mase_of_a_perfect_model_is_zero() -> None:
    y = np.tile(np.arange(1.0, 13.0), 4)
    model = seasonal_naive(y, 12, 12)
    origins = backtest_origins(len(y), model.first_origin, 12, 24)
    assert backtest_mase(model, y, origins, 12, 1.0) == 0.0


def test_ensemble_weights_favour_the_better_model_and_drop_the_worst() -> None:
    scores = [
        Scored(_model(n, 0), m)
        for n, m in [("a", 0.5), ("b", 1.0), ("c", 2.0), ("d", 3.0), ("e", 9.0)]
    ]
    weights = ensemble_weights(scores, top_k=4)
    assert set(weights) == {"a", "b", "c", "d"}
    assert weights["a"] > weights["b"] > weights["c"]
    assert sum(weights.values()) == np.float64(1.0) or abs(sum(weights.values()) - 1) < 1e-12


def test_ensemble_weights_ignore_models_without_backtest() -> None:
    assert ensemble_weights([Scored(_model("a", 0), float("inf"))]) == {}


def test_combine_is_the_weighted_mean() -> None:
    table = combine([_model("a", 10), _model("b", 20)], {"a": 0.25, "b": 0.75})
    assert np.allclose(table, 17.5)


def test_seasonal_series_selects_seasonal_models() -> None:
    # Eight years: the backtest pool (below eight seasons the short-history rule decides).
    result = forecast(list(seasonal_series(years=8)), "2017-01", "M", 12)
    assert result.seasonal
    seasonal_weight = sum(w for n, w in result.weights.items() if n in SEASONAL_MODELS)
    assert seasonal_weight == pytest.approx(1.0)
    assert result.backtest_mase["ensemble"] < result.backtest_mase["seasonal_naive"]


def test_pure_trend_selects_no_seasonal_model() -> None:
    rng = np.random.default_rng(2)
    t = np.arange(96)
    trend = 500 + 20.0 * t + rng.normal(0, 5, len(t))
    result = forecast(list(trend), "2017-01", "M", 12)
    assert not result.seasonal
    assert not set(result.weights) & set(SEASONAL_MODELS)
    assert any("weak seasonality" in w for w in result.warnings)
    assert np.all(np.diff(result.point) > 0)  # the trend carries on


def test_seasonality_gate_compares_seasonal_naive_with_naive(
    seasonal: np.ndarray, trend: np.ndarray
) -> None:
    assert seasonal_naive_beats_naive(seasonal, 12, 12)
    assert not seasonal_naive_beats_naive(trend, 12, 12)


def test_last_years_values_stand_beside_the_combination_by_their_backtest() -> None:
    y = np.tile(np.arange(1.0, 13.0), 5)  # last year's values are exact
    naive = seasonal_naive(y, 12, 12)
    origins = backtest_origins(len(y), naive.first_origin, 12, 24)
    bad = _model("flat", 6.5, n=len(y), h=12)
    scores = [
        Scored(naive, backtest_mase(naive, y, origins, 12, 1.0)),
        Scored(bad, backtest_mase(bad, y, origins, 12, 1.0)),
    ]
    # The combination loses everywhere: last year's values take (nearly) all the weight.
    weights, share = beside_seasonal_naive(scores, {"flat": 1.0}, bad.table, y, origins, 12, 1.0)
    assert share > 0.999
    assert weights["seasonal_naive"] == pytest.approx(share)
    assert weights["flat"] == pytest.approx(1 - share)
    # Already the forecast: nothing to add.
    assert beside_seasonal_naive(
        scores, {"seasonal_naive": 1.0}, naive.table, y, origins, 12, 1.0
    ) == ({"seasonal_naive": 1.0}, 0.0)
    # As good as last year's values in the backtest: half each (the same 1/MASE^2 rule
    # as the combination's members).
    shifted = OriginForecasts("shifted", True, naive.table + 1.0, naive.first_origin)
    ref = backtest_mase(shifted, y, origins, 12, 1.0)
    tie = [Scored(naive, ref), Scored(shifted, ref)]
    weights, share = beside_seasonal_naive(
        tie, {"shifted": 1.0}, shifted.table, y, origins, 12, 1.0
    )
    assert share == pytest.approx(0.5)
    assert sum(weights.values()) == pytest.approx(1.0)


def _seasonal_random_walk(seed: int, n: int = 132) -> np.ndarray:
    """Each month is last year's same month plus noise: last year's values are the best
    forecast there is, and the pool's smoothed models only approach it."""
    rng = np.random.default_rng(seed)
    y = np.empty(n)
    y[:12] = 100 + 20 * np.sin(2 * np.pi * np.arange(12) / 12)
    for t in range(12, n):
        y[t] = y[t - 12] + rng.normal(0, 3)
    return y


def test_last_years_values_beside_the_combination_cut_its_losses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rule 16 of docs/forecasting.md, on seasonal random walks (ten years, 20 seeds)."""

    def scaled_errors() -> tuple[list[float], list[float]]:
        ours, naive = [], []
        for seed in range(20):
            y = _seasonal_random_walk(seed)
            train, test = y[:-12], y[-12:]
            scale = float(np.mean(np.abs(train[12:] - train[:-12])))
            point = np.array(forecast(list(train), "2015-01", "M", 12).point)
            ours.append(float(np.mean(np.abs(point - test))) / scale)
            naive.append(float(np.mean(np.abs(train[-12:] - test))) / scale)
        return ours, naive

    beside, naive = scaled_errors()
    monkeypatch.setattr(forecaster, "beside_seasonal_naive", lambda s, w, *a: (w, 0.0))
    alone, _ = scaled_errors()
    assert np.mean(beside) < 0.97 * np.mean(alone)
    losses = sum(e > 1.1 * n for e, n in zip(beside, naive, strict=True))
    losses_alone = sum(e > 1.1 * n for e, n in zip(alone, naive, strict=True))
    assert losses <= losses_alone - 3
