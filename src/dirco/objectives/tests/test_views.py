"""The cockpit pages: each for the allowed and the forbidden user, bad input with nothing
saved, exports and their scoping, and a constant number of queries as deals grow."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dirco.accounts.models import User
from dirco.conftest import Company
from dirco.core.periods import month_add
from dirco.customers.tests.factories import AccountFactory
from dirco.objectives.fiscal_calendar import fiscal_year_of
from dirco.objectives.models import ForecastAdjustment, Objective, ObjectiveMonthChange
from dirco.objectives.services import (
    forecast_call_submit,
    objective_allocate,
    objective_create,
    rollups_rebuild,
)
from dirco.pipeline.models import Deal, Stage
from dirco.pipeline.tests.factories import DealFactory
from dirco.scopes import Scope

TODAY = timezone.localdate()
YEAR = fiscal_year_of(TODAY)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def company_objective(company: Company) -> Objective:
    return objective_create(
        user=company.director,
        scope=Scope("company"),
        fiscal_year=YEAR,
        amount="120000",
        split_method="flat",
    )


@pytest.fixture
def team_objective(company: Company, company_objective: Objective) -> Objective:
    return objective_create(
        user=company.director,
        scope=Scope("team", company.team.pk),
        fiscal_year=YEAR,
        amount="60000",
        split_method="flat",
        parent=company_objective,
    )


@pytest.fixture
def rep_objective(company: Company, team_objective: Objective) -> Objective:
    objective = objective_create(
        user=company.manager,
        scope=Scope("rep", company.rep.pk),
        fiscal_year=YEAR,
        amount="24000",
        split_method="flat",
        parent=team_objective,
    )
    objective.status = Objective.Status.PUBLISHED
    objective.save(update_fields=["status"])
    return objective


def _won_deals(company: Company, count: int) -> None:
    won = Stage.objects.get(name="Won")
    proposal = Stage.objects.get(name="Proposal")
    account = AccountFactory()
    for i in range(count):
        month = month_add(TODAY.replace(day=1), -(i % 14))
        owner, team = (
            (company.rep, company.team) if i % 2 else (company.other_rep, company.other_team)
        )
        DealFactory(
            owner=owner,
            team=team,
            account=account,
            stage=won if i % 3 else proposal,
            amount=Decimal(1000 + i),
            close_date=month + dt.timedelta(days=3) if i % 3 else None,
            expected_close_date=month + dt.timedelta(days=3),
        )
    rollups_rebuild()


# -- access ------------------------------------------------------------------------------------

PAGES = ["objective_list", "objective_curve", "objective_gap", "leaderboard", "forecast_calls"]


@pytest.mark.parametrize("name", PAGES)
def test_cockpit_pages_open_for_every_staff_role(company: Company, name: str) -> None:
    for user in (company.director, company.manager, company.rep):
        response = client_for(user).get(reverse(name))
        assert response.status_code == 200, (name, user.role)


@pytest.mark.parametrize("name", [*PAGES, "objective_create"])
def test_partner_users_never_reach_the_cockpit(company: Company, name: str) -> None:
    # Their portal home (which shows their own objective) or 404 (dirco.web.partner_gate).
    response = client_for(company.partner_a_user).get(reverse(name))
    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert response["Location"] == reverse("portal:home")


def test_anonymous_users_go_to_the_login(db: None) -> None:
    response = Client().get(reverse("objective_curve"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_rep_cannot_open_another_reps_curve_or_gap(company: Company) -> None:
    client = client_for(company.rep)
    own = client.get(reverse("objective_curve"), {"scope": f"rep:{company.rep.pk}"})
    assert own.status_code == 200
    for name in ("objective_curve", "objective_gap", "forecast_calls"):
        other = client.get(reverse(name), {"scope": f"rep:{company.other_rep.pk}"})
        assert other.status_code == 404, name
    assert client.get(reverse("objective_curve"), {"scope": "company"}).status_code == 404
    assert client.get(reverse("objective_curve"), {"scope": "nonsense"}).status_code == 404


def test_manager_cannot_see_another_team(company: Company) -> None:
    client = client_for(company.manager)
    assert (
        client.get(reverse("objective_curve"), {"scope": f"team:{company.team.pk}"}).status_code
        == 200
    )
    for name in ("objective_curve", "objective_gap"):
        for scope in (f"team:{company.other_team.pk}", f"rep:{company.other_rep.pk}"):
            assert client.get(reverse(name), {"scope": scope}).status_code == 404, (name, scope)


def test_objective_pages_hide_what_the_user_may_not_see(
    company: Company, team_objective: Objective, rep_objective: Objective
) -> None:
    director = client_for(company.director)
    for name in ("objective_detail", "objective_allocate", "objective_edit", "objective_months"):
        assert director.get(reverse(name, args=[team_objective.pk])).status_code == 200, name
    other_manager = client_for(company.other_manager)
    assert (
        other_manager.get(reverse("objective_detail", args=[team_objective.pk])).status_code == 404
    )
    assert (
        other_manager.get(reverse("objective_allocate", args=[team_objective.pk])).status_code
        == 404
    )
    rep = client_for(company.rep)
    assert rep.get(reverse("objective_detail", args=[rep_objective.pk])).status_code == 200
    # The rep sees their published objective but may not change it, nor allocate the team's.
    assert rep.get(reverse("objective_edit", args=[rep_objective.pk])).status_code == 403
    assert rep.get(reverse("objective_months", args=[rep_objective.pk])).status_code == 403
    assert rep.get(reverse("objective_detail", args=[team_objective.pk])).status_code == 404
    assert (
        client_for(company.other_rep)
        .get(reverse("objective_detail", args=[rep_objective.pk]))
        .status_code
        == 404
    )
    assert rep.get(reverse("objective_create")).status_code == 403


def test_objective_list_shows_the_users_line(
    company: Company, team_objective: Objective, rep_objective: Objective
) -> None:
    content = client_for(company.manager).get(reverse("objective_list")).content.decode()
    assert reverse("objective_detail", args=[team_objective.pk]) in content
    assert reverse("objective_detail", args=[rep_objective.pk]) in content
    other = client_for(company.other_manager).get(reverse("objective_list")).content.decode()
    assert reverse("objective_detail", args=[team_objective.pk]) not in other


# -- forms -------------------------------------------------------------------------------------


def _create_payload(**overrides: Any) -> dict[str, Any]:
    payload = {
        "scope": "company",
        "fiscal_year": YEAR,
        "measure": "won_revenue",
        "amount": "100000",
        "split_method": "flat",
        "product_line": "",
    }
    payload.update(overrides)
    return payload


def test_director_creates_an_objective(company: Company) -> None:
    response = client_for(company.director).post(reverse("objective_create"), _create_payload())
    objective = Objective.objects.get(scope_key="company")
    assert response.status_code == 302
    assert response["Location"] == reverse("objective_detail", args=[objective.pk])
    assert objective.amount == Decimal("100000")
    assert objective.months.count() == 12


@pytest.mark.parametrize(
    ("amount", "message"),
    [("-5", "Enter 0 or more."), ("lots", "Enter a number, e.g. 1200000.00.")],
)
def test_bad_amount_is_shown_on_the_field_and_nothing_saved(
    company: Company, amount: str, message: str
) -> None:
    response = client_for(company.director).post(
        reverse("objective_create"), _create_payload(amount=amount)
    )
    assert response.status_code == 200
    assert message in response.context["form"].errors["amount"]
    assert not Objective.objects.exists()


def test_manual_split_must_add_up_to_100(company: Company) -> None:
    percentages = {f"pct_{i}": "10" for i in range(1, 13)}  # 120%
    response = client_for(company.director).post(
        reverse("objective_create"), _create_payload(split_method="manual", **percentages)
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "must add up to 100%" in " ".join(form.group_errors["percentages"])
    assert "must add up to 100%" in response.content.decode()
    assert not Objective.objects.exists()
    good = {f"pct_{i}": "10" if i <= 4 else "7.5" for i in range(1, 13)}
    response = client_for(company.director).post(
        reverse("objective_create"), _create_payload(split_method="manual", **good)
    )
    assert response.status_code == 302
    months = list(Objective.objects.get().months.order_by("month_index"))
    assert months[0].amount == Decimal("10000") and months[-1].amount == Decimal("7500")


def test_manager_cannot_set_an_objective_outside_the_line(company: Company) -> None:
    response = client_for(company.manager).post(
        reverse("objective_create"), _create_payload(scope=f"rep:{company.other_rep.pk}")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["scope"]
    assert not Objective.objects.exists()


def test_month_override_is_audited_and_shown(company: Company, team_objective: Objective) -> None:
    client = client_for(company.director)
    payload = {f"m{m.month_index}": str(m.amount) for m in team_objective.months.all()}
    payload["m1"] = "9000"
    payload["rebalance"] = "on"
    response = client.post(reverse("objective_months", args=[team_objective.pk]), payload)
    assert response.status_code == 302
    change = ObjectiveMonthChange.objects.get(objective=team_objective, to_amount=Decimal("9000"))
    assert change.from_amount == Decimal("5000")
    assert change.changed_by == company.director
    page = client.get(reverse("objective_detail", args=[team_objective.pk])).content.decode()
    assert "9,000" in page or "9\u202f000" in page or "9 000" in page
    assert str(company.director) in page


def test_month_override_that_breaks_the_year_is_refused(
    company: Company, team_objective: Objective
) -> None:
    payload = {f"m{m.month_index}": str(m.amount) for m in team_objective.months.all()}
    payload["m1"] = "9000"
    payload["m2"] = "-1"
    response = client_for(company.director).post(
        reverse("objective_months", args=[team_objective.pk]), payload
    )
    assert response.status_code == 200
    assert response.context["form"].errors["m2"]
    payload["m2"] = "5000"
    response = client_for(company.director).post(
        reverse("objective_months", args=[team_objective.pk]), payload
    )
    assert response.status_code == 200
    assert response.context["form"].group_errors["months"]
    assert not ObjectiveMonthChange.objects.exists()
    assert team_objective.months.get(month_index=1).amount == Decimal("5000")


def test_allocation_page_shows_what_is_left(company: Company, team_objective: Objective) -> None:
    response = client_for(company.director).get(
        reverse("objective_allocate", args=[team_objective.parent_id])
    )
    content = response.content.decode()
    assert response.context["summary"]["status"] == "under"
    assert 'data-status="under"' in content
    assert "Left to allocate" in content


def test_manual_allocation_from_the_page(company: Company, company_objective: Objective) -> None:
    response = client_for(company.director).post(
        reverse("objective_allocate", args=[company_objective.pk]),
        {
            "method": "manual",
            f"a_team_{company.team.pk}": "70000",
            f"a_team_{company.other_team.pk}": "60000",
        },
    )
    assert response.status_code == 302
    children = {c.team_id: c.amount for c in company_objective.children.all()}
    assert children == {company.team.pk: Decimal("70000"), company.other_team.pk: Decimal("60000")}
    page = client_for(company.director).get(
        reverse("objective_allocate", args=[company_objective.pk])
    )
    assert page.context["summary"]["status"] == "over"
    assert "Over-allocated by" in page.content.decode()


def test_allocation_to_a_rep_outside_the_line_saves_nothing(
    company: Company, team_objective: Objective
) -> None:
    response = client_for(company.manager).post(
        reverse("objective_allocate", args=[team_objective.pk]),
        {
            "method": "manual",
            f"a_rep_{company.rep.pk}": "30000",
            f"a_rep_{company.other_rep.pk}": "30000",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].group_errors["targets"]
    assert "not in your line" in response.content.decode()
    assert not team_objective.children.exists()


def test_publish_over_the_parent_needs_a_confirmation(
    company: Company, company_objective: Objective
) -> None:
    objective_allocate(
        parent=company_objective,
        user=company.director,
        method="manual",
        amounts={f"team:{company.team.pk}": "100000", f"team:{company.other_team.pk}": "50000"},
    )
    child = company_objective.children.get(team=company.team)
    client = client_for(company.director)
    response = client.post(reverse("objective_publish", args=[child.pk]))
    assert response.status_code == 400
    assert response.context["needs_confirm"]
    assert 'name="confirm"' in response.content.decode()
    child.refresh_from_db()
    assert child.status == Objective.Status.DRAFT
    # The parent itself: over-allocated, also asks first.
    response = client.post(reverse("objective_publish", args=[company_objective.pk]))
    assert response.status_code == 400
    company_objective.refresh_from_db()
    assert company_objective.status == Objective.Status.DRAFT
    response = client.post(reverse("objective_publish", args=[child.pk]), {"confirm": "on"})
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.status == Objective.Status.PUBLISHED


def test_rep_cannot_publish(company: Company, rep_objective: Objective) -> None:
    rep_objective.status = Objective.Status.DRAFT
    rep_objective.save(update_fields=["status"])
    rep = client_for(company.rep)
    # A draft is not even visible to the rep.
    assert rep.post(reverse("objective_publish", args=[rep_objective.pk])).status_code == 404
    response = client_for(company.manager).post(
        reverse("objective_publish", args=[rep_objective.pk]), {"confirm": "on"}
    )
    assert response.status_code == 302
    refused = rep.post(reverse("objective_publish", args=[rep_objective.pk]))
    assert refused.status_code == 400
    assert "You may not publish this objective." in refused.content.decode()
    assert not refused.context["needs_confirm"]


# -- curve, gap, forecast calls ----------------------------------------------------------------


def test_curve_toggles_between_cumulative_and_monthly(
    company: Company, company_objective: Objective
) -> None:
    client = client_for(company.director)
    cumulative = client.get(reverse("objective_curve"), {"scope": "company", "year": YEAR})
    assert cumulative.context["view"] == "cumulative"
    assert 'data-view="cumulative"' in cumulative.content.decode()
    assert "<svg" in cumulative.content.decode()
    monthly = client.get(
        reverse("objective_curve"), {"scope": "company", "year": YEAR, "view": "monthly"}
    )
    assert 'data-view="monthly"' in monthly.content.decode()
    partial = client.get(
        reverse("objective_curve"),
        {"scope": "company", "view": "monthly"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="curve",
    )
    assert b"<html" not in partial.content and b'id="curve"' in partial.content


def test_curve_highlights_months_under_objective(company: Company) -> None:
    first = month_add(TODAY.replace(day=1), -1)
    year = fiscal_year_of(first)
    objective_create(
        user=company.director,
        scope=Scope("company"),
        fiscal_year=year,
        amount="1200000",
        split_method="flat",
    )
    response = client_for(company.director).get(
        reverse("objective_curve"), {"scope": "company", "year": year}
    )
    under = [r for r in response.context["rows"] if r["under"]]
    assert under  # nothing won against 100 000 a month
    content = response.content.decode()
    assert 'class="under"' in content and "row--under" in content


def test_gap_page_lists_the_remaining_months(
    company: Company, company_objective: Objective
) -> None:
    response = client_for(company.director).get(reverse("objective_gap"), {"scope": "company"})
    assert response.status_code == 200
    rows = response.context["gap"]["rows"]
    assert rows and rows[0]["month"] == TODAY.replace(day=1)


def test_forecast_call_and_adjustment_are_kept_side_by_side(company: Company) -> None:
    scope = f"rep:{company.rep.pk}"
    period = str(YEAR)
    url = f"{reverse('forecast_calls')}?scope={scope}&period={period}"
    rep = client_for(company.rep)
    assert (
        rep.post(url, {"action": "call", "owner_call": "50000", "note": "solid"}).status_code == 302
    )
    manager = client_for(company.manager)
    missing_note = manager.post(url, {"action": "adjust", "manager_call": "40000", "note": ""})
    assert missing_note.status_code == 200
    assert missing_note.context["adjust_form"].errors["note"]
    assert ForecastAdjustment.objects.count() == 1
    done = manager.post(url, {"action": "adjust", "manager_call": "40000", "note": "too hopeful"})
    assert done.status_code == 302
    page = manager.get(url)
    latest = page.context["latest"]
    assert latest["owner_call"] == Decimal("50000") and latest["manager_call"] == Decimal("40000")
    # The rep may not adjust their own call.
    refused = rep.post(url, {"action": "adjust", "manager_call": "1", "note": "x"})
    assert refused.status_code == 200
    assert ForecastAdjustment.objects.count() == 2


# -- leaderboards and exports ------------------------------------------------------------------


def test_leaderboard_sorts_by_a_column(company: Company) -> None:
    _won_deals(company, 6)
    client = client_for(company.director)
    up = client.get(reverse("leaderboard"), {"kind": "rep", "sort": "won"}).context["rows"]
    down = client.get(reverse("leaderboard"), {"kind": "rep", "sort": "-won"}).context["rows"]
    assert [r["won"] for r in up] == sorted(r["won"] for r in up)
    assert [r["won"] for r in down] == sorted((r["won"] for r in up), reverse=True)
    by_name = client.get(reverse("leaderboard"), {"kind": "rep", "sort": "label"})
    labels = [r["label"] for r in by_name.context["rows"]]
    assert labels == sorted(labels, key=str.casefold)
    assert 'aria-sort="ascending"' in by_name.content.decode()


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_manager_export_has_only_their_teams_reps(company: Company) -> None:
    _won_deals(company, 6)
    director = client_for(company.director).get(
        reverse("leaderboard_export", args=["csv"]), {"kind": "rep"}
    )
    names = {row[1] for row in _csv_rows(director.content)[1:]}
    assert {str(company.rep), str(company.other_rep)} <= names
    response = client_for(company.manager).get(
        reverse("leaderboard_export", args=["csv"]), {"kind": "rep"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv_rows(response.content)
    assert rows[0][:3] == ["Rank", "Name", "Won to date"]
    names = {row[1] for row in rows[1:]}
    assert str(company.rep) in names
    assert str(company.other_rep) not in names
    xlsx = client_for(company.manager).get(
        reverse("leaderboard_export", args=["xlsx"]), {"kind": "rep"}
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    xlsx_names = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert str(company.rep) in xlsx_names and str(company.other_rep) not in xlsx_names
    team_rows = _csv_rows(
        client_for(company.manager)
        .get(reverse("leaderboard_export", args=["csv"]), {"kind": "team"})
        .content
    )
    assert {row[1] for row in team_rows[1:]} <= {company.team.name}


def test_export_refuses_unknown_formats_and_partner_users(company: Company) -> None:
    assert (
        client_for(company.director)
        .get(reverse("leaderboard_export", args=["pdf"]), {"kind": "rep"})
        .status_code
        == 404
    )
    assert (
        client_for(company.partner_a_user)
        .get(reverse("leaderboard_export", args=["csv"]), {"kind": "partner"})
        .status_code
        == 404
    )


# -- homes ---------------------------------------------------------------------------------------


def test_homes_show_the_cockpit_blocks(
    company: Company, team_objective: Objective, rep_objective: Objective
) -> None:
    director = client_for(company.director).get(reverse("home"))
    assert director.context["cockpit"]["role"] == "director"
    assert 'data-testid="home-cockpit"' in director.content.decode()
    assert "Teams side by side" in director.content.decode()
    manager = client_for(company.manager).get(reverse("home"))
    assert manager.context["cockpit"]["scope"] == Scope("team", company.team.pk)
    assert {r["id"] for r in manager.context["cockpit"]["side_by_side"]} <= {company.rep.pk}
    rep = client_for(company.rep).get(reverse("home"))
    assert rep.context["cockpit"]["objectives"] == [rep_objective]
    # The existing key figures stay.
    assert "figures" in rep.context and "activities_due" in rep.context


# -- performance ---------------------------------------------------------------------------------

COCKPIT_URLS = [
    ("home", {}),
    ("objective_curve", {"scope": "company"}),
    ("objective_curve", {"scope": "company", "view": "monthly"}),
    ("objective_gap", {"scope": "company"}),
    ("leaderboard", {"kind": "rep"}),
    ("leaderboard", {"kind": "team"}),
    ("forecast_calls", {"scope": "company"}),
    ("objective_list", {}),
]


def _query_counts(client: Client) -> list[int]:
    counts = []
    for name, params in COCKPIT_URLS:
        client.get(reverse(name), params)  # warm the forecast snapshot cache
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(name), params).status_code == 200
        counts.append(len(queries))
    return counts


def test_cockpit_pages_make_a_constant_number_of_queries(
    company: Company, company_objective: Objective
) -> None:
    objective_allocate(parent=company_objective, user=company.director, method="history")
    forecast_call_submit(
        user=company.director, scope=Scope("company"), period=str(YEAR), owner_call="1000"
    )
    client = client_for(company.director)
    _won_deals(company, 5)
    few = _query_counts(client)
    _won_deals(company, 25)
    assert Deal.objects.count() == 30
    many = _query_counts(client)
    assert few == many


@pytest.mark.parametrize(
    "page", ["/objectives/curve/", "/objectives/gap/", "/objectives/forecast-calls/"]
)
def test_the_cockpit_picker_offers_every_scope_in_reach(company: Company, page: str) -> None:
    """The cockpit's picker is the forecast page's (scopes.scope_picker_groups): the
    director picks a partner or a person too, each option opens with itself selected, a
    manager's picker holds no scope outside their reach, and a scope shown but not in
    the picker (a departed rep) stays selected."""
    import re

    from dirco.api.tests.clients import session_client

    url = page
    director = session_client(company.director)
    html = director.get(url).content.decode()
    options = re.findall(r'<option value="((?:company|team|rep|partner|product_line)[^"]*)"', html)
    a, b = f"partner:{company.partner_a.pk}", f"partner:{company.partner_b.pk}"
    assert {"company", a, b, f"rep:{company.rep.pk}"} <= set(options)
    assert '<optgroup label="Partners">' in html
    for key in (a, f"rep:{company.rep.pk}"):
        shown = director.get(url, {"scope": key})
        assert shown.status_code == 200
        assert key in re.findall(r'<option value="([^"]+)" selected>', shown.content.decode())
    manager = session_client(company.manager).get(url).content.decode()
    assert a in manager and b not in manager and f"rep:{company.other_rep.pk}" not in manager
    company.other_rep.is_active = False
    company.other_rep.save(update_fields=["is_active"])
    departed = director.get(url, {"scope": f"rep:{company.other_rep.pk}"}).content.decode()
    assert f"rep:{company.other_rep.pk}" in re.findall(
        r'<option value="([^"]+)" selected>', departed
    )
