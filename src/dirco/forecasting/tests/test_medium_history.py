"""Five to eight years of history: the short-history rule, and intervals from real rows."""

from __future__ import annotations

import numpy as np
import pytest

from dirco.forecasting import forecast
from dirco.forecasting.series import FloatArray

SHAPE = np.array([0.9, 1.0, 1.35, 1.0, 1.0, 1.3, 0.95, 0.45, 1.0, 1.05, 1.3, 0.7])


def wandering(seed: int, n: int) -> FloatArray:
    """A slowly growing level that wanders (a random walk with drift), a weak seasonal
    shape and little noise: a headcount or a recurring-revenue book, say."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    level = 1000 * np.exp(np.cumsum(rng.normal(0.003, 0.008, n)))
    result: FloatArray = (
        level * (1 + 0.02 * np.sin(2 * np.pi * t / 12)) * np.exp(rng.normal(0, 0.004, n))
    )
    return result


def scaled_error(months: int, seeds: range) -> float:
    errors = []
    for seed in seeds:
        y = wandering(seed, months + 12)
        result = forecast(list(y[:months]), "2020-01", "M", 12)
        scale = float(np.mean(np.abs(y[12:months] - y[: months - 12])))
        errors.append(float(np.mean(np.abs(np.asarray(result.point) - y[months:]))) / scale)
    return float(np.mean(errors))


# 60 months only since rule 15: at 72 the long pool now finds this weak shape too (the
# autocorrelation test opens its seasonality gate) and does as well (0.555 against 0.569);
# on the real series the short rule still wins at 60, 72 and 84 months (docs, rule 7).
@pytest.mark.parametrize("months", [60])
def test_short_history_rule_beats_the_backtest_pool_below_eight_seasons(
    months: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With five to seven seasons the long pool ranks its models on a few origins and
    follows the wandering level less well than the equal mean of the trend models."""
    seeds = range(12)
    short_rule = scaled_error(months, seeds)
    assert "drift" in forecast(list(wandering(0, months)), "2020-01", "M", 12).method
    monkeypatch.setattr("dirco.forecasting.forecaster.SHORT_SEASONS", 5)
    assert "drift" not in forecast(list(wandering(0, months)), "2020-01", "M", 12).method
    long_pool = scaled_error(months, seeds)
    assert short_rule < 0.95 * long_pool  # 0.70


def test_eight_seasons_use_the_backtest_pool() -> None:
    y = wandering(1, 96)
    result = forecast(list(y), "2020-01", "M", 12)
    assert not any(name.startswith("drift") for name in result.weights)


@pytest.mark.parametrize("months", [72, 96])
def test_long_pool_intervals_read_real_backtest_rows_only(
    months: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Growing seasonal series: the rows before the Holt-Winters models' first origin
    (two years) have no forecast. Filled with the last value, they made errors of a whole
    year's growth and 80 % bands covering everything at three times the width."""
    monkeypatch.setattr("dirco.forecasting.forecaster.SHORT_SEASONS", 5)  # the long pool
    hits, widths = [], []
    for seed in range(15):
        rng = np.random.default_rng(100 + seed)
        t = np.arange(months + 12)
        level = 1000 * np.exp(np.cumsum(rng.normal(0.01, 0.02, len(t))))
        y = level * np.tile(SHAPE, len(t) // 12) * np.exp(rng.normal(0, 0.05, len(t)))
        result = forecast(list(y[:months]), "2020-01", "M", 12)
        test = y[months:]
        hits.append(np.mean((test >= result.lower80) & (test <= result.upper80)))
        point = np.asarray(result.point)
        widths.append(float(np.sum(np.asarray(result.upper80) - result.lower80) / point.sum()))
    assert 0.65 <= np.mean(hits) <= 0.92
    assert np.mean(widths) < 0.3
