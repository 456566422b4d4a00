"""Monthly rollups of deals and activities: kept exact on every write, rebuildable at once.

The pipeline services call :func:`rollups_apply_deal_change` (registered in
``pipeline.hooks`` by this app's ``ready``) with the deal before and after the write, inside the write's
transaction: the rollup moves by the difference, one upsert statement per write.
:func:`rollups_rebuild` recomputes everything from the deals with set-based SQL (GROUP BY);
the demo seed and bulk imports, which bypass the services, call it at their end.

Each deal counts once per scope: the scopes are those of :func:`dirco.scopes.scopes_of_deal`,
and the rebuild's SQL is generated from the same table (:data:`dirco.scopes.DEAL_SCOPE_FIELDS`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Q

from dirco.pipeline.hooks import ActivitySnapshot, DealSnapshot
from dirco.pipeline.models import ForecastCategory
from dirco.rollups.models import (
    ROLLUP_MEASURES,
    ActivityRollup,
    CycleMiddle,
    CycleRollup,
    RevenueRollup,
)
from dirco.scopes import DEAL_SCOPE_FIELDS, ROLLUP_ROW_KINDS, scopes_of_deal

RollupKey = tuple[str, int, int, "object"]  # (scope_kind, scope_id, product_line_id, month)
Deltas = dict[tuple[str, int, int, object], dict[str, int]]
# (scope_kind, scope_id, product_line_id, month, cycle_days) -> won deals
CycleDeltas = dict[tuple[str, int, int, dt.date, int], int]
_KEY = ("scope_kind", "scope_id", "product_line_id", "month")
_CYCLE_KEY = (*_KEY, "cycle_days")

_CATEGORY_COLUMN = {
    ForecastCategory.COMMIT: "commit_cents",
    ForecastCategory.CLOSED: "commit_cents",  # an open deal marked closed: counted as commit
    ForecastCategory.BEST_CASE: "best_case_cents",
    ForecastCategory.PIPELINE: "pipeline_cents",
    ForecastCategory.OMITTED: "omitted_cents",
}


# Derived tables of higher apps that follow the deals like the rollups (e.g. the team
# dynamics' won revenue by owner): their app's ``ready`` appends a function that recomputes
# its table from the deals; :func:`rollups_rebuild` runs them in its transaction.
rebuild_hooks: list[Callable[[], object]] = []


def amount_cents(amount: Decimal) -> int:
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def deal_scope_ids(snapshot: DealSnapshot) -> list[tuple[str, int]]:
    """The rollup rows' (scope_kind, scope_id) a deal counts in, each once
    (:func:`dirco.scopes.scopes_of_deal`; product lines are a column of every row)."""
    return [(s.kind, s.id or 0) for s in scopes_of_deal(snapshot, kinds=ROLLUP_ROW_KINDS)]


def deal_contribution(snapshot: DealSnapshot) -> dict[object, dict[str, int]]:
    """What one deal adds, per month: {month: {measure: value}} (months are first days)."""
    cents = amount_cents(snapshot.amount_company)
    by_month: dict[object, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    if snapshot.is_won or snapshot.is_lost:
        closed_on = snapshot.close_date or snapshot.expected_close_date
        row = by_month[closed_on.replace(day=1)]
        if snapshot.is_won:
            row["won_count"] += 1
            row["won_cents"] += cents
            row["won_cycle_days"] += (closed_on - snapshot.created_on).days
        else:
            row["lost_count"] += 1
            row["lost_cents"] += cents
    else:
        row = by_month[snapshot.expected_close_date.replace(day=1)]
        row["open_count"] += 1
        row["open_cents"] += cents
        row["open_weighted"] += cents * snapshot.probability
        column = _CATEGORY_COLUMN.get(snapshot.forecast_category, "pipeline_cents")  # type: ignore[call-overload]
        row[column] += cents
    created = by_month[snapshot.created_on.replace(day=1)]
    created["created_count"] += 1
    created["created_cents"] += cents
    return by_month


def deal_cycle(snapshot: DealSnapshot) -> tuple[dt.date, int] | None:
    """A won deal's (close month, cycle length in days: creation to close); None if not won."""
    if not snapshot.is_won:
        return None
    closed_on = snapshot.close_date or snapshot.expected_close_date
    return closed_on.replace(day=1), (closed_on - snapshot.created_on).days


