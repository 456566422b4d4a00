"""CPU per request, per route of the load test: the web process's and PostgreSQL's.

``bench/load.py`` measures latency under load, which on a saturated machine is mostly queueing
for a core; this bench measures what each request costs, alone, so that a change can be
judged without a quiet machine. Every route the load test's users call (bench/load_users.py)
is called ``--runs`` times through Django's WSGI handler in this process (the whole request
cycle gunicorn runs: request signals, every middleware, the view, the template; no network),
as the same people (the load test's plan: director, managers, reps with their deals, partner
users, API tokens), rotating over them. For each route:

- ``web_cpu_ms``: this process's CPU per request (``time.process_time``), mean and p50;
- ``pg_cpu_ms``: the CPU of this connection's PostgreSQL backend per request (``/proc`` of
  the backend, in clock ticks of 10 ms: a mean over the runs);
- ``queries``: the SQL queries of one request; ``wall_ms_p50``.

``mix`` weighs the routes as the load test calls them (its users' weights and tasks' weights)
into the CPU of an average request, the figure that decides how many requests a second two
cores serve. Then the background side: the tasks the writes enqueued, run here one by one
(CPU per task kind), one forecast refresh per kind of scope, and ``dirco db_worker`` and
``dirco scheduler`` left idle for ``--idle-seconds`` (their CPU and their backends', in cores).

Works on a scratch copy (``dirco_route_cpu``) of the database ``bench/load.py --pg`` seeds
(``dirco_load_seed_<deals>``, made here the same way when missing), migrated to this code.

    python bench/route_cpu.py --pg postgres://postgres@127.0.0.1:5432/postgres \\
        [--runs 40] [--only "GET /pipeline/"] [--profile "GET / (director" --profile-dir DIR]

``--sql-dir DIR`` writes the queries of one request per route there. ``--profile PREFIX`` profiles the routes whose name starts with PREFIX (pyinstrument, the
``bench`` extra) and writes one text report per route to ``--profile-dir``.
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CLK_TCK = os.sysconf("SC_CLK_TCK")
RUN_DB = "dirco_route_cpu"

# Share of each route among the load test's requests: users' weights (rep 10, manager 3,
# director 2, partner 3, API client 2, of 20) times their tasks' weights (bench/load_users.py).
MIX = {
    "POST /deals/[id]/move/": 10 / 20 * 4 / 10,
    "POST /deals/[id]/activities/": 10 / 20 * 3 / 10,
    "GET /deals/[id]/": 10 / 20 * 2 / 10,
    "GET /pipeline/ (rep)": 10 / 20 * 1 / 10,
    "GET / (manager cockpit)": 3 / 20 * 3 / 4,
    "GET /pipeline/ (manager)": 3 / 20 * 1 / 4,
    "GET / (director home)": 2 / 20 * 1 / 2,
    "GET /revenue/forecast/": 2 / 20 * 1 / 2,
    "GET /portal/": 3 / 20 * 2 / 5,
    "GET /portal/deals/": 3 / 20 * 1 / 5,
    "GET /portal/registrations/": 3 / 20 * 1 / 5,
    "POST /portal/registrations/new/": 3 / 20 * 1 / 5,
    "GET /api/v1/deals": 2 / 20 * 3 / 4,
    "POST /api/v1/deals": 2 / 20 * 1 / 4,
}


def pg_prepare(url: str, deals: int, run_db: str = RUN_DB) -> str:
    """A fresh copy of the load test's seeded database; returns its URL."""
    import psycopg

    base = url.rsplit("/", 1)[0]
    seed = f"dirco_load_seed_{deals}"
    env = {**os.environ, "DIRCO_ENV": "development", "DIRCO_DEBUG": "0"}
    env.pop("SQLITE_PATH", None)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [seed]).fetchone():
            partial = f"{seed}_partial"
            conn.execute(f'DROP DATABASE IF EXISTS "{partial}"')
            conn.execute(f'CREATE DATABASE "{partial}"')
            seed_env = {**env, "DATABASE_URL": f"{base}/{partial}"}
            for args in (["migrate", "--no-input", "-v0"], ["seed_demo", "--deals", str(deals)]):
                subprocess.run([str(BIN / "dirco"), *args], check=True, env=seed_env, cwd=ROOT)
            # Statistics as autovacuum leaves them in production (the seed is one transaction).
            with psycopg.connect(f"{base}/{partial}", autocommit=True) as seeded:
                seeded.execute("VACUUM ANALYZE")
            conn.execute(f'ALTER DATABASE "{partial}" RENAME TO "{seed}"')
        conn.execute(f'DROP DATABASE IF EXISTS "{run_db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{run_db}" TEMPLATE "{seed}"')
    run_url = f"{base}/{run_db}"
    subprocess.run(
        [str(BIN / "dirco"), "migrate", "--no-input", "-v0"],
        check=True,
        env={**env, "DATABASE_URL": run_url},
        cwd=ROOT,
    )
    return run_url


