"""The learned split never gives a month a negative objective, whatever the profile's kind."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from dirco.objectives import services
from dirco.objectives.models import Objective
from dirco.objectives.services import objective_split_compute
from dirco.revenue.scopes import Scope

ADDITIVE = [14000, -14300, 5300, -30200, -5400, 77800, -36600, -62600, 20800, 26600, 18800, -14300]


def _payload(index: list[float], kind: str, level: float) -> dict[str, Any]:
    return {
        "seasonality": {"index": index, "years": 2, "kind": kind},
        "history": [{"period": f"2025-{m:02d}", "value": level} for m in range(1, 13)],
    }


@pytest.mark.parametrize(
    ("index", "kind", "level", "flat"),
    [
        ([1.0] * 7 + [0.4] + [1.1] * 4, "multiplicative", 0.0, False),
        (ADDITIVE, "additive", 100_000.0, False),  # the level carries every month above 0
        (ADDITIVE, "additive", 30_000.0, True),  # August would go negative: flat instead
    ],
)
def test_learned_split_is_positive(
    monkeypatch: pytest.MonkeyPatch, index: list[float], kind: str, level: float, flat: bool
) -> None:
    monkeypatch.setattr(
        services, "revenue_forecast_for_scope", lambda **_kw: _payload(index, kind, level)
    )
    amounts, note = objective_split_compute(
        scope=Scope("company"),
        fiscal_year=2026,
        amount=Decimal("1200000"),
        method=Objective.SplitMethod.LEARNED,
    )
    assert sum(amounts) == Decimal("1200000")
    assert all(a >= 0 for a in amounts)
    assert (len(set(amounts)) == 1) == flat
    assert bool(note) == flat
    if not flat:
        assert amounts[7] < amounts[5]  # August below June
