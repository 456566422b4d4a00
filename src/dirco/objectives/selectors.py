"""Reads for the cockpit: objectives curve, attainment, gap-to-objective, leaderboards.

Every figure comes from the monthly rollups (objectives.RevenueRollup), never from a scan of
the deals: the number of queries and their cost do not grow with the number of deals.
Money is a ``Decimal`` in the company currency; percentages are ``Decimal`` or ``None``
when the denominator is zero. Pass ``user`` to check access (404 when the user may not see
the scope); the pages and the API always do.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import Min, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from dirco.accounts.models import User
from dirco.catalog.models import ProductLine
from dirco.core.errors import ApplicationError
from dirco.core.money import company_currency
from dirco.objectives.fiscal_calendar import (
    FiscalPeriod,
    fiscal_year_months,
    fiscal_year_of,
    month_add,
    period_for_year,
    period_parse,
)
from dirco.objectives.models import (
    ROLLUP_MEASURES,
    ActivityRollup,
    Objective,
    ObjectiveMonth,
    RevenueRollup,
    ScopeKind,
)
from dirco.objectives.permissions import (
    forecast_calls_visible_to,
    objectives_visible_to,
    users_in_line_of,
)
from dirco.partners.models import Partner
from dirco.partners.permissions import partners_visible_to
from dirco.revenue.scopes import Scope, scope_check_access, scope_label
from dirco.revenue.services import revenue_forecast_for_scope
from dirco.teams.models import SalesTeam
from dirco.teams.selectors import teams_managed_by

CENT = Decimal("0.01")
ZERO = Decimal(0)


def money(cents: int | Decimal | None) -> Decimal:
    return (Decimal(cents or 0) / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def pct(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def objective_scope(objective: Objective) -> Scope:
    if objective.scope_kind == ScopeKind.COMPANY:
        return Scope("company")
    ids = {
        "team": objective.team_id,
        "rep": objective.rep_id,
        "partner": objective.partner_id,
        "product_line": objective.product_line_id,
    }
    return Scope(objective.scope_kind, ids[objective.scope_kind])


def _rollup_q(scope: Scope, product_line_id: int | None = None) -> Q:
    if scope.kind == "company":
        q = Q(scope_kind="company", scope_id=0)
    elif scope.kind == "product_line":
        q = Q(scope_kind="company", scope_id=0, product_line_id=scope.id)
    else:
        q = Q(scope_kind=scope.kind, scope_id=scope.id)
    if product_line_id is not None:
        q &= Q(product_line_id=product_line_id)
    return q


def rollup_by_month(
    *, scope: Scope, first_month: dt.date, last_month: dt.date, product_line_id: int | None = None
) -> dict[dt.date, dict[str, int]]:
    """The rollup measures per month, zero-filled: one query."""
    rows = (
        RevenueRollup.objects.filter(_rollup_q(scope, product_line_id))
        .filter(month__gte=first_month, month__lte=last_month)
        .values("month")
        .order_by()
        .annotate(**{f"s_{m}": Sum(m) for m in ROLLUP_MEASURES})
    )
    out: dict[dt.date, dict[str, int]] = {}
    month = first_month
    while month <= last_month:
        out[month] = dict.fromkeys(ROLLUP_MEASURES, 0)
        month = month_add(month, 1)
    for row in rows:
        out[row["month"]] = {m: int(row[f"s_{m}"] or 0) for m in ROLLUP_MEASURES}
    return out


Cache = dict[tuple[Any, ...], Any]


def _rollup_cached(
    *,
    scope: Scope,
    first_month: dt.date,
    last_month: dt.date,
    product_line_id: int | None,
    cache: Cache | None,
    today: dt.date,
    fiscal_year: int,
) -> dict[dt.date, dict[str, int]]:
    """``rollup_by_month``, or a slice of one wide read shared by the cockpit's parts."""
    if cache is None:
        return rollup_by_month(
            scope=scope,
            first_month=first_month,
            last_month=last_month,
            product_line_id=product_line_id,
        )
    key = ("rollup", scope.key, product_line_id, fiscal_year)
    if key not in cache:
        start = min(fiscal_year_months(fiscal_year)[0], today.replace(day=1))
        end = max(fiscal_year_months(fiscal_year)[-1], today.replace(day=1))
        cache[key] = rollup_by_month(
            scope=scope,
            first_month=month_add(start, -36),
            last_month=end,
            product_line_id=product_line_id,
        )
    wide = cache[key]
    empty = dict.fromkeys(ROLLUP_MEASURES, 0)
    return {m: wide.get(m, empty) for m in _months(first_month, last_month)}


def _memo(cache: Cache | None, key: tuple[Any, ...], load: Any) -> Any:
    if cache is None:
        return load()
    if key not in cache:
        cache[key] = load()
    return cache[key]


