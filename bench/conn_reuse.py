"""What keeping the SQLite connection between requests saves (``DIRCO_CONN_MAX_AGE``).

Runs the same requests through Django's request cycle (test Client: signals, middleware,
views; no network) twice, in two fresh processes: ``DIRCO_CONN_MAX_AGE=0`` (reopen the file
and run the PRAGMAs on every request, Django's default) and ``=60`` (dirco's default). Prints
one JSON line: CPU and wall milliseconds per request for each, and the saving.

    .venv/bin/python bench/conn_reuse.py [--requests 300] [--path /deals/]

It seeds a small demo company in a scratch SQLite file first (about 30 s).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DIRCO = str(Path(sys.executable).with_name("dirco"))


def measure(requests: int, path: str) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dirco.settings")
    django.setup()
    from django.test import Client

    from dirco.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email="director@demo.test"))
    for _ in range(20):  # warm the caches and the imports
        assert client.get(path).status_code == 200
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(requests):
        client.get(path)
    print(
        json.dumps(
            {
                "cpu_ms": (time.process_time() - cpu) * 1000 / requests,
                "wall_ms": (time.perf_counter() - wall) * 1000 / requests,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--path", default="/deals/")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.requests, args.path)
        return
    with tempfile.TemporaryDirectory() as work:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(SQLITE_PATH=str(Path(work) / "bench.sqlite3"), TASKS_IMMEDIATE="1")
        subprocess.run([DIRCO, "migrate", "-v0", "--no-input"], env=env, check=True)
        subprocess.run(
            [DIRCO, "seed_demo", "--deals", "500", "-v0"], env=env, check=True, capture_output=True
        )
        results = {}
        for age in ("0", "60"):
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--measure",
                    "--requests",
                    str(args.requests),
                    "--path",
                    args.path,
                ],
                env=dict(env, DIRCO_CONN_MAX_AGE=age),
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            results[f"conn_max_age_{age}"] = json.loads(out.strip().splitlines()[-1])
    saving = {
        k: results["conn_max_age_0"][k] - results["conn_max_age_60"][k]
        for k in ("cpu_ms", "wall_ms")
    }
    print(json.dumps({"path": args.path, "requests": args.requests, **results, "saving": saving}))


if __name__ == "__main__":
    main()
