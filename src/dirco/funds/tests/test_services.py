from __future__ import annotations

import datetime as dt
import io
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from dirco.conftest import Company
from dirco.core.errors import ApplicationError
from dirco.funds.models import FundClaim, FundRequest
from dirco.funds.proofs import MAX_PROOF_BYTES
from dirco.funds.selectors import fund_budget_figures
from dirco.funds.services import (
    FundBudgetInput,
    fund_budget_create,
    fund_claim_pay,
    fund_claim_reject,
    fund_claim_submit,
    fund_request_approve,
    fund_request_reject,
)
from dirco.funds.tests.factories import PDF, PNG, budget_make, claim_make, request_make
from dirco.notifications.models import Notification


@pytest.fixture(autouse=True)
def _media(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]


def test_request_approve_claim_pay(company: Company) -> None:
    c = company
    budget = budget_make(director=c.director, partner=c.partner_a)
    claim = claim_make(user=c.partner_a_user, approver=c.rep, budget=budget, amount="1500")
    assert claim.request.status == FundRequest.Status.CLAIMED
    assert claim.proof_content_type == "application/pdf" and claim.proof.name.endswith(".pdf")
    fund_claim_pay(claim=claim, paid_by=c.rep)
    claim.request.refresh_from_db()
    assert claim.request.status == FundRequest.Status.PAID
    # The channel manager heard of the request and the claim, the partner of each decision.
    kinds = {
        user: set(Notification.objects.filter(recipient=user).values_list("kind", flat=True))
        for user in (c.rep, c.partner_a_user, c.partner_b_user)
    }
    assert kinds[c.rep] == {"mdf-request-submitted", "mdf-claim-submitted"}
    assert kinds[c.partner_a_user] == {"mdf-request-approved", "mdf-claim-paid"}
    assert kinds[c.partner_b_user] == set()
    figures = fund_budget_figures(budget=budget)
    assert (figures.committed, figures.paid, figures.remaining) == (
        Decimal("1500"),
        Decimal("1500"),
        Decimal("8500"),
    )


def test_approval_never_exceeds_the_budget(company: Company) -> None:
    c = company
    budget = budget_make(director=c.director, partner=c.partner_a, amount="1000")
    first = request_make(user=c.partner_a_user, budget=budget, amount="700")
    second = request_make(user=c.partner_a_user, budget=budget, amount="600")
    fund_request_approve(fund_request=first, approved_by=c.director)
    with pytest.raises(ApplicationError) as exc:
        fund_request_approve(fund_request=second, approved_by=c.director)
    assert "approved_amount" in exc.value.fields
    second.refresh_from_db()
    assert second.status == FundRequest.Status.SUBMITTED
    # Approving part of it fits.
    fund_request_approve(fund_request=second, approved_by=c.director, amount=Decimal("300"))
    assert fund_budget_figures(budget=budget).remaining == 0


def test_request_above_what_is_left_is_refused_at_submission(company: Company) -> None:
    c = company
    budget = budget_make(director=c.director, partner=c.partner_a, amount="500")
    with pytest.raises(ApplicationError) as exc:
        request_make(user=c.partner_a_user, budget=budget, amount="501")
    assert "amount" in exc.value.fields
    assert not FundRequest.objects.exists()


def test_request_on_another_partners_budget_is_refused(company: Company) -> None:
    c = company
    budget = budget_make(director=c.director, partner=c.partner_a)
    with pytest.raises(ApplicationError) as exc:
        request_make(user=c.partner_b_user, budget=budget)
    assert "budget" in exc.value.fields


def test_tier_budget_is_open_to_the_partners_of_the_tier(company: Company) -> None:
    c = company
    today = dt.date.today()
    budget = fund_budget_create(
        created_by=c.director,
        data=FundBudgetInput(
            name="Tier fund",
            tier=c.partner_a.tier,
            period_start=dt.date(today.year, 1, 1),
            period_end=dt.date(today.year, 12, 31),
            amount=Decimal("5000"),
        ),
    )
    assert request_make(user=c.partner_a_user, budget=budget).partner == c.partner_a


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [(dt.date(2026, 5, 1), dt.date(2026, 4, 1), "period_end")],
)
def test_budget_bad_input(company: Company, start: dt.date, end: dt.date, field: str) -> None:
    with pytest.raises(ApplicationError) as exc:
        fund_budget_create(
            created_by=company.director,
            data=FundBudgetInput(
                name="X",
                partner=company.partner_a,
                period_start=start,
                period_end=end,
                amount=Decimal("1"),
            ),
        )
    assert field in exc.value.fields
    with pytest.raises(ApplicationError) as exc:
        fund_budget_create(
            created_by=company.director,
            data=FundBudgetInput(
                name="X", period_start=start, period_end=start, amount=Decimal("1")
            ),
        )
    assert "partner" in exc.value.fields