def proc_ticks(pid: int) -> int:
    """utime + stime of a process, in clock ticks (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def tree_seconds(pid: int) -> float:
    """CPU seconds of a process and its live children."""
    total = proc_ticks(pid)
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        kids = []
    return total / CLK_TCK + sum(tree_seconds(int(k)) for k in kids)


def slug(name: str) -> str:
    """A file name for a route's name."""
    return "".join(c if c.isalnum() else "_" for c in name).strip("_")


class Route:
    def __init__(self, name: str, call: Callable[[], tuple[int, int]], expect: set[int]) -> None:
        self.name, self.call, self.expect = name, call, expect


def child(args: argparse.Namespace) -> dict[str, Any]:
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dirco.settings")
    for name in ("SQLITE_PATH", "TASKS_IMMEDIATE", "DIRCO_TESTING", "REDIS_URL"):
        os.environ.pop(name, None)
    os.environ.update({"DIRCO_ENV": "development", "DIRCO_DEBUG": "0", "DEBUG": "0"})
    os.environ.setdefault("STATIC_ROOT", "/tmp/dirco-load/static")
    # One backend for the whole run, so that its /proc counters are this run's queries (the
    # web processes reconnect every 60 s: a negligible cost, left out).
    os.environ["DIRCO_CONN_MAX_AGE"] = "86400"
    if args.redis:
        os.environ["REDIS_URL"] = args.redis
    import django

    django.setup()
    sys.path.insert(0, str(Path(__file__).parent))
    import datetime as dt

    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test.client import RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django_tasks_db.models import DBTaskResult
    from load import child_plan

    from dirco.revenue.services import revenue_forecast_refresh
    from dirco.scopes import Scope

    plan = child_plan("route-cpu", 200)
    app = WSGIHandler()
    rng = random.Random(14)

    class Browser(RequestFactory):
        """A user agent whose requests are WSGI environs, with the user's cookies."""

        def request(self, **request: Any) -> Any:
            return self._base_environ(**request)

    def browser(email: str) -> Browser:
        agent = Browser(headers={"Accept-Language": "en"})
        agent.cookies["sessionid"] = plan["sessions"][email]
        agent.cookies["csrftoken"] = "c" * 32
        return agent

    def call(environ: dict[str, Any]) -> tuple[int, int]:
        status: list[str] = []

        def start_response(line: str, headers: Any, exc_info: Any = None) -> None:
            status.append(line)

        response = app(environ, start_response)
        try:
            size = sum(len(chunk) for chunk in response)
        finally:
            response.close()
        return int(status[0].split()[0]), size

    def form(agent: Browser, path: str, data: dict[str, Any], **headers: str) -> tuple[int, int]:
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": "c" * 32})
        return call(
            agent.post(
                path,
                body,
                content_type="application/x-www-form-urlencoded",
                headers={"X-CSRFToken": "c" * 32, **headers},
            )
        )

    def rotation(items: list[Any]) -> Callable[[], Any]:
        turn = [0]

        def nxt() -> Any:
            turn[0] += 1
            return items[turn[0] % len(items)]

        return nxt

    director = browser(plan["director"])
    managers = rotation([browser(e) for e in plan["managers"]])
    reps = [(browser(r["email"]), dict(map(tuple, r["deals"]))) for r in plan["reps"]]
    next_rep = rotation(reps)
    partners = rotation([browser(e) for e in plan["partners"]])
    api_clients = rotation(
        [
            (Browser(headers={"Authorization": f"Bearer {t['key']}"}), t["accounts"])
            for t in plan["api_tokens"]
        ]
    )
    moves = plan["stages"]["moves"]
    today = dt.date.today()

    def move() -> tuple[int, int]:
        agent, deals = next_rep()
        deal_id = rng.choice(list(deals))
        stage = rng.choice([s for s in moves if s != deals[deal_id]])
        result = form(
            agent,
            f"/deals/{deal_id}/move/",
            {"stage": stage},
            **{"HX-Request": "true", "HX-Target": "board"},
        )
        if result[0] == 200:
            deals[deal_id] = stage
        return result

    def activity() -> tuple[int, int]:
        agent, deals = next_rep()
        subject = f"Bench call {rng.random()}"
        return form(
            agent,
            f"/deals/{rng.choice(list(deals))}/activities/",
            {"kind": "call", "subject": subject, "notes": "Bench."},
        )

    def detail() -> tuple[int, int]:
        agent, deals = next_rep()
        return call(agent.get(f"/deals/{rng.choice(list(deals))}/"))

    def register() -> tuple[int, int]:
        close = today + dt.timedelta(days=rng.randint(30, 150))
        return form(
            partners(),
            "/portal/registrations/new/",
            {
                "customer_name": f"Benchco {rng.random()}",
                "customer_country": "FR",
                "amount": f"{rng.randint(5, 200) * 500}.00",
                "currency": plan["currency"],
                "product_line": rng.choice(plan["product_lines"]),
                "expected_close_date": close.isoformat(),
            },
        )

    def api_list() -> tuple[int, int]:
        agent, _accounts = api_clients()
        return call(agent.get("/api/v1/deals?limit=50"))

    def api_create() -> tuple[int, int]:
        agent, accounts = api_clients()
        body = {
            "name": f"Bench API deal {rng.random()}",
            "account_id": rng.choice(accounts),
            "product_line_id": rng.choice(plan["product_lines"]),
            "amount": f"{rng.randint(5, 200) * 500}.00",
            "stage_id": rng.choice(plan["stages"]["open"]),
            "expected_close_date": (today + dt.timedelta(days=rng.randint(30, 150))).isoformat(),
        }
        return call(
            agent.post(
                "/api/v1/deals",
                body,
                content_type="application/json",
                headers={"Idempotency-Key": f"{rng.random()}"},
            )
        )

    routes = [
        Route("GET / (director home)", lambda: call(director.get("/")), {200}),
        Route("GET /revenue/forecast/", lambda: call(director.get("/revenue/forecast/")), {200}),
        Route("GET / (manager cockpit)", lambda: call(managers().get("/")), {200}),
        Route("GET /pipeline/ (manager)", lambda: call(managers().get("/pipeline/")), {200}),
        Route("GET /pipeline/ (rep)", lambda: call(next_rep()[0].get("/pipeline/")), {200}),
        Route("GET /deals/[id]/", detail, {200}),
        Route("GET /portal/", lambda: call(partners().get("/portal/")), {200}),
        Route("GET /portal/deals/", lambda: call(partners().get("/portal/deals/")), {200}),
        Route(
            "GET /portal/registrations/",
            lambda: call(partners().get("/portal/registrations/")),
            {200},
        ),
        Route("GET /api/v1/deals", api_list, {200}),
        # The floor every request pays (not in the mix): the middleware alone, then with the
        # session and the user read (an empty answer, as signed out and as a rep).
        Route("(floor) GET /favicon.ico", lambda: call(Browser().get("/favicon.ico")), {204}),
        Route(
            "(floor) GET /favicon.ico (signed in)",
            lambda: call(next_rep()[0].get("/favicon.ico")),
            {204},
        ),
        # Writes last: they make forecasts stale, and no worker refreshes them here.
        Route("POST /deals/[id]/move/", move, {200}),
        Route("POST /deals/[id]/activities/", activity, {302}),
        Route("POST /portal/registrations/new/", register, {302}),
        Route("POST /api/v1/deals", api_create, {201}),
    ]
    if args.only:
        routes = [r for r in routes if r.name.startswith(args.only)]

    connection.ensure_connection()
    backend_pid = connection.connection.info.backend_pid
    assert proc_ticks(backend_pid) > 0, "the PostgreSQL backend's /proc entry is not readable"
    DBTaskResult.objects.all().delete()
    figures: dict[str, Any] = {}
    for route in routes:
        for _ in range(3):  # warm: imports, templates, connection, caches
            status, _size = route.call()
            assert status in route.expect, (route.name, status)
        profiler: Any = None
        if args.profile and route.name.startswith(args.profile):
            if args.profiler == "cprofile":  # deterministic, on CPU time (busy machines)
                import cProfile

                profiler = cProfile.Profile(time.process_time)
                profiler.enable()
            else:
                from pyinstrument import Profiler

                profiler = Profiler(interval=0.0005)
                profiler.start()
        cpu, wall = [], []
        pg0 = proc_ticks(backend_pid)
        for _ in range(args.runs):
            c0, w0 = time.process_time(), time.perf_counter()
            status, _size = route.call()
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - w0) * 1000)
            assert status in route.expect, (route.name, status)
        pg_ms = (proc_ticks(backend_pid) - pg0) * 1000 / CLK_TCK / args.runs
        if profiler is not None:
            out = args.profile_dir / (slug(route.name) + ".txt")
            if args.profiler == "cprofile":
                import io
                import pstats

                profiler.disable()
                profiler.dump_stats(out.with_suffix(".prof"))  # for pstats / snakeviz
                text = io.StringIO()
                stats = pstats.Stats(profiler, stream=text)
                stats.sort_stats("cumulative").print_stats(80)
                stats.sort_stats("tottime").print_stats(40)
                out.write_text(text.getvalue())
            else:
                profiler.stop()
                out.write_text(profiler.output_text(unicode=True, show_all=False))
        assert connection.connection.info.backend_pid == backend_pid, "reconnected"
        with CaptureQueriesContext(connection) as queries:
            route.call()
        if args.sql_dir:  # the queries of one request, one a line
            (args.sql_dir / (slug(route.name) + ".sql")).write_text(
                "".join(q["sql"] + ";\n" for q in queries.captured_queries)
            )
        web_ms = statistics.mean(cpu)
        figures[route.name] = {
            "web_cpu_ms": round(web_ms, 2),
            "web_cpu_p50_ms": round(statistics.median(cpu), 2),
            "pg_cpu_ms": round(pg_ms, 2),
            "cpu_ms": round(web_ms + pg_ms, 2),
            "wall_p50_ms": round(statistics.median(wall), 2),
            "queries": len(queries.captured_queries),
        }

    result: dict[str, Any] = {"routes": figures}
    if not args.only:
        result["mix"] = {
            key: round(sum(MIX[name] * f[key] for name, f in figures.items() if name in MIX), 2)
            for key in ("web_cpu_ms", "pg_cpu_ms", "cpu_ms")
        }
        result["mix"]["queries"] = round(
            sum(MIX[name] * f["queries"] for name, f in figures.items() if name in MIX), 1
        )

    # The background work the writes left: each task run once here, CPU per kind.
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=["*"],
        interval=1,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="route-cpu",
        excluded_queue_names=[],
    )
    tasks: dict[str, list[float]] = {}
    enqueued = Counter(DBTaskResult.objects.values_list("task_path", flat=True))
    for row in list(DBTaskResult.objects.filter(status="READY").order_by("enqueued_at")):
        row.claim("route-cpu")
        c0, pg0 = time.process_time(), proc_ticks(backend_pid)
        worker.run_task(row)
        spent = (time.process_time() - c0) * 1000 + (proc_ticks(backend_pid) - pg0) * 1000 / CLK_TCK
        tasks.setdefault(row.task_path.rsplit(".", 1)[-1], []).append(spent)
    result["tasks_enqueued_by_writes"] = dict(enqueued)
    result["task_cpu_ms"] = {k: round(statistics.mean(v), 1) for k, v in tasks.items()}

    # One forecast refresh per kind of scope (what the worker runs after writes).
    refresh: dict[str, float] = {}
    for key in ("company", "team:", "rep:", "partner:", "product_line:"):
        from dirco.revenue.models import ForecastSnapshot

        scope_key = (
            key
            if not key.endswith(":")
            else ForecastSnapshot.objects.filter(scope_key__startswith=key)
            .order_by("scope_key")
            .values_list("scope_key", flat=True)
            .first()
        )
        if scope_key is None:
            continue
        spent = []
        for _ in range(3):
            c0, pg0 = time.process_time(), proc_ticks(backend_pid)
            revenue_forecast_refresh(scope=Scope.parse(scope_key))
            spent.append(
                (time.process_time() - c0) * 1000 + (proc_ticks(backend_pid) - pg0) * 1000 / CLK_TCK
            )
        refresh[key.rstrip(":")] = round(statistics.median(spent), 1)
    result["forecast_refresh_cpu_ms"] = refresh
    result["settings"] = {
        "session_engine": settings.SESSION_ENGINE,
        "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
        "conn_max_age": settings.DATABASES["default"]["CONN_MAX_AGE"],
    }
    return result