def _partners_of_scope(scope: Scope) -> QuerySet[Partner] | None:
    if scope.kind == "company":
        return Partner.objects.all()
    if scope.kind == "team":
        return Partner.objects.filter(
            channel_manager_id__in=User.objects.filter(sales_teams=scope.id).values("id")
        )
    if scope.kind == "rep":
        return Partner.objects.filter(channel_manager_id=scope.id)
    if scope.kind == "partner":
        return Partner.objects.filter(pk=scope.id or 0)
    return None


def monthly_actuals(
    *,
    scope: Scope,
    first_month: dt.date,
    last_month: dt.date,
    measure: str = Objective.Measure.WON_REVENUE,
    product_line_id: int | None = None,
) -> dict[dt.date, Decimal]:
    """What counts for ``measure`` per month: won revenue, won deals or new active partners
    (partners whose first won deal closed that month)."""
    if measure == Objective.Measure.NEW_ACTIVE_PARTNERS:
        out = dict.fromkeys(_months(first_month, last_month), ZERO)
        partners = _partners_of_scope(scope)
        if partners is None:
            return out
        firsts = (
            RevenueRollup.objects.filter(
                scope_kind="partner", won_count__gt=0, scope_id__in=partners.values("id")
            )
            .values("scope_id")
            .order_by()
            .annotate(first=Min("month"))
        )
        for row in firsts:
            if row["first"] in out:
                out[row["first"]] += 1
        return out
    rows = rollup_by_month(
        scope=scope, first_month=first_month, last_month=last_month, product_line_id=product_line_id
    )
    if measure == Objective.Measure.WON_DEALS:
        return {m: Decimal(r["won_count"]) for m, r in rows.items()}
    return {m: money(r["won_cents"]) for m, r in rows.items()}


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    out = []
    while first <= last:
        out.append(first)
        first = month_add(first, 1)
    return out


def won_last_12_months(
    *,
    scopes: list[Scope],
    today: dt.date,
    measure: str = Objective.Measure.WON_REVENUE,
    product_line_id: int | None = None,
) -> dict[str, Decimal]:
    """Won (revenue or deals) over the 12 complete months before ``today``, per scope key."""
    last = month_add(today.replace(day=1), -1)
    first = month_add(last, -11)
    column = "won_count" if measure == Objective.Measure.WON_DEALS else "won_cents"
    q = Q(pk__in=[])
    for scope in scopes:
        q |= _rollup_q(scope, product_line_id)
    rows = (
        RevenueRollup.objects.filter(q, month__gte=first, month__lte=last)
        .values("scope_kind", "scope_id", "product_line_id")
        .order_by()
        .annotate(total=Sum(column))
    )
    out: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        for scope in scopes:
            if _row_in_scope(row, scope):
                value = row["total"] or 0
                out[scope.key] += Decimal(value) if column == "won_count" else money(value)
    return dict(out)


def _row_in_scope(row: dict[str, Any], scope: Scope) -> bool:
    if scope.kind == "company":
        return bool(row["scope_kind"] == "company")
    if scope.kind == "product_line":
        return bool(row["scope_kind"] == "company" and row["product_line_id"] == scope.id)
    return bool(row["scope_kind"] == scope.kind and row["scope_id"] == scope.id)


# -- objectives ---------------------------------------------------------------------------------


def objective_find(
    *,
    scope: Scope,
    fiscal_year: int,
    measure: str = Objective.Measure.WON_REVENUE,
    product_line_id: int | None = None,
    user: User | None = None,
) -> Objective | None:
    qs = objectives_visible_to(user) if user is not None else Objective.objects.all()
    qs = qs.filter(scope_key=scope.key, fiscal_year=fiscal_year, measure=measure)
    if scope.kind != "product_line":
        qs = qs.filter(product_line_id=product_line_id)
    return qs.prefetch_related("months").first()


def objective_months(objective: Objective | None) -> dict[dt.date, Decimal]:
    if objective is None:
        return {}
    return {m.month: m.amount for m in objective.months.all()}