def test_claim_above_the_approved_amount_is_refused(company: Company) -> None:
    c = company
    budget = budget_make(director=c.director, partner=c.partner_a)
    fund_request = request_make(user=c.partner_a_user, budget=budget, amount="1000")
    fund_request_approve(fund_request=fund_request, approved_by=c.rep, amount=Decimal("800"))
    with pytest.raises(ApplicationError) as exc:
        fund_claim_submit(
            fund_request=fund_request,
            submitted_by=c.partner_a_user,
            amount=Decimal("800.01"),
            description="Done",
            proof=io.BytesIO(PDF),
        )
    assert "amount" in exc.value.fields
    assert not FundClaim.objects.exists()
    fund_request.refresh_from_db()
    assert fund_request.status == FundRequest.Status.APPROVED


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"MZ\x90\x00 an executable renamed proof.pdf", "PDF, PNG, JPEG or WebP"),
        (b"<html><script>alert(1)</script></html>", "PDF, PNG, JPEG or WebP"),
        (b"", "empty"),
        (b"%PDF-" + b"0" * MAX_PROOF_BYTES, "too large"),
    ],
)
def test_claim_proof_is_sniffed_and_size_checked(
    company: Company, content: bytes, message: str, tmp_path: Path
) -> None:
    c = company
    budget = budget_make(director=c.director, partner=c.partner_a)
    fund_request = request_make(user=c.partner_a_user, budget=budget)
    fund_request_approve(fund_request=fund_request, approved_by=c.rep)
    with pytest.raises(ApplicationError) as exc:
        fund_claim_submit(
            fund_request=fund_request,
            submitted_by=c.partner_a_user,
            amount=Decimal("10"),
            description="Done",
            proof=io.BytesIO(content),
        )
    assert message in exc.value.fields["proof"][0]
    assert not FundClaim.objects.exists()
    assert not list(tmp_path.rglob("proof-*")), "a refused proof left a file behind"


def test_png_proof_is_accepted(company: Company) -> None:
    c = company
    budget = budget_make(director=c.director, partner=c.partner_a)
    fund_request = request_make(user=c.partner_a_user, budget=budget)
    fund_request_approve(fund_request=fund_request, approved_by=c.rep)
    claim = fund_claim_submit(
        fund_request=fund_request,
        submitted_by=c.partner_a_user,
        amount=Decimal("10"),
        description="Photos of the booth",
        proof=io.BytesIO(PNG),
    )
    assert claim.proof_content_type == "image/png" and claim.proof.name.endswith(".png")


def test_reject_needs_a_reason_and_rejected_claim_reopens_the_request(company: Company) -> None:
    c = company
    budget = budget_make(director=c.director, partner=c.partner_a)
    fund_request = request_make(user=c.partner_a_user, budget=budget)
    with pytest.raises(ApplicationError) as exc:
        fund_request_reject(fund_request=fund_request, rejected_by=c.rep, reason="  ")
    assert "reason" in exc.value.fields
    claim = claim_make(user=c.partner_a_user, approver=c.rep, budget=budget)
    fund_claim_reject(claim=claim, rejected_by=c.rep, reason="The photo is not of the event")
    claim.request.refresh_from_db()
    assert claim.request.status == FundRequest.Status.APPROVED
    with pytest.raises(ApplicationError):
        fund_claim_pay(claim=claim, paid_by=c.rep)


def test_a_decided_request_is_not_decided_again(company: Company) -> None:
    c = company
    budget = budget_make(director=c.director, partner=c.partner_a)
    fund_request = request_make(user=c.partner_a_user, budget=budget)
    fund_request_reject(fund_request=fund_request, rejected_by=c.rep, reason="Off strategy")
    with pytest.raises(ApplicationError):
        fund_request_approve(fund_request=fund_request, approved_by=c.director)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks (SELECT FOR UPDATE) exist on PostgreSQL only; SQLite serializes every "
    "write transaction (IMMEDIATE), so there is no race to prove there",
)
@pytest.mark.django_db(transaction=True)
def test_two_approvals_racing_for_the_last_of_a_budget_only_one_wins(company: Company) -> None:
    """Two threads, each with its own connection, approve 600 of a 1000 budget at once:
    exactly one approval succeeds and the approved total stays within the budget. Five
    rounds (five budgets): without the row lock, at least one round lets both through."""
    c = company
    lock = threading.Lock()
    for round_ in range(5):
        budget = budget_make(
            director=c.director, partner=c.partner_a, amount="1000", name=f"Race {round_}"
        )
        requests = [
            request_make(user=c.partner_a_user, budget=budget, amount="600", activity=f"Show {i}")
            for i in range(2)
        ]
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def approve(
            fund_request: FundRequest,
            approver: object,
            barrier: threading.Barrier = barrier,
            outcomes: list[str] = outcomes,
        ) -> None:
            try:
                barrier.wait(timeout=10)
                fund_request_approve(fund_request=fund_request, approved_by=approver)  # type: ignore[arg-type]
                result = "approved"
            except ApplicationError:
                result = "refused"
            finally:
                connection.close()
            with lock:
                outcomes.append(result)

        threads = [
            threading.Thread(target=approve, args=(requests[0], c.director)),
            threading.Thread(target=approve, args=(requests[1], c.rep)),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert sorted(outcomes) == ["approved", "refused"], round_
        statuses = sorted(
            FundRequest.objects.filter(budget=budget).values_list("status", flat=True)
        )
        assert statuses == ["approved", "submitted"], round_
        assert fund_budget_figures(budget=budget).committed == Decimal("600")
