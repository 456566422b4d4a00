"""Benchmark: the deal API at 1M deals, in-process (Django test client), on SQLite and
PostgreSQL, for the director and for a rep: p50/p95 ms and requests/s of the list (50 rows)
and of create.

Prints one JSON line. SQLite: ``--sqlite PATH`` is a seeded database (``bench/seed.py --keep``,
default /tmp/dirco-bench/seed-1m.sqlite3); it is copied first (creates write to the copy) and
migrated. PostgreSQL: ``--pg URL`` names a seeded database (``DATABASE_URL=URL dirco migrate``
then ``dirco seed_demo --deals 1000000 --no-story``); creates are rolled back there.

    python bench/api.py [--sqlite PATH] [--pg postgres://...] [--runs 200] [--creates 100]

``--profile DIR`` also profiles ``--runs`` list requests per role (pyinstrument, the ``bench``
extra) and writes one text report per database and role to DIR.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
USERS = {"director": "director@demo.test", "rep": "rep1@demo.test"}
LIST_URL = "/api/v1/deals?limit=50"


def _figures(timings: list[float], cpu: list[float], queries: int) -> dict[str, Any]:
    timings.sort()
    cpu.sort()
    total_s = sum(timings) / 1000
    return {
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 2),
        "cpu_p50_ms": round(statistics.median(cpu), 2),
        "cpu_p95_ms": round(cpu[int(0.95 * (len(cpu) - 1))], 2),
        "requests_per_s": round(len(timings) / total_s, 1),
        "queries": queries,
    }


def child(runs: int, creates: int, profile_dir: str = "") -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dirco.settings")
    os.environ["DIRCO_API_RATE_LIMIT"] = "0/60"
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from dirco.accounts.models import ApiToken, User
    from dirco.accounts.services import api_token_create
    from dirco.customers.permissions import accounts_visible_to
    from dirco.pipeline.models import Deal, Stage

    figures: dict[str, Any] = {"deals": Deal.objects.count(), "db": connection.vendor}
    stage = Stage.objects.filter(is_won=False, is_lost=False).order_by("order").first()
    assert stage is not None
    for who, email in USERS.items():
        user = User.objects.get(email=email)
        _token, key = api_token_create(user=user, name="bench")
        client = Client(headers={"authorization": f"Bearer {key}"})
        for _ in range(5):
            assert client.get(LIST_URL).status_code == 200
        timings, cpu = [], []
        for _ in range(runs):
            t0, c0 = time.perf_counter(), time.process_time()
            response = client.get(LIST_URL)
            timings.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        assert len(response.json()["items"]) == 50
        with CaptureQueriesContext(connection) as ctx:
            client.get(LIST_URL)
        figures[f"list.{who}"] = _figures(timings, cpu, len(ctx.captured_queries))
        if profile_dir:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0002)
            with profiler:
                for _ in range(runs):
                    client.get(LIST_URL)
            report = Path(profile_dir) / f"list-{connection.vendor}-{who}.txt"
            report.write_text(profiler.output_text(show_all=False))

        account = accounts_visible_to(user).order_by("id").first()
        assert account is not None
        body = {
            "name": "Bench deal",
            "account_id": account.pk,
            "product_line_id": Deal.objects.values_list("product_line_id", flat=True).first(),
            "amount": "12500.00",
            "stage_id": stage.pk,
            "expected_close_date": str(dt.date.today() + dt.timedelta(days=60)),
        }
        timings, cpu = [], []
        created: list[int] = []
        for i in range(creates):
            t0, c0 = time.perf_counter(), time.process_time()
            response = client.post(
                "/api/v1/deals",
                data=body,
                content_type="application/json",
                headers={"Idempotency-Key": f"bench-{who}-{time.time_ns()}-{i}"},
            )
            timings.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            assert response.status_code == 201, response.content
            created.append(response.json()["id"])
        with CaptureQueriesContext(connection) as ctx:
            response = client.post("/api/v1/deals", data=body, content_type="application/json")
        created.append(response.json()["id"])
        figures[f"create.{who}"] = _figures(timings, cpu, len(ctx.captured_queries))
        # Leave the database as it was (the creates went through the services: rollups too).
        from dirco.pipeline.services import deal_delete

        for deal in Deal.objects.filter(pk__in=created):
            deal_delete(deal=deal)
        ApiToken.objects.filter(user=user, name="bench").delete()
    print(json.dumps(figures))


def measure(env: dict[str, str], runs: int, creates: int, profile_dir: str) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", "--runs", str(runs), "--creates", str(creates)]
    if profile_dir:
        command += ["--profile", profile_dir]
    out = subprocess.run(
        command,
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def dirco_command() -> list[str]:
    script = Path(sys.executable).with_name("dirco")
    return [str(script)] if script.exists() else [sys.executable, "-m", "dirco.manage"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", type=Path, default=Path("/tmp/dirco-bench/seed-1m.sqlite3"))
    parser.add_argument("--pg", default="", help="DATABASE_URL of a seeded PostgreSQL database.")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--creates", type=int, default=100)
    parser.add_argument(
        "--profile", default="", help="Write pyinstrument reports to this directory."
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.runs, args.creates, args.profile)
        return 0
    result: dict[str, Any] = {"bench": "api", "runs": args.runs, "creates": args.creates}
    base = {**os.environ, "DIRCO_ENV": "development", "DEBUG": "0", "DIRCO_DEBUG": "0"}
    base.pop("DATABASE_URL", None)
    if args.sqlite.exists():
        with tempfile.TemporaryDirectory(prefix="dirco-bench-api-") as tmp:
            db = Path(tmp) / "api.sqlite3"
            shutil.copyfile(args.sqlite, db)
            env = {**base, "SQLITE_PATH": str(db), "DIRCO_HOME": tmp}
            subprocess.run(
                [*dirco_command(), "migrate", "--no-input", "-v0", "--skip-checks"],
                env=env,
                check=True,
            )
            with sqlite3.connect(db) as conn:
                conn.execute("ANALYZE")
            result["sqlite"] = measure(env, args.runs, args.creates, args.profile)
    if args.pg:
        env = {**base, "DATABASE_URL": args.pg}
        subprocess.run(
            [*dirco_command(), "migrate", "--no-input", "-v0", "--skip-checks"], env=env, check=True
        )
        result["postgresql"] = measure(env, args.runs, args.creates, args.profile)
    result["machine"] = f"{os.cpu_count()} cores, {platform.machine()}, {platform.system()}"
    result["load_avg_1m"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