def allocation_summary(*, objective: Objective, user: User | None = None) -> dict[str, Any]:
    """What is allocated from ``objective`` to its children, and what is left.

    Counted children: teams under the company, reps under a team. Partner objectives under
    a team (or a rep) are shown as an overlay: their deals already count for their channel
    manager, so they are not added to what is allocated (see docs/objectives.md).
    """
    counted_kind = {
        ScopeKind.COMPANY: ScopeKind.TEAM,
        ScopeKind.TEAM: ScopeKind.REP,
        ScopeKind.REP: ScopeKind.PARTNER,
    }.get(objective.scope_kind)  # type: ignore[call-overload]
    children_qs = objective.children.all()
    if user is not None:  # shown to a user: only the children they may see (drafts hidden)
        children_qs = children_qs.filter(pk__in=objectives_visible_to(user).values("pk"))
    children = list(
        children_qs.select_related("team", "rep", "partner", "product_line").order_by(
            "scope_kind", "scope_key"
        )
    )
    allocated = sum((c.amount for c in children if c.scope_kind == counted_kind), ZERO)
    overlay = sum((c.amount for c in children if c.scope_kind != counted_kind), ZERO)
    remaining = objective.amount - allocated
    has_counted = any(c.scope_kind == counted_kind for c in children)
    status = "exact" if remaining == 0 else ("under" if remaining > 0 else "over")
    return {
        "objective_id": objective.pk,
        "amount": objective.amount,
        "allocated": allocated,
        "remaining": remaining,
        "status": status if has_counted else "unallocated",
        "overlay": overlay,
        "children": [
            {
                "id": c.pk,
                "scope": c.scope_key,
                "label": _objective_label(c),
                "amount": c.amount,
                "status": c.status,
                "counted": c.scope_kind == counted_kind,
                "share": pct(c.amount, objective.amount),
            }
            for c in children
        ],
    }


def _objective_label(objective: Objective) -> str:
    target: object = objective.team or objective.rep or objective.partner
    if objective.scope_kind == ScopeKind.PRODUCT_LINE:
        target = objective.product_line
    label = str(target) if target is not None else _("Company")
    if objective.product_line_id and objective.scope_kind != ScopeKind.PRODUCT_LINE:
        label = f"{label} / {objective.product_line}"
    return label


def objective_detail(*, objective: Objective, user: User | None = None) -> dict[str, Any]:
    """An objective with its months, the hand-made changes (audit) and its allocation."""
    return {
        "objective": objective,
        "label": _objective_label(objective),
        "months": list(objective.months.order_by("month_index")),
        "changes": list(
            objective.changes.select_related("changed_by").order_by("-changed_at", "-id")
        ),
        "allocation": allocation_summary(objective=objective, user=user),
    }


# -- the curve ---------------------------------------------------------------------------------


def _forecast_points(scope: Scope, measure: str, product_line_id: int | None) -> dict[str, Any]:
    if measure != Objective.Measure.WON_REVENUE or product_line_id is not None:
        return {"points": {}, "method": "", "warnings": []}
    payload = revenue_forecast_for_scope(scope=scope, horizon=24)
    return {
        "points": {p["period"]: p for p in payload["forecast"]},
        "method": payload.get("method", ""),
        "warnings": list(payload.get("warnings", [])),
    }


def _check(user: User | None, scope: Scope) -> None:
    if user is not None:
        scope_check_access(user=user, scope=scope)


def objective_curve(
    *,
    scope: Scope,
    fiscal_year: int,
    user: User | None = None,
    measure: str = Objective.Measure.WON_REVENUE,
    product_line_id: int | None = None,
    today: dt.date | None = None,
    cache: Cache | None = None,
) -> dict[str, Any]:
    """Month by month: objective, actual and forecast (with intervals), monthly and cumulative.

    ``actual`` is None for months not started; ``under_objective`` flags the complete months
    whose cumulative actual is below the cumulative objective. ``projected_cumulative`` is
    the actual to date plus, from the current month on, the forecast (net of what is already
    won in the current month).
    """
    _check(user, scope)
    today = today or timezone.localdate()
    months = fiscal_year_months(fiscal_year)
    current = today.replace(day=1)
    objective, targets = _objective_cached(
        cache, scope, fiscal_year, measure, product_line_id, user
    )
    if measure == Objective.Measure.WON_REVENUE:
        rollup = _rollup_cached(
            scope=scope,
            first_month=months[0],
            last_month=months[-1],
            product_line_id=product_line_id,
            cache=cache,
            today=today,
            fiscal_year=fiscal_year,
        )
        actuals = {m: money(r["won_cents"]) for m, r in rollup.items()}
    else:
        actuals = monthly_actuals(
            scope=scope,
            first_month=months[0],
            last_month=months[-1],
            measure=measure,
            product_line_id=product_line_id,
        )
    forecast = _memo(
        cache,
        ("forecast", scope.key, measure, product_line_id),
        lambda: _forecast_points(scope, measure, product_line_id),
    )
    rows = []
    cum_objective = cum_actual = projected = ZERO
    for index, month in enumerate(months, start=1):
        target = targets.get(month, ZERO)
        cum_objective += target
        started = month <= current
        actual = actuals[month] if started else None
        if actual is not None:
            cum_actual += actual
        point = forecast["points"].get(f"{month:%Y-%m}") if month >= current else None
        if month < current:
            projected += actual or ZERO
        elif point is not None:
            projected += max(Decimal(str(point["forecast"])), actual or ZERO)
        else:
            projected += actual or ZERO
        rows.append(
            {
                "month": month,
                "period": f"{month:%Y-%m}",
                "fiscal_month": index,
                "objective": target,
                "objective_cumulative": cum_objective,
                "actual": actual,
                "actual_cumulative": cum_actual if started else None,
                "forecast": _dec(point, "forecast"),
                "lower80": _dec(point, "lower80"),
                "upper80": _dec(point, "upper80"),
                "lower95": _dec(point, "lower95"),
                "upper95": _dec(point, "upper95"),
                "projected_cumulative": projected,
                "is_complete": month < current,
                "is_current": month == current,
                "under_objective": bool(month < current and cum_actual < cum_objective),
            }
        )
    return {
        "scope": scope.key,
        "label": scope_label(scope),
        "fiscal_year": fiscal_year,
        "measure": measure,
        "currency": company_currency() if measure == Objective.Measure.WON_REVENUE else "",
        "objective": _objective_brief(objective),
        "rows": rows,
        "forecast_method": forecast["method"],
        "warnings": forecast["warnings"],
    }


