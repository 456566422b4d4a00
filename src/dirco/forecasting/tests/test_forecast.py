from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dirco.forecasting import ForecastResult, Period, forecast


def assert_sane(result: ForecastResult, horizon: int) -> None:
    """Finite, non-negative, with nested intervals around the point forecast."""
    cols = np.array([result.lower95, result.lower80, result.point, result.upper80, result.upper95])
    assert cols.shape == (5, horizon)
    assert np.all(np.isfinite(cols))
    assert np.all(cols >= 0)
    assert np.all(np.diff(cols, axis=0) >= 0)


def test_forecast_periods_and_shape(seasonal: np.ndarray) -> None:
    result = forecast(list(seasonal), Period(2019, 1), "M", 24)
    assert str(result.periods[0]) == "2025-01" and str(result.periods[-1]) == "2026-12"
    assert_sane(result, 24)
    assert result.method and abs(sum(result.weights.values()) - 1) < 1e-9


def test_forecast_follows_the_seasonal_shape(seasonal: np.ndarray) -> None:
    result = forecast(list(seasonal[:-12]), "2019-01", "M", 12)
    mape = np.mean(np.abs(np.array(result.point) / seasonal[-12:] - 1))
    assert mape < 0.06
    inside80 = np.mean((seasonal[-12:] >= result.lower80) & (seasonal[-12:] <= result.upper80))
    assert inside80 >= 0.5


def test_quarterly_series() -> None:
    t = np.arange(24)
    y = 100 + 2 * t + 15 * np.tile([1, -1, 0.5, -0.5], 6)
    result = forecast(list(y), "2020-Q1", "Q", 8)
    assert str(result.periods[0]) == "2026-Q1"
    assert result.seasonal
    assert_sane(result, 8)


def test_start_as_a_date() -> None:
    result = forecast([10.0, 11.0, 12.0, 13.0], dt.date(2024, 3, 1), "M", 2)
    assert [str(p) for p in result.periods] == ["2024-07", "2024-08"]


def test_short_history_degrades_and_says_so() -> None:
    result = forecast([100.0, 120.0, 110.0, 130.0, 125.0], "2025-01", "M", 24)
    assert not result.seasonal
    assert any("shorter than two seasons" in w for w in result.warnings)
    assert_sane(result, 24)


def test_three_points_is_enough_and_two_is_not() -> None:
    assert_sane(forecast([5.0, 6.0, 7.0], "2025-01", "M", 3), 3)
    with pytest.raises(ValueError, match="at least 3"):
        forecast([5.0, None, 7.0], "2025-01", "M", 3)


def test_missing_months_are_interpolated_with_a_warning(seasonal: np.ndarray) -> None:
    values: list[float | None] = list(seasonal)
    values[20] = None
    values[21] = None
    result = forecast(values, "2019-01", "M", 12)
    assert any("2 missing period(s) interpolated: 2020-09, 2020-10" in w for w in result.warnings)
    assert_sane(result, 12)


def test_outlier_is_tamed_and_reported(seasonal: np.ndarray) -> None:
    spiked = seasonal.copy()
    spiked[40] *= 6
    result = forecast(list(spiked), "2019-01", "M", 12)
    assert any("outlier" in w and "2022-05" in w for w in result.warnings)
    clean = forecast(list(seasonal), "2019-01", "M", 12)
    assert np.allclose(result.point, clean.point, rtol=0.05)


def test_zeros_and_intermittent_months_never_go_negative() -> None:
    rng = np.random.default_rng(3)
    y = np.where(rng.random(48) < 0.5, 0.0, rng.gamma(2.0, 50.0, 48))
    result = forecast(list(y), "2021-01", "M", 24)
    assert any("intermittent" in w for w in result.warnings)
    assert_sane(result, 24)


def test_collapsing_series_is_floored_at_zero() -> None:
    y = [1000.0 - 90 * i for i in range(11)] + [5.0, 0.0, 0.0]
    result = forecast(y, "2024-01", "M", 12)
    assert_sane(result, 12)
    assert min(result.point) >= 0


def test_level_shift_is_reported() -> None:
    rng = np.random.default_rng(4)
    y = np.r_[np.full(36, 100.0), np.full(36, 400.0)] + rng.normal(0, 4, 72)
    result = forecast(list(y), "2019-01", "M", 12)
    assert any("level shift" in w for w in result.warnings)
    assert np.mean(result.point) > 300  # follows the new level
    assert_sane(result, 12)


def test_constant_series() -> None:
    result = forecast([50.0] * 36, "2023-01", "M", 6)
    assert np.allclose(result.point, 50.0)
    assert_sane(result, 6)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="horizon"):
        forecast([1.0, 2.0, 3.0], "2025-01", "M", 0)
    with pytest.raises(ValueError, match="levels"):
        forecast([1.0, 2.0, 3.0], "2025-01", "M", 3, level=(80, 120))


def test_extra_levels_are_nested() -> None:
    result = forecast([float(v) for v in range(10, 40)], "2023-01", "M", 4, level=(50, 99))
    assert sorted(result.lower) == [50, 80, 95, 99]
    assert np.all(np.array(result.lower[99]) <= result.lower[95])


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.floats(min_value=0.01, max_value=1e7, allow_nan=False, allow_infinity=False),
        min_size=3,
        max_size=60,
    ),
    st.integers(min_value=1, max_value=24),
    st.sampled_from(["M", "Q"]),
)
def test_any_positive_series_gives_sane_forecasts(
    values: list[float], horizon: int, freq: str
) -> None:
    start = "2020-01" if freq == "M" else "2020-Q1"
    result = forecast(values, start, freq, horizon)  # type: ignore[arg-type]
    assert_sane(result, horizon)
