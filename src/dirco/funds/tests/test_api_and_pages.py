"""Pages and API over the same permission functions: the allowed partner beside the
forbidden one, the deciding staff beside marketing, real file uploads."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dirco.conftest import Company
from dirco.funds.models import FundClaim, FundRequest
from dirco.funds.services import fund_request_approve
from dirco.funds.tests.factories import PDF, budget_make, claim_make, request_make


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_partner_sees_only_its_own_funds_in_the_portal(company: Company) -> None:
    c = company
    budget_a = budget_make(director=c.director, partner=c.partner_a, name="Alpha fund")
    budget_b = budget_make(director=c.director, partner=c.partner_b, name="Beta fund")
    request_a = request_make(user=c.partner_a_user, budget=budget_a, activity="Alpha webinar")
    request_b = request_make(user=c.partner_b_user, budget=budget_b, activity="Beta roadshow")
    claim_b = claim_make(user=c.partner_b_user, approver=c.other_rep, budget=budget_b)
    alpha = _client(c.partner_a_user)
    page = alpha.get(reverse("portal:mdf")).content.decode()
    assert "Alpha fund" in page and "Alpha webinar" in page
    assert "Beta fund" not in page and "Beta roadshow" not in page
    assert alpha.get(reverse("portal:mdf_request_detail", args=[request_a.pk])).status_code == 200
    assert alpha.get(reverse("portal:mdf_request_detail", args=[request_b.pk])).status_code == 404
    assert alpha.get(reverse("portal:mdf_claim_proof", args=[claim_b.pk])).status_code == 404
    beta = _client(c.partner_b_user)
    response = beta.get(reverse("portal:mdf_claim_proof", args=[claim_b.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    # The API says the same.
    assert alpha.get(f"/api/v1/mdf/requests/{request_b.pk}").status_code == 404
    items = alpha.get("/api/v1/mdf/requests").json()["items"]
    assert [i["id"] for i in items] == [request_a.pk]
    assert alpha.get(f"/api/v1/mdf/budgets/{budget_b.pk}").status_code == 404
    assert alpha.get(f"/api/v1/mdf/claims/{claim_b.pk}").status_code == 404


def test_partner_asks_then_claims_with_a_proof_in_the_portal(company: Company) -> None:
    c = company
    budget = budget_make(director=c.director, partner=c.partner_a, amount="2000")
    alpha = _client(c.partner_a_user)
    response = alpha.post(
        reverse("portal:mdf_request_create"),
        {
            "budget": budget.pk,
            "activity": "Spring trade show",
            "expected_result": "30 leads",
            "starts_on": budget.period_start.isoformat(),
            "ends_on": budget.period_start.isoformat(),
            "amount": "2500",
        },
    )
    assert response.status_code == 400 and "left" in response.content.decode()
    assert not FundRequest.objects.exists()
    response = alpha.post(
        reverse("portal:mdf_request_create"),
        {
            "budget": budget.pk,
            "activity": "Spring trade show",
            "expected_result": "30 leads",
            "starts_on": budget.period_start.isoformat(),
            "ends_on": budget.period_start.isoformat(),
            "amount": "1500",
        },
    )
    assert response.status_code == 302
    fund_request = FundRequest.objects.get()
    fund_request_approve(fund_request=fund_request, approved_by=c.rep)
    url = reverse("portal:mdf_request_detail", args=[fund_request.pk])
    bad = alpha.post(
        url,
        {
            "amount": "100",
            "description": "Done",
            "proof": SimpleUploadedFile("proof.pdf", b"GIF89a not a pdf", "application/pdf"),
        },
    )
    assert bad.status_code == 400 and "PDF, PNG, JPEG or WebP" in bad.content.decode()
    above = alpha.post(
        url,
        {"amount": "1500.01", "description": "Done", "proof": SimpleUploadedFile("p.pdf", PDF)},
    )
    assert above.status_code == 400 and not FundClaim.objects.exists()
    ok = alpha.post(
        url, {"amount": "1500", "description": "Done", "proof": SimpleUploadedFile("p.pdf", PDF)}
    )
    assert ok.status_code == 302
    assert FundClaim.objects.get().amount == Decimal("1500")


def test_staff_decide_only_where_they_channel_manage(company: Company) -> None:
    c = company
    budget = budget_make(director=c.director, partner=c.partner_a)
    fund_request = request_make(user=c.partner_a_user, budget=budget, amount="300")
    # Marketing reads but does not decide; the other rep does not even see it.
    marketing = _client(c.marketing)
    assert marketing.get(reverse("funds:request_detail", args=[fund_request.pk])).status_code == 200
    assert (
        marketing.post(reverse("funds:request_approve", args=[fund_request.pk])).status_code == 403
    )
    assert (
        _client(c.other_rep)
        .get(reverse("funds:request_detail", args=[fund_request.pk]))
        .status_code
        == 404
    )
    other = Client(headers={})
    other.force_login(c.other_manager)
    assert (
        other.post(
            f"/api/v1/mdf/requests/{fund_request.pk}/approve", "{}", "application/json"
        ).status_code
        == 404
    )
    fund_request.refresh_from_db()
    assert fund_request.status == FundRequest.Status.SUBMITTED
    # The channel manager approves part of it on the page.
    rep = _client(c.rep)
    response = rep.post(
        reverse("funds:request_approve", args=[fund_request.pk]), {"approved_amount": "250"}
    )
    assert response.status_code == 302
    fund_request.refresh_from_db()
    assert (fund_request.status, fund_request.approved_amount) == ("approved", Decimal("250"))


def test_api_claim_upload_allowed_and_forbidden(company: Company) -> None:
    c = company
    budget = budget_make(director=c.director, partner=c.partner_a)
    fund_request = request_make(user=c.partner_a_user, budget=budget, amount="400")
    fund_request_approve(fund_request=fund_request, approved_by=c.rep)
    beta = _client(c.partner_b_user)
    response = beta.post(
        "/api/v1/mdf/claims",
        {
            "request_id": fund_request.pk,
            "amount": "400",
            "description": "Done",
            "proof": SimpleUploadedFile("p.pdf", PDF),
        },
    )
    assert response.status_code == 404
    alpha = _client(c.partner_a_user)
    above = alpha.post(
        "/api/v1/mdf/claims",
        {
            "request_id": fund_request.pk,
            "amount": "400.01",
            "description": "Done",
            "proof": SimpleUploadedFile("p.pdf", PDF),
        },
    )
    assert above.status_code == 400 and "amount" in above.json()["error"]["fields"]
    response = alpha.post(
        "/api/v1/mdf/claims",
        {
            "request_id": fund_request.pk,
            "amount": "400",
            "description": "Booth and flyers",
            "proof": SimpleUploadedFile("p.pdf", PDF),
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["proof_content_type"] == "application/pdf"
    assert alpha.get(body["proof_url"]).status_code == 200
    # The director pays it through the API.
    director = _client(c.director)
    paid = director.post(f"/api/v1/mdf/claims/{body['id']}/pay", "{}", "application/json")
    assert paid.status_code == 200 and paid.json()["status"] == "paid"
    budgets = director.get("/api/v1/mdf/budgets").json()["items"]
    assert budgets[0]["committed"] == "400.00" and budgets[0]["remaining"] == "9600.00"


def test_only_the_director_creates_budgets(company: Company) -> None:
    c = company
    body = {
        "name": "FY fund",
        "partner_id": c.partner_a.pk,
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "amount": "1000",
    }
    for user in (c.manager, c.rep, c.partner_a_admin):
        response = _client(user).post("/api/v1/mdf/budgets", body, "application/json")
        assert response.status_code == 403, user
    response = _client(c.director).post("/api/v1/mdf/budgets", body, "application/json")
    assert response.status_code == 201
    bad = _client(c.director).post(
        "/api/v1/mdf/budgets", {**body, "period_end": "2025-01-01"}, "application/json"
    )
    assert bad.status_code == 400 and "period_end" in bad.json()["error"]["fields"]


@pytest.mark.parametrize(
    "actor", ["director", "marketing", "manager", "other_manager", "rep", "other_rep"]
)
def test_approval_page_and_api_agree(company: Company, actor: str) -> None:
    """The page and the API approve for exactly the same people: partner A's channel
    manager (rep), their manager and the director."""
    c = company
    budget = budget_make(director=c.director, partner=c.partner_a)
    user = getattr(c, actor)
    outcomes = []
    for way in ("page", "api"):
        fund_request = request_make(user=c.partner_a_user, budget=budget, amount="10")
        client = _client(user)
        if way == "page":
            client.post(reverse("funds:request_approve", args=[fund_request.pk]), {})
        else:
            client.post(f"/api/v1/mdf/requests/{fund_request.pk}/approve", {}, "application/json")
        fund_request.refresh_from_db()
        outcomes.append(fund_request.status == FundRequest.Status.APPROVED)
    assert outcomes[0] == outcomes[1] == (actor in {"director", "manager", "rep"}), outcomes
