"""The page-latency harness shared by ``bench/pages.py`` and ``bench/team.py``.

Each benchmark names its targets (URLs), its users and its JSON name; this module seeds the
SQLite databases (``bench/seed.py --keep``), measures each database in a child process (a
fresh Django per database), times every target for every user (3 warm-up requests, then
``runs`` timed ones: wall and CPU p50/p95) and counts its SQL queries, then prints one JSON
line with ``query_count_constant`` (the same counts at 25k and 1M deals).
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = Path("/tmp/dirco-bench")


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


def measure(script: str, db: Path, runs: int, only: str = "") -> dict[str, Any]:
    """Run ``script``'s child on ``db`` in its own process; its last line is the JSON."""
    out = subprocess.run(
        [sys.executable, script, "--child", str(db), "--runs", str(runs), "--only", only],
        check=False,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        raise SystemExit(f"{script} on {db} failed:\n{out.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def django_setup(db: Path) -> None:
    os.environ["SQLITE_PATH"] = str(db)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dirco.settings")
    os.environ["DEBUG"] = "0"
    import django

    django.setup()


def clients_for(email: str) -> tuple[Any, Any, Callable[[], None]]:
    """A logged-in session client, a bearer-token API client, and the token's cleanup."""
    from django.test import Client

    from dirco.accounts.models import ApiToken, User
    from dirco.accounts.services import api_token_create

    user = User.objects.get(email=email)
    session = Client()
    session.force_login(user)
    _token, key = api_token_create(user=user, name="bench")
    api = Client(headers={"authorization": f"Bearer {key}"})
    return session, api, lambda: ApiToken.objects.filter(user=user, name="bench").delete()


def time_target(client: Any, url: str, runs: int) -> dict[str, Any]:
    """Wall and CPU p50/p95 (ms) of ``runs`` requests after three warm-up ones, and the
    number of SQL queries of one more."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

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
    return {
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 2),
        "cpu_p50_ms": round(statistics.median(cpu), 2),
        "cpu_p95_ms": round(cpu[int(0.95 * (len(cpu) - 1))], 2),
        "queries": len(ctx.captured_queries),
    }


def child_run(
    db: Path,
    runs: int,
    only: str,
    *,
    users: dict[str, str],
    targets: list[tuple[str, str]],
    url_args: Callable[[], dict[str, Any]] = dict,
) -> None:
    """Time every target (name, URL pattern filled with ``url_args()``) for every user and
    print the figures as one JSON line (the parent reads it)."""
    django_setup(db)
    from dirco.pipeline.models import Deal

    figures: dict[str, Any] = {"deals": Deal.objects.count()}
    args = url_args()
    for who, email in users.items():
        session, api, cleanup = clients_for(email)
        for name, pattern in targets:
            if not name.startswith(only):
                continue
            url = pattern.format(**args)
            client = api if url.startswith("/api/") else session
            figures[f"{name}.{who}"] = time_target(client, url, runs)
        cleanup()
    print(json.dumps(figures))


def main(
    *,
    bench: str,
    description: str,
    script: str,
    child: Callable[[Path, int, str], None],
    extra: Callable[[dict[str, Any]], None] | None = None,
) -> int:
    """The command line of a page benchmark: seed the missing databases, measure both, and
    print one JSON line."""
    parser = argparse.ArgumentParser(description=description)
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
    result: dict[str, Any] = {"bench": bench, "db": "sqlite", "runs": args.runs}
    result["at_25k"] = measure(script, args.db_25k, args.runs, args.only)
    result["at_1m"] = (
        measure(script, args.db_1m, args.runs, args.only) if args.db_1m.exists() else None
    )
    if result["at_1m"]:
        result["query_count_constant"] = all(
            result["at_25k"][k]["queries"] == result["at_1m"][k]["queries"]
            for k in result["at_25k"]
            if k != "deals"
        )
    if extra is not None:
        extra(result)
    result["machine"] = f"{os.cpu_count()} cores, {platform.machine()}, {platform.system()}"
    result["load_avg_1m"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result))
    return 0
