"""The action plan's impact and counter-seasonality proposals at scale: latency and queries.

Usage: python bench/plans.py --db PATH [--small-db PATH] [--runs 30]

``--db`` is a *copy* of a SQLite database seeded with the demo company's bulk history
(``bench/seed.py --keep PATH``; it has no demo story): the bench migrates it and writes to
it (an objective for the company if none, the impact snapshot). It builds the plan itself:
two fiscal years of the demo's rhythm of actions (``demo.pac_seed.SPECS``: trade shows
before the peaks, a summer promotion, a partner training, ...), 14 actions in all, on the
demo's territories, product lines and tiers. Then, as the director:

- ``impact_cold_ms``: one computation of the plan's impact (attribution over the deals,
  the segments' monthly history, the engine's counterfactual and control forecasts);
- ``impact``: the impact as a page reads it (the kept snapshot), p50/p95 over ``--runs``;
- ``proposals``: the objectives curve of the company (the cockpit's figures), its months
  under objective and the proposals sized to them, p50/p95.

Query counts are measured on ``--db`` and on ``--small-db`` (a 25,000-deal copy) to show
they do not grow with the number of deals. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


def _setup(db: str) -> None:
    os.environ["SQLITE_PATH"] = db
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dirco.settings")
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "-v0"], env=dict(os.environ), check=True
    )
    import django

    django.setup()


def _timed(fn: Any, runs: int) -> dict[str, float]:
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    wall.sort()
    cpu.sort()

    def p95(xs: list[float]) -> float:
        return round(xs[max(0, round(0.95 * len(xs)) - 1)], 1)

    return {
        "p50_ms": round(statistics.median(wall), 1),
        "p95_ms": p95(wall),
        "cpu_p50_ms": round(statistics.median(cpu), 1),
        "cpu_p95_ms": p95(cpu),
    }


def _queries(fn: Any) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def _windows(today: Any) -> list[Any]:
    import datetime as dt

    from dirco.demo.pac_seed import SPECS, segment_for
    from dirco.impact.attribution import ActionWindow
    from dirco.objectives.fiscal_calendar import fiscal_year_of

    year = fiscal_year_of(today)
    out = []
    for offset in (2, 1):
        for i, spec in enumerate(SPECS):
            start = dt.date(year - offset, spec.month, spec.day)
            out.append(
                ActionWindow(
                    id=offset * 100 + i,
                    name=spec.name,
                    kind=spec.kind,
                    start=start,
                    end=start + dt.timedelta(days=spec.days - 1),
                    segment=segment_for(spec.target),
                    cost=spec.cost,
                    expected=spec.cost * 4,
                )
            )
    return out


def _measure(db: str, runs: int) -> dict[str, Any]:
    _setup(db)
    from django.utils import timezone

    from dirco.accounts.models import User
    from dirco.impact.measure import plan_impact
    from dirco.impact.proposals import PastAction, month_gaps, proposals_for_gaps
    from dirco.impact.services import impact_for
    from dirco.objectives.fiscal_calendar import fiscal_year_of
    from dirco.objectives.selectors import objective_curve
    from dirco.objectives.services import rollups_rebuild
    from dirco.pipeline.models import Deal
    from dirco.rollups.models import RevenueRollup
    from dirco.scopes import Scope

    sys.path.insert(0, str(Path(__file__).parent))
    from cockpit import _objectives_ensure

    if not RevenueRollup.objects.exists():
        rollups_rebuild()
    director = User.objects.filter(role="director").order_by("id").first()
    assert director is not None, f"No director in {db}: seed it first."
    _objectives_ensure(director)
    today = timezone.localdate()
    windows = _windows(today)
    changed = timezone.now()

    started, started_cpu = time.perf_counter(), time.process_time()
    plan_impact(actions=windows, today=today)
    cold = {
        "impact_cold_ms": round((time.perf_counter() - started) * 1000, 1),
        "impact_cold_cpu_ms": round((time.process_time() - started_cpu) * 1000, 1),
    }

    def impact() -> dict[str, Any]:
        return impact_for(
            subject_key="plan:bench", actions=lambda: windows, inputs_changed_at=changed
        )

    payload = impact()  # computes and keeps the snapshot

    history = [
        PastAction(
            kind=a["kind"],
            start=__import__("datetime").date.fromisoformat(a["start"]),
            measured=__import__("decimal").Decimal(a["measured"]),
            cost=__import__("decimal").Decimal(a["cost"]),
        )
        for a in payload["actions"]
    ]

    def proposals() -> list[Any]:
        curve = objective_curve(
            scope=Scope("company"), fiscal_year=fiscal_year_of(today), user=director, today=today
        )
        snapshot = impact()
        assert snapshot
        return proposals_for_gaps(
            gaps=month_gaps(curve_rows=curve["rows"], today=today), history=history, today=today
        )

    proposals()  # warm-up (forecast snapshot)
    pages = _pages(director, runs)
    return {
        "pages": pages,
        "deals": Deal.objects.count(),
        **cold,
        "impact": {**_timed(impact, runs), "queries": _queries(impact)},
        "proposals": {
            **_timed(proposals, runs),
            "queries": _queries(proposals),
            "count": len(proposals()),
        },
        "attributed_deals": payload["totals"]["deals"],
    }


def _pages(director: Any, runs: int) -> dict[str, Any]:
    """The pages as the director opens them (test client, in-process): the plan of this
    fiscal year, its impact page and the proposals. The demo's plans are made first (through
    the services, ``demo.pac_seed.demo_plans_seed``), and the rollups rebuilt after their
    effect deals."""
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from dirco.demo.pac_seed import demo_plans_seed
    from dirco.objectives.fiscal_calendar import fiscal_year_of
    from dirco.objectives.services import rollups_rebuild
    from dirco.plans.models import ActionPlan

    today = timezone.localdate()
    name = f"Commercial action plan {fiscal_year_of(today)}"
    if not ActionPlan.objects.filter(name=name).exists():
        demo_plans_seed(director=director, today=today)
        rollups_rebuild()
    plan = ActionPlan.objects.get(name=name)
    client = Client()
    client.force_login(director)
    out: dict[str, Any] = {}
    started = time.perf_counter()
    assert client.get(f"/plans/{plan.pk}/").status_code == 200  # computes the impact
    out["plan_page_cold_ms"] = round((time.perf_counter() - started) * 1000, 1)
    for label, url in (
        ("plan_page", f"/plans/{plan.pk}/"),
        ("impact_page", f"/plans/{plan.pk}/impact/"),
        ("proposals_page", "/plans/proposals/"),
        ("calendar_month", "/plans/calendar/"),
    ):
        assert client.get(url).status_code == 200, url

        def get(url: str = url) -> None:
            client.get(url)

        count = [0]

        def counted(
            execute: Any, sql: str, params: Any, many: bool, context: Any, count: list[int] = count
        ) -> Any:
            count[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counted):
            get()
        out[label] = {**_timed(get, runs), "queries": count[0]}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="A copy of a 1M-deal SQLite database.")
    parser.add_argument("--small-db", default=None, help="A copy of a 25k-deal database.")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not Path(args.db).exists():
        raise SystemExit(f"No database at {args.db}.")
    if args.child:
        print(json.dumps(_measure(args.db, args.runs)))
        return
    small = None
    if args.small_db:
        out = subprocess.run(
            [sys.executable, __file__, "--db", args.small_db, "--runs", str(args.runs), "--child"],
            check=True,
            capture_output=True,
            text=True,
        )
        small = json.loads(out.stdout.strip().splitlines()[-1])
    load = os.getloadavg()
    big = _measure(args.db, args.runs)
    print(
        json.dumps(
            {
                "bench": "plans",
                "machine": f"{os.cpu_count()} cores, {platform.platform()}",
                "load_average": [round(x, 2) for x in load],
                "runs": args.runs,
                "at_1m": big,
                "at_25k": small,
            }
        )
    )


if __name__ == "__main__":
    main()