def _dec(point: dict[str, Any] | None, key: str) -> Decimal | None:
    if point is None:
        return None
    return Decimal(str(point[key])).quantize(CENT)


def _objective_brief(objective: Objective | None) -> dict[str, Any] | None:
    if objective is None:
        return None
    return {
        "id": objective.pk,
        "amount": objective.amount,
        "status": objective.status,
        "split_method": objective.split_method,
        "split_note": objective.split_note,
    }


# -- attainment --------------------------------------------------------------------------------


def _period_of(period: FiscalPeriod | str | int) -> FiscalPeriod:
    if isinstance(period, FiscalPeriod):
        return period
    return period_parse(str(period))


def attainment_for(
    *,
    scope: Scope,
    period: FiscalPeriod | str | int,
    user: User | None = None,
    measure: str = Objective.Measure.WON_REVENUE,
    product_line_id: int | None = None,
    today: dt.date | None = None,
    cache: Cache | None = None,
) -> dict[str, Any]:
    """Where a scope stands for a period (``2026``, ``2026-Q2``, ``2026-05``) and where it lands.

    - won to date vs the objective to date (the current month prorated by days) and in full;
    - open pipeline expected to close in the period, weighted by probability, and coverage
      (weighted open pipeline / objective still to win);
    - forecast categories: closed (won) and the open commit, best case, pipeline, omitted;
    - the forecast calls (owner's and manager's, latest first) for the period;
    - the statistical forecast of the months left and the projected landing: won to date +
      that forecast (``landing_method`` "forecast"), or + the weighted pipeline when there is
      no forecast ("weighted_pipeline");
    - year-over-year growth over the complete months of the period.
    """
    _check(user, scope)
    fiscal = _period_of(period)
    today = today or timezone.localdate()
    current = today.replace(day=1)
    months = fiscal.month_list
    objective, targets = _objective_cached(
        cache, scope, fiscal.fiscal_year, measure, product_line_id, user
    )
    rollup = _rollup_cached(
        scope=scope,
        first_month=month_add(months[0], -12),
        last_month=months[-1],
        product_line_id=product_line_id,
        cache=cache,
        today=today,
        fiscal_year=fiscal.fiscal_year,
    )
    if measure == Objective.Measure.WON_REVENUE:
        actual = {m: money(r["won_cents"]) for m, r in rollup.items()}
    else:
        actual = monthly_actuals(
            scope=scope,
            first_month=month_add(months[0], -12),
            last_month=months[-1],
            measure=measure,
            product_line_id=product_line_id,
        )
    objective_full = sum((targets.get(m, ZERO) for m in months), ZERO)
    objective_to_date = ZERO
    for month in months:
        if month < current:
            objective_to_date += targets.get(month, ZERO)
        elif month == current:
            days = (month_add(month, 1) - month).days
            objective_to_date += (targets.get(month, ZERO) * today.day / days).quantize(CENT)
    won_to_date = sum((actual[m] for m in months if m <= current), ZERO)
    in_period = [rollup[m] for m in months]
    totals = {k: sum(r[k] for r in in_period) for k in ROLLUP_MEASURES}
    remaining = max(objective_full - won_to_date, ZERO)
    weighted = money(Decimal(totals["open_weighted"]) / 100)
    forecast = _memo(
        cache,
        ("forecast", scope.key, measure, product_line_id),
        lambda: _forecast_points(scope, measure, product_line_id),
    )
    left = [m for m in months if m >= current]
    stat = stat_low = stat_high = ZERO
    have_forecast = bool(left) and all(f"{m:%Y-%m}" in forecast["points"] for m in left)
    for month in left:
        point = forecast["points"].get(f"{month:%Y-%m}")
        if point is None:
            continue
        already = actual[month] if month == current else ZERO
        stat += max(Decimal(str(point["forecast"])) - already, ZERO)
        stat_low += max(Decimal(str(point["lower80"])) - already, ZERO)
        stat_high += max(Decimal(str(point["upper80"])) - already, ZERO)
    if not left:
        landing, method = won_to_date, "closed"
    elif have_forecast:
        landing, method = won_to_date + stat.quantize(CENT), "forecast"
    else:
        landing, method = won_to_date + weighted, "weighted_pipeline"
    complete = [m for m in months if m < current]
    this_year = sum((actual[m] for m in complete), ZERO)
    last_year = sum((actual[month_add(m, -12)] for m in complete), ZERO)
    calls = list(
        forecast_calls_visible_to(user)
        .filter(scope_key=scope.key, period=fiscal.label)
        .select_related("by")
        .order_by("-at", "-id")[:20]
    )
    return {
        "scope": scope.key,
        "label": scope_label(scope),
        "period": fiscal.label,
        "period_kind": fiscal.kind,
        "fiscal_year": fiscal.fiscal_year,
        "first_month": months[0],
        "last_month": months[-1],
        "measure": measure,
        "currency": company_currency(),
        "objective": _objective_brief(objective),
        "objective_full": objective_full,
        "objective_to_date": objective_to_date,
        "won_to_date": won_to_date,
        "won_count": totals["won_count"],
        "attainment_to_date_pct": pct(won_to_date, objective_to_date),
        "attainment_full_pct": pct(won_to_date, objective_full),
        "remaining_objective": remaining,
        "open_amount": money(totals["open_cents"]),
        "open_weighted": weighted,
        "open_count": totals["open_count"],
        "coverage": (weighted / remaining).quantize(CENT) if remaining else None,
        "categories": {
            "closed": money(totals["won_cents"]),
            "commit": money(totals["commit_cents"]),
            "best_case": money(totals["best_case_cents"]),
            "pipeline": money(totals["pipeline_cents"]),
            "omitted": money(totals["omitted_cents"]),
        },
        "calls": [
            {
                "owner_call": c.owner_call,
                "manager_call": c.manager_call,
                "note": c.note,
                "by": str(c.by) if c.by else "",
                "at": c.at,
            }
            for c in calls
        ],
        "statistical_forecast": stat.quantize(CENT) if have_forecast else None,
        "statistical_lower80": stat_low.quantize(CENT) if have_forecast else None,
        "statistical_upper80": stat_high.quantize(CENT) if have_forecast else None,
        "projected_landing": landing,
        "landing_method": method,
        "projected_attainment_pct": pct(landing, objective_full),
        "won_same_months_last_year": last_year,
        "yoy_growth_pct": pct(this_year - last_year, last_year) if complete else None,
    }