def _add(deltas: Deltas, snapshot: DealSnapshot, sign: int, cycles: CycleDeltas) -> None:
    contribution = deal_contribution(snapshot)
    cycle = deal_cycle(snapshot)
    for kind, scope_id in deal_scope_ids(snapshot):
        for month, values in contribution.items():
            row = deltas.setdefault((kind, scope_id, snapshot.product_line_id, month), {})
            for name, value in values.items():
                row[name] = row.get(name, 0) + sign * value
        if cycle is not None:
            key = (kind, scope_id, snapshot.product_line_id, cycle[0], cycle[1])
            cycles[key] = cycles.get(key, 0) + sign


def rollups_apply_deal_change(before: DealSnapshot | None, after: DealSnapshot | None) -> None:
    """Move the rollups by (after - before); either side may be None (creation, deletion)."""
    deltas: Deltas = {}
    cycles: CycleDeltas = {}
    if before is not None:
        _add(deltas, before, -1, cycles)
    if after is not None:
        _add(deltas, after, +1, cycles)
    # Sorted: every writer takes the rows it shares with others in one order, so two writes
    # never wait on each other's rows crosswise (PostgreSQL's deadlock).
    rows = sorted(
        ((key, values) for key, values in deltas.items() if any(values.values())),
        key=lambda row: row[0],  # type: ignore[arg-type, return-value]
    )
    if rows:
        _upsert(RevenueRollup._meta.db_table, _KEY, ROLLUP_MEASURES, rows)
    cycle_rows = [(key, {"won_count": n}) for key, n in cycles.items() if n]
    if cycle_rows:
        _upsert(CycleRollup._meta.db_table, _CYCLE_KEY, ("won_count",), cycle_rows)
        cycle_middles_forget(months={key[3] for key, _n in cycle_rows})


def cycle_middles_forget(*, months: Iterable[dt.date] | None = None) -> None:
    """Empty the cached middle cycles (:class:`CycleMiddle`) of every window holding one of
    ``months`` (all of them when None)."""
    if months is None:
        CycleMiddle.objects.all().delete()
        return
    q = Q(pk__in=[])
    for month in set(months):
        q |= Q(window_first__lte=month, window_last__gte=month)
    CycleMiddle.objects.filter(q).delete()


def rollups_apply_activity_change(
    before: ActivitySnapshot | None, after: ActivitySnapshot | None
) -> None:
    deltas: dict[tuple[int, object], dict[str, int]] = {}
    for snapshot, sign in ((before, -1), (after, +1)):
        if snapshot is None:
            continue
        created = deltas.setdefault((snapshot.owner_id, snapshot.created_on.replace(day=1)), {})
        created["created_count"] = created.get("created_count", 0) + sign
        if snapshot.done_on is not None:
            done = deltas.setdefault((snapshot.owner_id, snapshot.done_on.replace(day=1)), {})
            done["done_count"] = done.get("done_count", 0) + sign
    rows = sorted(
        ((key, values) for key, values in deltas.items() if any(values.values())),
        key=lambda row: row[0],  # type: ignore[arg-type, return-value]
    )
    if rows:
        _upsert(
            ActivityRollup._meta.db_table,
            ("owner_id", "month"),
            ("created_count", "done_count"),
            rows,
        )


