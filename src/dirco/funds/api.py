"""API: marketing development funds under /api/v1/mdf/.

Partners read their budgets, submit requests and claims (a claim is a multipart upload with
its proof of execution); staff (the partner's channel manager, their manager, the director)
approve or reject requests and pay or reject claims; the director creates budgets. Every
read and write goes through ``funds.permissions``, as the pages do.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from dirco.accounts.permissions import user_is_partner
from dirco.api.auth import request_user
from dirco.api.errors import ErrorOut
from dirco.api.pagination import Page, PageParams, paginate
from dirco.api.schemas import (
    DecimalString,
    Id,
    InputSchema,
    IsoDate,
    Name,
    Ref,
    Text,
    choices_schema,
    payload_fields,
    refs_resolve,
)
from dirco.api.versioning import etag_set, if_match_version
from dirco.core.money import quantize
from dirco.funds.models import FundBudget, FundClaim, FundRequest
from dirco.funds.permissions import (
    fund_budget_can_create,
    fund_budgets_visible_to,
    fund_claim_can_decide,
    fund_request_can_claim,
    fund_request_can_decide,
    fund_request_can_edit,
    fund_request_can_submit,
    get_fund_budget_for_user,
    get_fund_claim_for_user,
    get_fund_request_for_user,
)
from dirco.funds.selectors import fund_budget_list, fund_claim_list, fund_request_list
from dirco.funds.services import (
    FundBudgetInput,
    FundRequestInput,
    fund_budget_create,
    fund_claim_pay,
    fund_claim_reject,
    fund_claim_submit,
    fund_request_approve,
    fund_request_reject,
    fund_request_submit,
    fund_request_update,
)
from dirco.partners.models import Tier
from dirco.partners.permissions import partners_visible_to

router = Router(tags=["marketing development funds"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
Money = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)]
RequestStatusField = Annotated[
    FundRequest.Status, choices_schema(FundRequest.Status, "FundRequestStatus")
]
ClaimStatusField = Annotated[FundClaim.Status, choices_schema(FundClaim.Status, "FundClaimStatus")]


class FundBudgetOut(Schema):
    id: int
    name: str
    partner: Ref | None
    tier: Ref | None
    period_start: dt.date
    period_end: dt.date
    amount: DecimalString
    currency: str
    committed: DecimalString = Field(description="Approved, claimed or paid requests.")
    paid: DecimalString
    remaining: DecimalString

    # SQLite sums come back without their scale: quantize so both databases answer "400.00".
    @staticmethod
    def resolve_committed(obj: FundBudget) -> str:
        return str(quantize(obj.committed))  # type: ignore[attr-defined]

    @staticmethod
    def resolve_paid(obj: FundBudget) -> str:
        return str(quantize(obj.paid))  # type: ignore[attr-defined]

    @staticmethod
    def resolve_remaining(obj: FundBudget) -> str:
        return str(quantize(obj.remaining))  # type: ignore[attr-defined]


class FundBudgetIn(InputSchema):
    name: Name = Field(min_length=1)
    partner_id: Id | None = Field(None, description="A budget for one partner, or:")
    tier_id: Id | None = Field(None, description="a budget shared by the partners of a tier.")
    period_start: IsoDate
    period_end: IsoDate
    amount: Money


class FundRequestOut(Schema):
    id: int
    budget: Ref
    partner: Ref
    activity: str
    description: str
    expected_result: str
    starts_on: dt.date
    ends_on: dt.date
    amount: DecimalString
    approved_amount: DecimalString | None
    status: str
    rejection_reason: str
    decided_at: dt.datetime | None
    created_at: dt.datetime
    version: int = Field(description="Bumped on each change; sent as the ETag.")


class FundRequestIn(InputSchema):
    budget_id: Id
    activity: Name = Field(min_length=1)
    description: Text = ""
    expected_result: Text = Field(min_length=1)
    starts_on: IsoDate
    ends_on: IsoDate
    amount: Money


class FundRequestPatch(InputSchema):
    """A submitted request's corrections (only the fields sent); the budget stays."""

    activity: Annotated[Name, Field(min_length=1)] | None = None
    description: Text | None = None
    expected_result: Annotated[Text, Field(min_length=1)] | None = None
    starts_on: IsoDate | None = None
    ends_on: IsoDate | None = None
    amount: Money | None = None


class FundApproveIn(InputSchema):
    approved_amount: Money | None = Field(None, description="Omitted: all that was asked.")


class FundReasonIn(InputSchema):
    reason: Text = Field(min_length=1)


