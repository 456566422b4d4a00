"""Synthetic series shared by the forecasting tests."""

from __future__ import annotations

import numpy as np
import pytest

from dirco.forecasting.series import FloatArray


def seasonal_series(years: int = 6, seed: int = 1, noise: float = 0.03) -> FloatArray:
    """Monthly revenue: growth, a December peak and a August trough, mild noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(12 * years)
    shape = 1 + 0.3 * np.cos(2 * np.pi * (t - 11) / 12)
    return 1000 * (1 + 0.01 * t) * shape * np.exp(rng.normal(0, noise, len(t)))


@pytest.fixture
def seasonal() -> FloatArray:
    return seasonal_series()


@pytest.fixture
def trend() -> FloatArray:
    rng = np.random.default_rng(2)
    t = np.arange(72)
    return 500 + 20.0 * t + rng.normal(0, 5, len(t))


@pytest.fixture
def seasonal_series_72() -> FloatArray:
    return seasonal_series(years=6)
