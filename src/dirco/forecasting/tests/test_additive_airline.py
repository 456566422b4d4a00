"""Rule 14: the airline model on y itself joins the pool of a positive series."""

from __future__ import annotations

import numpy as np

from dirco.forecasting import forecast
from dirco.forecasting.models import airline_arima
from dirco.forecasting.series import FloatArray

SWING = np.array([-120, -90, 10, 40, 60, 150, 130, 80, -10, -40, -90, -120], dtype=np.float64)


def constant_swing(seed: int, n: int = 156) -> FloatArray:
    """Thirteen years of a level that doubles (300 -> 600) under a seasonal swing of
    the same size in units every year (a headcount with its summer hires): on logs the
    swing looks like it shrinks as the level grows."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    level = 300 + 300 * t / n + np.cumsum(rng.normal(0, 4, n))
    result: FloatArray = level + np.tile(SWING, n // 12) + rng.normal(0, 8, n)
    return result


def test_airline_on_y_follows_a_swing_of_constant_size() -> None:
    errors: dict[str, list[float]] = {"arima_airline": [], "arima_airline_y": []}
    for seed in range(10):
        y = constant_swing(seed)
        train, test = y[:-12], y[-12:]
        for model in (airline_arima(train, 12, 12), airline_arima(train, 12, 12, log=False)):
            errors[model.name].append(float(np.mean(np.abs(model.final - test))))
    on_logs, on_y = np.mean(errors["arima_airline"]), np.mean(errors["arima_airline_y"])
    assert on_y < 0.85 * on_logs


def test_the_pool_of_a_positive_series_offers_it() -> None:
    y = constant_swing(0)
    result = forecast(list(y[:-12]), "2010-01", "M", 12)
    assert "arima_airline_y" in result.backtest_mase
    assert "arima_airline" in result.backtest_mase
    # A series with zeros keeps a single airline model, on y.
    zeros = np.r_[0.0, y[1:-12]]
    names = forecast(list(zeros), "2010-01", "M", 12).backtest_mase
    assert "arima_airline" in names and "arima_airline_y" not in names
