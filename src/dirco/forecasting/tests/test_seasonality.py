from __future__ import annotations

import numpy as np
import pytest

from dirco.forecasting import seasonal_profile
from dirco.forecasting.seasonality import seasonal_strength


def test_profile_of_a_seasonal_series(seasonal: np.ndarray) -> None:
    profile = seasonal_profile(list(seasonal), "2019-01", "M")
    assert profile.kind == "multiplicative"
    assert len(profile.index) == 12 and np.mean(profile.index) == pytest.approx(1.0)
    assert profile.peak == 12 and profile.labels[profile.peak - 1] == "Dec"
    assert profile.trough == 6
    assert profile.strength > 0.8
    assert profile.stability is not None and profile.stability > 0.9
    assert all(
        lo <= ix <= hi
        for lo, ix, hi in zip(profile.lower, profile.index, profile.upper, strict=True)
    )
    assert all(s >= 0 for s in profile.std)


def test_profile_aligns_to_the_calendar(seasonal: np.ndarray) -> None:
    # The same values labelled from July: the December-shaped peak lands on June.
    profile = seasonal_profile(list(seasonal), "2019-07", "M")
    assert profile.peak == 6


def test_profile_of_noise_is_weak() -> None:
    rng = np.random.default_rng(5)
    profile = seasonal_profile(list(100 + rng.normal(0, 5, 72)), "2019-01", "M")
    assert profile.strength < 0.3
    assert profile.stability is not None and profile.stability < 0.5


def test_profile_of_a_short_series_says_so() -> None:
    profile = seasonal_profile([1.0, 2.0, 3.0, 4.0], "2025-01", "M")
    assert profile.index == [1.0] * 12
    assert any("shorter than two years" in w for w in profile.warnings)


def test_quarterly_profile_with_zeros_is_additive() -> None:
    y = np.tile([0.0, 10.0, 20.0, 5.0], 5) + np.arange(20)
    profile = seasonal_profile(list(y), "2020-Q1", "Q")
    assert profile.kind == "additive" and profile.labels == ["Q1", "Q2", "Q3", "Q4"]
    assert profile.peak == 3 and profile.trough == 1


def test_strength_of_a_pure_trend_is_zero() -> None:
    assert seasonal_strength(np.arange(1.0, 73.0), 12) < 0.1