class FundClaimOut(Schema):
    id: int
    request_id: int
    amount: DecimalString
    description: str
    status: str
    rejection_reason: str
    proof_content_type: str
    proof_size: int
    proof_url: str = Field(description="The proof, served after an access check.")
    created_at: dt.datetime

    @staticmethod
    def resolve_proof_url(obj: FundClaim, context: Any) -> str:
        user = request_user(context["request"])
        name = "portal:mdf_claim_proof" if user_is_partner(user) else "funds:claim_proof"
        return reverse(name, args=[obj.pk])


class FundRequestFilters(Schema):
    status: RequestStatusField | None = None
    budget_id: Id | None = None


class FundClaimFilters(Schema):
    status: ClaimStatusField | None = None
    request_id: Id | None = None


# -- budgets --------------------------------------------------------------------------------


@router.get("/mdf/budgets", response={200: Page[FundBudgetOut], **ERRORS}, summary="MDF budgets")
def budget_list_endpoint(request: HttpRequest, page: Query[PageParams]) -> Any:
    qs = fund_budget_list(user=request_user(request))
    return paginate(request, qs, order=("-period_start", "-id"), params=page)


@router.get("/mdf/budgets/{budget_id}", response={200: FundBudgetOut, **ERRORS}, summary="A budget")
def budget_detail_endpoint(request: HttpRequest, budget_id: Id) -> Any:
    user = request_user(request)
    get_fund_budget_for_user(user=user, budget_id=budget_id)
    return fund_budget_list(user=user).get(pk=budget_id)


@router.post("/mdf/budgets", response={201: FundBudgetOut, **ERRORS}, summary="Create a budget")
def budget_create_endpoint(request: HttpRequest, payload: FundBudgetIn) -> Any:
    user = request_user(request)
    if not fund_budget_can_create(user=user):
        raise PermissionDenied(_("Only the director sets marketing fund budgets."))
    refs = refs_resolve(
        {"partner_id": payload.partner_id, "tier_id": payload.tier_id},
        {"partner": partners_visible_to(user), "tier": Tier.objects.all()},
    )
    budget = fund_budget_create(
        created_by=user,
        data=FundBudgetInput(
            name=payload.name,
            partner=refs.get("partner"),
            tier=refs.get("tier"),
            period_start=payload.period_start,
            period_end=payload.period_end,
            amount=payload.amount,
        ),
    )
    return Status(201, fund_budget_list(user=user).get(pk=budget.pk))


# -- requests -------------------------------------------------------------------------------


@router.get(
    "/mdf/requests", response={200: Page[FundRequestOut], **ERRORS}, summary="Fund requests"
)
def request_list_endpoint(
    request: HttpRequest, filters: Query[FundRequestFilters], page: Query[PageParams]
) -> Any:
    qs = fund_request_list(
        user=request_user(request), status=filters.status or "", budget_id=filters.budget_id
    )
    return paginate(request, qs, order=("-created_at", "-id"), params=page)


@router.get(
    "/mdf/requests/{request_id}", response={200: FundRequestOut, **ERRORS}, summary="A fund request"
)
def request_detail_endpoint(request: HttpRequest, request_id: Id, response: HttpResponse) -> Any:
    fund_request = get_fund_request_for_user(user=request_user(request), request_id=request_id)
    etag_set(response, fund_request.version)
    return fund_request


@router.post("/mdf/requests", response={201: FundRequestOut, **ERRORS}, summary="Ask for funds")
def request_submit_endpoint(request: HttpRequest, payload: FundRequestIn) -> Any:
    user = request_user(request)
    if not fund_request_can_submit(user=user):
        raise PermissionDenied(_("Only partner users ask for marketing funds."))
    budget = refs_resolve(
        {"budget_id": payload.budget_id}, {"budget": fund_budgets_visible_to(user)}
    )["budget"]
    partner = user.partner
    assert partner is not None  # fund_request_can_submit checked it
    fund_request = fund_request_submit(
        submitted_by=user,
        partner=partner,
        budget=budget,
        data=FundRequestInput(
            activity=payload.activity,
            description=payload.description,
            expected_result=payload.expected_result,
            starts_on=payload.starts_on,
            ends_on=payload.ends_on,
            amount=payload.amount,
        ),
    )
    return Status(201, get_fund_request_for_user(user=user, request_id=fund_request.pk))


@router.patch(
    "/mdf/requests/{request_id}",
    response={200: FundRequestOut, **ERRORS, 412: ErrorOut},
    summary="Correct a fund request that awaits a decision (its partner's users; If-Match, or 412)",
)
def request_patch_endpoint(
    request: HttpRequest, request_id: Id, payload: FundRequestPatch, response: HttpResponse
) -> Any:
    user = request_user(request)
    fund_request = get_fund_request_for_user(user=user, request_id=request_id)
    if not fund_request_can_edit(user=user, fund_request=fund_request):
        raise PermissionDenied(_("Only the partner's users change its fund requests."))
    fund_request = fund_request_update(
        fund_request=fund_request,
        updated_by=user,
        changes=payload_fields(payload, FundRequest),
        expected_version=if_match_version(request),
    )
    etag_set(response, fund_request.version)
    return get_fund_request_for_user(user=user, request_id=request_id)


