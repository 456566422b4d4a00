"""Reads for the cockpit: objectives curve, attainment, gap-to-objective, leaderboards.

Every figure comes from the monthly rollups (dirco.rollups.selectors), never from a scan of
the deals: the number of queries and their cost do not grow with the number of deals.
Money is a ``Decimal`` in the company currency; percentages are ``Decimal`` or ``None``
when the denominator is zero. Pass ``user`` to check access (404 when the user may not see
the scope); the pages and the API always do.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Min, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from dirco.accounts.models import User
from dirco.catalog.models import ProductLine
from dirco.core.errors import ApplicationError
from dirco.core.money import company_currency
from dirco.core.periods import month_add
from dirco.metrics import (
    CENT,
    ZERO,
    Attainment,
    DealStats,
    add_months,
    coverage,
    deal_stats,
    money,
    month_below_its_objective,
    month_so_far,
    months_under_objective,
    objective_to_date,
    pct,
    projected_landing,
    stats_window,
    weighted_pipeline,
    what_it_takes,
    won_revenue,
    yoy_growth,
)
from dirco.metrics import attainment as kpi_attainment
from dirco.objectives.fiscal_calendar import (
    FiscalPeriod,
    fiscal_year_months,
    fiscal_year_of,
    period_for_year,
    period_parse,
)
from dirco.objectives.models import Objective, ObjectiveMonth, ScopeKind
from dirco.objectives.permissions import (
    forecast_calls_visible_to,
    leaderboard_visible_ids,
    objectives_visible_to,
)
from dirco.partners.models import Partner
from dirco.revenue.explain import forecast_in_words
from dirco.revenue.services import revenue_forecast_for_scope
from dirco.rollups.models import ROLLUP_MEASURES, ActivityRollup, RevenueRollup
from dirco.rollups.selectors import (
    cycle_middles_by_kind,
    cycle_middles_of_scope,
    rollup_by_month,
)
from dirco.scopes import Scope, scope_check, scope_labels
from dirco.teams.models import SalesTeam


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
    return won_revenue(rows)


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
        q |= scope.rollup_filter(product_line_id)
    rows = (
        RevenueRollup.objects.filter(q, month__gte=first, month__lte=last)
        .values("scope_kind", "scope_id", "product_line_id")
        .order_by()
        .annotate(total=Sum(column))
    )
    out: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        for scope in scopes:
            if scope.holds_rollup_row(
                scope_kind=row["scope_kind"],
                scope_id=row["scope_id"],
                product_line_id=row["product_line_id"],
            ):
                value = row["total"] or 0
                out[scope.key] += Decimal(value) if column == "won_count" else money(value)
    return dict(out)


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


def objective_names(objectives: list[Objective]) -> dict[int, str]:
    """A readable name per objective for pickers and lists mixing scopes, by id: "Team
    North / Core · 2026 · Won revenue" (one query per scope kind, whatever their number)."""
    scopes = {o.pk: Scope.parse(o.scope_key) for o in objectives}
    labels = scope_labels(scopes.values(), prefixed=True)
    lines = dict(
        ProductLine.objects.filter(
            pk__in={o.product_line_id for o in objectives if o.product_line_id}
        ).values_list("id", "name")
    )
    names = {}
    for o in objectives:
        name = labels.get(scopes[o.pk].key, o.scope_key)
        if o.product_line_id and o.scope_kind != ScopeKind.PRODUCT_LINE:
            name = f"{name} / {lines.get(o.product_line_id, '?')}"
        names[o.pk] = f"{name} · {o.fiscal_year} · {Objective.Measure(o.measure).label}"
    return names


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


def _month_figures(
    scope: Scope, product_line_id: int | None, today: dt.date, cache: Cache | None
) -> tuple[Decimal, Decimal]:
    """Won so far and the weighted open pipeline of today's month, from the rollups."""
    current = today.replace(day=1)
    key = ("rollup", scope.key, product_line_id, fiscal_year_of(today))
    if cache is not None and key in cache and current in cache[key]:
        row = cache[key][current]
    else:
        row = rollup_by_month(
            scope=scope, first_month=current, last_month=current, product_line_id=product_line_id
        )[current]
    return month_so_far(row)


