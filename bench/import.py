"""Benchmark: import 100,000 deals from a CSV file (French conventions) into SQLite.

Usage: python bench/import.py [--rows 100000] [--db PATH]

``--db`` is a copy of a seeded SQLite database (``bench/seed.py --deals 25000 --keep PATH``,
seeded on the fly in a temporary directory when not given); the bench migrates it and writes
to it. The file names existing accounts (by name), the director's reps as owners (by email),
amounts with a decimal comma and dates as DD/MM/YYYY; every row is validated. Timed: read +
validate + write + the rollups' rebuild, one transaction, as ``dirco import deals`` does.
Prints one JSON line: {"bench": "import", "rows": N, "seconds": .., "rows_per_s": .., ...}.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup(db: str) -> None:
    os.environ["SQLITE_PATH"] = db
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dirco.settings")
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "-v0"], env=dict(os.environ), check=True
    )
    import django

    django.setup()


def _csv(rows: int) -> bytes:
    from dirco.accounts.models import User
    from dirco.customers.models import Account

    rng = random.Random(7)
    accounts = list(Account.objects.order_by("id").values_list("name", flat=True)[:500])
    owners = list(
        User.objects.filter(role=User.Role.REP, is_active=True).values_list("email", flat=True)
    )
    lines = ["Référence;Affaire;Compte;Montant HT;Devise;Date de clôture;Commercial"]
    for i in range(rows):
        amount = f"{rng.randint(1_000, 250_000)},{rng.randint(0, 99):02d}"
        day = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.choice((2023, 2024, 2025))}"
        lines.append(
            f"IMP-{i};Affaire {i};{rng.choice(accounts)};{amount};EUR;{day};{rng.choice(owners)}"
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


def _measure(db: str, rows: int) -> dict[str, object]:
    _setup(db)
    from django.db import connection

    from dirco.accounts.models import User
    from dirco.imports.deals import deals_import
    from dirco.imports.reading import read_table
    from dirco.pipeline.models import Deal

    data = _csv(rows)
    director = User.objects.filter(role=User.Role.DIRECTOR).order_by("id").first()
    assert director is not None
    before = Deal.objects.count()
    started, cpu = time.perf_counter(), time.process_time()
    table = read_table(data, name="deals.csv")
    read_s = time.perf_counter() - started
    report = deals_import(table, default_owner=director)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu
    assert report.written and not report.errors, report.errors[:5]
    connection.close()
    return {
        "rows": rows,
        "created": report.created,
        "deals_before": before,
        "deals_after": Deal.objects.count(),
        "bytes": len(data),
        "read_s": round(read_s, 2),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
        "rows_per_s": round(rows / seconds),
        # What the machine's load does not change: rows per second of this process's CPU.
        "rows_per_cpu_s": round(rows / cpu_seconds),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dirco-import-") as tmp:
        db = args.db
        if not db:
            db = str(Path(tmp) / "seed.sqlite3")
            subprocess.run(
                [sys.executable, str(ROOT / "bench" / "seed.py"), "--deals", "25000", "--keep", db],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        load = os.getloadavg()
        out = _measure(db, args.rows)
    print(
        json.dumps(
            {
                "bench": "import",
                "db": "sqlite",
                **out,
                "machine": f"{os.cpu_count()} cores, {platform.machine()}, {platform.system()}",
                "load_average": [round(x, 2) for x in load],
            }
        )
    )


if __name__ == "__main__":
    main()
