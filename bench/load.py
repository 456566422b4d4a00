"""Load test: the production topology under reps, managers, the director, partners and API
clients (locust, headless, loopback only), with a ledger of every acknowledged write checked
against the database afterwards.

It starts everything itself on a scratch copy of a seeded database: ``gunicorn dirco.wsgi``
with ``--workers N`` (sync workers, as in the Procfile), ``dirco db_worker`` and, unless
``--no-scheduler``, ``dirco scheduler``; then locust with ``--users`` users (think time
``--think`` seconds, 5 by default) for ``--duration`` seconds. ``--kill-every S`` kills one
gunicorn worker with SIGKILL every S seconds (gunicorn starts a new one). Afterwards every
process is stopped and ``bench/load_ledger.py`` checks each acknowledged write: there exactly
once, the stage history of every touched deal one chain, the rollups equal to a rebuild.

SQLite by default (the seeded file is kept in ``--work-dir`` and copied for each run);
``--pg URL`` uses PostgreSQL: the seeded database ``dirco_load_seed_<deals>`` is made once on
that server and each run works on a copy (``CREATE DATABASE ... TEMPLATE``).

Prints one JSON line: per route p50/p95/max ms, requests and errors; the ledger's result; the
load average before, during and after, and the CPU the run's own processes used (what is left
is the load of other processes on the machine): per process (web, worker, scheduler, locust and,
on PostgreSQL, the run database's backends) in cores and in ms per request answered.

    python bench/load.py --users 50 --duration 600 [--kill-every 120] [--pg postgres://...]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------------------------
# Children that run inside Django (the plan before the run, the ledger's check after it)


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dirco.settings")
    import django

    django.setup()


def child_plan(run: str, deals_per_rep: int) -> dict[str, Any]:
    """Who plays, which deals each rep moves, the stages, the API keys."""
    _django()
    from django.utils import timezone

    from dirco.accounts.models import User
    from dirco.accounts.services import api_token_create
    from dirco.catalog.models import ProductLine
    from dirco.core.money import company_currency
    from dirco.customers.permissions import accounts_visible_to
    from dirco.pipeline.models import Stage
    from dirco.pipeline.permissions import deals_editable_by
    from dirco.registrations.permissions import registration_can_submit

    rng = random.Random(14)
    today = timezone.localdate()
    open_stages = list(
        Stage.objects.filter(is_won=False, is_lost=False)
        .order_by("order")
        .values_list("id", flat=True)
    )
    won = Stage.objects.filter(is_won=True).values_list("id", flat=True).first()
    lost = Stage.objects.filter(is_lost=True).values_list("id", flat=True).first()
    # Mostly forward and back between open stages; now and then won or lost (the rollups'
    # won/lost measures and the cycle histogram move too).
    moves = [*open_stages * 4, won, lost]
    reps, tokens, stages_before = [], [], {}
    for rep in User.objects.filter(role=User.Role.REP, is_active=True).order_by("id"):
        open_deals = list(
            deals_editable_by(rep)
            # Not yet past their expected close date: a won or lost deal dropped back into
            # an open column must then be given a new date (deal_rules), which a drop cannot.
            .filter(owner=rep, stage__in=open_stages, expected_close_date__gte=today)
            .order_by("id")
            .values_list("id", "stage_id")
        )
        chosen = rng.sample(open_deals, min(deals_per_rep, len(open_deals)))
        stages_before.update(dict(chosen))
        reps.append({"email": rep.email, "deals": chosen})
        _token, key = api_token_create(user=rep, name=f"load {run}")
        accounts = list(accounts_visible_to(rep).order_by("id").values_list("id", flat=True))
        tokens.append({"email": rep.email, "key": key, "accounts": accounts[:200]})
    partners = [
        u
        for u in User.objects.filter(is_active=True, partner__isnull=False)
        .select_related("partner")
        .order_by("id")
        if registration_can_submit(user=u)
    ]
    director = User.objects.filter(role=User.Role.DIRECTOR, is_active=True).order_by("id").first()
    managers = list(User.objects.filter(role=User.Role.MANAGER, is_active=True).order_by("id"))
    assert director is not None
    people = [
        director,
        *managers,
        *User.objects.filter(email__in=[r["email"] for r in reps]),
        *partners,
    ]
    return {
        "run": run,
        "director": director.email,
        "managers": [m.email for m in managers],
        "reps": reps,
        "partners": [p.email for p in partners],
        "sessions": {user.email: session_open(user) for user in people},
        "api_tokens": tokens,
        "stages": {"open": open_stages, "moves": moves},
        "product_lines": list(ProductLine.objects.order_by("id").values_list("id", flat=True)),
        "currency": company_currency(),
        "stages_before": stages_before,
    }


def session_open(user: Any) -> str:
    """A session key for ``user``, as a login leaves it: the people of the run are logged in
    before it starts (a login hashes the password, about half a second of CPU by design, and
    200 of them at once would be a login storm, not the day the run is about)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from dirco.accounts.middleware import TRACKED_SESSION_KEY
    from dirco.accounts.security import OTP_STATE_KEY, otp_enabled_for, user_session_record

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    # What the login receiver (dirco.accounts.signals) records: the session under its user and
    # whether the user has a second factor. Without them the first request of each session
    # records them (a transaction and a session write): once per user in a load run, but on
    # most requests of route_cpu.py, which rotates over more partner users than it has runs.
    key = str(session.session_key)
    user_session_record(user=user, session_key=key)
    session[TRACKED_SESSION_KEY] = key
    session[OTP_STATE_KEY] = otp_enabled_for(user)
    session.save()
    return key


