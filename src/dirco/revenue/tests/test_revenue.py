from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation

from dirco.conftest import Company
from dirco.core.errors import ApplicationError
from dirco.core.periods import month_add
from dirco.pipeline.models import Deal
from dirco.pipeline.services import deal_move_stage, deal_update
from dirco.pipeline.tests.factories import DealFactory, stage_named
from dirco.revenue.models import ForecastSnapshot
from dirco.revenue.notes import SAY, say
from dirco.revenue.services import revenue_forecast_for_scope
from dirco.rollups.selectors import monthly_won_revenue
from dirco.rollups.writes import rollups_rebuild
from dirco.scopes import Scope, scope_check, scopes_for

pytestmark = pytest.mark.django_db

SHAPE = [0.9, 1.0, 1.35, 1.0, 1.0, 1.3, 0.95, 0.45, 1.0, 1.05, 1.3, 0.7]


def _won_history(company: Company, months: int = 36) -> None:
    """One won deal per month, shaped like the demo company's year, growing 10% a year."""
    this_month = timezone.localdate().replace(day=1)
    won = stage_named("Won")
    for i in range(months, 0, -1):
        month = month_add(this_month, -i)
        growth = 1.1 ** ((months - i) / 12)
        amount = Decimal(round(100_000 * SHAPE[month.month - 1] * growth, 2))
        DealFactory(
            owner=company.rep,
            team=company.team,
            partner=company.partner_a if i % 2 else None,
            stage=won,
            amount=amount,
            amount_company=amount,
            close_date=month + dt.timedelta(days=10),
            expected_close_date=month + dt.timedelta(days=10),
        )
    rollups_rebuild()  # the factory bypasses the services that keep the rollups


def test_scope_parse_rejects_unknown_scopes() -> None:
    assert Scope.parse("team:3") == Scope("team", 3)
    assert Scope.parse("") == Scope("company")
    for bad in ("teams:3", "team:x", "company:1", "rep"):
        with pytest.raises(ApplicationError) as err:
            Scope.parse(bad)
        assert "scope" in err.value.fields


def test_scope_access_allowed_and_forbidden(company: Company) -> None:
    allowed = [
        (company.director, "company"),
        (company.director, f"team:{company.other_team.pk}"),
        (company.manager, f"team:{company.team.pk}"),
        (company.manager, f"rep:{company.rep.pk}"),
        (company.rep, f"rep:{company.rep.pk}"),
        (company.rep, f"partner:{company.partner_a.pk}"),
        (company.partner_a_user, f"partner:{company.partner_a.pk}"),
    ]
    forbidden = [
        (company.manager, "company"),
        (company.manager, f"team:{company.other_team.pk}"),
        (company.other_manager, f"rep:{company.rep.pk}"),
        (company.rep, "company"),
        (company.rep, f"rep:{company.other_rep.pk}"),
        (company.rep, f"partner:{company.partner_b.pk}"),
        (company.partner_b_user, f"partner:{company.partner_a.pk}"),
        (company.partner_a_user, "company"),
        (company.partner_a_user, f"rep:{company.rep.pk}"),
        (company.director, "team:999999"),
    ]
    for user, key in allowed:
        scope_check(user, Scope.parse(key))
    for user, key in forbidden:
        with pytest.raises(Http404):
            scope_check(user, Scope.parse(key))
    assert [s.key for s in scopes_for(company.partner_b_user)] == [
        f"partner:{company.partner_b.pk}"
    ]


def test_monthly_won_revenue_zero_fills_and_sums_company_currency(company: Company) -> None:
    won = stage_named("Won")
    jan, mar = dt.date(2025, 1, 1), dt.date(2025, 3, 1)
    DealFactory(
        owner=company.rep,
        stage=won,
        amount=Decimal(100),
        currency="USD",
        amount_company=Decimal(90),
        close_date=dt.date(2025, 1, 5),
        expected_close_date=dt.date(2025, 1, 5),
    )
    DealFactory(
        owner=company.rep,
        stage=won,
        amount_company=Decimal(10),
        close_date=dt.date(2025, 1, 31),
        expected_close_date=dt.date(2025, 1, 31),
    )
    DealFactory(
        owner=company.rep,
        stage=stage_named("Lost"),
        lost_reason="price",
        amount_company=Decimal(999),
        close_date=dt.date(2025, 1, 15),
        expected_close_date=dt.date(2025, 1, 15),
    )
    rollups_rebuild()  # the factory bypasses the services that keep the rollups
    rows = monthly_won_revenue(scope=Scope("rep", company.rep.pk), first_month=jan, last_month=mar)
    assert rows == [
        (jan, Decimal(100)),
        (dt.date(2025, 2, 1), Decimal(0)),
        (mar, Decimal(0)),
    ]
    other = monthly_won_revenue(
        scope=Scope("rep", company.other_rep.pk), first_month=jan, last_month=mar
    )
    assert [v for _m, v in other] == [0, 0, 0]


