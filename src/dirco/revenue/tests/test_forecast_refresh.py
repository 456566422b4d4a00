"""Forecast refreshes: coalesced per scope and debounced, never computed inside a write
transaction, and a refresh that raced a deal change stays stale."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dirco.catalog.tests.factories import ProductLineFactory
from dirco.conftest import Company
from dirco.core.transactions import in_write_transaction
from dirco.customers.tests.factories import AccountFactory
from dirco.objectives.services import objective_allocate, objective_create
from dirco.pipeline.models import Deal
from dirco.pipeline.services import deal_create, deal_delete, deal_move_stage, deal_update
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


def _won_before_this_month(company: Company) -> list[Any]:
    """The won deals of complete months, latest first (their revenue is forecast history)."""
    this_month = timezone.localdate().replace(day=1)
    return list(
        Deal.objects.filter(
            team=company.team, stage__is_won=True, close_date__lt=this_month
        ).order_by("-close_date")
    )


def _reopen(deal: Any, company: Company) -> None:
    """Back to an open stage (a complete month loses its won revenue)."""
    deal_update(
        deal=deal,
        updated_by=company.rep,
        stage=stage_named("Negotiation"),
        expected_close_date=timezone.localdate() + dt.timedelta(days=30),
    )


@override_settings(TASKS=DATABASE_TASKS, DIRCO_FORECAST_DEBOUNCE_SECONDS=10)
def test_a_burst_of_deal_writes_enqueues_one_debounced_refresh_per_scope(
    company: Company, django_capture_on_commit_callbacks: Any
) -> None:
    _won_history(company, months=14)
    team = Scope("team", company.team.pk)
    revenue_forecast_refresh(scope=team)
    revenue_forecast_refresh(scope=Scope("company"))
    deals = _won_before_this_month(company)
    before = timezone.now()
    for deal in deals[:4]:  # four writes, each committed (as four requests would)
        with django_capture_on_commit_callbacks(execute=True):
            _reopen(deal, company)

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
        _reopen(deals[4], company)
    assert DBTaskResult.objects.filter(task_path=REFRESH_PATH).count() == len(queued) + 1


@override_settings(TASKS=DATABASE_TASKS)
def test_writes_within_the_current_month_leave_the_stored_forecasts_fresh(
    company: Company, django_capture_on_commit_callbacks: Any
) -> None:
    """A deal created, moved between open stages, won, lost or reopened this month changes no
    complete month: no snapshot turns stale, no refresh is queued, and each stored forecast
    is what a computation now gives (the month in progress is added at each read)."""
    _won_history(company, months=14)
    scopes = [
        Scope("company"),
        Scope("team", company.team.pk),
        Scope("rep", company.rep.pk),
        Scope("partner", company.partner_a.pk),
    ]
    for scope in scopes:
        revenue_forecast_refresh(scope=scope)
    deal = deal_create(
        created_by=company.rep,
        name="This month's deal",
        account=AccountFactory(),
        owner=company.rep,
        team=company.team,
        partner=company.partner_a,
        product_line=ProductLineFactory(),
        amount=Decimal(250_000),
        currency="EUR",
        stage=stage_named("Qualification"),
        expected_close_date=timezone.localdate() + dt.timedelta(days=20),
    )
    for stage in ("Negotiation", "Won", "Qualification", "Lost", "Won"):
        with django_capture_on_commit_callbacks(execute=True):
            if stage == "Qualification":
                _reopen(deal, company)
            else:
                deal = deal_move_stage(deal=deal, stage=stage_named(stage), moved_by=company.rep)
    with django_capture_on_commit_callbacks(execute=True):
        deal_update(deal=deal, updated_by=company.rep, amount=Decimal(300_000))
    with django_capture_on_commit_callbacks(execute=True):
        deal_delete(deal=deal)

    assert not ForecastSnapshot.objects.filter(stale=True).exists()
    assert not DBTaskResult.objects.filter(task_path=REFRESH_PATH).exists()
    for scope in scopes:
        stored = dict(ForecastSnapshot.objects.get(scope_key=scope.key).payload)
        computed = services.revenue_forecast_compute(scope=scope)
        stored.pop("computed_at"), computed.pop("computed_at")
        assert stored == json.loads(json.dumps(computed)), scope.key


@override_settings(TASKS=DATABASE_TASKS)
def test_a_change_to_a_complete_month_marks_the_forecasts_stale(
    company: Company, django_capture_on_commit_callbacks: Any
) -> None:
    """Reopening a deal won last month, deleting one won earlier, or creating one won before
    this month (an import of past deals) moves complete months: stale, and refreshed."""
    _won_history(company, months=14)
    team = Scope("team", company.team.pk)
    won = _won_before_this_month(company)
    last_month = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    writes = [
        lambda: _reopen(won[0], company),
        lambda: deal_delete(deal=won[3]),
        lambda: deal_create(
            created_by=company.rep,
            name="Imported, won last month",
            account=AccountFactory(),
            owner=company.rep,
            team=company.team,
            product_line=ProductLineFactory(),
            amount=Decimal(80_000),
            currency="EUR",
            stage=stage_named("Won"),
            close_date=last_month,
            expected_close_date=last_month,
        ),
    ]
    for write in writes:
        revenue_forecast_refresh(scope=team)
        with django_capture_on_commit_callbacks(execute=True):
            write()
        assert ForecastSnapshot.objects.get(scope_key=team.key).stale is True
        assert forecast_refresh.call(scope_keys=[team.key]) == 1


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
