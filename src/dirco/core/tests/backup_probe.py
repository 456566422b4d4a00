"""Helper process of test_backup: ``write LEDGER STOPFILE`` writes deals until STOPFILE exists,
appending each acknowledged deal id to LEDGER; ``check`` prints the database's row counts, the
writer's deal ids and whether the rollups equal a rebuild, as JSON. The database is the one
that DATABASE_URL or SQLITE_PATH names, as for ``dirco``."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

PREFIX = "Backup writer "


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dirco.settings")
    import django

    django.setup()


def write(ledger: Path, stop: Path) -> None:
    from django.utils import timezone

    from dirco.accounts.models import User
    from dirco.catalog.models import ProductLine
    from dirco.customers.models import Account
    from dirco.partners.models import Partner
    from dirco.pipeline.models import Deal, Stage
    from dirco.pipeline.services import deal_create, deal_move_stage

    rng = random.Random(7)
    owners = list(User.objects.filter(role=User.Role.REP).order_by("pk")[:5])
    accounts = list(Account.objects.order_by("pk")[:20])
    partners = list(Partner.objects.order_by("pk")[:5])
    lines = list(ProductLine.objects.order_by("pk"))
    stages = list(Stage.objects.filter(is_lost=False).order_by("order"))
    today = timezone.localdate()
    written: list[int] = []
    with ledger.open("a") as out:
        while not stop.exists():
            deal = deal_create(
                created_by=None,
                name=f"{PREFIX}{len(written)}",
                account=rng.choice(accounts),
                partner=rng.choice(partners),
                owner=rng.choice(owners),
                product_line=rng.choice(lines),
                amount=Decimal(rng.randint(1000, 90000)),
                currency="EUR",
                stage=stages[0],
                expected_close_date=today + dt.timedelta(days=rng.randint(10, 200)),
            )
            written.append(deal.pk)
            out.write(f"{deal.pk}\n")
            out.flush()
            moved = Deal.objects.get(pk=rng.choice(written))
            target = rng.choice([s for s in stages if s.pk != moved.stage_id])
            deal_move_stage(deal=moved, stage=target, moved_by=None)


def check() -> dict[str, Any]:
    from django.db import connection

    from dirco.pipeline.models import Deal
    from dirco.rollups.models import ROLLUP_MEASURES, ActivityRollup, RevenueRollup
    from dirco.rollups.writes import rollups_rebuild

    def rollups() -> list[list[Any]]:
        revenue = [
            [r.scope_kind, r.scope_id, r.product_line_id, str(r.month)]
            + [getattr(r, m) for m in ROLLUP_MEASURES]
            for r in RevenueRollup.objects.all()
        ]
        activity = [[r.owner_id, str(r.month), r.done_count] for r in ActivityRollup.objects.all()]
        kept = [row for row in revenue if any(row[4:])] + [r for r in activity if r[2]]
        return sorted(kept, key=repr)

    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    before = rollups()
    rollups_rebuild()
    return {
        "counts": counts,
        "writer_ids": sorted(
            Deal.objects.filter(name__startswith=PREFIX).values_list("pk", flat=True)
        ),
        "rollup_rows": len(before),
        "rollups_equal_rebuild": before == rollups(),
    }


if __name__ == "__main__":
    _setup()
    if sys.argv[1] == "write":
        write(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        print(json.dumps(check()))
