"""The won revenue of each deal owner by close month (:class:`OwnerWonMonth`), kept exact.

Registered in the pipeline's deal hooks by this app's ``ready`` (beside the rollups'): each
deal write moves the table by (after - before) in the write's transaction, one upsert. The
bulk writers that bypass the services call ``rollups_rebuild``, which runs this app's
:func:`owner_won_rebuild` through ``rollups.writes.rebuild_hooks``. A won deal counts in the
month of its close date (else its expected close date), as in the rollups.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from dirco.dynamics.models import OwnerWonMonth
from dirco.pipeline.hooks import DealSnapshot
from dirco.rollups.writes import amount_cents

Key = tuple[int, dt.date]


def _won_of(snapshot: DealSnapshot | None) -> tuple[Key, int] | None:
    if snapshot is None or not snapshot.is_won:
        return None
    closed_on = snapshot.close_date or snapshot.expected_close_date
    return (snapshot.owner_id, closed_on.replace(day=1)), amount_cents(snapshot.amount_company)


def owner_won_apply_deal_change(before: DealSnapshot | None, after: DealSnapshot | None) -> None:
    """Move the owner's month by the deal's change (either side may be None)."""
    deltas: dict[Key, list[int]] = {}
    for snapshot, sign in ((before, -1), (after, 1)):
        won = _won_of(snapshot)
        if won is None:
            continue
        key, cents = won
        row = deltas.setdefault(key, [0, 0])
        row[0] += sign
        row[1] += sign * cents
    rows = sorted((k, v) for k, v in deltas.items() if any(v))
    if not rows:
        return
    table = connection.ops.quote_name(OwnerWonMonth._meta.db_table)
    values = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
    params: list[int | str | None] = []
    for (owner, month), (count, cents) in rows:
        params += [owner, connection.ops.adapt_datefield_value(month), count, cents]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (owner_id, month, won_count, won_cents) VALUES {values} "
            "ON CONFLICT (owner_id, month) DO UPDATE SET "
            f"won_count = {table}.won_count + excluded.won_count, "
            f"won_cents = {table}.won_cents + excluded.won_cents",
            params,
        )


def owner_won_rebuild() -> int:
    """Recompute the table from the deals (one GROUP BY; seconds at 1M deals)."""
    closed_on = "COALESCE(d.close_date, d.expected_close_date)"
    if connection.vendor == "postgresql":
        month = f"CAST(date_trunc('month', {closed_on}) AS date)"
        cents = "CAST(ROUND(d.amount_company * 100) AS BIGINT)"
        true = "TRUE"
    else:
        month = f"date({closed_on}, 'start of month')"
        cents = "CAST(ROUND(d.amount_company * 100) AS INTEGER)"
        true = "1"
    table = connection.ops.quote_name(OwnerWonMonth._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
        cursor.execute(
            f"INSERT INTO {table} (owner_id, month, won_count, won_cents) "
            f"SELECT d.owner_id, {month}, COUNT(*), SUM({cents}) "
            "FROM pipeline_deal d JOIN pipeline_stage s ON s.id = d.stage_id "
            f"WHERE s.is_won = {true} GROUP BY d.owner_id, {month}"
        )
    return OwnerWonMonth.objects.count()


def owner_won_by_month(*, first: dt.date, last: dt.date) -> dict[tuple[int, dt.date], float]:
    """Won revenue per owner and month from ``first``'s month to ``last``'s (one query on
    rows per owner and month, whatever the number of deals)."""
    rows = OwnerWonMonth.objects.filter(month__gte=first, month__lte=last).values_list(
        "owner_id", "month", "won_cents"
    )
    return {(owner, month): cents / 100 for owner, month, cents in rows if cents}
