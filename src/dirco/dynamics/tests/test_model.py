"""Baselines and the synergy index on small cases computed by hand."""

from __future__ import annotations

import math

import pytest

from dirco.dynamics.model import (
    Baseline,
    History,
    Level,
    WinRates,
    adjusted_months,
    baseline_for,
    effect_of,
    level_of,
    months_to_reach,
    ramp_factor,
    ramp_shortfall_months,
    synergy_of,
    tenured_prior,
    turnover_cost,
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


def test_ramp_shortfall_is_two_and_a_half_months_for_a_six_month_ramp() -> None:
    # 1 - t/6 for t = 1..6: 5/6 + 4/6 + 3/6 + 2/6 + 1/6 + 0 = 15/6.
    assert ramp_shortfall_months(6) == pytest.approx(2.5)


def test_turnover_cost_by_hand() -> None:
    # 20 handed-over deals closed, 6 won (30 %); the others won 50 %: slippage 40 %.
    rates = WinRates(reassigned_closed=20, reassigned_won=6, others_closed=100, others_won=50)
    assert rates.slippage == pytest.approx(0.4)
    cost = turnover_cost(
        level=10_000,
        vacancy_months=3,
        orphaned_open=200_000,
        rates=rates,
        partners_reassigned=2,
        recruiting_cost=15_000,
        ramp_months=6,
    )
    assert cost.vacancy_lost == pytest.approx(30_000)  # 3 x 10,000
    assert cost.ramp_shortfall == pytest.approx(25_000)  # 2.5 x 10,000
    assert cost.orphaned_pipeline == pytest.approx(100_000)  # 200,000 x 50 %
    assert cost.slippage_lost == pytest.approx(40_000)  # 100,000 x 40 %
    assert cost.total == pytest.approx(30_000 + 25_000 + 40_000 + 15_000)


def test_turnover_says_too_little_data_for_slippage() -> None:
    rates = WinRates(reassigned_closed=9, reassigned_won=0, others_closed=100, others_won=50)
    assert rates.reassigned_rate is None and rates.slippage is None
    cost = turnover_cost(
        level=1000,
        vacancy_months=1,
        orphaned_open=10_000,
        rates=rates,
        partners_reassigned=0,
        recruiting_cost=0,
    )
    assert cost.slippage_lost is None and cost.total == pytest.approx(1000 + 2500)


def test_months_to_reach_a_share() -> None:
    curve = [0.1, 0.3, 0.5, 0.7, 0.9, 1.0, 1.1]
    # Rolling means: .1, .2, .3, .5, .7, .87, 1.0: 80 % first at month 6, 50 % at month 4.
    assert months_to_reach(curve, 0.8) == 6
    assert months_to_reach(curve, 0.5) == 4
    assert months_to_reach([0.2, None, 0.3], 0.8) is None


def test_manager_effect_by_hand() -> None:
    # Three reps' relative changes: +0.1, +0.2, +0.3. Mean 0.2, sd 0.1, t(2, 80 %) 1.886:
    # half-width 1.886 x 0.1 / sqrt(3) = 0.1089.
    effect = effect_of([0.1, 0.2, 0.3])
    assert effect.mean == pytest.approx(0.2)
    assert effect.low == pytest.approx(0.2 - 1.886 * 0.1 / math.sqrt(3))
    assert effect.high == pytest.approx(0.2 + 1.886 * 0.1 / math.sqrt(3))
    assert effect_of([0.5, 0.6]).mean is None  # too little data
