"""The portal's marketing development funds: the partner's budgets (its own and its tier's),
its fund requests and their claims with the proof upload. Every record is reached through
``funds.permissions``: another partner's request, claim or proof answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dirco.core.errors import ApplicationError
from dirco.funds.forms import FundClaimForm, FundRequestForm
from dirco.funds.models import FundRequest
from dirco.funds.permissions import (
    fund_request_can_claim,
    fund_request_can_submit,
    get_fund_claim_for_user,
    get_fund_request_for_user,
)
from dirco.funds.selectors import (
    fund_budget_figures,
    fund_budget_list,
    fund_budgets_open_for,
    fund_claim_list,
    fund_request_list,
)
from dirco.funds.services import fund_claim_submit, fund_request_submit
from dirco.funds.views import fund_claim_proof_response
from dirco.portal.http import partner_required
from dirco.portal.views import _page, _partner_of, _render
from dirco.web.forms import form_errors_from_application_error
from dirco.web.http import AuthedHttpRequest

SECTION = "funds"


@partner_required
def mdf_view(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    status = request.GET.get("status", "")
    if status not in FundRequest.Status.values:
        status = ""
    return _render(
        request,
        "portal/funds.html",
        {
            "budgets": fund_budget_list(user=user)[:20],
            "page": _page(request, fund_request_list(user=user, status=status)),
            "status": status,
            "statuses": FundRequest.Status.choices,
            "can_submit": fund_request_can_submit(user=user),
        },
        section=SECTION,
    )


@partner_required
@require_http_methods(["GET", "POST"])
def mdf_request_create_view(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    if not fund_request_can_submit(user=user):
        raise PermissionDenied(_("Only users of an active partner may ask for funds."))
    form = FundRequestForm(request.POST or None, budgets=fund_budgets_open_for(user=user))
    if request.method == "POST" and form.is_valid():
        try:
            fund_request = fund_request_submit(
                submitted_by=user,
                partner=_partner_of(user),
                budget=form.cleaned_data["budget"],
                data=form.service_input(),
            )
        except ApplicationError as exc:
            form_errors_from_application_error(form, exc)
        else:
            messages.success(request, _("Your request was sent to your channel manager."))
            return redirect("portal:mdf_request_detail", fund_request.pk)
    return _render(
        request,
        "portal/funds_request_form.html",
        {"form": form},
        section=SECTION,
        status=400 if form.errors else 200,
    )


@partner_required
@require_http_methods(["GET", "POST"])
def mdf_request_detail_view(request: AuthedHttpRequest, request_id: int) -> HttpResponse:
    user = request.user
    fund_request = get_fund_request_for_user(user=user, request_id=request_id)
    may_claim = fund_request_can_claim(user=user, fund_request=fund_request)
    can_claim = may_claim and fund_request.status == FundRequest.Status.APPROVED
    posted = request.method == "POST"
    form = FundClaimForm(request.POST, request.FILES) if posted else FundClaimForm()
    if posted:
        if not may_claim:
            raise PermissionDenied(_("Only the partner's users claim its funds."))
        if not can_claim:
            form.is_valid()
            form.add_error(None, _("Only an approved request without a pending claim is claimed."))
        elif form.is_valid():
            try:
                fund_claim_submit(
                    fund_request=fund_request,
                    submitted_by=user,
                    amount=form.cleaned_data["amount"],
                    description=form.cleaned_data["description"],
                    proof=form.cleaned_data["proof"],
                )
            except ApplicationError as exc:
                form_errors_from_application_error(form, exc)
            else:
                messages.success(request, _("Your claim was sent."))
                return redirect("portal:mdf_request_detail", fund_request.pk)
    return _render(
        request,
        "portal/funds_request_detail.html",
        {
            "fund_request": fund_request,
            "figures": fund_budget_figures(budget=fund_request.budget),
            "claims": fund_claim_list(user=user, request_id=fund_request.pk),
            "can_claim": can_claim,
            "form": form,
        },
        section=SECTION,
        status=400 if form.errors else 200,
    )


@partner_required
def mdf_claim_proof_view(request: AuthedHttpRequest, claim_id: int) -> FileResponse:
    return fund_claim_proof_response(get_fund_claim_for_user(user=request.user, claim_id=claim_id))