# -- gap to objective --------------------------------------------------------------------------


def scope_deal_stats(
    *, scope: Scope, today: dt.date, product_line_id: int | None = None
) -> dict[str, Any]:
    """Average won deal size, win rate and cycle length over the last 12 complete months."""
    last = month_add(today.replace(day=1), -1)
    totals = RevenueRollup.objects.filter(
        _rollup_q(scope, product_line_id), month__gte=month_add(last, -11), month__lte=last
    ).aggregate(**{m: Sum(m) for m in ("won_count", "won_cents", "lost_count", "won_cycle_days")})
    won = int(totals["won_count"] or 0)
    lost = int(totals["lost_count"] or 0)
    return {
        "won_count": won,
        "lost_count": lost,
        "avg_deal_size": money(Decimal(totals["won_cents"] or 0) / won) if won else None,
        "win_rate": (Decimal(won) / (won + lost)).quantize(Decimal("0.001")) if won else None,
        "cycle_days": round((totals["won_cycle_days"] or 0) / won) if won else None,
    }


def _deal_stats_from(rollup: dict[dt.date, dict[str, int]], today: dt.date) -> dict[str, Any]:
    last = month_add(today.replace(day=1), -1)
    window = [rollup[m] for m in _months(month_add(last, -11), last) if m in rollup]
    won = sum(r["won_count"] for r in window)
    lost = sum(r["lost_count"] for r in window)
    cents = sum(r["won_cents"] for r in window)
    days = sum(r["won_cycle_days"] for r in window)
    return {
        "won_count": won,
        "lost_count": lost,
        "avg_deal_size": money(Decimal(cents) / won) if won else None,
        "win_rate": (Decimal(won) / (won + lost)).quantize(Decimal("0.001")) if won else None,
        "cycle_days": round(days / won) if won else None,
    }


