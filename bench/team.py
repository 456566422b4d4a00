"""Benchmark: latency and SQL query count of the team dynamics pages (synergy, turnover and
ramp-up, handovers) and the synergy API, for the director and a manager, at 25k and at 1M
deals, on SQLite.

Prints one JSON line. Databases: ``--db-25k PATH`` and ``--db-1m PATH`` (SQLite files seeded
with ``bench/seed.py --deals N --keep PATH``); a missing 25k database is seeded on the fly,
a missing 1M database is skipped unless ``--seed-1m`` is given (it takes minutes). The pages
read the rollup tables (rows per scope and month), not the deals: no precomputed table.

    python bench/team.py [--db-25k PATH] [--db-1m PATH] [--seed-1m] [--runs 30] [--only NAME]

``--only partner_list`` measures the targets whose name starts with it. The databases must be
migrated to the code measured (``SQLITE_PATH=PATH dirco migrate``).
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

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = Path("/tmp/dirco-bench")
TARGETS = [
    ("synergy", "/team/synergy/"),
    ("synergy_api", "/api/v1/team-synergy?team={team}"),
    ("managers", "/team/managers/"),
    ("turnover", "/team/turnover/"),
    ("turnover_what_if", "/team/turnover/?what_if={rep}"),
    ("handovers", "/team/handovers/"),
]
USERS = {"manager": "manager1@demo.test", "director": "director@demo.test"}


def seed(path: Path, deals: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "seed.py"),
            "--deals",
            str(deals),
            "--keep",
            str(path),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def measure(db: Path, runs: int, only: str = "") -> dict[str, Any]:
    """Run in a child process so that each database gets a fresh Django."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(db), "--runs", str(runs), "--only", only],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def child(db: Path, runs: int, only: str = "") -> None:
    os.environ["SQLITE_PATH"] = str(db)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dirco.settings")
    os.environ["DEBUG"] = "0"
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from dirco.accounts.models import ApiToken, User
    from dirco.accounts.services import api_token_create
    from dirco.pipeline.models import Deal
    from dirco.teams.models import SalesTeam

    figures: dict[str, Any] = {"deals": Deal.objects.count()}
    for who, email in USERS.items():
        user = User.objects.get(email=email)
        session = Client()
        session.force_login(user)
        _token, key = api_token_create(user=user, name="bench")
        api = Client(headers={"authorization": f"Bearer {key}"})
        team = SalesTeam.objects.filter(manager__email=USERS["manager"]).first()
        rep = User.objects.get(email="rep1@demo.test")
        for name, pattern in TARGETS:
            if not name.startswith(only):
                continue
            url = pattern.format(team=team.pk if team else 0, rep=rep.pk)
            client = api if url.startswith("/api/") else session
            for _ in range(3):  # warm caches and connections
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
            timings, cpu = [], []
            for _ in range(runs):
                start, start_cpu = time.perf_counter(), time.process_time()
                client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
            with CaptureQueriesContext(connection) as ctx:
                client.get(url)
            timings.sort()
            cpu.sort()
            # Wall time counts waits for a busy machine; CPU time is the request's own cost.
            figures[f"{name}.{who}"] = {
                "p50_ms": round(statistics.median(timings), 2),
                "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 2),
                "cpu_p50_ms": round(statistics.median(cpu), 2),
                "cpu_p95_ms": round(cpu[int(0.95 * (len(cpu) - 1))], 2),
                "queries": len(ctx.captured_queries),
            }
        ApiToken.objects.filter(user=user, name="bench").delete()
    print(json.dumps(figures))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-25k", type=Path, default=DEFAULT_DIR / "seed-25k.sqlite3")
    parser.add_argument("--db-1m", type=Path, default=DEFAULT_DIR / "seed-1m.sqlite3")
    parser.add_argument("--seed-1m", action="store_true")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--only", default="", help="Only the targets starting with this.")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.runs, args.only)
        return 0
    if not args.db_25k.exists():
        seed(args.db_25k, 25_000)
    if not args.db_1m.exists() and args.seed_1m:
        seed(args.db_1m, 1_000_000)
    result: dict[str, Any] = {"bench": "team", "db": "sqlite", "runs": args.runs}
    result["at_25k"] = measure(args.db_25k, args.runs, args.only)
    result["at_1m"] = measure(args.db_1m, args.runs, args.only) if args.db_1m.exists() else None
    if result["at_1m"]:
        result["query_count_constant"] = all(
            result["at_25k"][k]["queries"] == result["at_1m"][k]["queries"]
            for k in result["at_25k"]
            if k != "deals"
        )
    result["machine"] = f"{os.cpu_count()} cores, {platform.machine()}, {platform.system()}"
    result["load_avg_1m"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
