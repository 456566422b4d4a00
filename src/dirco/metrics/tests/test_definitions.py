"""The KPI definitions, on hand-made figures (no database)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from dirco.metrics import (
    DealStats,
    attainment,
    cycle_middle,
    median_cycle_days,
    month_in_progress,
    months_under_objective,
    objective_to_date,
    projected_landing,
    what_it_takes,
    yoy_growth,
)

MONTHS = [dt.date(2026, m, 1) for m in range(1, 13)]
TARGETS = {m: Decimal("1000.00") for m in MONTHS}
D = Decimal


def test_objective_to_date_counts_today_and_the_whole_month_on_its_last_day() -> None:
    assert objective_to_date(TARGETS, MONTHS, dt.date(2026, 1, 1)) == D("32.26")
    assert objective_to_date(TARGETS, MONTHS, dt.date(2026, 11, 30)) == D("11000.00")
    assert objective_to_date(TARGETS, MONTHS, dt.date(2026, 12, 31)) == D("12000.00")
    # Before the period: nothing yet; after it: all of it.
    assert objective_to_date(TARGETS, MONTHS, dt.date(2025, 12, 31)) == 0
    assert objective_to_date(TARGETS, MONTHS, dt.date(2027, 2, 1)) == D("12000.00")


def test_attainment_and_gaps_read_the_same_figures() -> None:
    won = {m: D("900") for m in MONTHS}
    a = attainment(targets=TARGETS, won=won, months=MONTHS, as_of=dt.date(2026, 11, 30))
    assert a.won_to_date == D("9900")
    assert a.objective_to_date == D("11000.00")
    assert a.to_date_pct == D("90.0")
    assert a.gap_to_date == D("1100.00")
    assert a.gap_to_period_end == D("2100.00")
    assert a.full_pct == D("82.5")


def test_months_under_objective_are_cumulative_and_complete_months_only() -> None:
    won = {MONTHS[0]: D("500"), MONTHS[1]: D("1600"), MONTHS[2]: D("800")}
    # Jan: 500 < 1000 under; Feb: 2100 >= 2000 not; Mar is the current month: not counted.
    assert months_under_objective(TARGETS, won, MONTHS, dt.date(2026, 3, 15)) == [MONTHS[0]]
    # At the end of March: 2900 < 3000.
    assert months_under_objective(TARGETS, won, MONTHS, dt.date(2026, 4, 1)) == [
        MONTHS[0],
        MONTHS[2],
    ]


def test_yoy_growth_compares_complete_months_only() -> None:
    won = {m: D("100") for m in MONTHS} | {dt.date(2025, m, 1): D("80") for m in range(1, 13)}
    growth, this_year, last_year = yoy_growth(won, MONTHS, dt.date(2026, 3, 31))
    assert (this_year, last_year, growth) == (D("200"), D("160"), D("25.0"))
    assert yoy_growth(won, MONTHS, dt.date(2026, 1, 31))[0] is None


POINT = {
    "forecast": 1000.0,
    "lower80": 600.0,
    "upper80": 1400.0,
    "lower95": 400.0,
    "upper95": 1700.0,
}


@given(
    day=st.integers(1, 30),
    won=st.decimals(0, 5000, places=2),
    weighted=st.decimals(0, 5000, places=2),
)
def test_the_month_in_progress_never_forecasts_less_than_what_is_won(
    day: int, won: Decimal, weighted: Decimal
) -> None:
    m = month_in_progress(
        as_of=dt.date(2026, 11, day), won_so_far=won, weighted_open=weighted, engine_point=POINT
    )
    assert m.forecast >= won
    for bound in ("lower80", "lower95"):
        assert m.bound(bound) >= won
    assert m.bound("lower95") <= m.bound("lower80") <= m.forecast <= m.bound("upper80")
    assert m.bound("upper80") <= m.bound("upper95")


def test_month_in_progress_is_won_plus_the_rest() -> None:
    # Half the month gone (pattern: by day 15, half the revenue is usually won).
    pattern = [min(1.0, d / 30) for d in range(1, 32)]
    m = month_in_progress(
        as_of=dt.date(2026, 11, 15),
        won_so_far=D("700"),
        weighted_open=D("300"),
        engine_point=POINT,
        pattern=pattern,
    )
    assert m.from_history == D("500.00")
    assert m.remainder == D("400.00")  # mean of 500 (history) and 300 (pipeline)
    assert m.forecast == D("1100.00")
    assert m.bound("lower80") == D("900.00")  # 400 - (1000 - 600) x 0.5
    # On the last day nothing is left to forecast: the month is what is won.
    last = month_in_progress(
        as_of=dt.date(2026, 11, 30), won_so_far=D("700"), weighted_open=D("300"), engine_point=POINT
    )
    assert last.forecast == last.bound("upper95") == D("700")


def test_landing_adds_the_rest_of_the_month_then_the_following_months() -> None:
    as_of = dt.date(2026, 11, 15)
    current = month_in_progress(
        as_of=as_of, won_so_far=D("700"), weighted_open=D("300"), engine_point=POINT
    ).point()
    points = {"2026-11": current, "2026-12": POINT}
    landing = projected_landing(
        months=MONTHS, as_of=as_of, won_to_date=D("9000"), points=points, weighted=D("0")
    )
    assert landing.amount == D("9000") + (current["forecast"] - D("700")) + D("1000")
    assert landing.method == "forecast"
    no_forecast = projected_landing(
        months=MONTHS, as_of=as_of, won_to_date=D("9000"), points={}, weighted=D("250")
    )
    assert (no_forecast.amount, no_forecast.method) == (D("9250"), "weighted_pipeline")


STATS = DealStats(
    won_count=100,
    lost_count=100,
    won_cents=100 * 100_00,  # average deal 100
    cycle_middle=(40, 50),  # median cycle: 45 days
    best_month_cents=2000_00,  # at most 2,000 a month
)


def test_what_it_takes_on_the_last_day_of_a_month_rolls_everything_over() -> None:
    won = {m: D("1000") for m in MONTHS[:10]} | {MONTHS[10]: D("400")}
    plan = what_it_takes(
        months=MONTHS,
        as_of=dt.date(2026, 11, 30),
        targets=TARGETS,
        won=won,
        weighted={},
        stats=STATS,
    )
    november, december = plan.rows
    assert november.days_left == 0 and november.planned == 0 and november.deals_to_win == 0
    assert november.carried_out == D("600")
    # December: 1,000 + 600 rolled in; new deals created today close after 45 days, after
    # December ends: without open pipeline nothing can be won, all of it is short.
    assert december.carried_in == D("600") and december.to_win == D("1600")
    assert not december.new_deals_can_close and december.planned == 0
    assert plan.shortfall == D("1600") and not plan.reachable
    assert plan.shortfall_pct == D("13.3")


def test_what_it_takes_caps_each_month_at_capacity_and_says_by_how_much() -> None:
    won = {m: D("0") for m in MONTHS}
    plan = what_it_takes(
        months=MONTHS,
        as_of=dt.date(2026, 6, 1),
        targets={m: D("3000") for m in MONTHS},
        won=won,
        weighted={MONTHS[5]: D("500")},
        stats=STATS,
    )
    june = plan.rows[0]
    # June, 29 days left: capacity 2,000 x 29/30; new deals cannot close before mid-July.
    assert june.capacity == D("1933.33")
    assert june.planned == D("500") and june.from_pipeline == D("500")
    assert june.deals_to_create == 0
    july = plan.rows[1]
    assert july.new_deals_can_close and july.planned == D("2000")
    assert july.deals_to_win == 20 and july.deals_to_create == 40
    assert july.pipeline_to_create == D("4000.00")
    assert july.create_by == dt.date(2026, 7, 31) - dt.timedelta(days=45)
    # 36,000 to win from June on (15,000 behind + 7 x 3,000) for 500 + 6 x 2,000 at most.
    assert sum(r.planned for r in plan.rows) == D("12500")
    assert plan.shortfall == D("23500") and plan.shortfall_pct == D("65.3")


def test_cycle_length_is_the_median_of_the_won_deals() -> None:
    assert cycle_middle({}) is None and median_cycle_days(None) is None
    assert cycle_middle({10: 0}) is None
    assert cycle_middle({30: 1}) == (30, 30)
    # Odd: the middle deal; a few very long cycles do not move it (the mean would be 168).
    assert cycle_middle({10: 2, 20: 1, 400: 2}) == (20, 20)
    # Even: the two middle deals; their mean, rounded half up.
    assert cycle_middle({10: 1, 20: 1, 21: 1, 90: 1}) == (20, 21)
    assert median_cycle_days((20, 21)) == 21
    assert cycle_middle({10: 2, 30: 2}) == (10, 30)
    assert median_cycle_days((10, 30)) == 20
    stats = DealStats(won_count=5, lost_count=0, won_cents=0, cycle_middle=(20, 20))
    assert stats.cycle_days == 20