def _forecast_points(
    scope: Scope,
    measure: str,
    product_line_id: int | None,
    today: dt.date,
    cache: Cache | None = None,
) -> dict[str, Any]:
    """The forecast by period ("2026-11"); the month in progress is won so far + the
    forecast of its remainder (metrics.month_in_progress), from the rollups' figures."""
    if measure != Objective.Measure.WON_REVENUE or product_line_id is not None:
        return {"points": {}, "method": "", "summary": "", "warnings": []}
    payload = revenue_forecast_for_scope(
        scope=scope,
        horizon=24,
        today=today,
        month_figures=_month_figures(scope, product_line_id, today, cache),
    )
    return {
        "points": {p["period"]: p for p in payload["forecast"]},
        "method": payload.get("method", ""),
        "summary": forecast_in_words(payload),
        "warnings": list(payload.get("warnings", [])),
    }


def _forecast_cached(
    cache: Cache | None, scope: Scope, measure: str, product_line_id: int | None, today: dt.date
) -> dict[str, Any]:
    result: dict[str, Any] = _memo(
        cache,
        ("forecast", scope.key, measure, product_line_id),
        lambda: _forecast_points(scope, measure, product_line_id, today, cache),
    )
    return result


def _check(user: User | None, scope: Scope, cache: Cache | None = None) -> None:
    """404 unless ``user`` may see ``scope``: asked once per cache (one page's reads)."""
    if user is not None:
        _memo(cache, ("check", scope.key, user.pk), lambda: _checked(user, scope))


def _checked(user: User, scope: Scope) -> bool:
    scope_check(user, scope)
    return True