def idle_background(url: str, seconds: float, redis: str) -> dict[str, Any]:
    """``dirco db_worker`` and ``dirco scheduler`` with nothing to do: their CPU, and their
    PostgreSQL backends', in cores (after a start-up of 30 s, which is not counted: a busy
    machine takes that long to import Django and dirco twice)."""
    import psycopg

    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DIRCO_ENV": "development",
        "DIRCO_DEBUG": "0",
    }
    for name in ("SQLITE_PATH", "TASKS_IMMEDIATE", "DIRCO_TESTING", "REDIS_URL"):
        env.pop(name, None)
    if redis:
        env["REDIS_URL"] = redis
    procs = {
        name: subprocess.Popen(
            [str(BIN / "dirco"), name],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name in ("db_worker", "scheduler")
    }
    try:
        time.sleep(30)
        with psycopg.connect(url, autocommit=True) as conn:

            def backends() -> dict[int, int]:
                rows = conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> "
                    "pg_backend_pid()",
                    [url.rsplit("/", 1)[1]],
                ).fetchall()
                return {pid: proc_ticks(pid) for (pid,) in rows}

            before = {name: tree_seconds(p.pid) for name, p in procs.items()}
            pg_before = backends()
            time.sleep(seconds)
            after = {name: tree_seconds(p.pid) for name, p in procs.items()}
            pg_after = backends()
        pg = sum(t - pg_before[pid] for pid, t in pg_after.items() if pid in pg_before)
        return {
            "seconds": seconds,
            **{f"{n}_cores": round((after[n] - before[n]) / seconds, 4) for n in procs},
            "their_pg_backends_cores": round(pg / CLK_TCK / seconds, 4),
        }
    finally:
        for p in procs.values():
            p.terminate()
            p.wait(30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--deals", type=int, default=25000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--only", default="", help="Only the routes starting with this.")
    parser.add_argument("--profile", default="", help="Profile the routes starting with this.")
    parser.add_argument("--profile-dir", type=Path, default=Path("/tmp/dirco-profiles"))
    parser.add_argument("--profiler", choices=["pyinstrument", "cprofile"], default="pyinstrument")
    parser.add_argument("--sql-dir", type=Path, help="Write each route's queries here.")
    parser.add_argument("--idle-seconds", type=float, default=30, help="0: skip.")
    parser.add_argument("--redis", default="", help="REDIS_URL for the web side (else unset).")
    parser.add_argument("--out", type=Path, help="Also write the JSON here.")
    parser.add_argument(
        "--reuse", action="store_true", help="Work on the copy the last run left (quicker)."
    )
    parser.add_argument(
        "--pg-run-db", default=RUN_DB, help="The scratch copy's name (two runs at once)."
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args)))
        return 0
    if args.profile:
        args.profile_dir.mkdir(parents=True, exist_ok=True)
    if args.sql_dir:
        args.sql_dir.mkdir(parents=True, exist_ok=True)
    base = args.pg.rsplit("/", 1)[0]
    url = (
        f"{base}/{args.pg_run_db}"
        if args.reuse
        else pg_prepare(args.pg, args.deals, args.pg_run_db)
    )
    command = [
        sys.executable,
        __file__,
        "--child",
        "--database-url",
        url,
        "--runs",
        str(args.runs),
        "--only",
        args.only,
        "--profile",
        args.profile,
        "--profile-dir",
        str(args.profile_dir),
        "--profiler",
        args.profiler,
        "--redis",
        args.redis,
        *(["--sql-dir", str(args.sql_dir)] if args.sql_dir else []),
    ]
    load_before = os.getloadavg()[0]
    out = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        sys.stderr.write(out.stderr[-6000:])
        return out.returncode
    result: dict[str, Any] = {
        "bench": "route_cpu",
        "db": "postgresql",
        "deals": args.deals,
        "runs": args.runs,
        **json.loads(out.stdout.strip().splitlines()[-1]),
    }
    if args.idle_seconds and not args.only:
        result["idle_background"] = idle_background(url, args.idle_seconds, args.redis)
    result["load_avg_1m"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    result["machine"] = f"{platform.machine()} {os.cpu_count()} cores, {platform.python_version()}"
    line = json.dumps(result)
    print(line)
    if args.out:
        args.out.write_text(line + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
