"""Staff pages of marketing development funds: budgets and their consumption, the requests
to decide, the claims to pay, and the proofs (streamed after an access check, never from a
public URL). Partners have their own pages in the portal, over the same services."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dirco.core.errors import ApplicationError
from dirco.funds.forms import FundApproveForm, FundBudgetForm, FundReasonForm
from dirco.funds.impact import fund_request_impact
from dirco.funds.models import FundClaim, FundRequest
from dirco.funds.permissions import (
    fund_budget_can_create,
    fund_claim_can_decide,
    fund_request_can_decide,
    get_fund_budget_for_user,
    get_fund_claim_for_user,
    get_fund_request_for_user,
)
from dirco.funds.selectors import (
    fund_budget_figures,
    fund_budget_list,
    fund_claim_list,
    fund_request_list,
)
from dirco.funds.services import (
    fund_budget_create,
    fund_claim_pay,
    fund_claim_reject,
    fund_request_approve,
    fund_request_reject,
)
from dirco.partners.permissions import partners_visible_to
from dirco.web.forms import form_errors_from_application_error
from dirco.web.http import AuthedHttpRequest, staff_required

PER_PAGE = 25


@staff_required
def fund_overview_view(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    status = request.GET.get("status", "")
    if status not in FundRequest.Status.values:
        status = ""
    requests_page = Paginator(fund_request_list(user=user, status=status), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "funds/overview.html",
        {
            "budgets": fund_budget_list(user=user)[:50],
            "page_obj": requests_page,
            "status": status,
            "statuses": FundRequest.Status.choices,
            "claims_to_pay": fund_claim_list(user=user, status=FundClaim.Status.SUBMITTED)[:20],
            "can_create_budget": fund_budget_can_create(user=user),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def fund_budget_create_view(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    if not fund_budget_can_create(user=user):
        raise PermissionDenied(_("Only the director sets marketing fund budgets."))
    form = FundBudgetForm(request.POST or None, partners=partners_visible_to(user))
    if request.method == "POST" and form.is_valid():
        try:
            budget = fund_budget_create(created_by=user, data=form.service_input())
        except ApplicationError as exc:
            form_errors_from_application_error(form, exc)
        else:
            messages.success(request, _("Budget created."))
            return redirect("funds:budget_detail", budget.pk)
    return render(request, "funds/budget_form.html", {"form": form})


@staff_required
def fund_budget_detail_view(request: AuthedHttpRequest, budget_id: int) -> HttpResponse:
    budget = get_fund_budget_for_user(user=request.user, budget_id=budget_id)
    return render(
        request,
        "funds/budget_detail.html",
        {
            "budget": budget,
            "figures": fund_budget_figures(budget=budget),
            "requests": fund_request_list(user=request.user, budget_id=budget.pk)[:100],
        },
    )


def _request_context(
    request: AuthedHttpRequest,
    fund_request: FundRequest,
    *,
    approve_form: FundApproveForm | None = None,
    reject_form: FundReasonForm | None = None,
    claim_reject_form: FundReasonForm | None = None,
) -> dict[str, Any]:
    return {
        "fund_request": fund_request,
        "figures": fund_budget_figures(budget=fund_request.budget),
        "claims": fund_claim_list(user=request.user, request_id=fund_request.pk),
        "impact": fund_request_impact(fund_request=fund_request),
        "can_decide": fund_request_can_decide(user=request.user, fund_request=fund_request),
        "approve_form": approve_form or FundApproveForm(),
        "reject_form": reject_form or FundReasonForm(prefix="reject"),
        "claim_reject_form": claim_reject_form or FundReasonForm(prefix="claim"),
    }


@staff_required
def fund_request_detail_view(request: AuthedHttpRequest, request_id: int) -> HttpResponse:
    fund_request = get_fund_request_for_user(user=request.user, request_id=request_id)
    return render(request, "funds/request_detail.html", _request_context(request, fund_request))


def _decidable(request: AuthedHttpRequest, request_id: int) -> FundRequest:
    fund_request = get_fund_request_for_user(user=request.user, request_id=request_id)
    if not fund_request_can_decide(user=request.user, fund_request=fund_request):
        raise PermissionDenied(_("You may see this request but not decide on it."))
    return fund_request


@staff_required
@require_POST
def fund_request_approve_view(request: AuthedHttpRequest, request_id: int) -> HttpResponse:
    fund_request = _decidable(request, request_id)
    form = FundApproveForm(request.POST)
    if form.is_valid():
        try:
            fund_request_approve(
                fund_request=fund_request,
                approved_by=request.user,
                amount=form.cleaned_data["approved_amount"],
            )
        except ApplicationError as exc:
            form_errors_from_application_error(form, exc)
        else:
            messages.success(request, _("Request approved."))
            return redirect("funds:request_detail", fund_request.pk)
    context = _request_context(request, fund_request, approve_form=form)
    return render(request, "funds/request_detail.html", context, status=400)


@staff_required
@require_POST
def fund_request_reject_view(request: AuthedHttpRequest, request_id: int) -> HttpResponse:
    fund_request = _decidable(request, request_id)
    form = FundReasonForm(request.POST, prefix="reject")
    if form.is_valid():
        try:
            fund_request_reject(
                fund_request=fund_request,
                rejected_by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as exc:
            form_errors_from_application_error(form, exc)
        else:
            messages.success(request, _("Request rejected."))
            return redirect("funds:request_detail", fund_request.pk)
    context = _request_context(request, fund_request, reject_form=form)
    return render(request, "funds/request_detail.html", context, status=400)


def _claim_decidable(request: AuthedHttpRequest, claim_id: int) -> FundClaim:
    claim = get_fund_claim_for_user(user=request.user, claim_id=claim_id)
    if not fund_claim_can_decide(user=request.user, claim=claim):
        raise PermissionDenied(_("You may see this claim but not decide on it."))
    return claim


@staff_required
@require_POST
def fund_claim_pay_view(request: AuthedHttpRequest, claim_id: int) -> HttpResponse:
    claim = _claim_decidable(request, claim_id)
    try:
        fund_claim_pay(claim=claim, paid_by=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Claim marked paid."))
    return redirect("funds:request_detail", claim.request_id)


@staff_required
@require_POST
def fund_claim_reject_view(request: AuthedHttpRequest, claim_id: int) -> HttpResponse:
    claim = _claim_decidable(request, claim_id)
    form = FundReasonForm(request.POST, prefix="claim")
    if form.is_valid():
        try:
            fund_claim_reject(
                claim=claim, rejected_by=request.user, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            form_errors_from_application_error(form, exc)
        else:
            messages.success(request, _("Claim rejected."))
            return redirect("funds:request_detail", claim.request_id)
    context = _request_context(request, claim.request, claim_reject_form=form)
    return render(request, "funds/request_detail.html", context, status=400)


def fund_claim_proof_response(claim: FundClaim) -> FileResponse:
    """The proof file as a download, with the type sniffed when it was accepted (the page
    and the portal both stream it this way, after their own access check)."""
    try:
        handle = claim.proof.open("rb")
    except FileNotFoundError:
        raise Http404("The proof file is missing.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=PurePath(claim.proof.name).name,
        content_type=claim.proof_content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_required
def fund_claim_proof_view(request: AuthedHttpRequest, claim_id: int) -> HttpResponse:
    claim = get_fund_claim_for_user(user=request.user, claim_id=claim_id)
    # A streamed file, not an HttpResponse subclass: staff_required's type wants the latter.
    return cast(HttpResponse, fund_claim_proof_response(claim))
