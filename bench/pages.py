"""Benchmark: latency and SQL query count of the deal list API, the deal list page, the
pipeline board, the partner list (with its KPI columns) and the home page, for a rep and for
the director, at 25k and at 1M deals, on SQLite.

Prints one JSON line. Databases: ``--db-25k PATH`` and ``--db-1m PATH`` (SQLite files seeded
with ``bench/seed.py --deals N --keep PATH``); a missing 25k database is seeded on the fly,
a missing 1M database is skipped unless ``--seed-1m`` is given (it takes minutes). The
harness is ``bench/page_timing.py``.

    python bench/pages.py [--db-25k PATH] [--db-1m PATH] [--seed-1m] [--runs 30] [--only NAME]

``--only partner_list`` measures the targets whose name starts with it. The databases must be
migrated to the code measured (``SQLITE_PATH=PATH dirco migrate``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from page_timing import child_run, main

TARGETS = [
    ("deal_list_api", "/api/v1/deals?limit=50"),
    ("deal_list_page", "/deals/"),
    ("pipeline_board", "/pipeline/"),
    ("partner_list", "/partners/"),
    ("partner_list_by_won", "/partners/?sort=-won"),
    ("partner_list_by_progress", "/partners/?sort=-progress"),
    ("home", "/"),
]
USERS = {"rep": "rep1@demo.test", "director": "director@demo.test"}


def child(db: Path, runs: int, only: str) -> None:
    child_run(db, runs, only, users=USERS, targets=TARGETS)


if __name__ == "__main__":
    sys.exit(
        main(
            bench="pages",
            description=__doc__.splitlines()[0],
            script=__file__,
            child=child,
        )
    )
