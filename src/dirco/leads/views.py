"""HTML views of leads: staff list and detail (with routing history), and the public form.

Thin: access through leads.permissions, reads through leads.selectors, writes through
leads.services. The public form is the only page without login; CSRF stays on.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dirco.core.errors import ApplicationError
from dirco.core.exports import export_requested, export_response
from dirco.leads.exports import LEAD_COLUMNS
from dirco.leads.forms import (
    LeadAssignForm,
    LeadContactForm,
    LeadDeclineForm,
    LeadFilterForm,
    LeadLostForm,
)
from dirco.leads.models import Lead
from dirco.leads.permissions import (
    get_lead_for_user,
    lead_can_convert,
    lead_can_respond,
    lead_can_route,
)
from dirco.leads.selectors import lead_history, lead_list, lead_offers
from dirco.leads.services import (
    lead_accept,
    lead_assign,
    lead_convert,
    lead_create,
    lead_decline,
    lead_mark_lost,
    lead_route,
)
from dirco.marketing.services import consent_record_for_lead
from dirco.marketing.social import share_lead_attribute
from dirco.marketing.tracking import SHARE_COOKIE
from dirco.web.forms import form_errors_from_application_error
from dirco.web.http import AuthedHttpRequest, page_number, rate_limit_hit, staff_required

LEADS_PER_PAGE = 50


@staff_required
def lead_list_view(request: AuthedHttpRequest) -> HttpResponseBase:
    form = LeadFilterForm(request.GET or None)
    if fmt := export_requested(request.GET):
        leads = lead_list(user=request.user, filters=form.lead_filters())
        return export_response(
            fmt=fmt, filename="leads", columns=LEAD_COLUMNS, rows=leads.iterator(2000)
        )
    page = page_number(request)
    offset = (page - 1) * LEADS_PER_PAGE
    rows = list(
        lead_list(user=request.user, filters=form.lead_filters())[
            offset : offset + LEADS_PER_PAGE + 1
        ]
    )
    return render(
        request,
        "leads/lead_list.html",
        {
            "form": form,
            "leads": rows[:LEADS_PER_PAGE],
            "page": page,
            "has_next": len(rows) > LEADS_PER_PAGE,
            "has_previous": page > 1,
        },
    )


def _detail(
    request: AuthedHttpRequest,
    lead: Lead,
    *,
    decline_form: LeadDeclineForm | None = None,
    lost_form: LeadLostForm | None = None,
    assign_form: LeadAssignForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    can_route = lead_can_route(user=user, lead=lead)
    can_assign = can_route and lead.status in (
        Lead.Status.NEW,
        Lead.Status.OFFERED,
        Lead.Status.DECLINED,
    )
    return render(
        request,
        "leads/lead_detail.html",
        {
            "lead": lead,
            "events": lead_history(user=user, lead=lead),
            "offers": lead_offers(user=user, lead=lead),
            "can_route": can_route,
            "can_assign": can_assign,
            "assign_form": (assign_form or LeadAssignForm(user=user)) if can_assign else None,
            "can_respond": lead_can_respond(user=user, lead=lead),
            "can_convert": lead_can_convert(user=user, lead=lead),
            "decline_form": decline_form or LeadDeclineForm(),
            "lost_form": lost_form or LeadLostForm(),
        },
        status=status,
    )


@staff_required
def lead_detail_view(request: AuthedHttpRequest, lead_id: int) -> HttpResponse:
    return _detail(request, get_lead_for_user(user=request.user, lead_id=lead_id))


@require_POST
@staff_required
def lead_route_view(request: AuthedHttpRequest, lead_id: int) -> HttpResponse:
    lead = get_lead_for_user(user=request.user, lead_id=lead_id)
    if not lead_can_route(user=request.user, lead=lead):
        raise PermissionDenied(_("You may not route leads."))
    try:
        assignment = lead_route(lead=lead, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if assignment is None:
            messages.warning(request, _("No partner or rep can take this lead now."))
        else:
            messages.success(
                request,
                _("Lead offered to %(who)s.") % {"who": assignment.partner or assignment.rep},
            )
    return redirect("lead_detail", lead_id=lead.pk)


@require_POST
@staff_required
def lead_assign_view(request: AuthedHttpRequest, lead_id: int) -> HttpResponse:
    lead = get_lead_for_user(user=request.user, lead_id=lead_id)
    if not lead_can_route(user=request.user, lead=lead):
        raise PermissionDenied(_("You may not assign leads."))
    form = LeadAssignForm(request.POST, user=request.user)
    if not form.is_valid():
        return _detail(request, lead, assign_form=form, status=400)
    try:
        assignment = lead_assign(
            lead=lead,
            user=request.user,
            partner=form.cleaned_data.get("partner"),
            rep=form.cleaned_data.get("rep"),
        )
    except ApplicationError as exc:
        form_errors_from_application_error(form, exc)
        return _detail(request, lead, assign_form=form, status=400)
    messages.success(
        request, _("Lead offered to %(who)s.") % {"who": assignment.partner or assignment.rep}
    )
    return redirect("lead_detail", lead_id=lead.pk)


@require_POST
@staff_required
def lead_accept_view(request: AuthedHttpRequest, lead_id: int) -> HttpResponse:
    lead = get_lead_for_user(user=request.user, lead_id=lead_id)
    try:
        lead_accept(lead=lead, user=request.user, convert=request.POST.get("convert") == "1")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You took this lead."))
    return redirect("lead_detail", lead_id=lead.pk)


@require_POST
@staff_required
def lead_decline_view(request: AuthedHttpRequest, lead_id: int) -> HttpResponse:
    lead = get_lead_for_user(user=request.user, lead_id=lead_id)
    if not lead_can_respond(user=request.user, lead=lead):
        raise PermissionDenied(_("This lead is not offered to you."))
    form = LeadDeclineForm(request.POST)
    if not form.is_valid():
        return _detail(request, lead, decline_form=form, status=400)
    try:
        lead_decline(lead=lead, user=request.user, reason=form.cleaned_data["reason"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("lead_detail", lead_id=lead.pk)
    messages.success(request, _("Lead declined; it goes to someone else."))
    # The lead may now be hidden from the decliner; their list is the safe place to land.
    return redirect("lead_list")


@require_POST
@staff_required
def lead_convert_view(request: AuthedHttpRequest, lead_id: int) -> HttpResponse:
    lead = get_lead_for_user(user=request.user, lead_id=lead_id)
    try:
        deal = lead_convert(lead=lead, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("lead_detail", lead_id=lead.pk)
    messages.success(request, _("Lead converted: the deal is created."))
    return redirect("deal_detail", deal_id=deal.pk)


@require_POST
@staff_required
def lead_lost_view(request: AuthedHttpRequest, lead_id: int) -> HttpResponse:
    lead = get_lead_for_user(user=request.user, lead_id=lead_id)
    if not lead_can_convert(user=request.user, lead=lead):
        raise PermissionDenied(_("You may not change this lead."))
    form = LeadLostForm(request.POST)
    if not form.is_valid():
        return _detail(request, lead, lost_form=form, status=400)
    try:
        lead_mark_lost(lead=lead, user=request.user, reason=form.cleaned_data["reason"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("lead_detail", lead_id=lead.pk)


def _contact_rate_limited(request: HttpRequest) -> bool:
    """Count this submission; True once the address sent more than the limit in the window."""
    return rate_limit_hit(
        request,
        scope="leads-contact",
        limit=int(getattr(settings, "DIRCO_LEAD_FORM_RATE_LIMIT", 5)),
        window=int(getattr(settings, "DIRCO_LEAD_FORM_RATE_WINDOW", 3600)),
    )


def _contact_page(
    request: HttpRequest, form: LeadContactForm, *, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "leads/contact.html",
        {
            "form": form,
        },
        status=status,
    )


def _share_token(request: HttpRequest, form_value: str = "") -> str:
    """The share link that brought the visitor: the form's hidden field (from the short
    link's redirect), else the signed cookie the short link set (a later visit)."""
    cookie = request.get_signed_cookie(SHARE_COOKIE, default="", salt=SHARE_COOKIE)
    return (form_value or request.GET.get("ref", "") or cookie or "")[:60]


