"""Forecast refreshes: coalesced per scope and debounced, never computed inside a write
transaction, and a refresh that raced a deal change stays stale."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dirco.conftest import Company
from dirco.core.transactions import in_write_transaction
from dirco.objectives.services import objective_allocate, objective_create
from dirco.pipeline.services import deal_move_stage
from dirco.pipeline.tests.factories import DealFactory, stage_named
from dirco.revenue import services
from dirco.revenue.models import ForecastSnapshot
from dirco.revenue.services import (
    revenue_forecast_for_scope,
    revenue_forecast_refresh,
    revenue_snapshots_mark_stale,
)
from dirco.revenue.tasks import forecast_refresh, forecasts_refresh_due
from dirco.revenue.tests.test_revenue import _won_history
from dirco.scopes import Scope

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
REFRESH_PATH = "dirco.revenue.tasks.forecast_refresh"


@pytest.fixture
def computations(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, bool]]]:
    """Each forecast computation (the real one runs): its scope and whether it ran inside a
    write transaction."""
    seen: list[tuple[str, bool]] = []
    real = services.revenue_forecast_compute

    def compute(*, scope: Scope, today: dt.date | None = None) -> dict[str, Any]:
        seen.append((scope.key, in_write_transaction()))
        return real(scope=scope, today=today)

    monkeypatch.setattr(services, "revenue_forecast_compute", compute)
    yield seen


def _open_deal(company: Company, amount: int = 50_000) -> Any:
    return DealFactory(
        owner=company.rep,
        team=company.team,
        amount=Decimal(amount),
        amount_company=Decimal(amount),
    )


@override_settings(TASKS=DATABASE_TASKS, DIRCO_FORECAST_DEBOUNCE_SECONDS=10)
def test_a_burst_of_deal_writes_enqueues_one_debounced_refresh_per_scope(
    company: Company, django_capture_on_commit_callbacks: Any
) -> None:
    _won_history(company, months=14)
    team = Scope("team", company.team.pk)
    revenue_forecast_refresh(scope=team)
    revenue_forecast_refresh(scope=Scope("company"))
    deals = [_open_deal(company) for _ in range(4)]
    before = timezone.now()
    for deal in deals:  # four writes, each committed (as four requests would)
        with django_capture_on_commit_callbacks(execute=True):
            deal_move_stage(deal=deal, stage=stage_named("Won"), moved_by=company.rep)

    queued = DBTaskResult.objects.filter(task_path=REFRESH_PATH)
    keys_queued = sorted(k for t in queued for k in t.args_kwargs["kwargs"]["scope_keys"])
    assert keys_queued == ["company", team.key]  # once each, not once per write
    for row in queued:
        assert row.status == "READY"
        assert before + dt.timedelta(seconds=9) < row.run_after  # debounced
        assert row not in DBTaskResult.objects.ready()  # not before its time

    # The worker runs it: fresh again; the next write enqueues a new one.
    assert forecast_refresh.call(scope_keys=[team.key, "company"]) == 2
    assert not ForecastSnapshot.objects.filter(stale=True).exists()
    with django_capture_on_commit_callbacks(execute=True):
        deal_move_stage(deal=_open_deal(company), stage=stage_named("Won"), moved_by=company.rep)
    assert DBTaskResult.objects.filter(task_path=REFRESH_PATH).count() == len(queued) + 1


@override_settings(DIRCO_FORECAST_STALE_GRACE_SECONDS=300)
def test_a_read_serves_the_stored_forecast_while_its_refresh_is_due(
    company: Company, computations: list[tuple[str, bool]]
) -> None:
    _won_history(company, months=14)
    scope = Scope("team", company.team.pk)
    first = revenue_forecast_for_scope(scope=scope)
    computations.clear()
    revenue_snapshots_mark_stale(scope_keys=[scope.key])
    assert revenue_forecast_for_scope(scope=scope)["computed_at"] == first["computed_at"]
    assert computations == []
    # Past the grace period (no worker came): the read recomputes, outside any transaction.
    ForecastSnapshot.objects.filter(scope_key=scope.key).update(
        stale_since=timezone.now() - dt.timedelta(seconds=301)
    )
    revenue_forecast_for_scope(scope=scope)
    assert computations == [(scope.key, False)]
    assert ForecastSnapshot.objects.get(scope_key=scope.key).stale is False


def test_inside_a_write_transaction_a_read_serves_what_is_stored(
    company: Company, computations: list[tuple[str, bool]]
) -> None:
    _won_history(company, months=14)
    scope = Scope("team", company.team.pk)
    first = revenue_forecast_for_scope(scope=scope)
    revenue_snapshots_mark_stale(scope_keys=[scope.key])
    computations.clear()
    with transaction.atomic():
        assert revenue_forecast_for_scope(scope=scope)["computed_at"] == first["computed_at"]
    assert computations == []


def test_a_refresh_that_raced_a_deal_change_stays_stale(
    company: Company, monkeypatch: pytest.MonkeyPatch
) -> None:
    _won_history(company, months=14)
    scope = Scope("team", company.team.pk)
    revenue_forecast_refresh(scope=scope)
    revenue_snapshots_mark_stale(scope_keys=[scope.key])
    real = services.revenue_forecast_compute

    def compute_while_a_deal_changes(*, scope: Scope, today: dt.date | None = None) -> Any:
        payload = real(scope=scope, today=today)
        revenue_snapshots_mark_stale(scope_keys=[scope.key])  # a write during the computation
        return payload

    monkeypatch.setattr(services, "revenue_forecast_compute", compute_while_a_deal_changes)
    snapshot = revenue_forecast_refresh(scope=scope)
    assert snapshot.stale is True  # stored, but the next refresh is still owed
    monkeypatch.setattr(services, "revenue_forecast_compute", real)
    assert forecasts_refresh_due.call() == 1
    assert ForecastSnapshot.objects.get(scope_key=scope.key).stale is False


def test_no_request_computes_a_forecast_inside_a_write_transaction(
    company: Company,
    computations: list[tuple[str, bool]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The director's home after a won deal, an objective with the learned split and an
    allocation by forecast: every forecast they compute runs outside a write transaction."""
    _won_history(company, months=26)
    director = Client()
    director.force_login(company.director)
    assert director.get(reverse("home")).status_code == 200
    deal = _open_deal(company, amount=900_000)
    with django_capture_on_commit_callbacks(execute=True):
        response = director.post(
            reverse("deal_move", args=[deal.pk]), {"stage": stage_named("Won").pk}
        )
    assert response.status_code in (200, 302), response.content[:300]
    assert director.get(reverse("home")).status_code == 200
    year = timezone.localdate().year + 1
    parent = objective_create(
        user=company.director, scope=Scope("company"), fiscal_year=year, amount="1200000"
    )
    objective_allocate(
        parent=parent,
        user=company.director,
        method="forecast",
        targets=[f"team:{company.team.pk}", f"team:{company.other_team.pk}"],
    )
    assert computations, "the scenario computed no forecast: it tests nothing"
    assert [key for key, inside in computations if inside] == []
