from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from dirco.forecasting.series import (
    Period,
    PeriodError,
    clean_series,
    detect_level_shift,
    fill_gaps,
    period_range,
    tame_outliers,
)


def test_period_parse_month_and_quarter() -> None:
    assert Period.parse("2024-03") == Period(2024, 3, "M")
    assert Period.parse("2024-Q2") == Period(2024, 2, "Q")
    assert Period.parse("2024q4") == Period(2024, 4, "Q")


@pytest.mark.parametrize("text", ["2024-13", "2024-00", "2024/03", "March 2024", "2024-Q5", ""])
def test_period_parse_rejects_bad_labels(text: str) -> None:
    with pytest.raises(PeriodError):
        Period.parse(text)


def test_period_arithmetic_crosses_years() -> None:
    assert str(Period(2024, 11) + 3) == "2025-02"
    assert str(Period(2024, 4, "Q") + 1) == "2025-Q1"
    assert Period(2025, 2) - Period(2024, 11) == 3
    assert [str(p) for p in period_range(Period(2024, 12), 2)] == ["2024-12", "2025-01"]


def test_period_coerce_from_date_and_label() -> None:
    assert Period.coerce(dt.date(2024, 5, 17), "Q") == Period(2024, 2, "Q")
    assert Period.coerce("2024-05") == Period(2024, 5, "M")
    with pytest.raises(PeriodError):
        Period.coerce("2024-Q1", "M")


def test_fill_gaps_interpolates_and_reports_positions() -> None:
    y, missing = fill_gaps([1.0, None, 3.0, float("nan"), 5.0, None])
    assert missing == [1, 3, 5]
    np.testing.assert_allclose(y, [1, 2, 3, 4, 5, 5])


def test_tame_outliers_replaces_a_spike_only(seasonal: np.ndarray) -> None:
    spiked = seasonal.copy()
    spiked[30] *= 4
    cleaned, flagged = tame_outliers(spiked, 12)
    assert flagged == [30]
    assert cleaned[30] < 2 * seasonal[30]
    assert np.array_equal(np.delete(cleaned, 30), np.delete(spiked, 30))


def test_tame_outliers_leaves_clean_series_alone(seasonal: np.ndarray) -> None:
    _, flagged = tame_outliers(seasonal, 12)
    assert flagged == []


def test_clean_series_warns_with_period_labels() -> None:
    values: list[float | None] = [10.0, None, 12.0, 13.0]
    clean = clean_series(values, 12, Period(2024, 1))
    assert clean.warnings == ["1 missing period(s) interpolated: 2024-02"]


def test_detect_level_shift_finds_a_step() -> None:
    rng = np.random.default_rng(0)
    y = np.r_[np.full(36, 100.0), np.full(36, 300.0)] + rng.normal(0, 3, 72)
    shift = detect_level_shift(y, 12)
    assert shift is not None and abs(shift - 36) <= 2
    assert detect_level_shift(100 + rng.normal(0, 3, 72), 12) is None
