from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dirco.impact.proposals import PastAction, proposals_for_gaps, type_records_for_month


def _past(kind: str, day: dt.date, measured: str, cost: str) -> PastAction:
    return PastAction(kind=kind, start=day, measured=Decimal(measured), cost=Decimal(cost))


HISTORY = [
    _past("promotion", dt.date(2024, 7, 1), "30000", "10000"),  # ROI 2 in July
    _past("promotion", dt.date(2025, 7, 3), "10000", "10000"),  # together: ROI 1
    _past("trade_show", dt.date(2024, 8, 20), "90000", "30000"),  # ROI 2, August
    _past("webinar", dt.date(2024, 8, 1), "1000", "2000"),  # ROI -0.5: never proposed
    _past("trade_show", dt.date(2024, 3, 1), "900000", "1000"),  # March: not this month
]


def test_types_ranked_by_roi_at_that_time_of_year() -> None:
    records = type_records_for_month(history=HISTORY, month=8)  # July and August starts
    assert [(r.kind, r.roi) for r in records] == [
        ("trade_show", Decimal("2.00")),
        ("promotion", Decimal("1.00")),
        ("webinar", Decimal("-0.50")),
    ]


def test_proposals_sized_to_the_gap() -> None:
    today = dt.date(2026, 5, 10)
    proposals = proposals_for_gaps(
        gaps=[(dt.date(2026, 8, 1), Decimal("60000")), (dt.date(2026, 9, 1), Decimal("-5"))],
        history=HISTORY,
        today=today,
    )
    assert [(p.kind, p.expected, p.cost) for p in proposals] == [
        ("trade_show", Decimal("30000"), Decimal("10000")),
        ("promotion", Decimal("30000"), Decimal("15000")),
    ]
    assert all(p.start == dt.date(2026, 7, 1) and p.end <= dt.date(2026, 8, 31) for p in proposals)


def test_no_history_no_proposal() -> None:
    assert (
        proposals_for_gaps(
            gaps=[(dt.date(2026, 8, 1), Decimal("1"))], history=[], today=dt.date(2026, 1, 1)
        )
        == []
    )
