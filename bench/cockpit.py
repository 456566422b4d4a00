"""Director's cockpit data at scale: latency and query count.

Usage: python bench/cockpit.py --db PATH [--runs 50] [--small-db PATH]

``--db`` is a SQLite database seeded with the demo company (``bench/seed.py --keep PATH``,
or ``SQLITE_PATH=PATH dirco migrate && SQLITE_PATH=PATH dirco seed_demo --deals 1000000``).
The rollups are rebuilt first when empty. One warm-up call fills the forecast cache, then
``--runs`` calls of ``cockpit_director`` (company curve, attainment for the fiscal year,
team and rep leaderboards, gap to objective) are timed. The query count is measured on the
big database and on a 25,000-deal one (``--small-db``, seeded in a temporary file when not
given) to show it does not grow with the number of deals. Prints one JSON line:
{"bench":"cockpit","deals":N,"p50_ms":..,"p95_ms":..,"queries":..,"queries_at_25k":..}
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _setup(db: str) -> None:
    os.environ["SQLITE_PATH"] = db
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dirco.settings")
    import django

    django.setup()


def _measure(db: str, runs: int, email: str) -> dict[str, Any]:
    _setup(db)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dirco.accounts.models import User
    from dirco.objectives.selectors import cockpit_director
    from dirco.objectives.services import rollups_rebuild
    from dirco.pipeline.models import Deal
    from dirco.rollups.models import RevenueRollup

    rebuilt_s = None
    if not RevenueRollup.objects.exists():
        started = time.perf_counter()
        rollups_rebuild()
        rebuilt_s = round(time.perf_counter() - started, 1)
    user = User.objects.filter(email=email).first() or User.objects.filter(role="director").first()
    if user is None:
        raise SystemExit(f"No director in {db}: seed it first.")
    _objectives_ensure(user)
    cockpit_director(user=user)  # warm-up: forecast snapshots, SQLite page cache
    with CaptureQueriesContext(connection) as ctx:
        cockpit_director(user=user)
    queries = len(ctx.captured_queries)
    timings, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        cockpit_director(user=user)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    timings.sort()
    cpu.sort()
    return {
        "deals": Deal.objects.count(),
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[max(0, round(0.95 * len(timings)) - 1)], 1),
        "cpu_p50_ms": round(statistics.median(cpu), 1),
        "cpu_p95_ms": round(cpu[max(0, round(0.95 * len(cpu)) - 1)], 1),
        "queries": queries,
        "rebuild_s": rebuilt_s,
    }


def _objectives_ensure(director: Any) -> None:
    """A company objective for this fiscal year, allocated to the teams, as the director
    would set it: last 12 months' won revenue + 10 %, learned split, history shares."""
    from decimal import Decimal

    from django.utils import timezone

    from dirco.objectives.fiscal_calendar import fiscal_year_of
    from dirco.objectives.models import Objective
    from dirco.objectives.selectors import won_last_12_months
    from dirco.objectives.services import objective_allocate, objective_create
    from dirco.scopes import Scope

    today = timezone.localdate()
    year = fiscal_year_of(today)
    if Objective.objects.filter(scope_key="company", fiscal_year=year).exists():
        return
    won = won_last_12_months(scopes=[Scope("company")], today=today).get("company", Decimal(0))
    parent = objective_create(
        user=director,
        scope=Scope("company"),
        fiscal_year=year,
        amount=(won * Decimal("1.1")).quantize(Decimal("0.01")),
    )
    objective_allocate(parent=parent, user=director, method="history", today=today)


def _small_db_queries(path: str | None, email: str) -> int:
    """The query count on a 25k-deal database, measured in a child process."""
    env = dict(os.environ)
    if path is None:
        path = str(Path(tempfile.mkdtemp(prefix="dirco-cockpit-")) / "small.sqlite3")
        env["SQLITE_PATH"] = path
        dirco = [sys.executable, "-m", "django"]
        env.setdefault("DJANGO_SETTINGS_MODULE", "dirco.settings")
        subprocess.run([*dirco, "migrate", "-v0"], env=env, check=True)
        subprocess.run([*dirco, "seed_demo", "--deals", "25000", "-v0"], env=env, check=True)
    out = subprocess.run(
        [sys.executable, __file__, "--db", path, "--runs", "1", "--email", email, "--child"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return int(json.loads(out.stdout.strip().splitlines()[-1])["queries"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="SQLite database seeded with 1M deals.")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--email", default="director@demo.test")
    parser.add_argument("--small-db", default=None, help="A 25k-deal database (else seeded).")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not Path(args.db).exists():
        raise SystemExit(f"No database at {args.db}.")
    if args.child:
        print(json.dumps(_measure(args.db, args.runs, args.email)))
        return
    small = _small_db_queries(args.small_db, args.email)
    figures = _measure(args.db, args.runs, args.email)
    print(
        json.dumps(
            {
                "bench": "cockpit",
                "deals": figures["deals"],
                "p50_ms": figures["p50_ms"],
                "p95_ms": figures["p95_ms"],
                "queries": figures["queries"],
                "queries_at_25k": small,
                "cpu_p50_ms": figures["cpu_p50_ms"],
                "cpu_p95_ms": figures["cpu_p95_ms"],
                "runs": args.runs,
                "rebuild_s": figures["rebuild_s"],
            }
        )
    )


if __name__ == "__main__":
    main()