def _label_cached(cache: Cache | None, scope: Scope) -> str:
    label: str = _memo(cache, ("label", scope.key), lambda: scope.label)
    return label


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

    ``actual`` is None for months not started; ``under_objective`` flags the months under
    objective (metrics.months_under_objective: cumulative, complete months) and
    ``below_month_objective`` the complete months below their own objective. The month in
    progress's forecast is won so far + the forecast of its remainder, never below what is
    won. ``projected_cumulative`` is won to date plus the forecast of the rest; on the last
    month it is the projected landing.
    """
    _check(user, scope, cache)
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
        actuals = won_revenue(rollup)
    else:
        actuals = monthly_actuals(
            scope=scope,
            first_month=months[0],
            last_month=months[-1],
            measure=measure,
            product_line_id=product_line_id,
        )
    forecast = _forecast_cached(cache, scope, measure, product_line_id, today)
    under = set(months_under_objective(targets, actuals, months, today))
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
        if month < current or point is None:
            projected += actual or ZERO
        else:
            projected += _dec(point, "forecast") or ZERO
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
                "under_objective": month in under,
                "below_month_objective": month_below_its_objective(month, target, actual, today),
            }
        )
    return {
        "scope": scope.key,
        "label": _label_cached(cache, scope),
        "fiscal_year": fiscal_year,
        "as_of": today,
        "measure": measure,
        "currency": company_currency() if measure == Objective.Measure.WON_REVENUE else "",
        "objective": _objective_brief(objective),
        "rows": rows,
        "months_under_objective": len(under),
        "forecast_method": forecast["method"],
        "forecast_summary": forecast.get("summary", ""),
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

    Every figure is one of dirco.metrics (docs/metrics.md): won to date, objective to date
    and full, attainment to date and full, gap to date and to period end, weighted pipeline
    and coverage, the forecast categories, the forecast calls (latest first), the forecast
    of the rest of the period and the projected landing (``landing_method`` "forecast", or
    "weighted_pipeline" without a forecast), YoY growth; and the deal statistics (win rate,
    average deal size, cycle length) over the last 12 complete months.
    """
    _check(user, scope, cache)
    fiscal = _period_of(period)
    today = today or timezone.localdate()
    months = fiscal.month_list
    objective, targets = _objective_cached(
        cache, scope, fiscal.fiscal_year, measure, product_line_id, user
    )
    stats_first, _stats_last = stats_window(today)
    rollup = _rollup_cached(
        scope=scope,
        first_month=min(add_months(months[0], -12), stats_first),
        last_month=max(months[-1], today.replace(day=1)),
        product_line_id=product_line_id,
        cache=cache,
        today=today,
        fiscal_year=fiscal.fiscal_year,
    )
    if measure == Objective.Measure.WON_REVENUE:
        actual = won_revenue(rollup)
    else:
        actual = monthly_actuals(
            scope=scope,
            first_month=add_months(months[0], -12),
            last_month=months[-1],
            measure=measure,
            product_line_id=product_line_id,
        )
    standing = kpi_attainment(targets=targets, won=actual, months=months, as_of=today)
    in_period = [rollup[m] for m in months]
    totals = {k: sum(r[k] for r in in_period) for k in ROLLUP_MEASURES}
    weighted = weighted_pipeline(r["open_weighted"] for r in in_period)
    forecast = _forecast_cached(cache, scope, measure, product_line_id, today)
    landing = projected_landing(
        months=months,
        as_of=today,
        won_to_date=standing.won_to_date,
        points=forecast["points"],
        weighted=weighted,
    )
    growth, _this_year, last_year = yoy_growth(actual, months, today)
    stats = deal_stats(
        rollup, today, cycle_middle=_cycles_cached(cache, scope, product_line_id, today)
    )
    calls = list(
        forecast_calls_visible_to(user)
        .filter(scope_key=scope.key, period=fiscal.label)
        .select_related("by")
        .order_by("-at", "-id")[:20]
    )
    return {
        "scope": scope.key,
        "label": _label_cached(cache, scope),
        "period": fiscal.label,
        "period_kind": fiscal.kind,
        "fiscal_year": fiscal.fiscal_year,
        "first_month": months[0],
        "last_month": months[-1],
        "as_of": today,
        "measure": measure,
        "currency": company_currency(),
        "objective": _objective_brief(objective),
        "objective_full": standing.objective_full,
        "objective_to_date": standing.objective_to_date,
        "won_to_date": standing.won_to_date,
        "won_count": totals["won_count"],
        "attainment_to_date_pct": standing.to_date_pct,
        "attainment_full_pct": standing.full_pct,
        "gap_to_date": standing.gap_to_date,
        "remaining_objective": standing.gap_to_period_end,
        "open_amount": money(totals["open_cents"]),
        "open_weighted": weighted,
        "open_count": totals["open_count"],
        "coverage": coverage(weighted, standing.gap_to_period_end),
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
        "statistical_forecast": landing.rest if landing.method == "forecast" else None,
        "statistical_lower80": (
            landing.lower80 - standing.won_to_date if landing.lower80 is not None else None
        ),
        "statistical_upper80": (
            landing.upper80 - standing.won_to_date if landing.upper80 is not None else None
        ),
        "projected_landing": landing.amount,
        "projected_lower80": landing.lower80,
        "projected_upper80": landing.upper80,
        "landing_method": landing.method,
        "projected_attainment_pct": pct(landing.amount, standing.objective_full),
        "won_same_months_last_year": last_year,
        "yoy_growth_pct": growth,
        "win_rate_pct": stats.win_rate_pct,
        "avg_deal_size": stats.avg_deal_size,
        "cycle_days": stats.cycle_days,
        "forecast_summary": forecast.get("summary", ""),
    }


# -- gap to objective --------------------------------------------------------------------------


def _stats_dict(stats: DealStats) -> dict[str, Any]:
    return {
        "won_count": stats.won_count,
        "lost_count": stats.lost_count,
        "avg_deal_size": stats.avg_deal_size,
        "win_rate": stats.win_rate,
        "win_rate_pct": stats.win_rate_pct,
        "cycle_days": stats.cycle_days,
        "best_month": stats.best_month if stats.won_count else None,
    }


def scope_deal_stats(
    *, scope: Scope, today: dt.date, product_line_id: int | None = None
) -> dict[str, Any]:
    """Average won deal size, win rate and cycle length over the last 12 complete months
    (metrics.deal_stats)."""
    first, last = stats_window(today)
    rollup = rollup_by_month(
        scope=scope, first_month=first, last_month=last, product_line_id=product_line_id
    )
    middle = _cycles_cached(None, scope, product_line_id, today)
    return _stats_dict(deal_stats(rollup, today, cycle_middle=middle))


