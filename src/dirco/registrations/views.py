"""HTML pages: the channel manager's registration queue and decisions, the public partner
application form and its review, onboarding checklists, and the director's tier review.

Partner users never reach these staff pages (``staff_required`` sends them home); their
registration pages belong to the partner portal, which calls the same services and forms.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dirco.core.errors import ApplicationError
from dirco.core.exports import export_requested, export_response
from dirco.customers.views import account_options_response
from dirco.partners.permissions import get_partner_for_user
from dirco.registrations.exports import REGISTRATION_COLUMNS
from dirco.registrations.forms import (
    ApplicationApproveForm,
    ApplicationRejectForm,
    CertifiedPeopleForm,
    ExtensionDecisionForm,
    OnboardingStepForm,
    PartnerApplicationForm,
    RegistrationApproveForm,
    RegistrationFilterForm,
    RegistrationRejectForm,
)
from dirco.registrations.lifecycle import (
    application_approve,
    application_rate_limit_hit,
    application_reject,
    application_submit,
    onboarding_certified_people_set,
    onboarding_checklist_create,
    onboarding_step_complete,
)
from dirco.registrations.models import DealRegistration, PartnerApplication
from dirco.registrations.permissions import (
    application_can_review,
    applications_visible_to,
    get_application_for_user,
    get_registration_for_user,
    get_tier_proposal_for_user,
    onboarding_can_edit,
    registration_account_link_refusal,
    registration_can_decide,
    tier_review_may_run,
)
from dirco.registrations.selectors import (
    RegistrationFilters,
    onboarding_for_partner,
    registration_account_choices,
    registration_conflicts_for_user,
    registration_extensions,
    registration_list,
    registration_pending_extension,
    tier_changes,
    tier_proposals_open,
    tier_review_latest,
)
from dirco.registrations.services import (
    registration_approve,
    registration_extension_decide,
    registration_reject,
)
from dirco.registrations.tier_review import (
    tier_proposal_confirm,
    tier_proposal_dismiss,
    tier_review_run,
)
from dirco.web.forms import form_errors_from_application_error
from dirco.web.http import AuthedHttpRequest, client_ip_address, staff_required

PER_PAGE = 25


# Deal registrations (staff).


@staff_required
def registration_list_view(request: AuthedHttpRequest) -> HttpResponseBase:
    form = RegistrationFilterForm(request.GET or None)
    data: dict[str, Any] = form.cleaned_data if form.is_bound and form.is_valid() else {}
    qs = registration_list(
        user=request.user,
        filters=RegistrationFilters(status=data.get("status") or "", q=data.get("q") or ""),
    )
    if fmt := export_requested(request.GET):
        return export_response(
            fmt=fmt,
            filename="registrations",
            columns=REGISTRATION_COLUMNS,
            rows=qs.select_related("partner", "product_line").iterator(2000),
        )
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "registrations/registration_list.html", {"form": form, "page_obj": page})


def _detail_context(
    request: AuthedHttpRequest,
    registration: DealRegistration,
    *,
    approve_form: RegistrationApproveForm | None = None,
    reject_form: RegistrationRejectForm | None = None,
    extension_form: ExtensionDecisionForm | None = None,
) -> dict[str, Any]:
    user = request.user
    conflicts = registration_conflicts_for_user(user=user, registration=registration)
    accounts = registration_account_choices(user=user, registration=registration)
    matched = {c.account_id: c.label for c in conflicts if c.kind == "account" and c.account_id}
    linkable = set(accounts.filter(pk__in=matched).values_list("pk", flat=True))
    # A matched account the approver may not link is said so, with why; it is never put in
    # the picker (the approval would be refused): approving then creates a new account.
    unlinkable = [
        {
            "name": name,
            "reason": registration_account_link_refusal(
                user=user, registration=registration, account_id=account_id
            ),
        }
        for account_id, name in matched.items()
        if account_id not in linkable
    ]
    initial = {"account": next(iter(linkable))} if len(linkable) == 1 else {}
    return {
        "registration": registration,
        "conflicts": conflicts,
        "has_protected_conflict": any(c.protected for c in conflicts),
        "can_decide": registration_can_decide(user=user, registration=registration),
        "approve_form": approve_form
        or RegistrationApproveForm(accounts=accounts, registration=registration, initial=initial),
        "unlinkable_accounts": unlinkable,
        "reject_form": reject_form or RegistrationRejectForm(),
        "extension_form": extension_form or ExtensionDecisionForm(),
        "extensions": registration_extensions(registration=registration),
        "pending_extension": registration_pending_extension(registration=registration),
    }


def _detail(
    request: AuthedHttpRequest, registration: DealRegistration, **forms: Any
) -> HttpResponse:
    context = _detail_context(request, registration, **forms)
    status = 400 if forms else 200
    return render(request, "registrations/registration_detail.html", context, status=status)


@staff_required
def registration_detail_view(request: AuthedHttpRequest, registration_id: int) -> HttpResponse:
    registration = get_registration_for_user(user=request.user, registration_id=registration_id)
    return _detail(request, registration)


def _decidable(request: AuthedHttpRequest, registration_id: int) -> DealRegistration:
    registration = get_registration_for_user(user=request.user, registration_id=registration_id)
    if not registration_can_decide(user=request.user, registration=registration):
        raise PermissionDenied(_("You may not decide on this registration."))
    return registration


@staff_required
@require_POST
def registration_approve_view(request: AuthedHttpRequest, registration_id: int) -> HttpResponse:
    registration = _decidable(request, registration_id)
    accounts = registration_account_choices(user=request.user, registration=registration)
    form = RegistrationApproveForm(request.POST, accounts=accounts, registration=registration)
    if form.is_valid():
        try:
            registration_approve(
                registration=registration,
                approved_by=request.user,
                account=form.cleaned_data["account"],
                override_conflicts=form.cleaned_data["override_conflicts"],
            )
        except ApplicationError as exc:
            form_errors_from_application_error(form, exc)
        else:
            messages.success(request, _("Registration approved; the deal was created."))
            return redirect("registrations:detail", registration_id=registration.pk)
    return _detail(request, registration, approve_form=form)


@staff_required
@require_GET
def registration_account_search_view(
    request: AuthedHttpRequest, registration_id: int
) -> HttpResponse:
    """The approval form's account picker (HTMX): only the accounts its approver may link."""
    registration = _decidable(request, registration_id)
    accounts = registration_account_choices(user=request.user, registration=registration)
    return account_options_response(request, accounts)


