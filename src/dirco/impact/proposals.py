"""Counter-seasonality proposals: actions to close the months where the forecast falls under
the objective, of the types that paid best at that time of year in this company's history.

For each month of the fiscal year from the month in progress on where the forecast (the
objectives curve, ``objectives.selectors.objective_curve``: the same figures as the
cockpit) is under the month's objective, the gap is objective - forecast. The candidates
are the action types whose past actions (measured by ``impact.measure``) *started* in that
calendar month or the month before (their effect lands in the weeks after the start), over
every past year; a type's measured ROI there is (its attributed won revenue - its cost) /
its cost, summed over those actions. The two best types with a positive ROI are proposed,
each sized to half the gap: expected revenue = its share of the gap, cost = that revenue /
(1 + ROI), start = the first day of the month before the gap month (or today, if later).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from dirco.core.periods import month_add

ZERO = Decimal("0")
PER_MONTH = 2


@dataclass(frozen=True)
class PastAction:
    kind: str
    start: dt.date
    measured: Decimal
    cost: Decimal


@dataclass(frozen=True)
class TypeRecord:
    kind: str
    actions: int
    measured: Decimal
    cost: Decimal

    @property
    def roi(self) -> Decimal | None:
        if self.cost <= 0:
            return None
        return ((self.measured - self.cost) / self.cost).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Proposal:
    month: dt.date  # the month under objective
    gap: Decimal
    kind: str
    roi: Decimal
    past_actions: int
    start: dt.date
    end: dt.date
    expected: Decimal
    cost: Decimal

    @property
    def key(self) -> str:
        return f"{self.month:%Y-%m}:{self.kind}"


def type_records_for_month(*, history: list[PastAction], month: int) -> list[TypeRecord]:
    """Per action type, the past actions started in calendar ``month`` or the month before,
    best measured ROI first (types without a cost last)."""
    before = 12 if month == 1 else month - 1
    sums: dict[str, list[Decimal | int]] = {}
    for action in history:
        if action.start.month not in (month, before):
            continue
        row = sums.setdefault(action.kind, [0, ZERO, ZERO])
        row[0] = int(row[0]) + 1
        row[1] = Decimal(row[1]) + action.measured
        row[2] = Decimal(row[2]) + action.cost
    records = [
        TypeRecord(kind=k, actions=int(v[0]), measured=Decimal(v[1]), cost=Decimal(v[2]))
        for k, v in sums.items()
    ]
    return sorted(records, key=lambda r: (r.roi is None, -(r.roi or ZERO), r.kind))


def proposals_for_gaps(
    *, gaps: list[tuple[dt.date, Decimal]], history: list[PastAction], today: dt.date
) -> list[Proposal]:
    """The proposals for each (month, gap > 0), as the module docstring says."""
    out = []
    for month, gap in gaps:
        if gap <= 0:
            continue
        best = [
            r
            for r in type_records_for_month(history=history, month=month.month)
            if r.roi is not None and r.roi > 0
        ][:PER_MONTH]
        if not best:
            continue
        share = (gap / len(best)).quantize(Decimal("1"), ROUND_HALF_UP)
        start = max(month_add(month, -1), today)
        for record in best:
            assert record.roi is not None
            out.append(
                Proposal(
                    month=month,
                    gap=gap,
                    kind=record.kind,
                    roi=record.roi,
                    past_actions=record.actions,
                    start=start,
                    end=min(start + dt.timedelta(days=27), month_add(month, 1) - dt.timedelta(1)),
                    expected=share,
                    cost=(share / (1 + record.roi)).quantize(Decimal("1"), ROUND_HALF_UP),
                )
            )
    return out


def month_gaps(
    *, curve_rows: list[dict[str, object]], today: dt.date
) -> list[tuple[dt.date, Decimal]]:
    """(month, objective - forecast) for the months from the month in progress on whose
    forecast is under the objective, from the rows of ``objectives.selectors.objective_curve``."""
    current = today.replace(day=1)
    out = []
    for row in curve_rows:
        month, objective, forecast = row["month"], row["objective"], row["forecast"]
        if not isinstance(month, dt.date) or month < current:
            continue
        if not isinstance(objective, Decimal) or not isinstance(forecast, Decimal):
            continue
        if forecast < objective:
            out.append((month, objective - forecast))
    return out
