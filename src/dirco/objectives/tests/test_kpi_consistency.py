"""One figure, one value: every page, API answer and export that shows a KPI shows the same.

For random users, scopes and days (hypothesis, the clock frozen with time-machine), the
test renders the pages (curve in both views, gap, forecast calls, leaderboard, the user's
home, the partner portal's home, the forecast page), the API answers (/attainment, /curve,
/gap, /leaderboard) and the leaderboard's CSV and XLSX exports, parses the figures from the
HTML (``data-kpi`` / ``data-value``, checked against the visible text), the JSON and the
exports, and asserts that each KPI has one value. The days include the first and last day
of a month, of a quarter and of the fiscal year, with a fiscal year starting in January
and one starting in April.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zoneinfo
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from openpyxl import load_workbook

from dirco.accounts.models import User
from dirco.catalog.tests.factories import ProductLineFactory
from dirco.conftest import Company
from dirco.customers.tests.factories import AccountFactory
from dirco.objectives.fiscal_calendar import fiscal_year_of
from dirco.objectives.models import Objective
from dirco.objectives.services import (
    objective_allocate,
    objective_create,
    objective_publish,
    rollups_rebuild,
)
from dirco.pipeline.models import Stage
from dirco.pipeline.tests.factories import DealFactory
from dirco.scopes import Scope, scopes_for

FIRST_DAY, LAST_DAY = dt.date(2025, 1, 1), dt.date(2026, 3, 31)
# First and last days of months, quarters and fiscal years (January and April starts).
SPECIAL_DAYS = [
    dt.date(2025, 1, 1),
    dt.date(2025, 2, 28),
    dt.date(2025, 3, 31),
    dt.date(2025, 4, 1),
    dt.date(2025, 6, 30),
    dt.date(2025, 7, 1),
    dt.date(2025, 9, 30),
    dt.date(2025, 11, 30),
    dt.date(2025, 12, 1),
    dt.date(2025, 12, 31),
    dt.date(2026, 1, 1),
    dt.date(2026, 3, 31),
]
ACTORS = ["director", "manager", "rep", "partner_a_user"]

KPI_RE = re.compile(
    r'data-kpi="(?P<kpi>[^"]+)"(?: data-scope="(?P<scope>[^"]*)")? data-value="(?P<value>[^"]*)"'
    r"[^>]*>(?P<text>[^<]*)<"
)
MONEY_KPIS = {
    "won_to_date",
    "objective_full",
    "objective_to_date",
    "gap_to_date",
    "gap_to_period_end",
    "projected_landing",
    "weighted_pipeline",
    "avg_deal_size",
}


def _seed(company: Company) -> None:
    """Four and a half years of deals for two teams, two reps and two partners, with a
    seasonal shape; open pipeline around the days tested; then the rollups."""
    line = ProductLineFactory(code="core")
    other_line = ProductLineFactory(code="services")
    won = Stage.objects.get(name="Won")
    lost = Stage.objects.get(name="Lost")
    proposal = Stage.objects.get(name="Proposal")
    account = AccountFactory()
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    month = dt.date(2021, 10, 1)
    n = 0
    while month <= dt.date(2026, 6, 1):
        season = (1, 1, 3, 1, 1, 2, 1, 0, 1, 1, 2, 1)[month.month - 1]
        for owner, team, partner, base, day, pl in (
            (company.rep, company.team, None, 3000, 9, line),
            (company.rep, company.team, company.partner_a, 1700, 21, other_line),
            (company.other_rep, company.other_team, company.partner_b, 1100, 27, line),
        ):
            n += 1
            close = month.replace(day=day if month.month != 2 else min(day, 28))
            stage = lost if n % 7 == 0 else won
            amount = Decimal(base * season + 37 * (n % 5) + month.year - 2000)
            created = dt.datetime.combine(close - dt.timedelta(days=30 + n % 40), dt.time(12))
            if close <= LAST_DAY:
                DealFactory(
                    owner=owner,
                    team=team,
                    partner=partner,
                    account=account,
                    product_line=pl,
                    stage=stage,
                    lost_reason="price" if stage == lost else "",
                    amount=amount,
                    close_date=close,
                    expected_close_date=close,
                    created_at=created.replace(tzinfo=tz),
                )
            if month >= dt.date(2024, 12, 1):
                DealFactory(
                    owner=owner,
                    team=team,
                    partner=partner,
                    account=account,
                    product_line=pl,
                    stage=proposal,
                    amount=amount * 2,
                    expected_close_date=close + dt.timedelta(days=3),
                )
        month = (month + dt.timedelta(days=32)).replace(day=1)
    rollups_rebuild()


def _objectives(company: Company) -> None:
    """Company objectives allocated to the teams by history, the teams' to their reps, a
    partner objective; all published (as a director does on the demo company)."""
    director = company.director
    for year in range(fiscal_year_of(FIRST_DAY), fiscal_year_of(LAST_DAY) + 1):
        parent = objective_create(
            user=director, scope=Scope("company"), fiscal_year=year, amount="150000"
        )
        objective_allocate(parent=parent, user=director, method="history", today=FIRST_DAY)
        for team_objective in parent.children.all():
            objective_allocate(
                parent=team_objective, user=director, method="history", today=FIRST_DAY
            )
        partner = objective_create(
            user=director,
            scope=Scope("partner", company.partner_a.pk),
            fiscal_year=year,
            amount="30000",
        )
        objective_publish(objective=partner, user=director, confirm=True)
    for objective in Objective.objects.exclude(status=Objective.Status.PUBLISHED).order_by("id"):
        objective_publish(objective=objective, user=director, confirm=True)


class Figures:
    """Every value seen for each (kpi, scope), with where it was seen."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], list[tuple[str, Decimal]]] = defaultdict(list)

    def add(self, kpi: str, scope: str, value: Any, source: str) -> None:
        if value is None or value == "":
            return
        self.seen[(kpi, scope)].append((source, Decimal(str(value))))

    def from_html(self, html: str, *, scope: str, source: str) -> None:
        for m in KPI_RE.finditer(html):
            kpi, value, text = m["kpi"], m["value"], m["text"]
            self.add(kpi, m["scope"] or scope, value, source)
            _check_visible(kpi, value, text, source)

    def assert_one_value_each(self) -> None:
        for (kpi, scope), values in self.seen.items():
            distinct = {v for _s, v in values}
            assert len(distinct) == 1, f"{kpi} of {scope} differs: {values}"