def lead_contact_view(request: HttpRequest) -> HttpResponse:
    """The public "contact sales" form: no login, CSRF on, honeypot, minimum time, rate limit.

    Its marketing box records a double opt-in consent (dirco.marketing); a visitor who came
    through a social share's short link brings its signed token, and the lead is attributed
    to that share (the sharer, its partner and the post's campaign)."""
    if request.method != "POST":
        return _contact_page(request, LeadContactForm(initial={"ref": _share_token(request)}))
    if _contact_rate_limited(request):
        return render(request, "leads/contact_limited.html", status=429)
    form = LeadContactForm(request.POST)
    valid = form.is_valid()
    if form.is_spam:
        return redirect("lead_contact_thanks")
    if not valid:
        return _contact_page(request, form, status=400)
    data = form.cleaned_data
    try:
        with transaction.atomic():
            lead = lead_create(
                created_by=None,
                source=Lead.Source.WEB_FORM,
                company_name=data["company_name"],
                contact_name=data["contact_name"],
                email=data["email"],
                phone=data["phone"],
                country=data["country"],
                postcode=data["postcode"],
                territory=data["territory"],
                product_line=data["product_line"],
                message=data["message"],
                consent=data["consent"],
            )
            if data.get("marketing_consent"):
                consent_record_for_lead(lead_id=lead.pk, email=lead.email)
            token = _share_token(request, data.get("ref") or "")
            if token:
                share_lead_attribute(token=token, lead_id=lead.pk)
    except ApplicationError as exc:
        for name, errors in exc.fields.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
        return _contact_page(request, form, status=400)
    return redirect("lead_contact_thanks")


def lead_contact_thanks_view(request: HttpRequest) -> HttpResponse:
    return render(request, "leads/contact_thanks.html")