def _objective_cached(
    cache: Cache | None,
    scope: Scope,
    fiscal_year: int,
    measure: str,
    product_line_id: int | None,
    user: User | None,
) -> tuple[Objective | None, dict[dt.date, Decimal]]:
    def load() -> tuple[Objective | None, dict[dt.date, Decimal]]:
        objective = objective_find(
            scope=scope,
            fiscal_year=fiscal_year,
            measure=measure,
            product_line_id=product_line_id,
            user=user,
        )
        return objective, objective_months(objective)

    key = ("objective", scope.key, fiscal_year, measure, product_line_id, getattr(user, "pk", None))
    result: tuple[Objective | None, dict[dt.date, Decimal]] = _memo(cache, key, load)
    return result


def gap_to_objective(
    *,
    scope: Scope,
    fiscal_year: int,
    today: dt.date | None = None,
    user: User | None = None,
    product_line_id: int | None = None,
    cache: Cache | None = None,
) -> dict[str, Any]:
    """For each month left in the fiscal year: the gap and what it takes to close it.

    A month's gap is its objective minus what is won in it (current month) and the weighted
    open pipeline expected to close in it; the shortfall of past months and the overdue
    open pipeline are carried into the current month. What it takes: won deals at the
    scope's average deal size, hence deals (and amount) of new pipeline at its win rate,
    created one average sales cycle before the month starts.
    """
    _check(user, scope)
    today = today or timezone.localdate()
    current = today.replace(day=1)
    months = fiscal_year_months(fiscal_year)
    objective, targets = _objective_cached(
        cache, scope, fiscal_year, Objective.Measure.WON_REVENUE, product_line_id, user
    )
    first = min(months[0], month_add(current, -36))
    rollup = _rollup_cached(
        scope=scope,
        first_month=first,
        last_month=max(months[-1], current),
        product_line_id=product_line_id,
        cache=cache,
        today=today,
        fiscal_year=fiscal_year,
    )
    stats = _deal_stats_from(rollup, today)
    past = [m for m in months if m < current]
    behind = sum((targets.get(m, ZERO) - money(rollup[m]["won_cents"]) for m in past), ZERO)
    overdue_weighted = sum(
        (money(Decimal(r["open_weighted"]) / 100) for m, r in rollup.items() if m < current), ZERO
    )
    rows = []
    for month in months:
        if month < current:
            continue
        r = rollup[month]
        won = money(r["won_cents"])
        weighted = money(Decimal(r["open_weighted"]) / 100)
        expected = won + weighted
        need = targets.get(month, ZERO)
        carried = ZERO
        if month == current:
            carried = behind
            expected += overdue_weighted
        gap = max(need + carried - expected, ZERO)
        rows.append(
            {
                "month": month,
                "period": f"{month:%Y-%m}",
                "objective": need,
                "carried_over": carried,
                "won": won,
                "weighted_pipeline": weighted,
                "gap": gap,
                **_what_it_takes(gap, month, stats, today),
            }
        )
    total_gap = sum((r["gap"] for r in rows), ZERO)
    return {
        "scope": scope.key,
        "label": scope_label(scope),
        "fiscal_year": fiscal_year,
        "currency": company_currency(),
        "objective": _objective_brief(objective),
        "stats": stats,
        "behind_to_date": max(behind, ZERO),
        "rows": rows,
        "total_gap": total_gap,
        **{
            f"total_{k}": v
            for k, v in _what_it_takes(total_gap, current, stats, today).items()
            if k in ("deals_to_win", "deals_to_create", "pipeline_to_create")
        },
    }


def _what_it_takes(
    gap: Decimal, month: dt.date, stats: dict[str, Any], today: dt.date
) -> dict[str, Any]:
    size, rate, cycle = stats["avg_deal_size"], stats["win_rate"], stats["cycle_days"]
    if not gap or not size:
        return {
            "deals_to_win": 0 if not gap else None,
            "deals_to_create": 0 if not gap else None,
            "pipeline_to_create": ZERO if not gap else None,
            "create_by": None,
            "late": False,
        }
    deals = math.ceil(gap / size)
    create = math.ceil(deals / rate) if rate else None
    create_by = month - dt.timedelta(days=cycle) if cycle is not None else None
    return {
        "deals_to_win": deals,
        "deals_to_create": create,
        "pipeline_to_create": (gap / rate).quantize(CENT) if rate else None,
        "create_by": create_by,
        "late": bool(create_by is not None and create_by < today),
    }


# -- leaderboards ------------------------------------------------------------------------------

LEADERBOARD_KINDS = ("rep", "team", "partner", "product_line")