def _check_visible(kpi: str, value: str, text: str, source: str) -> None:
    """The number a person reads first in the element is the number in ``data-value``."""
    found = re.match(r"\s*(-?[\d,]+(?:\.\d+)?)", text)
    if not value or found is None or kpi.startswith("month_"):
        return
    shown = Decimal(found.group(1).replace(",", ""))
    if kpi in MONEY_KPIS:
        assert shown == round(Decimal(value)), f"{source}: {kpi} {text!r} vs {value}"
    else:
        assert shown == Decimal(value), f"{source}: {kpi} {text!r} vs {value}"


def _api(client: Client, path: str, **params: Any) -> Any:
    response = client.get(f"/api/v1/{path}", params)
    assert response.status_code == 200, (path, params, response.content[:300])
    return response.json()


def _page(client: Client, url: str, **params: Any) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, (url, params, response.status_code)
    return response.content.decode()


def _attainment_figures(figures: Figures, data: dict[str, Any], scope: str, source: str) -> None:
    for kpi, key in (
        ("won_to_date", "won_to_date"),
        ("objective_to_date", "objective_to_date"),
        ("objective_full", "objective_full"),
        ("attainment_to_date_pct", "attainment_to_date_pct"),
        ("gap_to_date", "gap_to_date"),
        ("gap_to_date", "behind_to_date"),
        ("gap_to_period_end", "remaining_objective"),
        ("gap_to_period_end", "gap_to_period_end"),
        ("attainment_full_pct", "attainment_full_pct"),
        ("projected_landing", "projected_landing"),
        ("coverage", "coverage"),
        ("weighted_pipeline", "open_weighted"),
        ("win_rate_pct", "win_rate_pct"),
        ("avg_deal_size", "avg_deal_size"),
        ("cycle_days", "cycle_days"),
    ):
        if key in data:
            figures.add(kpi, scope, data[key], source)


def _leaderboard_row_figures(figures: Figures, row: dict[str, Any], source: str) -> None:
    scope = row["scope"]
    for kpi, key in (
        ("won_to_date", "won"),
        ("objective_full", "objective"),
        ("objective_to_date", "objective_to_date"),
        ("attainment_to_date_pct", "attainment_to_date_pct"),
        ("attainment_full_pct", "attainment_pct"),
        ("gap_to_date", "gap_to_date"),
        ("win_rate_pct", "win_rate_pct"),
        ("avg_deal_size", "avg_deal_size"),
        ("cycle_days", "cycle_days"),
        ("weighted_pipeline", "open_weighted"),
    ):
        figures.add(kpi, scope, row.get(key), source)


def _export_rows(
    client: Client, kind: str, year: int
) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
    csv_body = client.get(f"/objectives/leaderboard/export.csv?kind={kind}&year={year}")
    assert csv_body.status_code == 200
    reader = csv.DictReader(io.StringIO(csv_body.content.decode("utf-8-sig")))
    csv_rows = list(reader)
    xlsx = client.get(f"/objectives/leaderboard/export.xlsx?kind={kind}&year={year}")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    xlsx_rows = [dict(zip(header, r, strict=True)) for r in rows[1:]]
    return csv_rows, xlsx_rows