def test_forecast_of_a_seasonal_scope(company: Company) -> None:
    _won_history(company)
    payload = revenue_forecast_for_scope(scope=Scope("team", company.team.pk), horizon=12)
    assert len(payload["history"]) == 36
    assert len(payload["forecast"]) == 12
    for f in payload["forecast"]:
        values = [f["lower95"], f["lower80"], f["forecast"], f["upper80"], f["upper95"]]
        assert all(math.isfinite(v) and v >= 0 for v in values)
        assert values == sorted(values)
    seasonality = payload["seasonality"]
    assert seasonality["trough"] == 8
    assert seasonality["peak"] in (3, 6, 11)
    assert seasonality["strength"] > 0.5
    # The partner scope only sees the partner's half of the deals.
    partner = revenue_forecast_for_scope(scope=Scope("partner", company.partner_a.pk))
    assert sum(h["value"] for h in partner["history"]) < sum(h["value"] for h in payload["history"])


def test_forecast_with_too_little_history_says_so(company: Company) -> None:
    payload = revenue_forecast_for_scope(scope=Scope("rep", company.other_rep.pk))
    assert payload["forecast"] == []
    assert payload["warnings"]


def test_forecast_is_cached_and_refreshed_when_deals_change(
    company: Company, django_capture_on_commit_callbacks: Any
) -> None:
    _won_history(company, months=30)
    scope = Scope("team", company.team.pk)
    first = revenue_forecast_for_scope(scope=scope)
    snapshot = ForecastSnapshot.objects.get(scope_key=scope.key)
    assert revenue_forecast_for_scope(scope=scope)["computed_at"] == first["computed_at"]
    # Winning a big deal this month changes no complete month: the stored forecast stays
    # (it would be computed the same), and the read adds the deal to the month in progress.
    deal = DealFactory(
        owner=company.rep,
        team=company.team,
        amount=Decimal(5_000_000),
        amount_company=Decimal(5_000_000),
    )
    with django_capture_on_commit_callbacks(execute=True):
        deal_move_stage(deal=deal, stage=stage_named("Won"), moved_by=company.rep)
    after_win = revenue_forecast_for_scope(scope=scope)
    assert after_win["computed_at"] == first["computed_at"]
    assert after_win["forecast"][0]["in_progress"] is True
    assert after_win["forecast"][0]["won_so_far"] == 5_000_000
    # Reopening last month's won deal changes the history: the snapshot is marked stale and
    # the task (run at once in tests) recomputes it.
    last_month = month_add(timezone.localdate().replace(day=1), -1)
    won_last_month = Deal.objects.get(
        team=company.team,
        stage__is_won=True,
        close_date__year=last_month.year,
        close_date__month=last_month.month,
    )
    with django_capture_on_commit_callbacks(execute=True):
        deal_update(
            deal=won_last_month,
            updated_by=company.rep,
            stage=stage_named("Negotiation"),
            expected_close_date=timezone.localdate() + dt.timedelta(days=30),
        )
    snapshot.refresh_from_db()
    assert snapshot.stale is False
    assert snapshot.payload["computed_at"] != first["computed_at"]
    assert snapshot.payload["history"][-1] == {"period": f"{last_month:%Y-%m}", "value": 0.0}


def test_horizon_out_of_range_is_refused(company: Company) -> None:
    with pytest.raises(ApplicationError) as err:
        revenue_forecast_for_scope(scope=Scope("company"), horizon=25)
    assert "horizon" in err.value.fields


def test_lumpy_partner_intervals_borrow_from_the_company(company: Company) -> None:
    """The partner wins a deal every other month: its intervals are additive and borrow
    from the company forecast's backtest errors; the smooth team's do not."""
    _won_history(company)
    partner = revenue_forecast_for_scope(scope=Scope("partner", company.partner_a.pk))
    company_payload = revenue_forecast_for_scope(scope=Scope("company"))
    assert company_payload["error_profile"]["scales"]
    assert any("company forecast's past errors" in w for w in partner["warnings"])
    for f in partner["forecast"]:
        assert 0 <= f["lower95"] <= f["lower80"] <= f["forecast"] <= f["upper80"] <= f["upper95"]
        # Additive bands: the 80 % band spans a few months' revenue, not five times it.
        assert f["upper80"] - f["lower80"] < 4 * max(f["forecast"], 1.0)
    team = revenue_forecast_for_scope(scope=Scope("team", company.team.pk))
    assert not any("company forecast's past errors" in w for w in team["warnings"])


def test_a_rep_who_has_left_gets_no_forecast(company: Company) -> None:
    """A deactivated rep keeps their history but gets no forecast, and the page says why;
    a snapshot stored while the rep was active loses its forecast at the next read."""
    _won_history(company)
    scope = Scope("rep", company.rep.pk)
    active = revenue_forecast_for_scope(scope=scope)
    assert len(active["forecast"]) == 12
    company.rep.is_active = False
    company.rep.save(update_fields=["is_active"])
    stored = revenue_forecast_for_scope(scope=scope)  # the snapshot is still fresh
    assert stored["forecast"] == []
    assert any("has left" in w for w in stored["warnings"])
    ForecastSnapshot.objects.filter(scope_key=scope.key).delete()
    recomputed = revenue_forecast_for_scope(scope=scope)
    assert recomputed["forecast"] == [] and len(recomputed["history"]) == 36
    assert any("has left" in w for w in recomputed["warnings"])
    # The team keeps its forecast: the rep's past deals are still the team's revenue.
    team = revenue_forecast_for_scope(scope=Scope("team", company.team.pk))
    assert len(team["forecast"]) == 12