def _cycles_cached(
    cache: Cache | None, scope: Scope, product_line_id: int | None, today: dt.date
) -> tuple[int, int] | None:
    """The scope's two middle won deals' cycles over the statistics window."""
    first, last = stats_window(today)
    if product_line_id is None:
        return _kind_cycles(cache, scope.kind, today).get(scope.id or 0)
    return cycle_middles_of_scope(
        scope=scope, first_month=first, last_month=last, product_line_id=product_line_id
    )


def _kind_cycles(cache: Cache | None, kind: str, today: dt.date) -> dict[int, tuple[int, int]]:
    """The middle cycles of every scope of ``kind`` (one read for the page, see
    :func:`cycles_prefetch`)."""
    first, last = stats_window(today)
    key = ("cycles", kind, first)
    if cache is not None and key in cache:
        cached: dict[int, tuple[int, int]] = cache[key]
        return cached
    middles = cycle_middles_by_kind(kinds=[kind], first_month=first, last_month=last)[kind]
    if cache is not None:
        cache[key] = middles
    return middles


def cycles_prefetch(cache: Cache | None, kinds: list[str], today: dt.date) -> None:
    if cache is None:
        return
    first, last = stats_window(today)
    for kind, middles in cycle_middles_by_kind(
        kinds=kinds, first_month=first, last_month=last
    ).items():
        cache[("cycles", kind, first)] = middles


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
    """Where the scope stands (gap to date, gap to period end) and what it takes, month by
    month, to close the gap at the scope's measured capacity (metrics.what_it_takes): the
    days left, what cannot be won in a month rolled into the next ones, new pipeline only
    where a deal created today can close in time (the measured cycle), and the shortfall
    when the objective cannot be reached.
    """
    _check(user, scope, cache)
    today = today or timezone.localdate()
    current = today.replace(day=1)
    months = fiscal_year_months(fiscal_year)
    objective, targets = _objective_cached(
        cache, scope, fiscal_year, Objective.Measure.WON_REVENUE, product_line_id, user
    )
    first = min(months[0], add_months(current, -36))
    rollup = _rollup_cached(
        scope=scope,
        first_month=first,
        last_month=max(months[-1], current),
        product_line_id=product_line_id,
        cache=cache,
        today=today,
        fiscal_year=fiscal_year,
    )
    stats = deal_stats(
        rollup, today, cycle_middle=_cycles_cached(cache, scope, product_line_id, today)
    )
    won = won_revenue(rollup)
    standing = kpi_attainment(targets=targets, won=won, months=months, as_of=today)
    plan = what_it_takes(
        months=months,
        as_of=today,
        targets=targets,
        won=won,
        weighted={m: weighted_pipeline([rollup[m]["open_weighted"]]) for m in months},
        stats=stats,
    )
    rows = [
        {
            "month": r.month,
            "period": f"{r.month:%Y-%m}",
            "objective": r.objective,
            "carried_over": r.carried_in,
            "won": r.won,
            "weighted_pipeline": r.weighted_pipeline,
            "to_win": r.to_win,
            "gap": r.gap,
            "days_left": r.days_left,
            "capacity": r.capacity,
            "new_deals_can_close": r.new_deals_can_close,
            "planned": r.planned,
            "from_pipeline": r.from_pipeline,
            "from_new_pipeline": r.from_new_pipeline,
            "rolls_over": max(r.carried_out, ZERO),
            "deals_to_win": r.deals_to_win,
            "deals_to_create": r.deals_to_create,
            "pipeline_to_create": r.pipeline_to_create,
            "create_by": r.create_by,
            "late": False,
        }
        for r in plan.rows
    ]
    return {
        "scope": scope.key,
        "label": _label_cached(cache, scope),
        "fiscal_year": fiscal_year,
        "as_of": today,
        "currency": company_currency(),
        "objective": _objective_brief(objective),
        "stats": _stats_dict(stats),
        "objective_full": standing.objective_full,
        "objective_to_date": standing.objective_to_date,
        "won_to_date": standing.won_to_date,
        "attainment_to_date_pct": standing.to_date_pct,
        "behind_to_date": standing.gap_to_date,
        "gap_to_period_end": standing.gap_to_period_end,
        "rows": rows,
        "total_gap": standing.gap_to_period_end,
        "total_deals_to_win": plan.total("deals_to_win"),
        "total_deals_to_create": plan.total("deals_to_create"),
        "total_pipeline_to_create": plan.total("pipeline_to_create", ZERO),
        "capacity": plan.capacity,
        "shortfall": plan.shortfall,
        "shortfall_pct": plan.shortfall_pct,
        "reachable": plan.reachable,
    }


