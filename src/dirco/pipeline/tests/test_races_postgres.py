"""Simultaneous writes on PostgreSQL: real threads, each with its own connection, through the API.

An outside reliability test of main found, on PostgreSQL only: two stage changes of one deal at
the same time answered 500 (the locked re-read of the deal joined its stage and partner, and
READ COMMITTED re-checked the join after the lock wait), and the rollup upserts of different
deals deadlocked when they took shared rows in opposite orders. These tests run the same
shapes: 0 errors, the stage history a complete chain, the rollups equal to a rebuild.

SQLite serialises writers (``BEGIN IMMEDIATE``), so neither race exists there: skipped.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from dirco.api.tests.clients import patch_json, token_client
from dirco.catalog.tests.factories import ProductLineFactory
from dirco.conftest import Company
from dirco.customers.tests.factories import AccountFactory
from dirco.pipeline.models import Deal, Stage, StageChange
from dirco.pipeline.services import deal_create
from dirco.rollups.models import ROLLUP_MEASURES, ActivityRollup, RevenueRollup
from dirco.rollups.writes import rollups_rebuild

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="PostgreSQL only: SQLite serialises writers (BEGIN IMMEDIATE), no race to test",
    ),
]


def run_together(count: int, work: Callable[[int], list[int]]) -> list[int]:
    """Run ``work(i)`` in ``count`` threads released at the same moment; each thread has its
    own database connection (closed at its end). Returns every status code answered."""
    barrier = threading.Barrier(count)
    statuses: list[int] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def body(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            codes = work(i)
            with lock:
                statuses.extend(codes)
        except BaseException as exc:  # a crash in a thread must fail the test
            with lock:
                failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not failures, failures
    return statuses


def rollup_rows() -> tuple[dict[tuple[Any, ...], tuple[int, ...]], dict[tuple[Any, ...], int]]:
    revenue = {
        (r.scope_kind, r.scope_id, r.product_line_id, r.month): tuple(
            getattr(r, m) for m in ROLLUP_MEASURES
        )
        for r in RevenueRollup.objects.all()
    }
    activities = {(r.owner_id, r.month): r.done_count for r in ActivityRollup.objects.all()}
    return (
        {k: v for k, v in revenue.items() if any(v)},
        {k: v for k, v in activities.items() if v},
    )


def assert_rollups_equal_a_rebuild() -> None:
    kept = rollup_rows()
    rollups_rebuild()
    assert rollup_rows() == kept


def assert_history_complete(deal: Deal) -> None:
    """Every stage change recorded, in order: each starts where the previous one ended, and
    the last ends on the deal's stage."""
    deal.refresh_from_db()
    changes = list(StageChange.objects.filter(deal=deal).order_by("changed_at", "id"))
    assert changes[0].from_stage_id is None
    for previous, change in itertools.pairwise(changes):
        assert change.from_stage_id == previous.to_stage_id, (previous, change)
        assert change.from_stage_id != change.to_stage_id
    assert changes[-1].to_stage_id == deal.stage_id


@pytest.fixture
def open_stages(stages: None) -> list[Stage]:
    return list(Stage.objects.filter(is_won=False, is_lost=False).order_by("order"))


def _deal(company: Company, line: Any, *, month_offset: int = 1, amount: str = "1000.00") -> Deal:
    today = timezone.localdate()
    return deal_create(
        created_by=company.rep,
        name=f"Race {month_offset} {amount}",
        account=AccountFactory(),
        partner=company.partner_a,
        owner=company.rep,
        product_line=line,
        amount=Decimal(amount),
        currency="EUR",
        stage=Stage.objects.get(name="Qualification"),
        expected_close_date=today + dt.timedelta(days=31 * month_offset),
    )


def test_twenty_simultaneous_moves_of_one_deal(
    company: Company, open_stages: list[Stage], stages: None
) -> None:
    deal = _deal(company, ProductLineFactory())
    won = Stage.objects.get(name="Won")
    targets = [*open_stages, won]
    clients = [token_client(company.rep) for _ in range(20)]

    def move(i: int) -> list[int]:
        stage = targets[i % len(targets)]
        response = patch_json(clients[i], f"/api/v1/deals/{deal.pk}", {"stage_id": stage.pk})
        return [response.status_code]

    statuses = run_together(20, move)
    assert statuses == [200] * 20, statuses
    assert_history_complete(deal)
    assert_rollups_equal_a_rebuild()


def test_eight_deals_sharing_rollup_rows_moved_at_once(
    company: Company, open_stages: list[Stage], stages: None
) -> None:
    """Same owner, team, partner and product line: every move touches the same company, team,
    rep, partner and product-line rows, in months that differ from deal to deal (an open deal
    counts in its expected month, a won one in today's), so the row sets overlap in both orders."""
    line = ProductLineFactory()
    deals = [
        _deal(company, line, month_offset=1 + i % 3, amount=f"{1000 + i}.00") for i in range(8)
    ]
    won = Stage.objects.get(name="Won")
    rounds = 6
    clients = [token_client(company.rep) for _ in range(8)]

    def moves(i: int) -> list[int]:
        codes = []
        for r in range(rounds):
            stage = won if (i + r) % 2 == 0 else open_stages[(i + r) % len(open_stages)]
            response = patch_json(
                clients[i], f"/api/v1/deals/{deals[i].pk}", {"stage_id": stage.pk}
            )
            codes.append(response.status_code)
        return codes

    statuses = run_together(8, moves)
    assert statuses == [200] * (8 * rounds), statuses
    for deal in deals:
        assert_history_complete(deal)
    assert_rollups_equal_a_rebuild()


def test_an_amount_edit_racing_a_move(
    company: Company, open_stages: list[Stage], stages: None
) -> None:
    deal = _deal(company, ProductLineFactory())
    rounds = 15
    editor, mover = token_client(company.rep), token_client(company.rep)

    def work(i: int) -> list[int]:
        codes = []
        for r in range(rounds):
            if i == 0:
                body: dict[str, Any] = {"amount": f"{2000 + r}.00"}
                response = patch_json(editor, f"/api/v1/deals/{deal.pk}", body)
            else:
                stage = open_stages[r % len(open_stages)]
                response = patch_json(mover, f"/api/v1/deals/{deal.pk}", {"stage_id": stage.pk})
            codes.append(response.status_code)
        return codes

    statuses = run_together(2, work)
    assert statuses == [200] * (2 * rounds), statuses
    deal.refresh_from_db()
    assert deal.amount == Decimal(f"{2000 + rounds - 1}.00")
    assert deal.stage_id == open_stages[(rounds - 1) % len(open_stages)].pk
    assert_history_complete(deal)
    assert_rollups_equal_a_rebuild()
