"""Reads of the rollup tables: every won-revenue figure of a scope comes from here.

The forecast (revenue) and the cockpit (objectives) both read a scope's months through
:func:`rollup_by_month` and turn them into figures with :mod:`dirco.metrics`
(``won_revenue``, ``month_so_far``, ``deal_stats``): a scope's won revenue of a month is
one value on the forecast page, the curve, the home and the API. Each read is one bounded
query (rows per scope and month, not per deal).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Min, Q, QuerySet, Sum

from dirco.core.periods import month_add
from dirco.metrics import CENT, month_so_far, won_revenue
from dirco.pipeline.models import Deal
from dirco.pipeline.selectors import DealFigures, FigurePeriods
from dirco.rollups.models import ROLLUP_MEASURES, CycleMiddle, CycleRollup, RevenueRollup
from dirco.scopes import Scope

Rollup = dict[dt.date, dict[str, int]]


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    out = []
    while first <= last:
        out.append(first)
        first = month_add(first, 1)
    return out


def rollup_by_month(
    *, scope: Scope, first_month: dt.date, last_month: dt.date, product_line_id: int | None = None
) -> Rollup:
    """The rollup measures of a scope per month (first days), zero-filled: one query.

    Raw SQL, as the leaderboard's sums: the ORM's fourteen sums cost more to build and to
    convert than the database spends on them (a page reads one to three of these)."""
    where, params = _plain_where(scope.rollup_filter(product_line_id))
    ops = connection.ops
    sums = ", ".join(f"SUM({ops.quote_name(m)})" for m in ROLLUP_MEASURES)
    sql = (
        f"SELECT month, {sums} FROM {ops.quote_name(RevenueRollup._meta.db_table)} "
        f"WHERE {where} AND month >= %s AND month <= %s GROUP BY month"
    )
    d = ops.adapt_datefield_value
    out: Rollup = {
        m: dict.fromkeys(ROLLUP_MEASURES, 0) for m in months_between(first_month, last_month)
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, d(first_month), d(last_month)])
        for month, *values in cursor.fetchall():
            if isinstance(month, str):  # SQLite answers dates as text
                month = dt.date.fromisoformat(month)
            out[month] = {m: int(v or 0) for m, v in zip(ROLLUP_MEASURES, values, strict=True)}
    return out


def _plain_where(q: Q) -> tuple[str, list[Any]]:
    """A condition made only of equalities on columns, ANDed (a scope's ``rollup_filter``),
    as SQL and its parameters."""
    if q.negated or (q.connector != Q.AND and len(q.children) > 1):
        raise ValueError(f"Not a plain AND of equalities: {q!r}")
    parts: list[str] = []
    params: list[Any] = []
    for child in q.children:
        if isinstance(child, Q):
            sql, more = _plain_where(child)
            parts.append(sql)
            params += more
        else:
            column, value = child  # type: ignore[misc]
            if "__" in column:
                raise ValueError(f"Not a plain equality: {column}")
            parts.append(f"{connection.ops.quote_name(column)} = %s")
            params.append(value)
    return " AND ".join(parts) or "1 = 1", params


def monthly_won_revenue(
    *, scope: Scope, first_month: dt.date, last_month: dt.date, product_line_id: int | None = None
) -> list[tuple[dt.date, Decimal]]:
    """Won revenue per month from ``first_month`` to ``last_month``, zero-filled
    (:func:`dirco.metrics.won_revenue` of the rollups)."""
    won = won_revenue(
        rollup_by_month(
            scope=scope,
            first_month=first_month,
            last_month=last_month,
            product_line_id=product_line_id,
        )
    )
    return sorted(won.items())


def first_won_month(*, scope: Scope) -> dt.date | None:
    """The first month with a won deal in the scope."""
    first: dt.date | None = (
        RevenueRollup.objects.filter(scope.rollup_filter(), won_count__gt=0)
        .aggregate(first=Min("month"))
        .get("first")
    )
    return first


def month_in_progress_figures(
    *, scope: Scope, month: dt.date, product_line_id: int | None = None
) -> tuple[Decimal, Decimal]:
    """Won so far in ``month`` and its weighted open pipeline (:func:`dirco.metrics.month_so_far`)."""
    row = rollup_by_month(
        scope=scope, first_month=month, last_month=month, product_line_id=product_line_id
    )[month]
    return month_so_far(row)


def _cycle_histogram(
    q: Q, first_month: dt.date, last_month: dt.date, *keys: str
) -> QuerySet[Any, Any]:
    """Won deals per cycle length (``n``), grouped by ``keys`` too, of the rows ``q``."""
    histogram: QuerySet[Any, Any] = (
        CycleRollup.objects.filter(
            q, won_count__gt=0, month__gte=first_month, month__lte=last_month
        )
        .values(*keys, "cycle_days")
        .order_by()
        .annotate(n=Sum("won_count"))
    )
    return histogram


def _middles(histogram: QuerySet[Any, Any], key: str | None) -> dict[Any, tuple[int, int]]:
    """The two middle deals' cycles per ``key`` of a histogram queryset (rows: key,
    cycle_days, n), computed by the database with running sums: one row per scope comes
    back, however many cycle lengths. Same rule as :func:`dirco.metrics.cycle_middle`."""
    sql, params = histogram.query.sql_with_params()
    q = connection.ops.quote_name
    k = q(key) if key else "0"
    by = f"PARTITION BY {k} " if key else ""
    wrapped = (
        f"SELECT k, MIN(CASE WHEN 2 * cum > total - 1 THEN cycle_days END), "
        f"MIN(CASE WHEN 2 * cum > total THEN cycle_days END) FROM ("
        f"SELECT {k} AS k, {q('cycle_days')} AS cycle_days, "
        f"SUM({q('n')}) OVER ({by}ORDER BY {q('cycle_days')}) AS cum, "
        f"SUM({q('n')}) OVER ({by.strip()}) AS total FROM ({sql}) h) c GROUP BY k"
    )
    with connection.cursor() as cursor:
        cursor.execute(wrapped, params)
        return {
            row[0]: (int(row[1]), int(row[2])) for row in cursor.fetchall() if row[1] is not None
        }


def cycle_middles_of_scope(
    *, scope: Scope, first_month: dt.date, last_month: dt.date, product_line_id: int | None = None
) -> tuple[int, int] | None:
    """The cycles of the two middle won deals of a scope in the months: from the cached
    middles of its kind (:func:`cycle_middles`), or one query when narrowed to a line."""
    if product_line_id is None:
        ident = scope.id or 0
        return cycle_middles(
            kind=scope.kind, ids=[ident], first_month=first_month, last_month=last_month
        ).get(ident)
    histogram = _cycle_histogram(scope.rollup_filter(product_line_id), first_month, last_month)
    return _middles(histogram, None).get(0)


def cycle_middles(
    *, kind: str, ids: Iterable[int] | None, first_month: dt.date, last_month: dt.date
) -> dict[int, tuple[int, int]]:
    """The cycles of the two middle won deals of every scope of ``kind`` (all, or ``ids``),
    by id, for a whole leaderboard (:func:`cycle_middles_by_kind`)."""
    middles = cycle_middles_by_kind(kinds=[kind], first_month=first_month, last_month=last_month)[
        kind
    ]
    if ids is None:
        return middles
    wanted = set(ids)
    return {i: m for i, m in middles.items() if i in wanted}


def cycle_middles_by_kind(
    *, kinds: Iterable[str], first_month: dt.date, last_month: dt.date
) -> dict[str, dict[int, tuple[int, int]]]:
    """Per scope kind, the middle cycles of its scopes by id: one read of the cache
    (:class:`CycleMiddle`) for all the kinds; a kind not cached yet is read from the
    histogram (one query) and cached. Product lines read the company's rows."""
    kinds = list(dict.fromkeys(kinds))
    window = {"window_first": first_month, "window_last": last_month}
    out: dict[str, dict[int, tuple[int, int]]] = {kind: {} for kind in kinds}
    complete: set[str] = set()
    for kind, scope_id, lower, upper in CycleMiddle.objects.filter(
        scope_kind__in=kinds, **window
    ).values_list("scope_kind", "scope_id", "lower_days", "upper_days"):
        if scope_id == _COMPLETE:
            complete.add(kind)
        elif lower is not None and upper is not None:
            out[kind][scope_id] = (lower, upper)
    for kind in kinds:
        if kind in complete:
            continue
        out[kind] = _cycle_middles_read(kind=kind, first_month=first_month, last_month=last_month)
        CycleMiddle.objects.bulk_create(
            [
                CycleMiddle(scope_kind=kind, scope_id=i, lower_days=lo, upper_days=up, **window)
                for i, (lo, up) in out[kind].items()
            ]
            + [CycleMiddle(scope_kind=kind, scope_id=_COMPLETE, **window)],
            ignore_conflicts=True,
        )
    return out