def _upsert(
    table: str,
    key_columns: tuple[str, ...],
    measures: tuple[str, ...],
    rows: Sequence[tuple[tuple[Any, ...], dict[str, int]]],
) -> None:
    """One INSERT ... ON CONFLICT DO UPDATE adding the deltas (SQLite >= 3.24 and PostgreSQL)."""
    ops = connection.ops
    columns = (*key_columns, *measures)
    values_sql = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(rows))
    params: list[Any] = []
    for key, values in rows:
        params += [ops.adapt_datefield_value(k) if isinstance(k, dt.date) else k for k in key]
        params += [values.get(name, 0) for name in measures]
    q = ops.quote_name
    sql = (
        f"INSERT INTO {q(table)} ({', '.join(q(c) for c in columns)}) VALUES {values_sql} "
        f"ON CONFLICT ({', '.join(q(c) for c in key_columns)}) DO UPDATE SET "
        + ", ".join(f"{q(m)} = {q(table)}.{q(m)} + excluded.{q(m)}" for m in measures)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# -- rebuild from scratch ----------------------------------------------------------------------


def _vendor_sql() -> dict[str, str]:
    if connection.vendor == "postgresql":
        return {
            "month": "CAST(date_trunc('month', {col}) AS date)",
            "created_day": "CAST((d.created_at AT TIME ZONE 'UTC') AS date)",
            "created_month": "CAST(date_trunc('month', d.created_at AT TIME ZONE 'UTC') AS date)",
            "days": "({a} - {b})",
            "cents": "CAST(ROUND(d.amount_company * 100) AS BIGINT)",
            "true": "TRUE",
            "act_month": "CAST(date_trunc('month', {col} AT TIME ZONE 'UTC') AS date)",
        }
    return {
        "month": "date({col}, 'start of month')",
        "created_day": "date(d.created_at)",
        "created_month": "date(d.created_at, 'start of month')",
        "days": "CAST(julianday({a}) - julianday({b}) AS INTEGER)",
        "cents": "CAST(ROUND(d.amount_company * 100) AS INTEGER)",
        "true": "1",
        "act_month": "date({col}, 'start of month')",
    }


# The grain's columns as read from the deal and its partner.
_GRAIN_COLUMNS = {
    "owner_id": "d.owner_id",
    "team_id": "d.team_id",
    "partner_id": "d.partner_id",
    "channel_manager_id": "p.channel_manager_id",
    "product_line_id": "d.product_line_id",
}


def _grain_sql(deal_where: str) -> str:
    """Deals summed per (owner, team, partner, channel manager, product line, month)."""
    v = _vendor_sql()
    closed_on = "COALESCE(d.close_date, d.expected_close_date)"
    status_month = (
        f"CASE WHEN s.is_won = {v['true']} OR s.is_lost = {v['true']} "
        f"THEN {v['month'].format(col=closed_on)} "
        f"ELSE {v['month'].format(col='d.expected_close_date')} END"
    )
    won = f"(s.is_won = {v['true']})"
    lost = f"(s.is_lost = {v['true']})"
    open_ = f"(s.is_won <> {v['true']} AND s.is_lost <> {v['true']})"
    cents = v["cents"]
    cycle = v["days"].format(a=closed_on, b=v["created_day"])

    def cat(*names: str) -> str:
        listed = ", ".join(f"'{n}'" for n in names)
        return f"CASE WHEN {open_} AND d.forecast_category IN ({listed}) THEN {cents} ELSE 0 END"

    dims = (
        "d.owner_id, d.team_id, d.partner_id, p.channel_manager_id AS channel_manager_id, "
        "d.product_line_id"
    )
    tables = (
        "pipeline_deal d JOIN pipeline_stage s ON s.id = d.stage_id "
        "LEFT JOIN partners_partner p ON p.id = d.partner_id"
    )
    where = f"WHERE {deal_where}" if deal_where else ""
    status_select = f"""
        SELECT {dims}, {status_month} AS month,
          CASE WHEN {won} THEN 1 ELSE 0 END AS won_count,
          CASE WHEN {won} THEN {cents} ELSE 0 END AS won_cents,
          CASE WHEN {won} THEN {cycle} ELSE 0 END AS won_cycle_days,
          CASE WHEN {lost} THEN 1 ELSE 0 END AS lost_count,
          CASE WHEN {lost} THEN {cents} ELSE 0 END AS lost_cents,
          CASE WHEN {open_} THEN 1 ELSE 0 END AS open_count,
          CASE WHEN {open_} THEN {cents} ELSE 0 END AS open_cents,
          CASE WHEN {open_} THEN {cents} * d.probability ELSE 0 END AS open_weighted,
          {cat("commit", "closed")} AS commit_cents,
          {cat("best_case")} AS best_case_cents,
          {cat("pipeline")} + CASE WHEN {open_} AND d.forecast_category NOT IN
            ('commit', 'closed', 'best_case', 'pipeline', 'omitted') THEN {cents} ELSE 0 END
            AS pipeline_cents,
          {cat("omitted")} AS omitted_cents,
          0 AS created_count, 0 AS created_cents
        FROM {tables} {where}"""
    zeros = ", ".join(f"0 AS {m}" for m in ROLLUP_MEASURES[:-2])
    created_select = f"""
        SELECT {dims}, {v["created_month"]} AS month, {zeros},
          1 AS created_count, {cents} AS created_cents
        FROM {tables} {where}"""
    sums = ", ".join(f"SUM({m}) AS {m}" for m in ROLLUP_MEASURES)
    return f"""
        SELECT owner_id, team_id, partner_id, channel_manager_id, product_line_id, month, {sums}
        FROM ({status_select} UNION ALL {created_select}) facts
        GROUP BY owner_id, team_id, partner_id, channel_manager_id, product_line_id, month"""


def _scopes_sql(
    kinds: Iterable[str],
    rep_filter: str = "",
    *,
    keys: tuple[str, ...] = ("product_line_id", "month"),
    measures: tuple[str, ...] = ROLLUP_MEASURES,
) -> str:
    """The grain projected on the scopes of ``kinds``, one SELECT per field of
    DEAL_SCOPE_FIELDS; a deal whose second field equals its first counts once."""
    cols = ", ".join((*keys, *measures))
    key_cols = ", ".join(keys)
    selects = []
    for kind in kinds:
        fields = DEAL_SCOPE_FIELDS[kind]
        if not fields:
            selects.append(f"SELECT '{kind}' AS scope_kind, 0 AS scope_id, {cols} FROM grain")
            continue
        for n, field in enumerate(fields):
            where = [f"{field} IS NOT NULL"]
            where += [f"{field} <> {earlier}" for earlier in fields[:n]]
            if kind == "rep" and rep_filter:
                where.append(f"{field} IN ({rep_filter})")
            selects.append(
                f"SELECT '{kind}' AS scope_kind, {field} AS scope_id, {cols} "
                f"FROM grain WHERE {' AND '.join(where)}"
            )
    union = " UNION ALL ".join(selects)
    sums = ", ".join(f"SUM({m})" for m in measures)
    return (
        f"SELECT scope_kind, scope_id, {key_cols}, {sums} FROM ({union}) scoped "
        f"GROUP BY scope_kind, scope_id, {key_cols}"
    )


def _cycle_grain_sql(deal_where: str) -> str:
    """Won deals counted per (owner, team, partner, channel manager, product line, close
    month, cycle length in days)."""
    v = _vendor_sql()
    closed_on = "COALESCE(d.close_date, d.expected_close_date)"
    month = v["month"].format(col=closed_on)
    cycle = v["days"].format(a=closed_on, b=v["created_day"])
    where = f"s.is_won = {v['true']}" + (f" AND ({deal_where})" if deal_where else "")
    return f"""
        SELECT d.owner_id AS owner_id, d.team_id AS team_id, d.partner_id AS partner_id,
          p.channel_manager_id AS channel_manager_id, d.product_line_id AS product_line_id,
          {month} AS month, {cycle} AS cycle_days, COUNT(*) AS won_count
        FROM pipeline_deal d JOIN pipeline_stage s ON s.id = d.stage_id
        LEFT JOIN partners_partner p ON p.id = d.partner_id
        WHERE {where}
        GROUP BY d.owner_id, d.team_id, d.partner_id, p.channel_manager_id, d.product_line_id,
          {month}, {cycle}"""


def _cycles_insert(
    cursor: Any, deal_where: str, kinds: Iterable[str], rep_filter: str = ""
) -> None:
    table = CycleRollup._meta.db_table
    cursor.execute(
        f"WITH grain AS MATERIALIZED ({_cycle_grain_sql(deal_where)}) "
        f"INSERT INTO {table} ({', '.join((*_CYCLE_KEY, 'won_count'))}) "
        + _scopes_sql(
            kinds,
            rep_filter,
            keys=("product_line_id", "month", "cycle_days"),
            measures=("won_count",),
        )
    )


def cycle_rollups_fill() -> None:
    """Recompute the won deals' cycle histogram (:class:`CycleRollup`) from the deals (the
    migration that created the table runs this alone)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {CycleRollup._meta.db_table}")
        _cycles_insert(cursor, "", ROLLUP_ROW_KINDS)


@transaction.atomic
def cycle_rollups_rebuild() -> int:
    """:func:`cycle_rollups_fill`, and the cached middle cycles forgotten."""
    cycle_rollups_fill()
    cycle_middles_forget()
    return CycleRollup.objects.count()


@transaction.atomic
def rollups_rebuild() -> dict[str, int]:
    """Recompute every rollup from the deals and activities (set-based, a few seconds at 1M)."""
    table = RevenueRollup._meta.db_table
    columns = ", ".join(("scope_kind", "scope_id", "product_line_id", "month", *ROLLUP_MEASURES))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
        cursor.execute(
            f"WITH grain AS MATERIALIZED ({_grain_sql('')}) "
            f"INSERT INTO {table} ({columns}) "
            f"{_scopes_sql(ROLLUP_ROW_KINDS)}"
        )
    activities = _activities_rebuild()
    cycles = cycle_rollups_rebuild()
    for hook in rebuild_hooks:
        hook()
    return {
        "revenue_rows": RevenueRollup.objects.count(),
        "activity_rows": activities,
        "cycle_rows": cycles,
    }


@transaction.atomic
def rollups_rebuild_reps(*, rep_ids: Iterable[int]) -> None:
    """Recompute the rows of a few reps, e.g. after a partner changed channel manager."""
    ids = sorted({int(i) for i in rep_ids if i})
    if not ids:
        return
    listed = ", ".join(str(i) for i in ids)
    table = RevenueRollup._meta.db_table
    columns = ", ".join(("scope_kind", "scope_id", "product_line_id", "month", *ROLLUP_MEASURES))
    where = " OR ".join(
        f"{_GRAIN_COLUMNS[field]} IN ({listed})" for field in DEAL_SCOPE_FIELDS["rep"]
    )
    cycles = CycleRollup._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE scope_kind = 'rep' AND scope_id IN ({listed})")
        cursor.execute(
            f"WITH grain AS MATERIALIZED ({_grain_sql(where)}) "
            f"INSERT INTO {table} ({columns}) {_scopes_sql(('rep',), rep_filter=listed)}"
        )
        cursor.execute(f"DELETE FROM {cycles} WHERE scope_kind = 'rep' AND scope_id IN ({listed})")
        _cycles_insert(cursor, where, ("rep",), rep_filter=listed)
    cycle_middles_forget()


def _activities_rebuild() -> int:
    v = _vendor_sql()
    table = ActivityRollup._meta.db_table
    created = v["act_month"].format(col="created_at")
    done = v["act_month"].format(col="done_at")
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
        cursor.execute(
            f"INSERT INTO {table} (owner_id, month, created_count, done_count) "
            "SELECT owner_id, month, SUM(c), SUM(dn) FROM ("
            f"SELECT owner_id, {created} AS month, 1 AS c, 0 AS dn FROM pipeline_activity "
            f"UNION ALL SELECT owner_id, {done}, 0, 1 FROM pipeline_activity "
            "WHERE done_at IS NOT NULL) a GROUP BY owner_id, month"
        )
    return ActivityRollup.objects.count()