def child_verify(plan_path: Path, ledger_path: Path, started_at: float) -> dict[str, Any]:
    _django()
    sys.path.insert(0, str(Path(__file__).parent))
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult
    from load_ledger import ledger_verify

    plan = json.loads(plan_path.read_text())
    entries = [json.loads(line) for line in ledger_path.read_text().splitlines() if line.strip()]
    t0 = time.monotonic()
    result = ledger_verify(
        entries,
        stages_before={int(k): v for k, v in plan["stages_before"].items()},
        started_at=started_at,
    )
    result["seconds"] = round(time.monotonic() - t0, 1)
    # What the task worker left: READY rows still waiting, RUNNING ones of a killed worker.
    result["task_rows_by_status"] = dict(
        DBTaskResult.objects.values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return result


# --------------------------------------------------------------------------------------------
# The databases


def dirco(*args: str, env: dict[str, str], quiet: bool = True) -> None:
    subprocess.run(
        [str(BIN / "dirco"), *args],
        check=True,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def sqlite_prepare(work: Path, deals: int, env: dict[str, str]) -> dict[str, str]:
    seed = work / f"seed-{deals}.sqlite3"
    if not seed.exists():
        partial = work / f"seed-{deals}.partial.sqlite3"
        partial.unlink(missing_ok=True)
        seed_env = {**env, "SQLITE_PATH": str(partial)}
        dirco("migrate", "--no-input", "-v0", env=seed_env)
        dirco("seed_demo", "--deals", str(deals), env=seed_env)
        partial.rename(seed)
    run = work / "run.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{run}{suffix}").unlink(missing_ok=True)
    with sqlite3.connect(seed) as source, sqlite3.connect(run) as target:
        source.backup(target)  # a consistent copy, WAL and all
    return {"SQLITE_PATH": str(run)}


def pg_prepare(url: str, deals: int, env: dict[str, str], run: str) -> dict[str, str]:
    import psycopg

    base = url.rsplit("/", 1)[0]
    seed, partial = f"dirco_load_seed_{deals}", f"dirco_load_seed_{deals}_partial"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [seed]).fetchone()
        if not exists:
            conn.execute(f'DROP DATABASE IF EXISTS "{partial}"')
            conn.execute(f'CREATE DATABASE "{partial}"')
            seed_env = {**env, "DATABASE_URL": f"{base}/{partial}"}
            dirco("migrate", "--no-input", "-v0", env=seed_env)
            dirco("seed_demo", "--deals", str(deals), env=seed_env)
            # Statistics as autovacuum leaves them in production (the seed is one transaction).
            with psycopg.connect(f"{base}/{partial}", autocommit=True) as seeded:
                seeded.execute("VACUUM ANALYZE")
            conn.execute(f'ALTER DATABASE "{partial}" RENAME TO "{seed}"')
        conn.execute(f'DROP DATABASE IF EXISTS "{run}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{run}" TEMPLATE "{seed}"')
    return {"DATABASE_URL": f"{base}/{run}"}


# --------------------------------------------------------------------------------------------
# Processes, CPU and load


