"""The short-history rules, each on the small synthetic case that shows why it exists."""

from __future__ import annotations

import numpy as np
import pytest

from dirco.forecasting import ErrorProfile, forecast
from dirco.forecasting.forecaster import index_years, short_history_widening
from dirco.forecasting.intervals import shrunk_scales
from dirco.forecasting.seasonality import (
    FORECAST_DECAY,
    autocorrelation,
    seasonal_acf_test,
    seasonal_indices,
)
from dirco.forecasting.series import FloatArray

SHAPE = np.array([0.9, 1.0, 1.35, 1.0, 1.0, 1.3, 0.95, 0.45, 1.0, 1.05, 1.3, 0.7])


def noisy(values: FloatArray, seed: int, sd: float = 0.03) -> FloatArray:
    rng = np.random.default_rng(seed)
    result: FloatArray = values * np.exp(rng.normal(0, sd, len(values)))
    return result


def mae(result_point: list[float], actual: FloatArray) -> float:
    return float(np.mean(np.abs(np.asarray(result_point) - actual)))


def test_pure_trend_is_followed_not_last_years_shape() -> None:
    """24 months of steady growth: last year's values lag a whole year of growth behind
    (the old fallback for "two seasons, no room to backtest"); the trend models do not."""
    t = np.arange(36, dtype=float)
    y = noisy(1000 + 40 * t, seed=3, sd=0.01)
    result = forecast(list(y[:24]), "2024-01", "M", 12)
    assert not result.seasonal
    assert "seasonal_naive" not in result.weights
    assert set(result.weights) == {"drift", "theta", "holt_damped"}
    assert result.point[-1] > result.point[0] > y[23]
    last_year = y[12:24]
    assert mae(result.point, y[24:]) < 0.25 * float(np.mean(np.abs(last_year - y[24:])))


def test_pure_seasonality_is_found_with_two_cycles() -> None:
    """Two cycles of a strong monthly shape on a flat level: the lag-12 test finds it and
    the forecast keeps the shape (a trend-only forecast would be flat)."""
    y = noisy(np.tile(SHAPE, 3) * 1000, seed=4)
    assert seasonal_acf_test(y[:24], 12)
    result = forecast(list(y[:24]), "2024-01", "M", 12)
    assert result.seasonal
    assert np.corrcoef(result.point, y[24:])[0, 1] > 0.95
    flat_error = float(np.mean(np.abs(y[24:] - y[24:].mean())))  # a trend-only forecast
    assert mae(result.point, y[24:]) < 0.4 * flat_error


def test_noise_alone_is_not_called_seasonal() -> None:
    rng = np.random.default_rng(5)
    found = [seasonal_acf_test(1000 + rng.normal(0, 50, 36), 12) for _ in range(200)]
    # One-sided 80 % test: about one white-noise series in five passes, not most.
    assert 0.05 < np.mean(found) < 0.35


def test_trend_plus_seasonality_needs_the_differenced_test() -> None:
    """A trend makes every raw autocorrelation near 1, so the M4 test on the raw series
    sees no seasonality; on first differences the seasonal lag stands out."""
    t = np.arange(36, dtype=float)
    y = noisy((1000 + 30 * t) * np.tile(SHAPE, 3), seed=6)
    train = y[:24]
    raw = [autocorrelation(train, k) for k in range(1, 13)]
    raw_limit = 1.645 * np.sqrt((1 + 2 * sum(r * r for r in raw[:-1])) / len(train))
    assert abs(raw[-1]) < raw_limit  # the test on the raw series misses it
    assert seasonal_acf_test(train, 12)
    result = forecast(list(train), "2024-01", "M", 12)
    assert result.seasonal and all(name.endswith("_sa") for name in result.weights)
    snaive = float(np.mean(np.abs(y[12:24] - y[24:])))
    assert mae(result.point, y[24:]) < 0.5 * snaive
    assert result.point[2] > result.point[1]  # March peak kept