_COMPLETE = -1  # the CycleMiddle row saying a kind's window is all cached


def _cycle_middles_read(
    *, kind: str, first_month: dt.date, last_month: dt.date
) -> dict[int, tuple[int, int]]:
    if kind == "product_line":
        q = Q(scope_kind="company", scope_id=0)
        key = "product_line_id"
    else:
        q = Q(scope_kind=kind)
        key = "scope_id"
    histogram = (
        CycleRollup.objects.filter(
            q, won_count__gt=0, month__gte=first_month, month__lte=last_month
        )
        .values(key, "cycle_days")
        .order_by()
        .annotate(n=Sum("won_count"))
    )
    return _middles(histogram, key)


def won_and_created_by_scope_month(
    *, scope_kind: str, first_month: dt.date, last_month: dt.date
) -> dict[tuple[int, dt.date], tuple[Decimal, int]]:
    """(won revenue, deals created) of every scope of a kind ("rep", "team") per month, all
    product lines: one query, rows per scope and month (team dynamics reads all reps at once).
    Months without a row are absent (zero)."""
    rows = (
        RevenueRollup.objects.filter(
            scope_kind=scope_kind, month__gte=first_month, month__lte=last_month
        )
        .values("scope_id", "month")
        .order_by()
        .annotate(won=Sum("won_cents"), created=Sum("created_count"))
    )
    return {
        (int(r["scope_id"]), r["month"]): (
            won_revenue({r["month"]: {"won_cents": int(r["won"] or 0)}})[r["month"]],
            int(r["created"] or 0),
        )
        for r in rows
    }