def cpu_seconds(pid: int, *, with_reaped: bool = True) -> float:
    """CPU of a process and of its children: live ones, and (cutime/cstime) those reaped."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])
    if with_reaped:
        ticks += int(fields[13]) + int(fields[14])
    total = ticks / CLK_TCK
    for child in children(pid):
        total += cpu_seconds(child, with_reaped=with_reaped)
    return total


def reap_with_cpu(process: subprocess.Popen[bytes], timeout: float) -> float:
    """Wait for ``process`` to end (at most ``timeout`` seconds, then kill it) and return the
    CPU seconds it and its reaped children used (from wait4: once reaped, /proc forgets)."""
    deadline = time.monotonic() + timeout
    while True:
        late = time.monotonic() > deadline
        if late:
            process.kill()
        pid, status, usage = os.wait4(process.pid, 0 if late else os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return usage.ru_utime + usage.ru_stime
        time.sleep(0.5)


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def machine_busy_seconds() -> float:
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / CLK_TCK


class BackendCpu:
    """The CPU of the PostgreSQL backends serving one database, sampled (``sample``) from
    /proc: a backend that ends loses what it used since the last sample (the web processes
    reconnect every minute: a few seconds in sixty, at most)."""

    def __init__(self, url: str) -> None:
        import psycopg

        self.database = url.rsplit("/", 1)[1]
        self.conn = psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True)
        self.first: dict[int, int] = {}
        self.last: dict[int, int] = {}

    def sample(self) -> None:
        rows = self.conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.database]
        ).fetchall()
        for (pid,) in rows:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # gone, or PostgreSQL on another machine
            self.first.setdefault(pid, int(fields[11]) + int(fields[12]))
            self.last[pid] = int(fields[11]) + int(fields[12])

    def seconds(self) -> float:
        return sum(self.last[pid] - self.first[pid] for pid in self.last) / CLK_TCK

    def close(self) -> None:
        self.conn.close()


def loadavg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise RuntimeError("the server did not become ready")


def stop(process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def route_figures(samples_path: Path, goal_ms: float) -> dict[str, Any]:
    data = json.loads(samples_path.read_text())
    routes: dict[str, Any] = {}
    total = errors = 0
    for route, times in sorted(data["samples"].items()):
        failed = data["failures"].get(route, 0)
        total += len(times)
        errors += failed
        routes[route] = {
            "requests": len(times),
            "errors": failed,
            "p50_ms": round(percentile(times, 0.50)),
            "p95_ms": round(percentile(times, 0.95)),
            "max_ms": round(max(times)),
        }
        if failed:
            routes[route]["error_examples"] = data["failure_examples"].get(route, [])[:3]
    slow = [r for r, f in routes.items() if f["p95_ms"] >= goal_ms and "login" not in r]
    return {
        "measured_from": data["measuring_from"],
        "requests_all": data.get("requests_all", total),
        "routes": routes,
        "requests": total,
        "errors": errors,
        "error_rate_pct": round(100 * errors / total, 3) if total else 0.0,
        "routes_over_p95_goal": slow,
    }


def client_exceptions(path: Path) -> dict[str, Any]:
    """Exceptions raised in the users' tasks (a bug of the load test itself: a task that
    crashes sends nothing, and would pass silently)."""
    lines = path.read_text(errors="replace").splitlines() if path.exists() else []
    found = [line for line in lines if "/ERROR/locust.user.task" in line]
    return {"count": len(found), "examples": found[:3]}


def server_log_problems(path: Path) -> dict[str, Any]:
    text = path.read_text(errors="replace") if path.exists() else ""
    lines = text.splitlines()
    statuses: dict[str, int] = {}
    for line in lines:
        # The access log: '... "POST /deals/1/move/ HTTP/1.1" 500 ...'
        parts = line.split('" ')
        if len(parts) > 1 and parts[1][:3].isdigit() and parts[1][0] == "5":
            statuses[parts[1][:3]] = statuses.get(parts[1][:3], 0) + 1
    tracebacks = [i for i, line in enumerate(lines) if line.startswith("Traceback")]
    examples = ["\n".join(lines[i : i + 40])[-1500:] for i in tracebacks[:3]]
    return {
        "responses_5xx": statuses,
        "tracebacks": len(tracebacks),
        "worker_timeouts": text.count("WORKER TIMEOUT"),
        "examples": examples,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=0, help="Users started a second.")
    parser.add_argument("--duration", type=int, default=60, help="Seconds of load.")
    parser.add_argument("--think", type=float, default=5.0, help="Mean think time, seconds.")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers.")
    parser.add_argument("--kill-every", type=float, default=0, help="SIGKILL a web worker.")
    parser.add_argument("--no-scheduler", action="store_true")
    parser.add_argument("--pg", default="", help="PostgreSQL server URL (else SQLite).")
    parser.add_argument(
        "--pg-run-db", default="dirco_load_run", help="The scratch copy's name (PostgreSQL)."
    )
    parser.add_argument(
        "--redis",
        default="",
        help="REDIS_URL for the run's processes, as the several-machine deployment sets it "
        "(sessions read through Redis, cache, throttle); else none (local memory cache).",
    )
    parser.add_argument("--deals", type=int, default=25000, help="Deals of the seeded company.")
    parser.add_argument("--deals-per-rep", type=int, default=200)
    parser.add_argument("--port", type=int, default=8140)
    parser.add_argument("--goal-ms", type=float, default=500)
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/dirco-load"))
    parser.add_argument("--out", type=Path, help="Also write the JSON here.")
    parser.add_argument("--child", choices=["plan", "verify"], help=argparse.SUPPRESS)
    parser.add_argument("--run", default="", help=argparse.SUPPRESS)
    parser.add_argument("--plan", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--ledger", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--started-at", type=float, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "plan":
        print(json.dumps(child_plan(args.run, args.deals_per_rep)))
        return 0
    if args.child == "verify":
        print(json.dumps(child_verify(args.plan, args.ledger, args.started_at), default=str))
        return 0

    work = args.work_dir
    work.mkdir(parents=True, exist_ok=True)
    run = time.strftime("%Y%m%dT%H%M%S")
    run_dir = Path(tempfile.mkdtemp(prefix=f"run-{run}-", dir=work))
    env = {
        **os.environ,
        "PATH": f"{BIN}:{os.environ.get('PATH', '')}",
        # Plain HTTP on loopback: the development settings with DEBUG off, as `make prod-demo`
        # (DIRCO_ENV=production sends secure cookies only and redirects to HTTPS).
        "DIRCO_ENV": "development",
        "DIRCO_DEBUG": "0",
        "DEBUG": "0",
        "STATIC_ROOT": str(work / "static"),
        "DIRCO_MEDIA_ROOT": str(run_dir / "media"),
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("DATABASE_URL", "SQLITE_PATH", "TASKS_IMMEDIATE", "DIRCO_TESTING", "REDIS_URL"):
        env.pop(name, None)
    if args.redis:
        env["REDIS_URL"] = args.redis
    db = "postgresql" if args.pg else "sqlite"
    env.update(
        pg_prepare(args.pg, args.deals, env, args.pg_run_db)
        if args.pg
        else sqlite_prepare(work, args.deals, env)
    )
    dirco("migrate", "--no-input", "-v0", env=env)
    dirco("collectstatic", "--no-input", "-v0", env=env)

    plan_path, ledger_path = run_dir / "plan.json", run_dir / "ledger.jsonl"
    samples_path = run_dir / "samples.json"
    plan = (
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                "plan",
                "--run",
                run,
                "--deals-per-rep",
                str(args.deals_per_rep),
            ],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    plan_path.write_text(plan)
    ledger_path.touch()

    url = f"http://127.0.0.1:{args.port}"
    logs = {
        name: open(run_dir / f"{name}.log", "wb")  # noqa: SIM115 (closed in the finally below)
        for name in ("web", "worker", "scheduler", "locust")
    }
    web = subprocess.Popen(
        [
            str(BIN / "gunicorn"), "dirco.wsgi", "--workers", str(args.workers),
            "--bind", f"127.0.0.1:{args.port}", "--access-logfile", "-", "--timeout", "60",
        ],
        cwd=ROOT, env=env, stdout=logs["web"], stderr=subprocess.STDOUT,
    )  # fmt: skip
    processes = {"web": web}
    processes["worker"] = subprocess.Popen(
        [str(BIN / "dirco"), "db_worker"],
        cwd=ROOT,
        env=env,
        stdout=logs["worker"],
        stderr=subprocess.STDOUT,
    )
    if not args.no_scheduler:
        processes["scheduler"] = subprocess.Popen(
            [str(BIN / "dirco"), "scheduler"],
            cwd=ROOT,
            env=env,
            stdout=logs["scheduler"],
            stderr=subprocess.STDOUT,
        )
    kills: list[dict[str, Any]] = []
    load_samples: list[list[float]] = []
    backends = BackendCpu(env["DATABASE_URL"]) if args.pg else None
    try:
        wait_healthy(url, web)
        load_before = loadavg()
        busy0, started = machine_busy_seconds(), time.time()
        cpu0 = {name: cpu_seconds(p.pid) for name, p in processes.items()}
        if backends is not None:
            backends.sample()
        spawn_rate = args.spawn_rate or max(1.0, args.users / 10)
        locust = subprocess.Popen(
            [
                str(BIN / "locust"), "-f", str(Path(__file__).with_name("load_users.py")),
                "--headless", "--users", str(args.users), "--spawn-rate", str(spawn_rate),
                "--run-time", f"{args.duration}s", "--host", url, "--only-summary",
                "--stop-timeout", "15", "--loglevel", "WARNING",
            ],
            cwd=ROOT, stdout=logs["locust"], stderr=subprocess.STDOUT,
            env={
                **env, "LOAD_PLAN": str(plan_path), "LOAD_LEDGER": str(ledger_path),
                "LOAD_SAMPLES": str(samples_path), "LOAD_THINK": str(args.think),
            },
        )  # fmt: skip
        processes["locust"] = locust
        done = threading.Event()

        def watch() -> None:
            next_kill = time.monotonic() + args.kill_every if args.kill_every else float("inf")
            while not done.wait(5):
                load_samples.append(loadavg())
                if backends is not None:
                    backends.sample()
                if time.monotonic() >= next_kill:
                    workers = children(web.pid)
                    if workers:
                        victim = random.choice(workers)
                        with contextlib.suppress(ProcessLookupError):
                            os.kill(victim, signal.SIGKILL)
                        kills.append({"at_s": round(time.time() - started), "pid": victim})
                    next_kill += args.kill_every

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        locust_cpu = reap_with_cpu(locust, args.duration + 180)
        done.set()
        watcher.join()
        ended = time.time()
        cpu = {
            name: cpu_seconds(p.pid) - cpu0.get(name, 0.0)
            for name, p in processes.items()
            if name != "locust"
        }
        cpu["locust"] = locust_cpu
        if backends is not None:
            backends.sample()
            cpu["postgresql"] = backends.seconds()
        own_cpu = sum(cpu.values())
        busy = machine_busy_seconds() - busy0
    finally:
        if backends is not None:
            backends.close()
        for name in ("locust", "scheduler", "worker", "web"):
            if name in processes:
                stop(processes[name])
        for log in logs.values():
            log.close()
    # Our CPU during the load: the web workers (killed ones too: gunicorn reaps them, their time
    # goes to its cutime), the task worker, the scheduler and locust.
    elapsed = ended - started
    verify = subprocess.run(
        [
            sys.executable, __file__, "--child", "verify", "--plan", str(plan_path),
            "--ledger", str(ledger_path), "--started-at", str(started),
        ],
        check=True, capture_output=True, text=True, env=env,
    )  # fmt: skip
    ledger = json.loads(verify.stdout.strip().splitlines()[-1])
    figures = route_figures(samples_path, args.goal_ms)
    during = [s[0] for s in load_samples]
    # Each process's CPU per request answered during the load (the measured window and the
    # ramp-up alike: the CPU counters cover both), and in cores.
    answered = figures["requests_all"] or 1
    result = {
        "bench": "load",
        "db": db,
        "users": args.users,
        "think_s": args.think,
        "duration_s": args.duration,
        "gunicorn_workers": args.workers,
        "redis": bool(args.redis),
        "scheduler": not args.no_scheduler,
        "kill_every_s": args.kill_every,
        "kills": len(kills),
        "deals": args.deals,
        **figures,
        "requests_per_s": round(
            figures["requests"] / (ended - (figures["measured_from"] or started)), 1
        ),
        "client_task_exceptions": client_exceptions(run_dir / "locust.log"),
        "ledger": ledger,
        "server": server_log_problems(run_dir / "web.log"),
        "load": {
            "loadavg_before": load_before,
            "loadavg_during_max_1m": max(during) if during else None,
            "loadavg_during_mean_1m": round(sum(during) / len(during), 2) if during else None,
            "loadavg_after": loadavg(),
            "cores": os.cpu_count(),
            "machine_busy_cores": round(busy / elapsed, 2),
            "this_run_cores": round(own_cpu / elapsed, 2),
            "cores_by_process": {k: round(v / elapsed, 3) for k, v in cpu.items()},
            "cpu_ms_per_request_by_process": {
                k: round(v * 1000 / answered, 2) for k, v in cpu.items()
            },
            "other_processes_cores": round(max(0.0, busy - own_cpu) / elapsed, 2),
        },
        "machine": f"{platform.machine()} {os.cpu_count()} cores, {platform.python_version()}",
        "run_dir": str(run_dir),
    }
    line = json.dumps(result)
    print(line)
    if args.out:
        args.out.write_text(line + "\n")
    shutil.rmtree(run_dir / "media", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