def _check_day(company: Company, actor: str, day: dt.date, scope_index: int) -> None:
    user: User = getattr(company, actor)
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    with time_machine.travel(dt.datetime.combine(day, dt.time(15), tzinfo=tz), tick=False):
        scopes = scopes_for(user)
        if actor == "director":
            scopes += [Scope("rep", company.rep.pk), Scope("partner", company.partner_a.pk)]
        scope = scopes[scope_index % len(scopes)]
        key = scope.key
        year = fiscal_year_of(day)
        client = Client()
        client.force_login(user)
        figures = Figures()
        current = f"{day:%Y-%m}"

        attainment = _api(client, "attainment", scope=key, period=str(year))
        _attainment_figures(figures, attainment, key, "api/attainment")
        gap = _api(client, "gap", scope=key, year=year)
        _attainment_figures(figures, gap, key, "api/gap")
        curve = _api(client, "curve", scope=key, year=year)
        figures.add("months_under_objective", key, curve["months_under_objective"], "api/curve")
        assert curve["months_under_objective"] == sum(r["under_objective"] for r in curve["rows"])
        for row in curve["rows"]:
            figures.add(f"month_forecast:{row['period']}", key, row["forecast"], "api/curve")
            figures.add(f"month_won:{row['period']}", key, row["actual"], "api/curve")
            if row["is_current"] and row["forecast"] is not None:
                # The month in progress never forecasts less than what is won.
                assert Decimal(row["lower80"]) >= Decimal(row["actual"])
                assert Decimal(row["lower95"]) >= Decimal(row["actual"])
        last = curve["rows"][-1]
        if attainment["landing_method"] == "forecast":
            assert Decimal(last["projected_cumulative"]) == Decimal(attainment["projected_landing"])
        # What it takes adds up: planned month by month + shortfall = still to win.
        planned = sum(Decimal(r["planned"]) for r in gap["rows"])
        assert planned + Decimal(gap["shortfall"]) == Decimal(gap["gap_to_period_end"])

        if user.is_partner_user:
            figures.from_html(_page(client, "/portal/"), scope=key, source="portal/home")
        else:
            for view in ("cumulative", "monthly"):
                html = _page(client, "/objectives/curve/", scope=key, year=year, view=view)
                figures.from_html(html, scope=key, source=f"curve/{view}")
            html = _page(client, "/objectives/gap/", scope=key, year=year)
            figures.from_html(html, scope=key, source="gap")
            html = _page(client, "/objectives/forecast-calls/", scope=key, period=str(year))
            figures.from_html(html, scope=key, source="forecast-calls")
            html = _page(client, "/revenue/forecast/", scope=key)
            figures.from_html(html, scope=key, source="forecast")
            home_scope = {
                "director": "company",
                "manager": f"team:{company.team.pk}",
                "rep": f"rep:{company.rep.pk}",
            }[actor]
            figures.from_html(_page(client, "/"), scope=home_scope, source="home")
        if scope.kind != "company":
            rows = _api(client, "leaderboard", kind=scope.kind, year=year)
            for row in rows:
                _leaderboard_row_figures(figures, row, "api/leaderboard")
            if not user.is_partner_user:
                html = _page(client, "/objectives/leaderboard/", kind=scope.kind, year=year)
                figures.from_html(html, scope=key, source="leaderboard")
                csv_rows, xlsx_rows = _export_rows(client, scope.kind, year)
                by_label = {r["label"]: r["scope"] for r in rows}
                for source, export in (("csv", csv_rows), ("xlsx", xlsx_rows)):
                    assert len(export) == len(rows)
                    for line in export:
                        row_scope = by_label[str(line["Name"])]
                        for kpi, title in (
                            ("won_to_date", "Won to date"),
                            ("objective_full", "Yearly objective"),
                            ("objective_to_date", "Objective to date"),
                            ("attainment_to_date_pct", "Attainment to date %"),
                            ("gap_to_date", "Behind to date"),
                            ("win_rate_pct", "Win rate %"),
                        ):
                            value = line[title]
                            if isinstance(value, str):  # "'-12" : a CSV cell kept from formulas
                                value = value.removeprefix("'")
                            figures.add(kpi, row_scope, value, source)
        figures.assert_one_value_each()
        assert figures.seen[("won_to_date", key)], "won to date was shown nowhere"
        assert any(k[0] == f"month_forecast:{current}" for k in figures.seen) or not any(
            r["is_current"] for r in curve["rows"]
        )


@pytest.mark.parametrize("fiscal_start", [1, 4])
def test_every_page_api_and_export_shows_one_value_per_kpi(
    company: Company, settings: Any, fiscal_start: int
) -> None:
    settings.DIRCO_FISCAL_YEAR_START_MONTH = fiscal_start
    settings.LANGUAGE_CODE = "en"
    _seed(company)
    with time_machine.travel(
        dt.datetime.combine(FIRST_DAY, dt.time(12), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE)),
        tick=False,
    ):
        _objectives(company)

    days = st.one_of(st.sampled_from(SPECIAL_DAYS), st.dates(FIRST_DAY, LAST_DAY))

    @hsettings(
        max_examples=15,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(actor=st.sampled_from(ACTORS), day=days, scope_index=st.integers(0, 7))
    def check(actor: str, day: dt.date, scope_index: int) -> None:
        _check_day(company, actor, day, scope_index)

    check()
