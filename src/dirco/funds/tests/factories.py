"""Budgets, requests and claims made through the services (so that they obey the rules)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from dirco.accounts.models import User
from dirco.funds.models import FundBudget, FundClaim, FundRequest
from dirco.funds.services import (
    FundBudgetInput,
    FundRequestInput,
    fund_budget_create,
    fund_claim_submit,
    fund_request_approve,
    fund_request_submit,
)
from dirco.partners.models import Partner

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf_upload(name: str = "proof.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def budget_make(
    *, director: User, partner: Partner, amount: str = "10000", name: str = "Budget"
) -> FundBudget:
    today = dt.date.today()
    return fund_budget_create(
        created_by=director,
        data=FundBudgetInput(
            name=name,
            partner=partner,
            period_start=dt.date(today.year, 1, 1),
            period_end=dt.date(today.year, 12, 31),
            amount=Decimal(amount),
        ),
    )


def request_make(
    *, user: User, budget: FundBudget, amount: str = "1000", activity: str = "Trade show"
) -> FundRequest:
    assert user.partner is not None
    start = budget.period_start
    return fund_request_submit(
        submitted_by=user,
        partner=user.partner,
        budget=budget,
        data=FundRequestInput(
            activity=activity,
            expected_result="40 leads",
            starts_on=start,
            ends_on=start + dt.timedelta(days=2),
            amount=Decimal(amount),
        ),
    )


def claim_make(
    *,
    user: User,
    approver: User,
    budget: FundBudget,
    amount: str = "1000",
    description: str = "Done",
) -> FundClaim:
    fund_request = request_make(user=user, budget=budget, amount=amount)
    fund_request_approve(fund_request=fund_request, approved_by=approver)
    fund_request.refresh_from_db()
    return fund_claim_submit(
        fund_request=fund_request,
        submitted_by=user,
        amount=Decimal(amount),
        description=description,
        proof=io.BytesIO(PDF),
    )
