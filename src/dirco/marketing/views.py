"""Staff pages of direct marketing (the director and marketing only: 404 for anyone else).

Segments show a live count and preview (HTMX, re-read as the filter changes), templates a
sandboxed preview and a test send to oneself, campaigns their figures per recipient status.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dirco.core.errors import ApplicationError
from dirco.customers.permissions import get_contact_for_user
from dirco.marketing.forms import (
    CampaignForm,
    ConsentForm,
    ScheduleForm,
    SegmentForm,
    SuppressionForm,
    TemplateForm,
)
from dirco.marketing.models import Campaign, Recipient, Suppression
from dirco.marketing.permissions import (
    campaigns_visible_to,
    get_campaign_for_user,
    get_segment_for_user,
    get_template_for_user,
    marketing_require,
    segments_visible_to,
    templates_visible_to,
)
from dirco.marketing.rendering import VARIABLES, contact_context, email_render, template_compile
from dirco.marketing.segments import SegmentFilter, segment_contacts, segment_count
from dirco.marketing.selectors import campaign_figures, contacts_with_consent
from dirco.marketing.services import (
    campaign_cancel,
    campaign_create,
    campaign_schedule,
    consent_record,
    consent_withdraw,
    segment_save,
    suppression_add,
    template_save,
    template_test_send,
)
from dirco.web.forms import form_errors_from_application_error
from dirco.web.http import AuthedHttpRequest, page_number, staff_required

PREVIEW_SIZE = 20


@staff_required
def marketing_overview_view(request: AuthedHttpRequest) -> HttpResponse:
    marketing_require(request.user)
    campaigns = campaigns_visible_to(request.user).select_related("segment", "template")
    return render(
        request,
        "marketing/overview.html",
        {
            "page_obj": Paginator(campaigns, 25).get_page(page_number(request)),
            "segments": segments_visible_to(request.user)[:50],
            "templates": templates_visible_to(request.user)[:50],
        },
    )


# --- segments ----------------------------------------------------------------------------


def _segment_preview_context(spec: SegmentFilter | None) -> dict[str, Any]:
    if spec is None:
        return {"count": None, "preview": []}
    return {
        "count": segment_count(spec),
        "preview": list(
            segment_contacts(spec).select_related("partner", "account", "marketing_consent")[
                :PREVIEW_SIZE
            ]
        ),
    }


@staff_required
@require_http_methods(["GET", "POST"])
def segment_edit_view(request: AuthedHttpRequest, segment_id: int | None = None) -> HttpResponse:
    marketing_require(request.user)
    segment = get_segment_for_user(user=request.user, segment_id=segment_id) if segment_id else None
    try:
        initial = SegmentForm.initial_from(segment) if segment else None
    except ApplicationError:
        initial = {"name": segment.name} if segment else None
    form = SegmentForm(request.POST or None, initial=initial)
    spec: SegmentFilter | None = None
    if request.method == "POST" and form.is_valid():
        spec = form.service_input()
        try:
            segment = segment_save(
                segment=segment, name=form.cleaned_data["name"], spec=spec, by=request.user
            )
        except ApplicationError as exc:
            form_errors_from_application_error(form, exc)
        else:
            messages.success(request, _("Segment saved."))
            return redirect("marketing:segment_edit", segment.pk)
    elif segment is not None:
        try:
            spec = SegmentFilter.from_json(segment.filters)
        except ApplicationError as exc:
            messages.warning(request, exc.message)
    return render(
        request,
        "marketing/segment_form.html",
        {"form": form, "segment": segment, **_segment_preview_context(spec)},
    )


@staff_required
def segment_preview_view(request: AuthedHttpRequest) -> HttpResponse:
    """The live count and first contacts of the filter being edited (HTMX, on change)."""
    marketing_require(request.user)
    data = request.GET.copy()
    data.setdefault("name", "preview")
    form = SegmentForm(data)
    spec = None
    if form.is_valid():
        spec = form.service_input()
        try:
            spec.validate()
        except ApplicationError:
            spec = None
    return render(request, "marketing/_segment_preview.html", _segment_preview_context(spec))


@staff_required
def segment_list_view(request: AuthedHttpRequest) -> HttpResponse:
    marketing_require(request.user)
    rows = []
    for segment in segments_visible_to(request.user)[:100]:
        try:
            count: dict[str, int] | None = segment_count(SegmentFilter.from_json(segment.filters))
        except ApplicationError:  # a tier or territory it names was deleted since
            count = None
        rows.append((segment, count))
    return render(request, "marketing/segment_list.html", {"rows": rows})


# --- templates ---------------------------------------------------------------------------


@staff_required
def template_list_view(request: AuthedHttpRequest) -> HttpResponse:
    marketing_require(request.user)
    return render(
        request,
        "marketing/template_list.html",
        {"templates": templates_visible_to(request.user)[:200]},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def template_edit_view(request: AuthedHttpRequest, template_id: int | None = None) -> HttpResponse:
    marketing_require(request.user)
    template = (
        get_template_for_user(user=request.user, template_id=template_id) if template_id else None
    )
    form = TemplateForm(
        request.POST or None, initial=TemplateForm.initial_from(template) if template else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            template = template_save(template=template, data=form.service_input(), by=request.user)
        except ApplicationError as exc:
            form_errors_from_application_error(form, exc)
        else:
            messages.success(request, _("Template saved."))
            return redirect("marketing:template_edit", template.pk)
    preview = None
    if template is not None:
        compiled = template_compile(
            subject=template.subject, html_body=template.html_body, text_body=template.text_body
        )
        preview = email_render(
            compiled, {**contact_context(None), "unsubscribe_url": "#unsubscribe"}
        )
    return render(
        request,
        "marketing/template_form.html",
        {"form": form, "template": template, "preview": preview, "variables": VARIABLES},
    )


@staff_required
@require_POST
def template_test_send_view(request: AuthedHttpRequest, template_id: int) -> HttpResponse:
    marketing_require(request.user)
    template = get_template_for_user(user=request.user, template_id=template_id)
    try:
        template_test_send(template=template, to=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Test email sent to %(email)s.") % {"email": request.user.email}
        )
    return redirect("marketing:template_edit", template.pk)


# --- campaigns ---------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def campaign_create_view(request: AuthedHttpRequest) -> HttpResponse:
    marketing_require(request.user)
    form = CampaignForm(
        request.POST or None,
        segments=segments_visible_to(request.user),
        templates=templates_visible_to(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            campaign = campaign_create(data=form.service_input(), by=request.user)
        except ApplicationError as exc:
            form_errors_from_application_error(form, exc)
        else:
            messages.success(request, _("Campaign created."))
            return redirect("marketing:campaign_detail", campaign.pk)
    return render(request, "marketing/campaign_form.html", {"form": form})


@staff_required
def campaign_detail_view(request: AuthedHttpRequest, campaign_id: int) -> HttpResponse:
    marketing_require(request.user)
    campaign = get_campaign_for_user(user=request.user, campaign_id=campaign_id)
    status = request.GET.get("status", "")
    recipients = Recipient.objects.filter(campaign=campaign)
    if status in Recipient.Status.values:
        recipients = recipients.filter(status=status)
    else:
        status = ""
    audience = None
    if campaign.status == Campaign.Status.DRAFT and campaign.segment is not None:
        try:
            audience = segment_count(SegmentFilter.from_json(campaign.segment.filters))
        except ApplicationError as exc:
            messages.warning(request, exc.message)
    return render(
        request,
        "marketing/campaign_detail.html",
        {
            "campaign": campaign,
            "figures": campaign_figures(campaign=campaign),
            "page_obj": Paginator(recipients, 50).get_page(page_number(request)),
            "status": status,
            "statuses": Recipient.Status.choices,
            "audience": audience,
            "schedule_form": ScheduleForm(),
        },
    )


@staff_required
@require_POST
def campaign_schedule_view(request: AuthedHttpRequest, campaign_id: int) -> HttpResponse:
    marketing_require(request.user)
    campaign = get_campaign_for_user(user=request.user, campaign_id=campaign_id)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid date and time, or leave it empty."))
        return redirect("marketing:campaign_detail", campaign.pk)
    try:
        campaign = campaign_schedule(campaign=campaign, at=form.cleaned_data.get("scheduled_at"))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Campaign scheduled."))
    return redirect("marketing:campaign_detail", campaign.pk)


@staff_required
@require_POST
def campaign_cancel_view(request: AuthedHttpRequest, campaign_id: int) -> HttpResponse:
    marketing_require(request.user)
    campaign = get_campaign_for_user(user=request.user, campaign_id=campaign_id)
    try:
        campaign_cancel(campaign=campaign)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Campaign cancelled."))
    return redirect("marketing:campaign_detail", campaign.pk)


# --- consent and suppression -----------------------------------------------------------------


@staff_required
def consent_list_view(request: AuthedHttpRequest) -> HttpResponse:
    marketing_require(request.user)
    q = request.GET.get("q", "")[:100]
    contacts = contacts_with_consent(q=q)
    return render(
        request,
        "marketing/consent_list.html",
        {
            "page_obj": Paginator(contacts, 50).get_page(page_number(request)),
            "q": q,
            "form": ConsentForm(),
        },
    )


@staff_required
@require_POST
def consent_record_view(request: AuthedHttpRequest, contact_id: int) -> HttpResponse:
    marketing_require(request.user)
    contact = get_contact_for_user(user=request.user, contact_id=contact_id)
    if request.POST.get("withdraw"):
        consent_withdraw(contact=contact)
        messages.success(request, _("Consent withdrawn."))
        return redirect("marketing:consent_list")
    form = ConsentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a source and a legal basis."))
        return redirect("marketing:consent_list")
    try:
        consent = consent_record(contact=contact, data=form.service_input(), by=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if consent.status == consent.Status.PENDING:
            messages.success(request, _("Consent recorded; a confirmation email was sent."))
        else:
            messages.success(request, _("Consent recorded."))
    return redirect("marketing:consent_list")


@staff_required
@require_http_methods(["GET", "POST"])
def suppression_list_view(request: AuthedHttpRequest) -> HttpResponse:
    marketing_require(request.user)
    form = SuppressionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            suppression_add(
                email=form.cleaned_data["email"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data.get("note") or "",
            )
        except ApplicationError as exc:
            form_errors_from_application_error(form, exc)
        else:
            messages.success(request, _("Address added to the suppression list."))
            return redirect("marketing:suppression_list")
    q = request.GET.get("q", "").strip()[:100]
    rows = Suppression.objects.all()
    if q:
        rows = rows.filter(email__icontains=q)
    return render(
        request,
        "marketing/suppression_list.html",
        {"form": form, "q": q, "page_obj": Paginator(rows, 50).get_page(page_number(request))},
    )
