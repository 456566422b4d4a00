"""monthly_split(): the share of each calendar month, own shape, parent's or flat."""

from __future__ import annotations

import numpy as np

from dirco.forecasting import Period, monthly_split
from dirco.forecasting.split import learned_shares

SHAPE = np.array([0.9, 1.0, 1.35, 1.0, 1.0, 1.3, 0.95, 0.45, 1.0, 1.05, 1.3, 0.7])


def test_shares_add_up_and_follow_the_calendar_months() -> None:
    # Starts in July: the shares must still be indexed January first.
    y = 1000 * np.roll(np.tile(SHAPE, 3), -6)
    split = monthly_split(list(y), "2023-07")
    assert split.source == "own"
    assert abs(sum(split.shares) - 1) < 1e-9
    assert int(np.argmax(split.shares)) == 2 and int(np.argmin(split.shares)) == 7


def test_growth_tilts_the_year_toward_its_last_months() -> None:
    """The detrended shape alone would be flat for a steadily growing series; last year's
    shares carry the tilt that growth gives to the later months."""
    y = 1000 + 20.0 * np.arange(36)
    shares = learned_shares(list(y), Period(2023, 1))
    assert shares is not None
    assert shares[11] > shares[0]
    assert np.all(np.diff(shares) > 0)


def test_short_noisy_scope_takes_its_parents_shape() -> None:
    """A team with two years of lumpy months: its own shape (learned a year ago) forecast
    last year worse than the company's, which has the same seasonality with less noise."""
    rng = np.random.default_rng(11)
    company = 10_000 * np.tile(SHAPE, 4) * np.exp(rng.normal(0, 0.03, 48))
    team = 1_000 * np.tile(SHAPE, 2) * np.exp(rng.normal(0, 0.5, 24))
    split = monthly_split(list(team), "2025-01", parent=(list(company), "2024-01"))
    assert split.source == "parent"
    assert split.backtest["parent"] < split.backtest["own"]
    assert split.warnings
    assert monthly_split(list(team), "2025-01").source != "parent"


def test_a_steady_scope_keeps_its_own_shape_over_a_different_parent() -> None:
    own_shape = np.roll(SHAPE, 3)
    scope = 1_000 * np.tile(own_shape, 3)
    company = 10_000 * np.tile(SHAPE, 4)
    split = monthly_split(list(scope), "2024-01", parent=(list(company), "2023-01"))
    assert split.source == "own"
    assert int(np.argmax(split.shares)) == int(np.argmax(own_shape))


def test_no_history_takes_the_parent_and_no_parent_is_flat() -> None:
    company = 10_000 * np.tile(SHAPE, 3)
    assert monthly_split([500.0] * 5, "2026-01", parent=(list(company), "2023-01")).source == (
        "parent"
    )
    split = monthly_split([500.0] * 5, "2026-01")
    assert split.source == "flat" and split.shares == [1 / 12] * 12
    assert split.warnings
