"""PATCH /api/v1/mdf/requests/{id}: the partner corrects a request that awaits a decision, with
the rules of a submission; other partners, staff and decided requests are refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dirco.api.tests.clients import AUTH_KINDS, client_for, error_fields, patch_json
from dirco.conftest import Company
from dirco.funds.models import FundRequest
from dirco.funds.services import fund_request_approve
from dirco.funds.tests.factories import budget_make, request_make

pytestmark = pytest.mark.django_db


@pytest.fixture(params=AUTH_KINDS)
def auth_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _request(company: Company) -> FundRequest:
    budget = budget_make(director=company.director, partner=company.partner_a, amount="3000")
    return request_make(user=company.partner_a_user, budget=budget, amount="1000")


def test_the_partner_corrects_its_submitted_request(company: Company, auth_kind: str) -> None:
    fund_request = _request(company)
    client = client_for(auth_kind, company.partner_a_admin)
    ends = fund_request.starts_on + dt.timedelta(days=5)
    response = patch_json(
        client,
        f"/api/v1/mdf/requests/{fund_request.pk}",
        {"activity": "Autumn trade show", "amount": "1500.5", "ends_on": ends.isoformat()},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["activity"], body["amount"], body["ends_on"]) == (
        "Autumn trade show",
        "1500.50",
        ends.isoformat(),
    )
    fund_request.refresh_from_db()
    assert fund_request.amount == Decimal("1500.50")
    assert fund_request.expected_result == "40 leads"  # not sent, not changed


@pytest.mark.parametrize(
    ("who", "status"),
    [("partner_b_user", 404), ("other_rep", 404), ("rep", 403), ("director", 403)],
)
def test_others_are_refused(company: Company, auth_kind: str, who: str, status: int) -> None:
    fund_request = _request(company)
    client = client_for(auth_kind, getattr(company, who))
    response = patch_json(client, f"/api/v1/mdf/requests/{fund_request.pk}", {"amount": "1"})
    assert response.status_code == status
    error_fields(response)
    fund_request.refresh_from_db()
    assert fund_request.amount == Decimal("1000.00")


def test_the_rules_of_a_submission_hold(company: Company) -> None:
    fund_request = _request(company)
    client = client_for("token", company.partner_a_user)
    url = f"/api/v1/mdf/requests/{fund_request.pk}"
    too_much = patch_json(client, url, {"amount": "3000.01"})
    assert too_much.status_code == 400 and "amount" in error_fields(too_much)
    backwards = patch_json(
        client, url, {"ends_on": (fund_request.starts_on - dt.timedelta(days=1)).isoformat()}
    )
    assert backwards.status_code == 400 and "ends_on" in error_fields(backwards)
    budget = patch_json(client, url, {"budget_id": fund_request.budget_id})
    assert budget.status_code == 400 and "budget_id" in error_fields(budget)
    null = patch_json(client, url, {"activity": None})
    assert null.status_code == 400 and "activity" in error_fields(null)
    fund_request.refresh_from_db()
    assert fund_request.amount == Decimal("1000.00")
    # Once decided, it no longer changes: the decision was made on what it said.
    fund_request_approve(fund_request=fund_request, approved_by=company.rep)
    decided = patch_json(client, url, {"activity": "Changed after approval"})
    assert decided.status_code == 400
    fund_request.refresh_from_db()
    assert fund_request.activity == "Trade show" and fund_request.status == "approved"
