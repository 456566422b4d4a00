"""The load test's ledger: every write the server acknowledged, checked against the database.

``bench/load_users.py`` appends one JSON object a line for each acknowledged write (an HTTP
2xx/3xx that means "done": the API's 201, the board's 200 after a drop, the redirect after an
activity or a registration). :func:`ledger_verify` then reads the database (Django set up,
every dirco process stopped) and reports:

- ``lost``: an acknowledged write that is not there;
- ``duplicates``: one that is there more than once (a create under one name, a move of one
  deal to one stage by one user inside the request's time window);
- ``history_broken``: a deal touched by the run whose stage changes do not form one chain
  (each change starts where the previous ended, the last ends on the deal's stage, a deal
  created by the run starts from no stage, a seeded deal from its stage before the run);
- ``rollups_differing``: rollup rows that ``rollups_rebuild`` computes differently (the rollups
  are kept by the write services; a rebuild from the deals and activities must find them).

Writes that were not acknowledged (a refused form, a worker killed mid-request) are not in the
ledger: whether they happened is unknown to the client, so they may or may not be in the
database, but never twice, and they must still fit the stage chain.

Entry kinds (``t0``/``t1``: the client's clock, seconds, before sending and after the answer;
the server runs on the same machine):

    {"kind": "deal_create", "deal_id": 12, "name": "...", "email": "rep1@..."}
    {"kind": "registration", "registration_id": 5, "customer_name": "...", "email": "..."}
    {"kind": "move", "deal_id": 12, "to_stage_id": 3, "email": "...", "t0": .., "t1": ..}
    {"kind": "activity", "deal_id": 12, "subject": "...", "email": "..."}
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Count

from dirco.pipeline.models import Activity, Deal, StageChange
from dirco.registrations.models import DealRegistration
from dirco.rollups.models import ROLLUP_MEASURES, ActivityRollup, CycleRollup, RevenueRollup
from dirco.rollups.writes import rollups_rebuild

# A move's stage change is looked for in [t0 - slack, t1 + slack]: the client's clock is read
# before the request is sent and after the answer, the server's inside; same machine.
CLOCK_SLACK_SECONDS = 1.0
KEPT_EXAMPLES = 20


def _when(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


def _problem(found: list[dict[str, Any]], entry: Mapping[str, Any], count: int) -> None:
    found.append({**entry, "found": count})


def ledger_verify(
    entries: Iterable[Mapping[str, Any]],
    *,
    stages_before: Mapping[int, int] | None = None,
    started_at: float | None = None,
    check_rollups: bool = True,
) -> dict[str, Any]:
    """Check every acknowledged write against the database (see the module's docstring).

    ``stages_before`` maps the seeded deals the run may move to their stage before the run,
    ``started_at`` (epoch seconds) is when the run began: the chain of a seeded deal is checked
    from there. ``check_rollups`` rebuilds the rollups (it rewrites their tables)."""
    entries = list(entries)
    stages_before = stages_before or {}
    lost: list[dict[str, Any]] = []
    duplicates: list[dict[str, Any]] = []
    kinds: Counter[str] = Counter()
    created: set[int] = set()
    moved: set[int] = set()

    names = Counter(e["name"] for e in entries if e["kind"] == "deal_create")
    found_names = dict(
        Deal.objects.filter(name__in=list(names))
        .values("name")
        .annotate(n=Count("id"))
        .values_list("name", "n")
    )
    customers = Counter(e["customer_name"] for e in entries if e["kind"] == "registration")
    found_customers = dict(
        DealRegistration.objects.filter(customer_name__in=list(customers))
        .values("customer_name")
        .annotate(n=Count("id"))
        .values_list("customer_name", "n")
    )
    subjects = Counter(e["subject"] for e in entries if e["kind"] == "activity")
    found_subjects = dict(
        Activity.objects.filter(subject__in=list(subjects))
        .values("subject")
        .annotate(n=Count("id"))
        .values_list("subject", "n")
    )
    deal_ids = set(Deal.objects.filter(name__in=list(names)).values_list("id", flat=True))
    registration_ids = set(
        DealRegistration.objects.filter(customer_name__in=list(customers)).values_list(
            "id", flat=True
        )
    )
    activity_keys = set(
        Activity.objects.filter(subject__in=list(subjects)).values_list("subject", "deal_id")
    )

    for entry in entries:
        kind = entry["kind"]
        kinds[kind] += 1
        if kind == "deal_create":
            # The name is unique to the write (made by the client); the ledger repeats it only
            # if the client logged one write twice, which would be the client's bug.
            count = found_names.get(entry["name"], 0)
            if count == 0 or entry["deal_id"] not in deal_ids:
                _problem(lost, entry, count)
            elif count > names[entry["name"]]:
                _problem(duplicates, entry, count)
            created.add(entry["deal_id"])
        elif kind == "registration":
            count = found_customers.get(entry["customer_name"], 0)
            if count == 0 or entry["registration_id"] not in registration_ids:
                _problem(lost, entry, count)
            elif count > customers[entry["customer_name"]]:
                _problem(duplicates, entry, count)
        elif kind == "activity":
            count = found_subjects.get(entry["subject"], 0)
            if count == 0 or (entry["subject"], entry["deal_id"]) not in activity_keys:
                _problem(lost, entry, count)
            elif count > subjects[entry["subject"]]:
                _problem(duplicates, entry, count)
        elif kind == "move":
            count = StageChange.objects.filter(
                deal_id=entry["deal_id"],
                to_stage_id=entry["to_stage_id"],
                changed_by__email=entry["email"],
                changed_at__gte=_when(entry["t0"] - CLOCK_SLACK_SECONDS),
                changed_at__lte=_when(entry["t1"] + CLOCK_SLACK_SECONDS),
            ).count()
            if count == 0:
                _problem(lost, entry, count)
            elif count > 1:
                _problem(duplicates, entry, count)
            moved.add(entry["deal_id"])
        else:
            raise ValueError(f"unknown ledger entry kind {kind!r}")

    broken = _history_check(created, moved - created, stages_before, started_at)
    result: dict[str, Any] = {
        "acknowledged": len(entries),
        "by_kind": dict(sorted(kinds.items())),
        "lost_count": len(lost),
        "duplicate_count": len(duplicates),
        "lost": lost[:KEPT_EXAMPLES],
        "duplicates": duplicates[:KEPT_EXAMPLES],
        "history_checked": len(created | moved),
        "history_broken_count": len(broken),
        "history_broken": broken[:KEPT_EXAMPLES],
    }
    ok = not lost and not duplicates and not broken
    if check_rollups:
        differing = rollups_differing_from_rebuild()
        result["rollups_differing_count"] = len(differing)
        result["rollups_differing"] = differing[:KEPT_EXAMPLES]
        ok = ok and not differing
    result["ok"] = ok
    return result


def _history_check(
    created: set[int],
    seeded: set[int],
    stages_before: Mapping[int, int],
    started_at: float | None,
) -> list[dict[str, Any]]:
    """The deals whose stage changes do not form one chain ending on the deal's stage."""
    broken: list[dict[str, Any]] = []
    changes: dict[int, list[tuple[int | None, int]]] = defaultdict(list)
    rows = StageChange.objects.filter(deal_id__in=created | seeded)
    if started_at is not None:
        # A seeded deal's history before the run is the seed's business, not the run's.
        since = _when(started_at - CLOCK_SLACK_SECONDS)
        rows = rows.exclude(deal_id__in=seeded, changed_at__lt=since)
    for deal_id, from_id, to_id in rows.order_by("changed_at", "id").values_list(
        "deal_id", "from_stage_id", "to_stage_id"
    ):
        changes[deal_id].append((from_id, to_id))
    stage_now = dict(Deal.objects.filter(pk__in=created | seeded).values_list("id", "stage_id"))
    for deal_id in sorted(created | seeded):
        chain = changes.get(deal_id, [])
        if deal_id not in stage_now:
            broken.append({"deal_id": deal_id, "problem": "deal missing"})
            continue
        start = None if deal_id in created else stages_before.get(deal_id)
        problem = ""
        if not chain:
            problem = "no stage change"
        elif chain[0][0] != start:
            problem = f"first change starts from {chain[0][0]}, expected {start}"
        elif any(b[0] != a[1] for a, b in itertools.pairwise(chain)):
            problem = "a change does not start where the previous one ended"
        elif any(f == t for f, t in chain):
            problem = "a change from a stage to itself"
        elif chain[-1][1] != stage_now[deal_id]:
            problem = f"last change ends on {chain[-1][1]}, the deal is in {stage_now[deal_id]}"
        if problem:
            broken.append({"deal_id": deal_id, "problem": problem, "chain": chain[:10]})
    return broken


def rollup_snapshot() -> dict[str, dict[tuple[Any, ...], tuple[Any, ...]]]:
    """Every rollup row with a non-zero measure, keyed by its grain."""
    snapshot: dict[str, dict[tuple[Any, ...], tuple[Any, ...]]] = {}
    measured: list[tuple[Any, tuple[str, ...]]] = [
        (RevenueRollup, tuple(ROLLUP_MEASURES)),
        (ActivityRollup, ("created_count", "done_count")),
        (CycleRollup, ("won_count",)),
    ]
    for model, measures in measured:
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        grain = [f for f in fields if f not in measures]
        rows: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        for row in model.objects.values_list(*grain, *measures):
            key, values = tuple(row[: len(grain)]), tuple(row[len(grain) :])
            if any(values):
                rows[key] = values
        snapshot[model.__name__] = rows
    return snapshot


def rollups_differing_from_rebuild() -> list[dict[str, Any]]:
    """The rollup rows that differ from what ``rollups_rebuild`` computes (it is run here)."""
    kept = rollup_snapshot()
    rollups_rebuild()
    rebuilt = rollup_snapshot()
    differing: list[dict[str, Any]] = []
    for table, rows in kept.items():
        fresh = rebuilt[table]
        for key in sorted(rows.keys() | fresh.keys(), key=repr):
            if rows.get(key) != fresh.get(key):
                differing.append(
                    {
                        "table": table,
                        "key": repr(key),
                        "kept": rows.get(key),
                        "rebuilt": fresh.get(key),
                    }
                )
    return differing
