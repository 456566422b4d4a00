"""Benchmark: seed the demo company with N deals (default 1,000,000) in a scratch SQLite database.

Prints one JSON line: {"bench": "seed", "deals": N, "seconds": ..., "deals_per_s": ..., ...}.
``--keep PATH`` keeps the database at PATH (the page benchmark reuses a 1M-deal database).

    python bench/seed.py [--deals N] [--seed S] [--keep PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def dirco_command() -> list[str]:
    """The ``dirco`` console script of this interpreter's environment, else ``python -m``."""
    script = Path(sys.executable).with_name("dirco")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "dirco.manage"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", type=Path, help="Keep the seeded SQLite database at this path.")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="dirco-bench-seed-") as tmp:
        db = Path(tmp) / "dirco.sqlite3"
        env = {
            **os.environ,
            "SQLITE_PATH": str(db),
            "DIRCO_HOME": tmp,
            "DIRCO_ENV": "development",
            "DEBUG": "0",
        }
        env.pop("DATABASE_URL", None)
        dirco = dirco_command()
        subprocess.run(
            [*dirco, "migrate", "--no-input", "-v0", "--skip-checks"], env=env, check=True, cwd=tmp
        )
        load_before = os.getloadavg()[0]
        started = time.monotonic()
        cpu_before = os.times()
        subprocess.run(
            [
                *dirco,
                "seed_demo",
                "--deals",
                str(args.deals),
                "--seed",
                str(args.seed),
                "-v0",
                "--skip-checks",
            ],
            env=env,
            check=True,
            cwd=tmp,
        )
        seconds = time.monotonic() - started
        cpu_after = os.times()
        cpu = (cpu_after.children_user - cpu_before.children_user) + (
            cpu_after.children_system - cpu_before.children_system
        )
        if args.keep:
            # Fold the WAL into the main file so that one file is a complete database.
            with sqlite3.connect(db) as conn:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            args.keep.parent.mkdir(parents=True, exist_ok=True)
            for suffix in ("-wal", "-shm"):
                Path(f"{args.keep}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(db, args.keep)

    result = {
        "bench": "seed",
        "deals": args.deals,
        "seconds": round(seconds, 1),
        "deals_per_s": round(args.deals / seconds) if seconds else None,
        "db": "sqlite",
        "machine": f"{len(os.sched_getaffinity(0))} cores, {platform.platform()}",
        "cpu_seconds": round(cpu, 1),
        "load_average_before": round(load_before, 1),
    }
    if args.keep:
        result["kept"] = str(args.keep)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