def deal_figures_of_scopes(
    *, scopes: Sequence[Scope], deals: QuerySet[Deal], periods: FigurePeriods
) -> DealFigures:
    """:func:`dirco.pipeline.selectors.deal_figures` of the deals of ``scopes`` (none in two
    of them), read from the revenue rollup: one query over a few hundred rows, plus one over
    the won deals of a single month when the last 12 months start inside one. ``deals`` are
    the same deals as a queryset, for that month. Registered in the pipeline's
    ``scope_figures_readers`` by this app's ``ready``."""
    p = periods
    # The rollup's months are first days: a deal won on the month's first day onwards counts
    # from the month, so the month and the quarter are whole months; the 12 months start the
    # day after ``year_ago``: whole months after its month, and its month's tail from deals.
    first_whole = month_add(p.year_ago.replace(day=1), 1)
    d = connection.ops.adapt_datefield_value
    # (name, column, condition on the month or "", its date): raw SQL, as rollup_by_month.
    sums = [
        ("won", "won_count", "", None),
        ("lost", "lost_count", "", None),
        ("open", "open_count", "", None),
        ("open_cents", "open_cents", "", None),
        ("won_month", "won_cents", ">=", p.month_start),
        ("won_quarter", "won_cents", ">=", p.quarter_start),
        ("won_12_months", "won_cents", ">=", first_whole),
        ("closing", "open_count", "=", p.month_start),
    ]
    select = ", ".join(
        f"SUM(CASE WHEN month {op} %s THEN {column} ELSE 0 END)" if op else f"SUM({column})"
        for _name, column, op, _day in sums
    )
    params: list[Any] = [d(day) for _name, _column, op, day in sums if op]
    wheres = []
    for scope in scopes:
        where, more = _plain_where(scope.rollup_filter())
        wheres.append(f"({where})")
        params += more
    table = connection.ops.quote_name(RevenueRollup._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {select} FROM {table} WHERE {' OR '.join(wheres) or '1 = 0'}", params
        )
        row = cursor.fetchone()
    agg = {f"s_{name}": value for (name, *_rest), value in zip(sums, row, strict=True)}
    tail = Decimal(0)
    if p.year_ago + dt.timedelta(days=1) < first_whole:
        tail = deals.filter(
            stage__is_won=True, close_date__gt=p.year_ago, close_date__lt=first_whole
        ).aggregate(total=Sum("amount_company"))["total"] or Decimal(0)

    def count(name: str) -> int:
        return int(agg[f"s_{name}"] or 0)

    def amount(name: str) -> Decimal:
        return (Decimal(int(agg[f"s_{name}"] or 0)) / 100).quantize(CENT)

    return DealFigures(
        deal_count=count("won") + count("lost") + count("open"),
        open_count=count("open"),
        open_total=amount("open_cents"),
        won_count=count("won"),
        lost_count=count("lost"),
        won_month=amount("won_month"),
        won_quarter=amount("won_quarter"),
        won_12_months=amount("won_12_months") + tail,
        closing_this_month=count("closing"),
    )
