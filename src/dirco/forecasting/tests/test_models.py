from __future__ import annotations

import numpy as np
import pytest

from dirco.forecasting.models import (
    exponential_smoothing,
    seasonal_naive,
    theta,
)
from dirco.forecasting.seasonality import seasonal_indices


def test_seasonal_naive_repeats_last_year() -> None:
    y = np.arange(1.0, 37.0)
    table = seasonal_naive(y, 12, 15).table
    np.testing.assert_array_equal(table[-1], np.r_[y[-12:], y[-12:-9]])
    assert np.isnan(table[10]).all() and np.isfinite(table[11]).all()


def test_naive_repeats_last_value() -> None:
    y = np.array([3.0, 5.0, 4.0])
    assert seasonal_naive(y, 1, 2).final.tolist() == [4.0, 4.0]


@pytest.mark.parametrize(
    ("seasonal", "transform"), [("mul", "none"), ("add", "none"), ("add", "log")]
)
def test_exponential_smoothing_tracks_a_seasonal_series(
    seasonal: str, transform: str, seasonal_series_72: np.ndarray
) -> None:
    y = seasonal_series_72
    model = exponential_smoothing(
        y[:-12],
        12,
        12,
        seasonal=seasonal,
        transform=transform,  # type: ignore[arg-type]
    )
    assert model.seasonal
    mape = np.mean(np.abs(model.final / y[-12:] - 1))
    assert mape < 0.12  # the additive model on a multiplicative series is ~9 % off


def test_exponential_smoothing_without_season_follows_a_trend(trend: np.ndarray) -> None:
    model = exponential_smoothing(trend[:-6], 12, 6, seasonal=None)
    assert not model.seasonal
    assert np.all(np.diff(model.final) > 0)
    assert np.mean(np.abs(model.final - trend[-6:])) < 40


def test_backtest_rows_never_see_the_future(seasonal_series_72: np.ndarray) -> None:
    y = seasonal_series_72
    changed = y.copy()
    changed[50:] *= 3
    for make in (
        lambda s: exponential_smoothing(s, 12, 6, seasonal="mul"),
        lambda s: seasonal_naive(s, 12, 6),
    ):
        np.testing.assert_array_equal(make(y).table[:50], make(changed).table[:50])


def test_seasonal_indices_recover_the_shape(seasonal_series_72: np.ndarray) -> None:
    idx = seasonal_indices(seasonal_series_72, 12, multiplicative=True)
    assert idx.mean() == pytest.approx(1.0)
    assert int(np.argmax(idx)) == 11 and int(np.argmin(idx)) == 5


def test_theta_seasonal_and_plain(seasonal_series_72: np.ndarray, trend: np.ndarray) -> None:
    y = seasonal_series_72
    seasonal_model = theta(y[:-12], 12, 12, seasonal=True)
    assert seasonal_model.name == "theta_seasonal"
    assert np.mean(np.abs(seasonal_model.final / y[-12:] - 1)) < 0.1
    plain = theta(trend[:-6], 12, 6, seasonal=False)
    assert plain.name == "theta" and np.all(np.diff(plain.final) > 0)
