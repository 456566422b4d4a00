"""Forecast refreshes under deal writes: tasks enqueued and the director's home after a write.

Usage: python bench/forecast_refresh.py [--deals 5000] [--writes 60]

Seeds the demo company (``--deals``) in a temporary SQLite database, then, with the database
task backend (tasks are only enqueued: no worker runs), makes ``--writes`` deal stage moves,
each its own transaction as a request's, and after each one reads the director's cockpit
(company curve and forecasts). Twice: with a grace period (a read serves the stored forecast
while its refresh task is due: dirco's behaviour) and with none (every read after a write
recomputes the stale forecasts: the behaviour before coalescing). Prints one JSON line:
{"bench":"forecast_refresh","writes":N,"refresh_tasks":n,"home_after_write_p50_ms":..,
 "home_after_write_p95_ms":..,"no_grace_p50_ms":..,"no_grace_p95_ms":..}
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


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[max(0, round(q * len(ordered)) - 1)], 1)


def _measure(writes: int, grace: int) -> dict[str, Any]:
    os.environ["DIRCO_FORECAST_STALE_GRACE_SECONDS"] = str(grace)
    import django

    django.setup()
    from django.db.models import Q
    from django_tasks_db.models import DBTaskResult

    from dirco.accounts.models import User
    from dirco.objectives.selectors import cockpit_director
    from dirco.pipeline.models import Deal, Stage
    from dirco.pipeline.services import deal_move_stage

    director = User.objects.filter(role="director").first()
    assert director is not None
    cockpit_director(user=director)  # warm: every snapshot fresh
    DBTaskResult.objects.all().delete()
    stages = list(Stage.objects.filter(is_won=False, is_lost=False).order_by("order"))
    deals = list(
        Deal.objects.filter(stage__in=stages).filter(~Q(owner=None)).order_by("pk")[:writes]
    )
    timings = []
    for i, deal in enumerate(deals):
        target = stages[(stages.index(deal.stage) + 1 + i) % len(stages)]
        if target == deal.stage:
            target = stages[0] if deal.stage != stages[0] else stages[1]
        deal_move_stage(deal=deal, stage=target, moved_by=deal.owner)
        started = time.perf_counter()
        cockpit_director(user=director)
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "writes": len(deals),
        "refresh_tasks": DBTaskResult.objects.filter(
            task_path__endswith="forecast_refresh"
        ).count(),
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": _percentile(timings, 0.95),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=5000)
    parser.add_argument("--writes", type=int, default=60)
    parser.add_argument("--child", type=str, default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dirco.settings")
    if args.child:
        print(json.dumps(_measure(args.writes, int(args.child))))
        return
    workdir = Path(tempfile.mkdtemp(prefix="dirco-forecast-refresh-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIRCO_", "TASKS_"))}
    env.update(SQLITE_PATH=str(workdir / "bench.sqlite3"), DIRCO_HOME=str(workdir))
    dirco = [sys.executable, "-m", "django"]
    subprocess.run([*dirco, "migrate", "-v0"], env=env, check=True)
    seed_env = {**env, "TASKS_IMMEDIATE": "1"}
    subprocess.run(
        [*dirco, "seed_demo", "--deals", str(args.deals), "-v0"], env=seed_env, check=True
    )
    results = {}
    for grace in (300, 0):
        out = subprocess.run(
            [sys.executable, __file__, "--writes", str(args.writes), "--child", str(grace)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        results[grace] = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        json.dumps(
            {
                "bench": "forecast_refresh",
                "deals": args.deals,
                "writes": results[300]["writes"],
                "refresh_tasks": results[300]["refresh_tasks"],
                "home_after_write_p50_ms": results[300]["p50_ms"],
                "home_after_write_p95_ms": results[300]["p95_ms"],
                "no_grace_p50_ms": results[0]["p50_ms"],
                "no_grace_p95_ms": results[0]["p95_ms"],
            }
        )
    )


if __name__ == "__main__":
    main()