@pytest.mark.parametrize("months", [24, 36, 48])
def test_short_history_intervals_cover_a_trend_plus_seasonality(months: int) -> None:
    hits80, hits95 = [], []
    t = np.arange(months + 12, dtype=float)
    for seed in range(30):
        y = noisy((1000 + 10 * t) * np.tile(SHAPE, len(t) // 12), seed=seed, sd=0.08)
        result = forecast(list(y[:months]), "2024-01", "M", 12)
        test = y[months:]
        hits80.append(np.mean((test >= result.lower80) & (test <= result.upper80)))
        hits95.append(np.mean((test >= result.lower95) & (test <= result.upper95)))
    assert 0.65 <= np.mean(hits80) <= 0.95
    assert 0.85 <= np.mean(hits95) <= 1.0


def test_widening_for_seasonal_indices_fades_with_years() -> None:
    assert short_history_widening(24, 12) == pytest.approx(np.sqrt(2))
    assert short_history_widening(48, 12) < short_history_widening(36, 12)


def test_decayed_indices_count_fewer_effective_years() -> None:
    """Weights 1, 0.5, 0.25 for three years of ratios are worth 2.33 equal years (Kish):
    counting 3 made the 48-month bands too narrow (95 % covered 90.5 %)."""
    assert index_years(24, 12) == pytest.approx(1.0)
    assert index_years(36, 12) == pytest.approx(2.25 / 1.25)
    assert index_years(48, 12) == pytest.approx(1.75**2 / 1.3125)
    assert index_years(48, 12, decay=1.0) == pytest.approx(3.0)
    assert index_years(240, 12) < 3.0
    assert short_history_widening(48, 12) == pytest.approx(np.sqrt(1 + 1.3125 / 1.75**2))


def intermittent(months: int, seed: int) -> FloatArray:
    """A partner's month: no deal two months in five, else one deal of 5k to 15k."""
    rng = np.random.default_rng(seed)
    deal = rng.uniform(5000, 15000, months)
    result: FloatArray = np.where(rng.random(months) < 0.4, 0.0, deal)
    return result


def test_intermittent_series_forecasts_its_level_not_a_drift() -> None:
    """A month without a deal at the end must not drag a drift toward zero: a lumpy
    series forecasts its recent level (mean of the last year, Theta, damped trend)."""
    y = intermittent(36, seed=7)
    y[-1] = 0.0
    result = forecast(list(y), "2024-01", "M", 12)
    assert any("intermittent" in w for w in result.warnings)
    assert any("lumpy" in w for w in result.warnings)
    assert "mean_last_year" in result.weights and "drift" not in result.weights
    level = float(np.mean(y[-12:]))
    assert 0.6 * level < float(np.mean(result.point)) < 1.4 * level


def test_intermittent_series_gets_additive_bands_not_log_ones() -> None:
    """Additive bands floored at zero stay within what the months have done, where
    log-space bands would stretch the upper bound to several times the forecast."""
    y = intermittent(36, seed=7) + 100.0  # positive, so log bands would be possible
    result = forecast(list(y), "2024-01", "M", 12)
    # log-space bands, exp(z * sigma) with a log error sigma ~ 1.5, would reach 15 to 20
    # times the forecast; additive ones stay within a few deals
    z = np.log(y[1:] / y[:-1])
    assert np.std(z) > 1.5
    assert max(result.upper95) < 5 * max(result.point)
    assert min(result.lower80) == 0.0
    assert result.error_profile is not None and result.error_profile.volatility > 0.25


def test_intermittent_intervals_borrow_from_the_parent() -> None:
    """With few own errors, the scope's scales move toward the parent's growth curve
    rescaled to the scope's own volatility; the more own errors, the less they move."""
    own = np.array([100.0, 120.0, 130.0])
    prior = ErrorProfile(scales=[0.1, 0.2, 0.3], origins=60, volatility=0.2)
    level, volatility = 1000.0, 0.4
    prior_scales = np.array([0.1, 0.2, 0.3]) * level * volatility / 0.2  # 200, 400, 600
    few = shrunk_scales(own, np.array([4.0, 4.0, 4.0]), prior, level, volatility)
    many = shrunk_scales(own, np.array([400.0, 400.0, 400.0]), prior, level, volatility)
    assert np.all(few > own) and np.all(few < prior_scales)
    assert np.all(np.abs(many - own) < np.abs(few - own))
    # And through forecast(): the prior changes the bands of a lumpy series only.
    y = intermittent(30, seed=8)
    alone = forecast(list(y), "2024-01", "M", 12)
    wide_parent = ErrorProfile(scales=[2.0] * 12, origins=60, volatility=0.1)
    borrowed = forecast(list(y), "2024-01", "M", 12, prior=wide_parent)
    assert borrowed.point == alone.point
    assert borrowed.upper80[-1] > alone.upper80[-1]
    assert any("parent" in w for w in borrowed.warnings)
    smooth = noisy(np.tile(SHAPE, 3) * 1000, seed=9)
    assert forecast(list(smooth), "2024-01", "M", 12, prior=wide_parent).upper80 == (
        forecast(list(smooth), "2024-01", "M", 12).upper80
    )


def changed_shape(seed: int) -> FloatArray:
    """Five years of growth whose December peak went from +10 % to +40 % in year three
    (a new product line sold for the holidays, say)."""
    t = np.arange(60, dtype=float)
    december = np.where(t % 12 == 11, 1.0, 0.0) - 1 / 12
    amplitude = np.where(t < 24, 0.1, 0.4) * 12 / 11
    return noisy(1000 * (1 + 0.005 * t) * (1 + amplitude * december), seed, sd=0.01)


def test_recent_years_weigh_more_in_the_seasonal_indices() -> None:
    """The plain mean of the years' ratios forecasts the average year's peak; halving
    the weight of each older year follows the recent shape."""
    y = changed_shape(seed=11)
    plain = seasonal_indices(y[:48], 12, True)
    recent = seasonal_indices(y[:48], 12, True, FORECAST_DECAY)
    actual_peak = y[59] / np.mean(y[48:60])
    assert abs(recent[11] - actual_peak) < 0.8 * abs(plain[11] - actual_peak)


@pytest.mark.parametrize("seed", [12, 13, 14])
def test_forecast_with_decayed_indices_beats_the_plain_mean(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    y = changed_shape(seed)
    decayed = forecast(list(y[:48]), "2024-01", "M", 12)
    monkeypatch.setattr("dirco.forecasting.models.FORECAST_DECAY", 1.0)
    plain = forecast(list(y[:48]), "2024-01", "M", 12)
    assert decayed.seasonal and plain.seasonal
    assert abs(decayed.point[11] - y[59]) < abs(plain.point[11] - y[59])
    assert mae(decayed.point, y[48:]) < mae(plain.point, y[48:])
