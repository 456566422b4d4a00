"""Baselines and the synergy index on small cases computed by hand."""

from __future__ import annotations

import math

import pytest

from dirco.dynamics.model import (
    Baseline,
    History,
    Level,
    adjusted_months,
    baseline_for,
    level_of,
    ramp_factor,
    synergy_of,
    tenured_prior,
)


def test_ramp_factor() -> None:
    assert ramp_factor(-1) == 0.0
    assert ramp_factor(0, 6) == pytest.approx(1 / 6)
    assert ramp_factor(2, 6) == pytest.approx(0.5)
    assert ramp_factor(5, 6) == 1.0 and ramp_factor(30, 6) == 1.0


def test_adjusted_months_remove_season_and_ramp() -> None:
    # 10 won at tenure 0 (ramp 1/6) in a month twice the average: 10 / (2 x 1/6) = 30.
    # 12 won in a tenured month of index 0.8: 15. A month before the start is left out.
    history = History(won=[0, 10, 12], season=[1.0, 2.0, 0.8], tenure=[-1, 0, 9])
    assert adjusted_months(history, 6) == pytest.approx([30.0, 15.0])


def test_level_is_shrunk_toward_the_tenured_median() -> None:
    # Six months 10, 20, 30, 10, 20, 30: mean 20, sample sd sqrt(400 / 5) = sqrt(80).
    level = level_of([10, 20, 30, 10, 20, 30], prior=50, prior_sd=5)
    # (120 + 3 x 50) / (6 + 3) = 30.
    assert level.value == pytest.approx(30.0)
    assert level.sd == pytest.approx(math.sqrt(80))
    assert level.months == 6
    # Two months only: the spread is the prior's.
    short = level_of([40, 60], prior=50, prior_sd=5)
    assert short.value == pytest.approx((100 + 150) / 5) and short.sd == 5


def test_tenured_prior_uses_reps_with_six_months() -> None:
    prior, prior_sd = tenured_prior(
        {1: [10, 20, 30, 10, 20, 30], 2: [40] * 6, 3: [100, 100], 4: [0, 0, 0, 0, 0, 60]}
    )
    # Means 20, 40, 10 (rep 3 has too few months): median 20. Spreads sqrt(80), 0,
    # sqrt((5 x 100 + 2500) / 5) = sqrt(600)... median sqrt(80).
    assert prior == pytest.approx(20.0)
    assert prior_sd == pytest.approx(math.sqrt(80))
    assert tenured_prior({1: [1, 2]}) == (0.0, 0.0)


def test_baseline_scales_with_season_and_ramp() -> None:
    base = baseline_for(Level(30.0, 10.0, 12), season=1.2, tenure=2, ramp_months=6)
    assert base.expected == pytest.approx(18.0)  # 30 x 1.2 x 0.5
    assert base.sd == pytest.approx(6.0)
    assert base.low == pytest.approx(18 - 1.2816 * 6)
    assert base.high == pytest.approx(18 + 1.2816 * 6)


def test_synergy_index_and_interval() -> None:
    # Expected 100 + 50 = 150, sd sqrt(30^2 + 40^2) = 50; the team won 200.
    synergy = synergy_of(200.0, [Baseline(100.0, 30.0, 12), Baseline(50.0, 40.0, 2)])
    assert synergy.expected == pytest.approx(150.0)
    assert synergy.sd == pytest.approx(50.0)
    assert synergy.index == pytest.approx(200 / 150)
    assert synergy.low == pytest.approx(200 / (150 + 1.2816 * 50))  # 0.934
    assert synergy.high == pytest.approx(200 / (150 - 1.2816 * 50))  # 2.328
    # The band reaches zero: no upper bound.
    wide = synergy_of(10.0, [Baseline(10.0, 10.0, 12)])
    assert wide.index == pytest.approx(1.0) and wide.high is None


def test_synergy_says_too_little_data() -> None:
    assert synergy_of(100.0, []).index is None
    young = synergy_of(100.0, [Baseline(50.0, 5.0, 5), Baseline(50.0, 5.0, 3)])
    assert young.index is None and young.reason == "too little history"
    assert synergy_of(100.0, [Baseline(0.0, 0.0, 12)]).reason == "no expected revenue"