def test_warnings_are_stored_as_codes_and_said_in_the_readers_language(company: Company) -> None:
    """A snapshot computed by a worker (default language) reads in French for a French user:
    the payload stores each warning's code and values, and the read says them."""
    _won_history(company)
    scope = Scope("partner", company.partner_a.pk)
    with translation.override("en"):
        english = revenue_forecast_for_scope(scope=scope)
    stored = ForecastSnapshot.objects.get(scope_key=scope.key).payload
    assert "warnings" not in stored
    assert "borrowed_errors" in [n["code"] for n in stored["notes"]]
    assert english["warnings"] and "notes" not in english
    with translation.override("fr"):
        french = revenue_forecast_for_scope(scope=scope)
    assert len(french["warnings"]) == len(english["warnings"])
    assert any("erreurs passées de la prévision de l'entreprise" in w for w in french["warnings"])
    assert not set(french["warnings"]) & set(english["warnings"])
    # The departed rep's notice too, stored while the rep was active or after.
    company.rep.is_active = False
    company.rep.save(update_fields=["is_active"])
    with translation.override("fr"):
        gone = revenue_forecast_for_scope(scope=Scope("rep", company.rep.pk))
    assert any("a quitté" in w for w in gone["warnings"])


def test_a_snapshot_stored_before_notes_had_codes_is_computed_again(company: Company) -> None:
    """Its warnings are English text: the first read outside a write transaction computes
    it again; inside one (nothing is computed there) it is served with its old warnings."""
    _won_history(company)
    scope = Scope("team", company.team.pk)
    revenue_forecast_for_scope(scope=scope)
    snapshot = ForecastSnapshot.objects.get(scope_key=scope.key)
    old = dict(snapshot.payload)
    del old["notes"], old["seasonal"]
    old["warnings"] = ["an old English warning"]
    old["seasonality"] = {k: v for k, v in old["seasonality"].items() if k != "notes"} | {
        "warnings": ["old"]
    }
    ForecastSnapshot.objects.filter(pk=snapshot.pk).update(payload=old)
    with transaction.atomic():
        served = revenue_forecast_for_scope(scope=scope)
    assert served["warnings"] == ["an old English warning"]
    assert served["seasonality"]["warnings"] == ["old"]
    read = revenue_forecast_for_scope(scope=scope)
    assert "an old English warning" not in read["warnings"]
    assert "notes" in ForecastSnapshot.objects.get(scope_key=scope.key).payload


@pytest.mark.parametrize(
    ("code", "params"),
    [
        ("short_for_seasons", {"periods": 20, "needed": 24}),
        ("weak_seasonality", {"strength": 0.12}),
        ("last_year_outweighs", {"share": 0.62}),
        ("last_years_only", {"years": 20}),
        ("level_shift", {"period": "2025-07"}),
        ("no_profile", {"periods": 20}),
        ("missing_interpolated", {"count": 2, "periods": "2025-01, 2025-02"}),
        ("outliers_replaced", {"count": 1, "periods": "2025-07"}),
        ("departed", {"rep": "Ana Rep"}),
    ],
)
def test_every_note_is_said_in_french(code: str, params: dict[str, Any]) -> None:
    stored = {"code": code, "params": params, "text": "English"}
    with translation.override("en"):
        english = say(stored)
    with translation.override("fr"):
        french = say(stored)
    assert english != "English" and french != english
    for value in params.values():
        if isinstance(value, str):
            assert value in french


def test_an_unknown_note_falls_back_to_its_english_text() -> None:
    assert say({"code": "from_a_newer_engine", "params": {}, "text": "as the engine says"}) == (
        "as the engine says"
    )
    assert say({"code": "weak_seasonality", "params": {}, "text": "bad params"}) == "bad params"
    assert say("a bare string") == "a bare string"


def test_every_engine_note_code_has_a_sentence() -> None:
    """A new note in the engine needs its sentence here (or users read English)."""
    import pathlib
    import re

    import dirco.forecasting

    root = pathlib.Path(dirco.forecasting.__file__).parent
    codes = {
        m
        for path in root.glob("*.py")
        for m in re.findall(r'Note\(\s*"([a-z_]+)"', path.read_text(encoding="utf-8"))
    }
    assert len(codes) >= 15
    assert codes <= set(SAY)


def test_rebuilding_the_rollups_drops_the_stored_forecasts(company: Company) -> None:
    """A rebuild follows bulk writes the forecasts never heard of: each is computed again
    at its next read, from the rebuilt rollups."""
    _won_history(company, months=30)
    revenue_forecast_for_scope(scope=Scope("company"))
    assert ForecastSnapshot.objects.exists()
    rollups_rebuild()
    assert not ForecastSnapshot.objects.exists()
    assert revenue_forecast_for_scope(scope=Scope("company"))["forecast"]
