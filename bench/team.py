"""Benchmark: latency and SQL query count of the team dynamics pages (synergy, manager
effect, turnover, ramp-up and capacity, planned departures, handovers) and their APIs, for
the director and a manager, at 25k and at 1M deals, on SQLite.

Prints one JSON line. Databases: ``--db-25k PATH`` and ``--db-1m PATH`` (SQLite files seeded
with ``bench/seed.py --deals N --keep PATH``); a missing 25k database is seeded on the fly,
a missing 1M database is skipped unless ``--seed-1m`` is given (it takes minutes). The
pages read the rollup tables and the won revenue by owner and month (``OwnerWonMonth``,
precomputed and kept on every deal write), never the deals: the query counts do not grow
with the deals. The harness is ``bench/page_timing.py``.

    python bench/team.py [--db-25k PATH] [--db-1m PATH] [--seed-1m] [--runs 30] [--only NAME]

``--only synergy`` measures the targets whose name starts with it. The databases must be
migrated to the code measured (``SQLITE_PATH=PATH dirco migrate``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from page_timing import child_run, main

TARGETS = [
    ("synergy", "/team/synergy/"),
    ("synergy_api", "/api/v1/team-synergy?team={team}"),
    ("managers", "/team/managers/"),
    ("turnover", "/team/turnover/"),
    ("turnover_what_if", "/team/turnover/?what_if={rep}"),
    ("capacity", "/team/capacity/"),
    ("capacity_api", "/api/v1/team-capacity?team={team}"),
    ("departures", "/team/departures/"),
    ("handovers", "/team/handovers/"),
]
USERS = {"manager": "manager1@demo.test", "director": "director@demo.test"}


def url_args() -> dict[str, Any]:
    from dirco.accounts.models import User
    from dirco.teams.models import SalesTeam

    team = SalesTeam.objects.filter(manager__email=USERS["manager"]).first()
    return {"team": team.pk if team else 0, "rep": User.objects.get(email="rep1@demo.test").pk}


def child(db: Path, runs: int, only: str) -> None:
    child_run(db, runs, only, users=USERS, targets=TARGETS, url_args=url_args)


if __name__ == "__main__":
    sys.exit(
        main(
            bench="team",
            description=__doc__.splitlines()[0],
            script=__file__,
            child=child,
        )
    )