@staff_required
@require_POST
def registration_reject_view(request: AuthedHttpRequest, registration_id: int) -> HttpResponse:
    registration = _decidable(request, registration_id)
    form = RegistrationRejectForm(request.POST)
    if form.is_valid():
        try:
            registration_reject(
                registration=registration,
                rejected_by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as exc:
            form_errors_from_application_error(form, exc)
        else:
            messages.success(request, _("Registration rejected; the partner was told why."))
            return redirect("registrations:detail", registration_id=registration.pk)
    return _detail(request, registration, reject_form=form)


@staff_required
@require_POST
def registration_extension_decide_view(
    request: AuthedHttpRequest, registration_id: int
) -> HttpResponse:
    registration = _decidable(request, registration_id)
    extension = registration_pending_extension(registration=registration)
    if extension is None:
        raise Http404("No pending extension request.")
    form = ExtensionDecisionForm(request.POST)
    if form.is_valid():
        try:
            registration_extension_decide(
                extension=extension,
                decided_by=request.user,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
            )
        except ApplicationError as exc:
            form_errors_from_application_error(form, exc)
        else:
            messages.success(request, _("Extension request decided."))
            return redirect("registrations:detail", registration_id=registration.pk)
    return _detail(request, registration, extension_form=form)


# The public partner application form.


@require_http_methods(["GET", "POST"])
def application_form_view(request: HttpRequest) -> HttpResponse:
    form = PartnerApplicationForm(request.POST or None)
    if request.method == "POST":
        ip = client_ip_address(request)
        if application_rate_limit_hit(request):
            return render(
                request,
                "registrations/application_form.html",
                {"form": form, "throttled": True},
                status=429,
            )
        valid = form.is_valid()
        if form.is_spam:
            return redirect("registrations:application_thanks")
        if valid:
            try:
                application_submit(data=form.service_data(), ip=ip)
            except ApplicationError as exc:
                for name, errors in exc.fields.items():
                    for error in errors:
                        form.add_error(name if name in form.fields else None, error)
                if not exc.fields:
                    form.add_error(None, exc.message)
            else:
                return redirect("registrations:application_thanks")
    return render(request, "registrations/application_form.html", {"form": form})


def application_thanks_view(request: HttpRequest) -> HttpResponse:
    return render(request, "registrations/application_thanks.html")


# Review of applications (director, managers).


@staff_required
def application_list_view(request: AuthedHttpRequest) -> HttpResponse:
    if not application_can_review(user=request.user):
        raise Http404("No such page.")
    qs = applications_visible_to(request.user).order_by("-created_at", "-id")
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "registrations/application_list.html", {"page_obj": page})


def _application_detail(
    request: AuthedHttpRequest,
    application: PartnerApplication,
    *,
    approve_form: ApplicationApproveForm | None = None,
    reject_form: ApplicationRejectForm | None = None,
) -> HttpResponse:
    context = {
        "application": application,
        "approve_form": approve_form or ApplicationApproveForm(user=request.user),
        "reject_form": reject_form or ApplicationRejectForm(),
    }
    status = 400 if approve_form or reject_form else 200
    return render(request, "registrations/application_detail.html", context, status=status)


