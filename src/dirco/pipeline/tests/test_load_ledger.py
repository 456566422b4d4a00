"""The load test's ledger (bench/load_ledger.py) reports what it must: a clean run passes, and a
lost write, a duplicated one, a broken stage history or a rollup out of step each fail it.

The load test itself (bench/load.py, minutes of traffic) is not run here; only the check that
decides whether such a run passed, so that it cannot pass by accident.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import time
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.utils import timezone

from dirco.catalog.tests.factories import ProductLineFactory
from dirco.conftest import Company
from dirco.customers.tests.factories import AccountFactory
from dirco.pipeline.models import Deal, Stage, StageChange
from dirco.pipeline.services import activity_create, deal_create, deal_move_stage
from dirco.registrations.tests.factories import submit
from dirco.rollups.models import RevenueRollup

LEDGER_PATH = Path(__file__).resolve().parents[4] / "bench" / "load_ledger.py"


@pytest.fixture(scope="module")
def load_ledger() -> ModuleType:
    spec = importlib.util.spec_from_file_location("load_ledger", LEDGER_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _deal(company: Company, name: str) -> Deal:
    return deal_create(
        created_by=company.rep,
        name=name,
        account=AccountFactory(),
        owner=company.rep,
        product_line=ProductLineFactory(),
        amount=Decimal("12000.00"),
        currency="EUR",
        stage=Stage.objects.get(name="Qualification"),
        expected_close_date=timezone.localdate() + dt.timedelta(days=45),
    )


def _move(company: Company, deal: Deal, stage_name: str) -> dict[str, Any]:
    stage = Stage.objects.get(name=stage_name)
    t0 = time.time()
    deal_move_stage(deal=deal, stage=stage, moved_by=company.rep)
    return {
        "kind": "move",
        "deal_id": deal.pk,
        "to_stage_id": stage.pk,
        "email": company.rep.email,
        "t0": t0,
        "t1": time.time(),
    }


@pytest.fixture
def run(company: Company) -> dict[str, Any]:
    """A small run: a created deal moved twice, a seeded deal moved once, an activity, a
    registration; the ledger lists them all."""
    started = time.time() - 1
    seeded = _deal(company, "Seeded deal")
    StageChange.objects.filter(deal=seeded).update(
        changed_at=timezone.now() - dt.timedelta(days=30)
    )
    stage_before = seeded.stage_id
    created = _deal(company, "Load API deal 1")
    entries: list[dict[str, Any]] = [
        {"kind": "deal_create", "deal_id": created.pk, "name": created.name, "email": "x"},
        _move(company, created, "Proposal"),
        _move(company, created, "Won"),
        _move(company, seeded, "Negotiation"),
    ]
    activity_create(owner=company.rep, kind="call", subject="Load call 1", deal=seeded)
    entries.append(
        {"kind": "activity", "deal_id": seeded.pk, "subject": "Load call 1", "email": "x"}
    )
    registration = submit(company.partner_a_user, customer_name="Loadco 1")
    entries.append(
        {
            "kind": "registration",
            "registration_id": registration.pk,
            "customer_name": "Loadco 1",
            "email": company.partner_a_user.email,
        }
    )
    return {
        "entries": entries,
        "stages_before": {seeded.pk: stage_before},
        "started_at": started,
        "created": created,
        "seeded": seeded,
    }


def _verify(module: ModuleType, run: dict[str, Any], **changes: Any) -> dict[str, Any]:
    result: dict[str, Any] = module.ledger_verify(
        changes.get("entries", run["entries"]),
        stages_before=run["stages_before"],
        started_at=run["started_at"],
    )
    return result


def test_ledger_passes_a_clean_run(load_ledger: ModuleType, run: dict[str, Any]) -> None:
    result = _verify(load_ledger, run)
    assert result["ok"], result
    assert result["acknowledged"] == 6
    assert result["by_kind"] == {"activity": 1, "deal_create": 1, "move": 3, "registration": 1}
    assert result["history_checked"] == 2
    assert result["rollups_differing_count"] == 0


@pytest.mark.parametrize(
    "entry",
    [
        {"kind": "deal_create", "deal_id": 10**9, "name": "Load API deal never made", "email": "x"},
        {"kind": "activity", "deal_id": 1, "subject": "Load call never made", "email": "x"},
        {
            "kind": "registration",
            "registration_id": 10**9,
            "customer_name": "Loadco never made",
            "email": "x",
        },
    ],
)
def test_ledger_reports_a_lost_create(
    load_ledger: ModuleType, run: dict[str, Any], entry: dict[str, Any]
) -> None:
    result = _verify(load_ledger, run, entries=[*run["entries"], entry])
    assert not result["ok"]
    assert result["lost_count"] == 1
    assert result["lost"][0]["found"] == 0


def test_ledger_reports_a_lost_move(
    load_ledger: ModuleType, run: dict[str, Any], company: Company
) -> None:
    """The server said 200 to a move it did not record (the move is not in the window)."""
    won = Stage.objects.get(name="Won")
    t = time.time() + 3600
    entry = {
        "kind": "move",
        "deal_id": run["seeded"].pk,
        "to_stage_id": won.pk,
        "email": company.rep.email,
        "t0": t,
        "t1": t + 1,
    }
    result = _verify(load_ledger, run, entries=[*run["entries"], entry])
    assert not result["ok"]
    assert result["lost_count"] == 1


def test_ledger_reports_a_duplicated_create(
    load_ledger: ModuleType, run: dict[str, Any], company: Company
) -> None:
    _deal(company, "Load API deal 1")  # the same write, made twice
    result = _verify(load_ledger, run)
    assert not result["ok"]
    assert result["duplicate_count"] == 1
    assert result["duplicates"][0]["found"] == 2


def test_ledger_reports_a_duplicated_move_and_the_broken_chain(
    load_ledger: ModuleType, run: dict[str, Any], company: Company
) -> None:
    move = run["entries"][3]
    change = StageChange.objects.filter(deal_id=move["deal_id"]).latest("changed_at", "id")
    change.pk = None
    change.save()  # the same stage change recorded twice
    result = _verify(load_ledger, run)
    assert not result["ok"]
    assert result["duplicate_count"] == 1
    assert [b["deal_id"] for b in result["history_broken"]] == [move["deal_id"]]


def test_ledger_reports_a_history_gap(load_ledger: ModuleType, run: dict[str, Any]) -> None:
    created = run["created"]
    StageChange.objects.filter(deal=created, to_stage__name="Proposal").delete()
    result = _verify(load_ledger, run)
    assert not result["ok"]
    assert result["lost_count"] == 1  # the move to Proposal
    broken = result["history_broken"]
    assert [b["deal_id"] for b in broken] == [created.pk]
    assert "does not start where the previous one ended" in broken[0]["problem"]


def test_ledger_reports_a_seeded_deal_moved_from_the_wrong_stage(
    load_ledger: ModuleType, run: dict[str, Any]
) -> None:
    seeded = run["seeded"]
    other = Stage.objects.exclude(pk=run["stages_before"][seeded.pk]).first()
    assert other is not None
    result = load_ledger.ledger_verify(
        run["entries"], stages_before={seeded.pk: other.pk}, started_at=run["started_at"]
    )
    assert not result["ok"]
    assert [b["deal_id"] for b in result["history_broken"]] == [seeded.pk]


def test_ledger_reports_rollups_out_of_step(load_ledger: ModuleType, run: dict[str, Any]) -> None:
    row = RevenueRollup.objects.filter(won_count__gt=0).first()
    assert row is not None
    RevenueRollup.objects.filter(pk=row.pk).update(won_cents=row.won_cents + 100)
    result = _verify(load_ledger, run)
    assert not result["ok"]
    assert result["lost_count"] == result["duplicate_count"] == 0
    assert result["rollups_differing_count"] == 1
    assert result["rollups_differing"][0]["table"] == "RevenueRollup"
