"""The plans API: the same rules as the pages, through the same permission functions."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.test import Client

from dirco.conftest import Company
from dirco.plans.models import Action, ActionPlan
from dirco.plans.services import plan_version_share
from dirco.plans.tests.factories import YEAR, make_action, make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today() -> Any:
    with time_machine.travel(dt.datetime(YEAR, 6, 15, 10, 0), tick=False):
        yield


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(c: Client, url: str, body: dict[str, Any], method: str = "post") -> Any:
    return getattr(c, method)(url, data=json.dumps(body), content_type="application/json")


def test_a_manager_creates_a_plan_and_an_action_and_reads_them_back(company: Company) -> None:
    c = _client(company.manager)
    r = _post(
        c,
        "/api/v1/plans",
        {"name": "Team plan", "scope": f"team:{company.team.pk}", "period": f"{YEAR}-Q3"},
    )
    assert r.status_code == 201, r.content
    plan = r.json()
    assert plan["scope"] == f"team:{company.team.pk}" and plan["status"] == "draft"
    assert plan["starts_on"] == f"{YEAR}-07-01" and plan["owner"]["id"] == company.manager.pk
    r = _post(
        c,
        "/api/v1/actions",
        {
            "plan_id": plan["id"],
            "kind": "webinar",
            "title": "Q3 webinar",
            "starts_on": f"{YEAR}-07-10",
            "ends_on": f"{YEAR}-07-10",
            "planned_cost": "800",
            "expected_revenue": {f"{YEAR}-08": "4000.00", f"{YEAR}-09": "2000"},
        },
    )
    assert r.status_code == 201, r.content
    action = r.json()
    assert action["expected_revenue"] == {f"{YEAR}-08": "4000.00", f"{YEAR}-09": "2000.00"}
    listed = c.get(f"/api/v1/actions?plan_id={plan['id']}").json()["items"]
    assert [a["id"] for a in listed] == [action["id"]]
    r = _post(c, f"/api/v1/plans/{plan['id']}/status", {"status": "active"})
    assert r.status_code == 200 and r.json()["status"] == "active"
    impact = c.get(f"/api/v1/plans/{plan['id']}/impact")
    assert impact.status_code == 200 and "totals" in impact.json()


def test_bad_input_answers_400_with_the_fields_and_saves_nothing(company: Company) -> None:
    plan = make_plan(by=company.manager, scope=f"team:{company.team.pk}")
    c = _client(company.manager)
    r = _post(
        c,
        "/api/v1/actions",
        {
            "plan_id": plan.pk,
            "kind": "event",
            "title": "Backwards",
            "starts_on": f"{YEAR}-09-10",
            "ends_on": f"{YEAR}-09-01",
        },
    )
    assert r.status_code == 400 and "ends_on" in json.dumps(r.json())
    r = _post(
        c,
        "/api/v1/actions",
        {
            "plan_id": plan.pk,
            "kind": "event",
            "title": "Negative",
            "starts_on": f"{YEAR}-09-01",
            "ends_on": f"{YEAR}-09-01",
            "expected_revenue": {f"{YEAR}-09": "-1"},
        },
    )
    assert r.status_code == 400
    assert not Action.objects.exists()
    r = _post(c, "/api/v1/plans", {"name": "X", "scope": "company", "period": str(YEAR)})
    assert r.status_code == 400 and ActionPlan.objects.count() == 1


def test_forbidden_users_see_nothing_and_change_nothing(company: Company) -> None:
    plan = make_plan(by=company.rep, scope=f"partner:{company.partner_a.pk}", name="Alpha plan")
    action = make_action(plan=plan, by=company.rep)
    plan_version_share(plan=plan, by=company.rep)
    other = _client(company.other_rep)
    assert other.get(f"/api/v1/plans/{plan.pk}").status_code == 404
    assert other.get(f"/api/v1/actions/{action.pk}").status_code == 404
    assert other.get("/api/v1/plans").json()["items"] == []
    assert other.delete(f"/api/v1/actions/{action.pk}").status_code == 404
    # The partner's users read the shared versions in the portal, not the live plan here.
    partner = _client(company.partner_a_admin)
    assert partner.get("/api/v1/plans").json()["items"] == []
    assert partner.get(f"/api/v1/plans/{plan.pk}").status_code == 404
    assert _post(partner, f"/api/v1/plans/{plan.pk}", {}, method="put").status_code in (
        400,
        404,
    )
    # A shared plan is not deleted (closed instead): 400, and it stays.
    owner = _client(company.rep)
    r = owner.delete(f"/api/v1/plans/{plan.pk}")
    assert r.status_code == 400 and ActionPlan.objects.filter(pk=plan.pk).exists()
    assert owner.delete(f"/api/v1/actions/{action.pk}").status_code == 204