def _decidable(request: HttpRequest, request_id: int) -> tuple[Any, FundRequest]:
    user = request_user(request)
    fund_request = get_fund_request_for_user(user=user, request_id=request_id)
    if not fund_request_can_decide(user=user, fund_request=fund_request):
        raise PermissionDenied(_("You may see this request but not decide on it."))
    return user, fund_request


@router.post(
    "/mdf/requests/{request_id}/approve",
    response={200: FundRequestOut, **ERRORS},
    summary="Approve a fund request (never beyond the budget)",
)
def request_approve_endpoint(request: HttpRequest, request_id: Id, payload: FundApproveIn) -> Any:
    user, fund_request = _decidable(request, request_id)
    fund_request_approve(
        fund_request=fund_request, approved_by=user, amount=payload.approved_amount
    )
    return get_fund_request_for_user(user=user, request_id=request_id)


@router.post(
    "/mdf/requests/{request_id}/reject",
    response={200: FundRequestOut, **ERRORS},
    summary="Reject a fund request with a reason the partner will read",
)
def request_reject_endpoint(request: HttpRequest, request_id: Id, payload: FundReasonIn) -> Any:
    user, fund_request = _decidable(request, request_id)
    fund_request_reject(fund_request=fund_request, rejected_by=user, reason=payload.reason)
    return get_fund_request_for_user(user=user, request_id=request_id)


# -- claims ---------------------------------------------------------------------------------


class FundClaimIn(Schema):
    request_id: Id
    amount: Money
    description: Text = Field(min_length=1)


@router.get("/mdf/claims", response={200: Page[FundClaimOut], **ERRORS}, summary="Fund claims")
def claim_list_endpoint(
    request: HttpRequest, filters: Query[FundClaimFilters], page: Query[PageParams]
) -> Any:
    qs = fund_claim_list(
        user=request_user(request), status=filters.status or "", request_id=filters.request_id
    )
    return paginate(request, qs, order=("-created_at", "-id"), params=page)


@router.get("/mdf/claims/{claim_id}", response={200: FundClaimOut, **ERRORS}, summary="A claim")
def claim_detail_endpoint(request: HttpRequest, claim_id: Id) -> Any:
    return get_fund_claim_for_user(user=request_user(request), claim_id=claim_id)


@router.post(
    "/mdf/claims",
    response={201: FundClaimOut, **ERRORS},
    summary="Claim approved funds with a proof of execution (PDF, PNG, JPEG or WebP, 10 MB)",
)
def claim_submit_endpoint(
    request: HttpRequest, payload: Form[FundClaimIn], proof: File[UploadedFile]
) -> Any:
    user = request_user(request)
    fund_request = get_fund_request_for_user(user=user, request_id=payload.request_id)
    if not fund_request_can_claim(user=user, fund_request=fund_request):
        raise PermissionDenied(_("Only the partner's users claim its funds."))
    claim = fund_claim_submit(
        fund_request=fund_request,
        submitted_by=user,
        amount=payload.amount,
        description=payload.description,
        proof=proof,
    )
    return Status(201, get_fund_claim_for_user(user=user, claim_id=claim.pk))


def _claim_decidable(request: HttpRequest, claim_id: int) -> tuple[Any, FundClaim]:
    user = request_user(request)
    claim = get_fund_claim_for_user(user=user, claim_id=claim_id)
    if not fund_claim_can_decide(user=user, claim=claim):
        raise PermissionDenied(_("You may see this claim but not decide on it."))
    return user, claim


@router.post(
    "/mdf/claims/{claim_id}/pay",
    response={200: FundClaimOut, **ERRORS},
    summary="Mark a claim paid",
)
def claim_pay_endpoint(request: HttpRequest, claim_id: Id) -> Any:
    user, claim = _claim_decidable(request, claim_id)
    fund_claim_pay(claim=claim, paid_by=user)
    return get_fund_claim_for_user(user=user, claim_id=claim_id)


@router.post(
    "/mdf/claims/{claim_id}/reject",
    response={200: FundClaimOut, **ERRORS},
    summary="Reject a claim with a reason the partner will read",
)
def claim_reject_endpoint(request: HttpRequest, claim_id: Id, payload: FundReasonIn) -> Any:
    user, claim = _claim_decidable(request, claim_id)
    fund_claim_reject(claim=claim, rejected_by=user, reason=payload.reason)
    return get_fund_claim_for_user(user=user, claim_id=claim_id)
