from __future__ import annotations

import numpy as np
import pytest

from dirco.forecasting.models import (
    airline_arima,
    exponential_smoothing,
    exponential_smoothing_family,
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


def test_airline_arima_forecasts_a_seasonal_series(seasonal_series_72: np.ndarray) -> None:
    y = seasonal_series_72
    model = airline_arima(y[:-12], 12, 12)
    assert model.name == "arima_airline" and model.seasonal
    assert np.all(np.isfinite(model.final))
    assert np.mean(np.abs(model.final / y[-12:] - 1)) < 0.1
    assert np.isnan(model.table[: model.first_origin]).all()


def test_airline_arima_fits_the_textbook_airline_coefficients() -> None:
    # A simulated airline process with theta = -0.4, Theta = -0.6 on the log scale.
    rng = np.random.default_rng(7)
    shocks = rng.normal(0, 0.03, 240)
    w = shocks.copy()
    w[1:] += -0.4 * shocks[:-1]
    w[12:] += -0.6 * shocks[:-12]
    w[13:] += 0.24 * shocks[:-13]
    z = np.zeros(240)
    z[:13] = 5 + 0.2 * np.sin(np.arange(13) * np.pi / 6)
    for t in range(13, 240):
        z[t] = z[t - 1] + z[t - 12] - z[t - 13] + w[t]
    model = airline_arima(np.exp(z[:-12]), 12, 12)
    error = np.abs(np.log(model.final) - z[-12:])
    assert float(error.mean()) < 0.15


def test_airline_arima_handles_zeros_and_constants() -> None:
    flat = airline_arima(np.full(48, 50.0), 12, 6)
    np.testing.assert_allclose(flat.final, 50.0)
    rng = np.random.default_rng(8)
    with_zeros = np.where(rng.random(48) < 0.3, 0.0, rng.gamma(2.0, 50.0, 48))
    assert np.all(np.isfinite(airline_arima(with_zeros, 12, 24).final))


def test_airline_arima_needs_three_seasons() -> None:
    with pytest.raises(ValueError, match="at least 37"):
        airline_arima(np.arange(1.0, 37.0), 12, 12)
    assert airline_arima(np.arange(1.0, 14.0), 4, 4).final.shape == (4,)


def test_exponential_smoothing_family_matches_single_fits(seasonal_series_72: np.ndarray) -> None:
    y = seasonal_series_72
    damped, level = exponential_smoothing_family(y, 12, 12, seasonal="add", transform="log")
    assert (damped.name, level.name) == ("ets_log_damped_add", "ets_log_level_add")
    alone = exponential_smoothing(y, 12, 12, trend=False, seasonal="add", transform="log")
    np.testing.assert_allclose(level.table, alone.table, equal_nan=True)
    alone = exponential_smoothing(y, 12, 12, trend=True, seasonal="add", transform="log")
    np.testing.assert_allclose(damped.table, alone.table, equal_nan=True)