# -- leaderboards ------------------------------------------------------------------------------

LEADERBOARD_KINDS = ("rep", "team", "partner", "product_line")


def _visible_ids(kind: str, user: User) -> list[int] | None:
    """The ids of ``kind`` the user may see on a leaderboard; None: all of them."""
    return leaderboard_visible_ids(kind=kind, user=user)


def leaderboard(
    *,
    kind: str,
    fiscal_year: int,
    user: User,
    today: dt.date | None = None,
    cache: Cache | None = None,
) -> list[dict[str, Any]]:
    """Reps, teams, partners or product lines side by side for a fiscal year, as of today.

    Each row, with the definitions of dirco.metrics: won to date, objective (full year and
    to date), attainment (full year and to date), gap to date, YoY growth (complete months),
    weighted pipeline (the fiscal year's open deals), win rate, average deal size and cycle
    length (last 12 complete months), deals created and activities done and created (to
    date, reps and teams). Only what ``user`` may see (rows and objectives); sorted by
    attainment to date, then won.
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
        kind=kind, visible=visible, first=months[0], last=months[-1], today=today
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
    year_objective: dict[int, Decimal] = {}
    scope_of: dict[int, int] = {}  # objective id -> scope id
    for ident, objective_id, amount in objectives.values_list(fk, "id", "amount"):
        year_objective[ident] = amount
        scope_of[objective_id] = ident
    targets = {
        scope_of[objective_id]: months_to_date
        for objective_id, months_to_date in _objective_months_to_date(
            list(scope_of), first=months[0], current=current
        ).items()
    }
    ids = set(data) | set(year_objective)
    labels = _labels(kind, ids)
    activities = _activity_counts(kind, ids, months[0], to_date_last)
    cycles = _kind_cycles(cache, kind, today)
    out: list[dict[str, Any]] = []
    for ident in ids:
        row = data.get(ident, {})
        won = money(row.get("won"))
        target = year_objective.get(ident)
        standing = Attainment(
            as_of=today,
            objective_full=target or ZERO,
            objective_to_date=objective_to_date(targets.get(ident, {}), months, today),
            won_to_date=won,
        )
        stats = DealStats(
            won_count=int(row.get("stats_won_count") or 0),
            lost_count=int(row.get("stats_lost_count") or 0),
            won_cents=int(row.get("stats_won") or 0),
            cycle_middle=cycles.get(ident),
        )
        won_complete, won_ly = money(row.get("won_complete")), money(row.get("won_ly"))
        has_complete = months[0] < current
        done, created = activities.get(ident, (None, None))
        out.append(
            {
                "scope": Scope(kind, ident).key,
                "id": ident,
                "label": labels.get(ident, Scope(kind, ident).key),
                "won": won,
                "won_count": int(row.get("won_count") or 0),
                "objective": target,
                "objective_to_date": standing.objective_to_date if target is not None else None,
                "attainment_pct": standing.full_pct if target is not None else None,
                "attainment_to_date_pct": standing.to_date_pct if target is not None else None,
                "gap_to_date": standing.gap_to_date if target is not None else None,
                "won_last_year": won_ly,
                "growth_pct": pct(won_complete - won_ly, won_ly) if has_complete else None,
                "win_rate_pct": stats.win_rate_pct,
                "avg_deal_size": stats.avg_deal_size,
                "cycle_days": stats.cycle_days,
                "open_weighted": weighted_pipeline([int(row.get("weighted") or 0)]),
                "deals_created": int(row.get("created") or 0),
                "activities_done": done,
                "activities_created": created,
            }
        )
    out.sort(
        key=lambda r: (
            r["attainment_to_date_pct"] is None,
            -(r["attainment_to_date_pct"] or 0),
            -r["won"],
            r["label"],
        )
    )
    for rank, r in enumerate(out, start=1):
        r["rank"] = rank
    return out


def _objective_months_to_date(
    objective_ids: list[int], *, first: dt.date, current: dt.date
) -> dict[int, dict[dt.date, Decimal]]:
    """Per objective, its months to date in the shape :func:`objective_to_date` reads: the
    complete months' sum (on the period's first month) and the current month's objective.
    One row per objective, summed by the database, instead of a row per month (the rep
    leaderboard read 240 rows for 20 reps)."""
    if not objective_ids:
        return {}
    ops = connection.ops
    table = ops.quote_name(ObjectiveMonth._meta.db_table)
    d = ops.adapt_datefield_value
    sql = (
        "SELECT objective_id, SUM(CASE WHEN month < %s THEN amount ELSE 0 END), "
        "SUM(CASE WHEN month = %s THEN amount ELSE 0 END) "
        f"FROM {table} WHERE objective_id IN ({', '.join(['%s'] * len(objective_ids))}) "
        "GROUP BY objective_id"
    )
    out: dict[int, dict[dt.date, Decimal]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [d(current), d(current), *objective_ids])
        for objective_id, complete, this_month in cursor.fetchall():
            # SQLite sums decimals as floats: back to cents (amounts are in cents).
            out[objective_id] = {
                first: Decimal(str(complete or 0)).quantize(CENT),
                current: Decimal(str(this_month or 0)).quantize(CENT),
            }
    return out


def _leaderboard_sums(
    *, kind: str, visible: list[int] | None, first: dt.date, last: dt.date, today: dt.date
) -> dict[int, dict[str, int]]:
    """Per scope id, from the rollups: won to date, won over the complete months and the
    same months last year, the fiscal year's weighted pipeline, the deal statistics' window.

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
    current = today.replace(day=1)
    to_date = [d(first), d(min(current, last))]
    complete_last = min(add_months(current, -1), last)
    complete = [d(first), d(complete_last)]
    stats_first, stats_last = stats_window(today)
    window = [d(stats_first), d(stats_last)]
    between = "month >= %s AND month <= %s"
    columns = [
        ("won", "won_cents", to_date),
        ("won_count", "won_count", to_date),
        ("created", "created_count", to_date),
        ("won_complete", "won_cents", complete),
        ("won_ly", "won_cents", [d(add_months(first, -12)), d(add_months(complete_last, -12))]),
        ("weighted", "open_weighted", [d(first), d(last)]),
        ("stats_won_count", "won_count", window),
        ("stats_lost_count", "lost_count", window),
        ("stats_won", "won_cents", window),
    ]
    select = ", ".join(f"SUM(CASE WHEN {between} THEN {col} ELSE 0 END)" for _n, col, _p in columns)
    select_params = [p for *_x, ps in columns for p in ps]
    low = min(add_months(first, -12), stats_first)
    sql = (
        f"SELECT {key}, {select} FROM {table} WHERE {where} AND month >= %s AND month <= %s "
        f"GROUP BY {key}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*select_params, *params, d(low), d(max(last, stats_last))])
        return {
            row[0]: {name: int(row[i] or 0) for i, (name, *_r) in enumerate(columns, start=1)}
            for row in cursor.fetchall()
        }


def _labels(kind: str, ids: set[Any]) -> dict[Any, str]:
    if not ids:
        return {}
    if kind == "rep":
        return {  # User.__str__, without building the users
            pk: f"{first} {last}".strip() or email
            for pk, first, last, email in User.objects.filter(pk__in=ids).values_list(
                "id", "first_name", "last_name", "email"
            )
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
    cycles_prefetch(cache, ["company", "team", "rep"], today)  # one read of the cycles
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
        "teams": leaderboard(
            kind="team", fiscal_year=fiscal_year, user=user, today=today, cache=cache
        ),
        "reps": leaderboard(
            kind="rep", fiscal_year=fiscal_year, user=user, today=today, cache=cache
        ),
        "gap": gap_to_objective(
            scope=company, fiscal_year=fiscal_year, user=user, today=today, cache=cache
        ),
    }
