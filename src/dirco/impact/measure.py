"""Measured impact of actions: attributed won revenue, cost, ROI, and uplift against the
counterfactual forecast, with a control segment when one exists.

For each action:

- **measured**: the won revenue (company currency) of the deals attributed to it
  (``impact.attribution``); **ROI** = (measured - cost) / cost, cost being the actual cost,
  else the planned one;
- **counterfactual**: the forecasting engine (``dirco.forecasting.forecast``, the same
  engine as every revenue forecast) run on the target segment's monthly won revenue *up to
  the month before the action's start* (at most ``HISTORY_MONTHS`` months), for the months
  of the action's influence (its start month to the month of ``won_until``, complete months
  only); **uplift** = the segment's actual won revenue in those months minus that forecast;
- **control**: the same engine on a segment the action did not target (other territories,
  tiers or product lines, same months): its actual / counterfactual ratio says how far the
  whole market moved; **uplift against the control** = actual - counterfactual x that ratio
  (a difference in differences).

Everything here is reads; ``impact.services`` keeps the result in ``ImpactSnapshot``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum
from django.db.models.functions import TruncMonth

from dirco.core.money import quantize
from dirco.core.periods import month_add
from dirco.forecasting import forecast
from dirco.impact.attribution import ActionWindow, attribute
from dirco.pipeline.models import Deal, Stage

HISTORY_MONTHS = 48
MIN_HISTORY_MONTHS = 12
ZERO = Decimal("0")


def _won() -> Q:
    return Q(stage_id__in=Stage.objects.filter(is_won=True).values("id"))


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def segment_monthly(*, q: Q, first: dt.date, last: dt.date) -> list[Decimal]:
    """Won revenue of the deals matching ``q`` per month, ``first`` to ``last``, zero-filled
    (one grouped SUM)."""
    if last < first:
        return []
    rows = (
        Deal.objects.filter(_won(), q, close_date__gte=first, close_date__lt=month_add(last, 1))
        .annotate(month=TruncMonth("close_date"))
        .order_by()
        .values("month")
        .annotate(total=Sum("amount_company"))
    )
    by_month: dict[dt.date, Decimal] = {}
    for row in rows:
        month = row["month"]
        if isinstance(month, dt.datetime):
            month = month.date()
        by_month[month] = row["total"] or ZERO
    out, month = [], first
    while month <= last:
        out.append(by_month.get(month, ZERO))
        month = month_add(month, 1)
    return out


Keys = tuple[int | None, int | None, int | None]  # territory, tier, product line
Monthly = Callable[[dt.date, dt.date], list[Decimal]]


class RevenueCube:
    """Won revenue per (month, territory, tier, product line) over a range of months: one
    grouped query, from which every segment and control of a plan is summed in Python (a
    few thousand rows, whatever the number of deals)."""

    def __init__(self, *, first: dt.date, last: dt.date) -> None:
        self.first, self.last = first, last
        rows = (
            Deal.objects.filter(_won(), close_date__gte=first, close_date__lt=month_add(last, 1))
            .annotate(month=TruncMonth("close_date"))
            .order_by()
            .values("month", "account__territory_id", "partner__tier_id", "product_line_id")
            .annotate(total=Sum("amount_company"))
        )
        self.cells: dict[Keys, dict[dt.date, Decimal]] = {}
        for row in rows:
            month = row["month"]
            if isinstance(month, dt.datetime):
                month = month.date()
            keys = (row["account__territory_id"], row["partner__tier_id"], row["product_line_id"])
            self.cells.setdefault(keys, {})[month] = row["total"] or ZERO

    def monthly(self, keep: Callable[[Keys], bool]) -> Monthly:
        def read(first: dt.date, last: dt.date) -> list[Decimal]:
            assert self.first <= first and last <= self.last, (first, last)
            by_month: dict[dt.date, Decimal] = {}
            for keys, months in self.cells.items():
                if keep(keys):
                    for month, total in months.items():
                        by_month[month] = by_month.get(month, ZERO) + total
            out, month = [], first
            while month <= last:
                out.append(by_month.get(month, ZERO))
                month = month_add(month, 1)
            return out

        return read


def _segment_reader(action: ActionWindow, cube: RevenueCube | None) -> Monthly:
    segment = action.segment
    if cube is None or segment.account_ids or segment.partner_ids:
        q = segment.deal_q()
        return lambda first, last: segment_monthly(q=q, first=first, last=last)
    return cube.monthly(
        lambda k: segment.contains(
            territory_id=k[0], tier_id=k[1], product_line_id=k[2], account_id=None
        )
    )


def _control_reader(action: ActionWindow, cube: RevenueCube | None) -> tuple[str, Monthly] | None:
    segment = action.segment
    control = segment.control_q()
    if control is None:
        return None
    dimension, q = control
    if cube is None or segment.account_ids or segment.partner_ids:
        return dimension, lambda first, last: segment_monthly(q=q, first=first, last=last)
    return dimension, cube.monthly(
        lambda k: segment.control_contains(
            dimension, territory_id=k[0], tier_id=k[1], product_line_id=k[2]
        )
    )


def _counterfactual(
    *, read: Monthly, start: dt.date, months: int, bounds: list[Decimal] | None = None
) -> tuple[list[Decimal] | None, list[Decimal], str]:
    """(forecast of ``months`` months from ``start``'s month, or None; the history it was
    made from; the engine's method or why there is no forecast)."""
    first = month_add(_month(start), -HISTORY_MONTHS)
    last = month_add(_month(start), -1)
    history = read(first, last)
    while history and history[0] == 0:  # the segment's history starts at its first sale
        history.pop(0)
    if len(history) < MIN_HISTORY_MONTHS:
        return None, history, "short_history"
    start_month = month_add(last, -len(history) + 1)
    result = forecast([float(v) for v in history], start_month, "M", horizon=months)
    if bounds is not None:  # the sums of the months' 80% bounds (a conservative interval)
        bounds[:] = [
            quantize(Decimal(str(sum(result.lower[80])))),
            quantize(Decimal(str(sum(result.upper[80])))),
        ]
    return [quantize(Decimal(str(p))) for p in result.point], history, result.method


def _roi(measured: Decimal, cost: Decimal) -> Decimal | None:
    if cost <= 0:
        return None
    return ((measured - cost) / cost).quantize(Decimal("0.01"))


def action_uplift(
    *, action: ActionWindow, today: dt.date, cube: RevenueCube | None = None
) -> dict[str, Any]:
    """The segment's actual vs counterfactual revenue over the action's influence months,
    and the control segment's (see the module docstring)."""
    last_complete = month_add(_month(today), -1)
    first = _month(action.start)
    last = min(_month(action.won_until), last_complete)
    if last < first:
        return {"status": "not_started", "months": []}
    n = (last.year - first.year) * 12 + last.month - first.month + 1
    read = _segment_reader(action, cube)
    actual = read(first, last)
    bounds: list[Decimal] = []
    counterfactual, _history, method = _counterfactual(
        read=read, start=action.start, months=n, bounds=bounds
    )
    out: dict[str, Any] = {
        "status": "measured" if last == _month(action.won_until) else "partial",
        "first_month": f"{first:%Y-%m}",
        "last_month": f"{last:%Y-%m}",
        "method": method,
        "actual": str(quantize(sum(actual, ZERO))),
        "counterfactual": None,
        "uplift": None,
        "uplift_pct": None,
        "counterfactual_low80": None,
        "counterfactual_high80": None,
        "beyond_forecast_error": None,
        "control": None,
        "months": [
            {"month": f"{month_add(first, i):%Y-%m}", "actual": str(quantize(v))}
            for i, v in enumerate(actual)
        ],
    }
    if counterfactual is None:
        return out
    cf_total = sum(counterfactual, ZERO)
    uplift = sum(actual, ZERO) - cf_total
    out["counterfactual"] = str(quantize(cf_total))
    out["uplift"] = str(quantize(uplift))
    low, high = bounds
    out["counterfactual_low80"], out["counterfactual_high80"] = str(low), str(high)
    # The actual revenue outside the forecast's 80% band: more than the forecast's own error.
    out["beyond_forecast_error"] = not low <= sum(actual, ZERO) <= high
    out["uplift_pct"] = (
        str((uplift / cf_total * 100).quantize(Decimal("0.1"))) if cf_total else None
    )
    for row, value in zip(out["months"], counterfactual, strict=True):
        row["counterfactual"] = str(value)
    control = _control_reader(action, cube)
    if control is not None:
        dimension, read_control = control
        ctrl_actual = read_control(first, last)
        ctrl_cf, _h, _method = _counterfactual(read=read_control, start=action.start, months=n)
        if ctrl_cf is not None and sum(ctrl_cf, ZERO) > 0:
            ratio = sum(ctrl_actual, ZERO) / sum(ctrl_cf, ZERO)
            adjusted = quantize(cf_total * ratio)
            out["control"] = {
                "dimension": dimension,
                "actual": str(quantize(sum(ctrl_actual, ZERO))),
                "counterfactual": str(quantize(sum(ctrl_cf, ZERO))),
                "ratio": str(ratio.quantize(Decimal("0.001"))),
                "uplift": str(quantize(sum(actual, ZERO) - adjusted)),
            }
    return out


def _candidate_rows(actions: list[ActionWindow]) -> list[dict[str, Any]]:
    """The won deals any action may claim by link, source or rule: one query."""
    q = Q(pk__in=[])
    linked: set[int] = set()
    for action in actions:
        q |= action.candidate_q()
        linked |= set(action.linked_deal_ids)
    if linked:
        q |= Q(pk__in=sorted(linked))
    rows: Any = (
        Deal.objects.filter(_won(), q)
        .order_by()
        .values(
            "id",
            "created_at",
            "close_date",
            "source",
            "amount_company",
            "account_id",
            "partner_id",
            "account__territory_id",
            "partner__tier_id",
            "product_line_id",
        )
    )
    return [dict(row) for row in rows]


def plan_impact(*, actions: list[ActionWindow], today: dt.date) -> dict[str, Any]:
    """The impact of each action and of them together (the JSON kept in ImpactSnapshot)."""
    rows = _candidate_rows(actions)
    matches: list[tuple[int, dt.date, str, set[int]]] = []
    for row in rows:
        created = row["created_at"].date()
        matching = {
            a.id
            for a in actions
            if a.start <= created <= a.created_until
            and a.start <= row["close_date"] <= a.won_until
            and a.segment.contains(
                territory_id=row["account__territory_id"],
                tier_id=row["partner__tier_id"],
                product_line_id=row["product_line_id"],
                account_id=row["account_id"],
                partner_id=row["partner_id"],
            )
        }
        matches.append((row["id"], created, row["source"], matching))
    attributed = attribute(actions=actions, deals=matches)
    amount_of = {row["id"]: row["amount_company"] for row in rows}
    per_action: dict[int, dict[str, Any]] = {
        a.id: {"measured": ZERO, "deals": 0, "by": {"link": 0, "source": 0, "rule": 0}}
        for a in actions
    }
    for deal_id, (action_id, how) in attributed.items():
        if deal_id not in amount_of:
            continue  # a linked deal that is not won
        figures = per_action[action_id]
        figures["measured"] += amount_of[deal_id]
        figures["deals"] += 1
        figures["by"][how] += 1
    cube = None
    if actions:
        last_complete = month_add(_month(today), -1)
        first = month_add(_month(min(a.start for a in actions)), -HISTORY_MONTHS)
        last = max(min(_month(max(a.won_until for a in actions)), last_complete), first)
        cube = RevenueCube(first=first, last=last)
    out_actions = []
    totals = {"expected": ZERO, "measured": ZERO, "cost": ZERO, "uplift": ZERO}
    for action in actions:
        figures = per_action[action.id]
        uplift = action_uplift(action=action, today=today, cube=cube)
        out_actions.append(
            {
                "id": action.id,
                "name": action.name,
                "kind": action.kind,
                "start": action.start.isoformat(),
                "end": action.end.isoformat(),
                "expected": str(action.expected),
                "expected_by_month": {k: str(v) for k, v in action.expected_by_month.items()},
                "measured": str(quantize(figures["measured"])),
                "cost": str(action.cost),
                "roi": None if (r := _roi(figures["measured"], action.cost)) is None else str(r),
                "deals": figures["deals"],
                "by": figures["by"],
                "uplift": uplift,
            }
        )
        totals["expected"] += action.expected
        totals["measured"] += figures["measured"]
        totals["cost"] += action.cost
        if uplift.get("uplift") is not None:
            totals["uplift"] += Decimal(uplift["uplift"])
    roi = _roi(totals["measured"], totals["cost"])
    return {
        "computed_for": today.isoformat(),
        "actions": out_actions,
        "totals": {
            **{k: str(quantize(v)) for k, v in totals.items()},
            "roi": None if roi is None else str(roi),
            "deals": len([d for d in attributed if d in amount_of]),
        },
    }
