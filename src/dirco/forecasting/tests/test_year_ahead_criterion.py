"""Rule 12: Holt-Winters picks its grid point by its year-ahead errors (AMSE)."""

from __future__ import annotations

import numpy as np

from dirco.forecasting.forecaster import candidate_models
from dirco.forecasting.models import Criterion, exponential_smoothing_family
from dirco.forecasting.series import FloatArray

SHAPE = np.array([0.9, 1.0, 1.35, 1.0, 1.0, 1.3, 0.95, 0.45, 1.0, 1.05, 1.3, 0.7])


def swinging(seed: int, n: int = 144) -> FloatArray:
    """Steady growth and a monthly shape, plus swings that revert within months (AR(1),
    0.7): for a few months each swing looks like a change of trend, and is not one."""
    rng = np.random.default_rng(seed)
    swing = np.zeros(n)
    for t in range(1, n):
        swing[t] = 0.7 * swing[t - 1] + rng.normal(0, 0.03)
    t = np.arange(n)
    result: FloatArray = 1000 * np.exp(0.004 * t + swing) * np.tile(SHAPE, n // 12)
    return result


def year_ahead_error(criterion: Criterion) -> float:
    errors = []
    for seed in range(12):
        y = swinging(seed)
        for cut in (120, 132):
            damped = exponential_smoothing_family(
                y[:cut], 12, 12, seasonal="mul", criterion=criterion
            )[0]
            errors.append(float(np.mean(np.abs(np.log(damped.final / y[cut : cut + 12])))))
    return float(np.mean(errors))


def test_year_ahead_criterion_does_not_extrapolate_a_passing_swing() -> None:
    """One-step errors reward a slope that follows each swing (the next month is close
    to this one); extrapolated over a year that slope overshoots. Ranking the grid by the
    errors of the 1..12-step forecasts picks the slope that holds over a year."""
    one_step = year_ahead_error("mse")
    year_ahead = year_ahead_error("amse")
    assert year_ahead < 0.9 * one_step


def test_year_ahead_criterion_never_sees_the_future() -> None:
    """Each forecast is scored when its target arrives: rows before a change are equal."""
    y = swinging(1)
    changed = y.copy()
    changed[100:] *= 2.5
    for seasonal in ("mul", None):
        before = exponential_smoothing_family(y, 12, 12, seasonal=seasonal, criterion="amse")
        after = exponential_smoothing_family(changed, 12, 12, seasonal=seasonal, criterion="amse")
        for a, b in zip(before, after, strict=True):
            np.testing.assert_array_equal(a.table[:100], b.table[:100])
            assert not np.array_equal(a.table[100:], b.table[100:])


def test_long_pool_holt_winters_uses_the_year_ahead_criterion() -> None:
    y = swinging(2)
    pool = {m.name: m for m in candidate_models(y, 12, 12, seasonal=True)}
    amse = exponential_smoothing_family(y, 12, 12, seasonal="mul", criterion="amse")
    one_step = exponential_smoothing_family(y, 12, 12, seasonal="add", transform="log")
    for model in amse + one_step:  # ETS on logs keeps the one-step errors
        np.testing.assert_array_equal(pool[model.name].table, model.table)