@staff_required
def application_detail_view(request: AuthedHttpRequest, application_id: int) -> HttpResponse:
    application = get_application_for_user(user=request.user, application_id=application_id)
    return _application_detail(request, application)


@staff_required
@require_POST
def application_approve_view(request: AuthedHttpRequest, application_id: int) -> HttpResponse:
    application = get_application_for_user(user=request.user, application_id=application_id)
    form = ApplicationApproveForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            partner = application_approve(
                application=application,
                approved_by=request.user,
                territory=form.cleaned_data["territory"],
                channel_manager=form.cleaned_data["channel_manager"],
                tier=form.cleaned_data["tier"],
            )
        except ApplicationError as exc:
            form_errors_from_application_error(form, exc)
        else:
            messages.success(request, _("Partner created; onboarding has started."))
            return redirect("registrations:onboarding", partner_id=partner.pk)
    return _application_detail(request, application, approve_form=form)


@staff_required
@require_POST
def application_reject_view(request: AuthedHttpRequest, application_id: int) -> HttpResponse:
    application = get_application_for_user(user=request.user, application_id=application_id)
    form = ApplicationRejectForm(request.POST)
    if form.is_valid():
        try:
            application_reject(
                application=application,
                rejected_by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as exc:
            form_errors_from_application_error(form, exc)
        else:
            messages.success(request, _("Application rejected; the applicant will be told."))
            return redirect("registrations:application_list")
    return _application_detail(request, application, reject_form=form)


# Onboarding checklists.


@staff_required
@require_http_methods(["GET", "POST"])
def onboarding_view(request: AuthedHttpRequest, partner_id: int) -> HttpResponse:
    partner = get_partner_for_user(user=request.user, partner_id=partner_id)
    can_edit = onboarding_can_edit(user=request.user, partner=partner)
    certified_form = CertifiedPeopleForm()
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("You may not change this partner's onboarding."))
        try:
            if "certified_people" in request.POST:
                certified_form = CertifiedPeopleForm(request.POST)
                if certified_form.is_valid():
                    onboarding_certified_people_set(
                        partner=partner,
                        certified_people=certified_form.cleaned_data["certified_people"],
                    )
                    messages.success(request, _("Saved."))
                    return redirect("registrations:onboarding", partner_id=partner.pk)
            else:
                step_form = OnboardingStepForm(request.POST)
                if step_form.is_valid():
                    onboarding_step_complete(
                        partner=partner,
                        code=step_form.cleaned_data["code"],
                        done_by=request.user,
                        done=step_form.cleaned_data["done"],
                    )
                    messages.success(request, _("Checklist updated."))
                    return redirect("registrations:onboarding", partner_id=partner.pk)
        except ApplicationError as exc:
            messages.error(request, exc.message)
    checklist = onboarding_for_partner(partner=partner)
    if checklist is None and partner.status == partner.Status.ONBOARDING and can_edit:
        checklist = onboarding_checklist_create(partner=partner)
    if checklist is not None and not certified_form.is_bound:
        certified_form = CertifiedPeopleForm(
            initial={"certified_people": checklist.certified_people}
        )
    context = {
        "partner": partner,
        "checklist": checklist,
        "can_edit": can_edit,
        "certified_form": certified_form,
        "tier_history": tier_changes(partner=partner)[:20],
    }
    return render(request, "registrations/onboarding.html", context)


# Tier review (director).


def _director_only(request: AuthedHttpRequest) -> None:
    if not tier_review_may_run(user=request.user):
        raise Http404("No such page.")


@staff_required
@require_http_methods(["GET", "POST"])
def tier_review_view(request: AuthedHttpRequest) -> HttpResponse:
    _director_only(request)
    if request.method == "POST":
        try:
            review = tier_review_run(run_by=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            proposal_count = review.proposals.count()
            messages.success(
                request,
                ngettext(
                    "Tier review done: %(n)d change proposed.",
                    "Tier review done: %(n)d changes proposed.",
                    proposal_count,
                )
                % {"n": proposal_count},
            )
        return redirect("registrations:tier_review")
    context = {
        "review": tier_review_latest(),
        "proposals": tier_proposals_open(),
        "history": tier_changes()[:50],
    }
    return render(request, "registrations/tier_review.html", context)


@staff_required
@require_POST
def tier_proposal_decide_view(
    request: AuthedHttpRequest, proposal_id: int, decision: str
) -> HttpResponse:
    proposal = get_tier_proposal_for_user(user=request.user, proposal_id=proposal_id)
    try:
        if decision == "confirm":
            tier_proposal_confirm(proposal=proposal, confirmed_by=request.user)
            messages.success(
                request,
                _("%(partner)s moved to tier %(tier)s.")
                % {"partner": proposal.partner.name, "tier": proposal.to_tier.name},
            )
        else:
            tier_proposal_dismiss(proposal=proposal, dismissed_by=request.user)
            messages.success(request, _("Proposal dismissed."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("registrations:tier_review")