def _visible_ids(kind: str, user: User) -> list[int] | None:
    """The ids of ``kind`` the user may see on a leaderboard; None: all of them."""
    if user.role in (User.Role.DIRECTOR, User.Role.MARKETING) and not user.is_partner_user:
        return None
    if kind == "partner":
        return list(partners_visible_to(user).values_list("id", flat=True))
    if user.role == User.Role.MANAGER:
        if kind == "team":
            return list(teams_managed_by(user).values_list("id", flat=True))
        if kind == "rep":
            return [user.pk, *users_in_line_of(user).values_list("id", flat=True)]
        return []
    if user.role == User.Role.REP and kind == "rep":
        return [user.pk]
    return []


def leaderboard(
    *, kind: str, fiscal_year: int, user: User, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """Reps, teams, partners or product lines side by side for a fiscal year, to date.

    Each row: won to date, objective (full year and to date) and attainment %, growth over
    the same months last year, win rate, average won deal size, cycle length (days from
    creation to close of won deals), open weighted pipeline, activities done and created
    (reps and teams). Only what ``user`` may see; sorted by attainment, then won.
    """
    if kind not in LEADERBOARD_KINDS:
        raise ApplicationError(
            _("Unknown leaderboard '%(kind)s': use rep, team, partner or product_line.")
            % {"kind": kind},
            fields={"kind": [_("Use rep, team, partner or product_line.")]},
        )
    today = today or timezone.localdate()
    current = today.replace(day=1)
    months = fiscal_year_months(fiscal_year)
    to_date_last = min(current, months[-1])
    visible = _visible_ids(kind, user)
    if visible is not None and not visible:
        return []
    data = _leaderboard_sums(
        kind=kind,
        visible=visible,
        first=months[0],
        to_date_last=to_date_last,
        last=months[-1],
        current=current,
    )
    # Drafts are seen only by who may see them: the same published-or-allowed filter as
    # /objectives, the curve and attainment (docs/security.md, finding 3).
    objectives = objectives_visible_to(user).filter(
        fiscal_year=fiscal_year, measure=Objective.Measure.WON_REVENUE, scope_kind=kind
    )
    if kind != "product_line":
        objectives = objectives.filter(product_line__isnull=True)
    fk = {
        "rep": "rep_id",
        "team": "team_id",
        "partner": "partner_id",
        "product_line": "product_line_id",
    }[kind]
    if visible is not None:
        objectives = objectives.filter(**{f"{fk}__in": visible})
    year_objective = dict(objectives.values_list(fk, "amount"))
    to_date_objective = dict(
        ObjectiveMonth.objects.filter(objective__in=objectives, month__lt=current)
        .values(f"objective__{fk}")
        .order_by()
        .annotate(total=Sum("amount"))
        .values_list(f"objective__{fk}", "total")
    )
    ids = set(data) | set(year_objective)
    labels = _labels(kind, ids)
    activities = _activity_counts(kind, ids, months[0], to_date_last)
    out: list[dict[str, Any]] = []
    for ident in ids:
        row = data.get(ident, {})
        won = money(row.get("won"))
        won_count = int(row.get("won_count") or 0)
        lost_count = int(row.get("lost_count") or 0)
        won_ly = money(row.get("won_ly"))
        target = year_objective.get(ident)
        target_to_date = to_date_objective.get(ident)
        done, created = activities.get(ident, (None, None))
        out.append(
            {
                "scope": f"{kind}:{ident}",
                "id": ident,
                "label": labels.get(ident, f"{kind}:{ident}"),
                "won": won,
                "won_count": won_count,
                "objective": target,
                "objective_to_date": target_to_date,
                "attainment_pct": pct(won, target) if target else None,
                "attainment_to_date_pct": pct(won, target_to_date) if target_to_date else None,
                "won_last_year": won_ly,
                "growth_pct": pct(won - won_ly, won_ly),
                "win_rate_pct": pct(won_count, won_count + lost_count),
                "avg_deal_size": (won / won_count).quantize(CENT) if won_count else None,
                "cycle_days": round(int(row.get("cycle") or 0) / won_count) if won_count else None,
                "open_weighted": money(Decimal(row.get("weighted") or 0) / 100),
                "deals_created": int(row.get("created") or 0),
                "activities_done": done,
                "activities_created": created,
            }
        )
    out.sort(
        key=lambda r: (
            r["attainment_pct"] is None,
            -(r["attainment_pct"] or 0),
            -r["won"],
            r["label"],
        )
    )
    for rank, r in enumerate(out, start=1):
        r["rank"] = rank
    return out


def _leaderboard_sums(
    *,
    kind: str,
    visible: list[int] | None,
    first: dt.date,
    to_date_last: dt.date,
    last: dt.date,
    current: dt.date,
) -> dict[int, dict[str, int]]:
    """Per scope id: this year to date, the same months last year, the open pipeline left.

    Raw SQL: the ORM's conditional aggregates cost more to build than to run here."""
    ops = connection.ops
    table = ops.quote_name(RevenueRollup._meta.db_table)
    key = "product_line_id" if kind == "product_line" else "scope_id"
    where = (
        "scope_kind = 'company' AND scope_id = 0" if kind == "product_line" else "scope_kind = %s"
    )
    params: list[Any] = [] if kind == "product_line" else [kind]
    if visible is not None:
        where += f" AND {key} IN ({', '.join(['%s'] * len(visible))})"
        params += visible
    d = ops.adapt_datefield_value
    in_year = "month >= %s AND month <= %s"
    columns = [
        ("won", in_year, "won_cents", [d(first), d(to_date_last)]),
        ("won_count", in_year, "won_count", [d(first), d(to_date_last)]),
        ("lost_count", in_year, "lost_count", [d(first), d(to_date_last)]),
        ("cycle", in_year, "won_cycle_days", [d(first), d(to_date_last)]),
        ("created", in_year, "created_count", [d(first), d(to_date_last)]),
        (
            "won_ly",
            in_year,
            "won_cents",
            [d(month_add(first, -12)), d(month_add(to_date_last, -12))],
        ),
        ("weighted", in_year, "open_weighted", [d(max(first, current)), d(last)]),
    ]
    select = ", ".join(
        f"SUM(CASE WHEN {cond} THEN {col} ELSE 0 END)" for _n, cond, col, _p in columns
    )
    select_params = [p for *_x, ps in columns for p in ps]
    sql = (
        f"SELECT {key}, {select} FROM {table} WHERE {where} AND month >= %s AND month <= %s "
        f"GROUP BY {key}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*select_params, *params, d(month_add(first, -12)), d(last)])
        return {
            row[0]: {name: int(row[i] or 0) for i, (name, *_r) in enumerate(columns, start=1)}
            for row in cursor.fetchall()
        }


def _labels(kind: str, ids: set[Any]) -> dict[Any, str]:
    if not ids:
        return {}
    if kind == "rep":
        return {
            u.pk: str(u)
            for u in User.objects.filter(pk__in=ids).only("id", "first_name", "last_name", "email")
        }
    model: Any = {"team": SalesTeam, "partner": Partner, "product_line": ProductLine}[kind]
    return dict(model.objects.filter(pk__in=ids).values_list("id", "name"))


def _activity_counts(
    kind: str, ids: set[Any], first: dt.date, last: dt.date
) -> dict[Any, tuple[int, int]]:
    if kind not in ("rep", "team") or not ids:
        return {}
    if kind == "rep":
        owners = {i: [i] for i in ids}
    else:
        through = SalesTeam.members.through
        owners = defaultdict(list)
        for team_id, user_id in through.objects.filter(salesteam_id__in=ids).values_list(
            "salesteam_id", "user_id"
        ):
            owners[team_id].append(user_id)
    everyone = {u for members in owners.values() for u in members}
    per_owner = {
        row["owner_id"]: (int(row["done"] or 0), int(row["created"] or 0))
        for row in ActivityRollup.objects.filter(
            owner_id__in=everyone, month__gte=first, month__lte=last
        )
        .values("owner_id")
        .order_by()
        .annotate(done=Sum("done_count"), created=Sum("created_count"))
    }
    return {
        ident: (
            sum(per_owner.get(u, (0, 0))[0] for u in members),
            sum(per_owner.get(u, (0, 0))[1] for u in members),
        )
        for ident, members in owners.items()
    }


# -- the director's cockpit --------------------------------------------------------------------


def cockpit_director(
    *, user: User, fiscal_year: int | None = None, today: dt.date | None = None
) -> dict[str, Any]:
    """Everything on the director's home: company curve, attainment, teams and reps side by
    side, and the gap to the company objective."""
    today = today or timezone.localdate()
    fiscal_year = fiscal_year or fiscal_year_of(today)
    company = Scope("company")
    cache: Cache = {}  # one read of the company's objective, rollups and forecast
    return {
        "fiscal_year": fiscal_year,
        "curve": objective_curve(
            scope=company, fiscal_year=fiscal_year, user=user, today=today, cache=cache
        ),
        "attainment": attainment_for(
            scope=company,
            period=period_for_year(fiscal_year),
            user=user,
            today=today,
            cache=cache,
        ),
        "teams": leaderboard(kind="team", fiscal_year=fiscal_year, user=user, today=today),
        "reps": leaderboard(kind="rep", fiscal_year=fiscal_year, user=user, today=today),
        "gap": gap_to_objective(
            scope=company, fiscal_year=fiscal_year, user=user, today=today, cache=cache
        ),
    }
