"""The partner portal: thin views over the domain selectors, services and permissions.

Every object is reached through its app's access function (``get_deal_for_user``,
``get_registration_for_user``, ``get_lead_for_user``, ``get_document_for_user``,
``get_partner_user_for_admin``): another partner's objects answer 404 like missing ones.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dirco.accounts.models import User
from dirco.accounts.partner_users import partner_user_invite
from dirco.accounts.permissions import (
    get_partner_user_for_admin,
    partner_users_visible_to,
    user_is_partner_admin,
)
from dirco.accounts.security import user_deactivate
from dirco.core.errors import ApplicationError
from dirco.core.exports import export_requested, export_response
from dirco.documents.permissions import get_document_for_user
from dirco.documents.selectors import announcement_list, document_list
from dirco.leads.exports import LEAD_COLUMNS
from dirco.leads.forms import LeadDeclineForm
from dirco.leads.models import Lead
from dirco.leads.permissions import get_lead_for_user, lead_can_respond
from dirco.leads.selectors import leads_offered_to, leads_taken_by
from dirco.leads.services import lead_accept, lead_decline
from dirco.notifications.selectors import notification_unread_count, notifications_for_user
from dirco.notifications.services import notification_mark_read
from dirco.partners.models import Partner
from dirco.pipeline.exports import PORTAL_DEAL_COLUMNS
from dirco.pipeline.permissions import (
    deal_visibility_scopes,
    deals_visible_to,
    get_deal_for_user,
)
from dirco.pipeline.selectors import DealFilters, deal_figures, deal_history, deal_list
from dirco.portal.forms import PartnerUserInviteForm
from dirco.portal.http import partner_admin_required, partner_required
from dirco.portal.selectors import partner_attainment, partner_tier_progress
from dirco.registrations.exports import REGISTRATION_COLUMNS
from dirco.registrations.forms import ExtensionRequestForm, RegistrationForm
from dirco.registrations.models import DealRegistration
from dirco.registrations.permissions import (
    get_registration_for_user,
    registration_can_request_extension,
    registration_can_submit,
)
from dirco.registrations.selectors import (
    RegistrationFilters,
    registration_extensions,
    registration_list,
    registration_pending_extension,
    registration_status_for_partner,
)
from dirco.registrations.services import registration_extension_request, registration_submit
from dirco.web.http import AuthedHttpRequest

PER_PAGE = 25
DEAL_STATUSES = ("open", "won", "lost")


def _page(request: HttpRequest, qs: QuerySet[Any]) -> Page[Any]:
    return Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))


def _render(
    request: AuthedHttpRequest,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    section: str = "",
    status: int = 200,
    partner: Partner | None = None,
) -> HttpResponse:
    """Render with what the portal frame shows: the partner, its tier, the unread count."""
    user = request.user
    partner = partner or _partner_of(user)
    frame = {
        "partner": partner,
        "section": section,
        "is_partner_admin": user_is_partner_admin(user),
        "unread_count": notification_unread_count(user=user),
    }
    return render(request, template, {**frame, **(context or {})}, status=status)


def _partner_of(user: User) -> Partner:
    if user.partner_id is None:  # pragma: no cover - partner_required let only partner users in
        raise Http404("No partner.")
    return Partner.objects.select_related("tier").get(pk=user.partner_id)


def _form_errors(form: Any, exc: ApplicationError) -> None:
    form.add_error(None, exc.message)
    for field, errors in (exc.fields or {}).items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


# -- home ----------------------------------------------------------------------------------------


@partner_required
def home_view(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    partner = _partner_of(user)
    return _render(
        request,
        "portal/home.html",
        {
            "attainment": partner_attainment(user=user, partner=partner, today=today),
            "tier_progress": partner_tier_progress(partner=partner, today=today),
            "figures": deal_figures(
                deals=deals_visible_to(user), today=today, scopes=deal_visibility_scopes(user)
            ),
            "open_deals": deal_list(user=user, filters=DealFilters(status="open", sort="close"))[
                :5
            ],
            "pending_registrations": registration_list(
                user=user, filters=RegistrationFilters(status=DealRegistration.Status.PENDING)
            )[:5],
            "leads_offered": leads_offered_to(user).select_related("product_line")[:5],
            "announcements": announcement_list(user=user)[:3],
            "notifications": notifications_for_user(user=user, unread_only=True)[:5],
        },
        section="home",
        partner=partner,
    )


# -- deals ---------------------------------------------------------------------------------------


@partner_required
def deal_list_view(request: AuthedHttpRequest) -> HttpResponseBase:
    status = request.GET.get("status", "open")
    if status not in (*DEAL_STATUSES, "all"):
        status = "open"
    deals = deal_list(
        user=request.user,
        filters=DealFilters(status="" if status == "all" else status, sort="close"),
    )
    if fmt := export_requested(request.GET):
        return export_response(
            fmt=fmt, filename="deals", columns=PORTAL_DEAL_COLUMNS, rows=deals.iterator(2000)
        )
    return _render(
        request,
        "portal/deal_list.html",
        {"page": _page(request, deals), "status": status, "statuses": DEAL_STATUSES},
        section="deals",
    )


@partner_required
def deal_detail_view(request: AuthedHttpRequest, deal_id: int) -> HttpResponse:
    deal = get_deal_for_user(user=request.user, deal_id=deal_id)
    return _render(
        request,
        "portal/deal_detail.html",
        {"deal": deal, "history": deal_history(deal=deal)},
        section="deals",
    )


# -- registrations -------------------------------------------------------------------------------


@partner_required
def registration_list_view(request: AuthedHttpRequest) -> HttpResponseBase:
    status = request.GET.get("status", "")
    if status not in DealRegistration.Status.values:
        status = ""
    registrations = registration_list(user=request.user, filters=RegistrationFilters(status=status))
    if fmt := export_requested(request.GET):
        return export_response(
            fmt=fmt,
            filename="registrations",
            columns=REGISTRATION_COLUMNS,
            rows=registrations.select_related("partner", "product_line").iterator(2000),
        )
    return _render(
        request,
        "portal/registration_list.html",
        {
            "page": _page(request, registrations),
            "status": status,
            "statuses": DealRegistration.Status.choices,
            "can_submit": registration_can_submit(user=request.user),
        },
        section="registrations",
    )


@partner_required
@require_http_methods(["GET", "POST"])
def registration_create_view(request: AuthedHttpRequest) -> HttpResponse:
    if not registration_can_submit(user=request.user):
        raise PermissionDenied(_("Only users of an active partner may register deals."))
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            registration = registration_submit(user=request.user, data=form.service_data())
        except ApplicationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request, _("Registration sent: your channel manager reviews it and answers here.")
            )
            return redirect("portal:registration_detail", registration_id=registration.pk)
    return _render(
        request,
        "portal/registration_form.html",
        {"form": form},
        section="registrations",
        status=400 if form.is_bound else 200,
    )


def _registration_detail(
    request: AuthedHttpRequest,
    registration: DealRegistration,
    *,
    extension_form: ExtensionRequestForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    can_extend = (
        registration.is_protected()
        and registration_can_request_extension(user=user, registration=registration)
        and registration_pending_extension(registration=registration) is None
    )
    return _render(
        request,
        "portal/registration_detail.html",
        {
            "registration": registration,
            # What a partner is told: the outcome, never who else registered the customer.
            "status_text": registration_status_for_partner(registration),
            "extensions": registration_extensions(registration=registration),
            "can_extend": can_extend,
            "extension_form": extension_form or ExtensionRequestForm(),
        },
        section="registrations",
        status=status,
    )


@partner_required
def registration_detail_view(request: AuthedHttpRequest, registration_id: int) -> HttpResponse:
    registration = get_registration_for_user(user=request.user, registration_id=registration_id)
    return _registration_detail(request, registration)


@partner_required
@require_POST
def registration_extension_view(request: AuthedHttpRequest, registration_id: int) -> HttpResponse:
    registration = get_registration_for_user(user=request.user, registration_id=registration_id)
    form = ExtensionRequestForm(request.POST)
    if form.is_valid():
        try:
            registration_extension_request(
                registration=registration,
                requested_by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Extension requested: your channel manager decides."))
            return redirect("portal:registration_detail", registration_id=registration.pk)
    return _registration_detail(request, registration, extension_form=form, status=400)


# -- leads ---------------------------------------------------------------------------------------


@partner_required
def lead_list_view(request: AuthedHttpRequest) -> HttpResponseBase:
    user = request.user
    offered = leads_offered_to(user).select_related("product_line")
    taken = leads_taken_by(user).select_related("product_line").order_by("-accepted_at", "-id")
    if fmt := export_requested(request.GET):
        # The export is of the leads taken (the list below); the offers await an answer.
        return export_response(
            fmt=fmt,
            filename="leads",
            columns=LEAD_COLUMNS,
            rows=taken.select_related("partner", "rep").iterator(2000),
        )
    return _render(
        request,
        "portal/lead_list.html",
        {
            "offered": list(offered[:100]),
            "page": _page(request, taken),
            "decline_form": LeadDeclineForm(),
            "now": timezone.now(),
        },
        section="leads",
    )


def _lead_to_answer(request: AuthedHttpRequest, lead_id: int) -> Lead:
    lead = get_lead_for_user(user=request.user, lead_id=lead_id)
    if not lead_can_respond(user=request.user, lead=lead):
        raise Http404("This lead does not await your answer.")
    return lead


@partner_required
@require_POST
def lead_accept_view(request: AuthedHttpRequest, lead_id: int) -> HttpResponse:
    lead = _lead_to_answer(request, lead_id)
    try:
        lead_accept(lead=lead, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Lead accepted: it is yours to work."))
    return redirect("portal:lead_list")


@partner_required
@require_POST
def lead_decline_view(request: AuthedHttpRequest, lead_id: int) -> HttpResponse:
    lead = _lead_to_answer(request, lead_id)
    form = LeadDeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why you decline this lead."))
        return redirect("portal:lead_list")
    try:
        lead_decline(lead=lead, user=request.user, reason=form.cleaned_data["reason"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Lead declined: it goes to someone else."))
    return redirect("portal:lead_list")


# -- documents and announcements -----------------------------------------------------------------


@partner_required
def document_list_view(request: AuthedHttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    return _render(
        request,
        "portal/document_list.html",
        {"page": _page(request, document_list(user=request.user, q=q)), "q": q},
        section="documents",
    )


@partner_required
def document_download_view(request: AuthedHttpRequest, document_id: int) -> FileResponse:
    document = get_document_for_user(user=request.user, document_id=document_id)
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("The file is missing.") from None
    return FileResponse(handle, as_attachment=True, filename=PurePath(document.file.name).name)


@partner_required
def announcement_list_view(request: AuthedHttpRequest) -> HttpResponse:
    return _render(
        request,
        "portal/announcement_list.html",
        {"page": _page(request, announcement_list(user=request.user))},
        section="announcements",
    )


# -- notifications -------------------------------------------------------------------------------


@partner_required
def notification_list_view(request: AuthedHttpRequest) -> HttpResponse:
    return _render(
        request,
        "portal/notification_list.html",
        {"page": _page(request, notifications_for_user(user=request.user))},
        section="notifications",
    )


@partner_required
@require_POST
def notification_read_view(request: AuthedHttpRequest) -> HttpResponse:
    notification_mark_read(user=request.user)
    return redirect("portal:notification_list")


# -- users (partner admin) -----------------------------------------------------------------------


@partner_admin_required
def user_list_view(request: AuthedHttpRequest) -> HttpResponse:
    users = partner_users_visible_to(request.user).order_by("-is_active", "last_name", "email")
    return _render(
        request,
        "portal/user_list.html",
        {"page": _page(request, users)},
        section="users",
    )


@partner_admin_required
@require_http_methods(["GET", "POST"])
def user_invite_view(request: AuthedHttpRequest) -> HttpResponse:
    form = PartnerUserInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            partner_user_invite(invited_by=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            _form_errors(form, exc)
        else:
            # The same words whether or not the address already had an account (no oracle).
            messages.success(
                request,
                _("Invitation sent to %(email)s: the link lets them choose a password.")
                % {"email": form.cleaned_data["email"].strip().lower()},
            )
            return redirect("portal:user_list")
    return _render(
        request,
        "portal/user_invite.html",
        {"form": form},
        section="users",
        status=400 if form.is_bound else 200,
    )


@partner_admin_required
@require_POST
def user_deactivate_view(request: AuthedHttpRequest, user_id: int) -> HttpResponse:
    target = get_partner_user_for_admin(user=request.user, user_id=user_id)
    try:
        user_deactivate(user=target, by=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(user)s is deactivated: their sessions and API tokens have ended.")
            % {"user": target},
        )
    return redirect("portal:user_list")


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The invitation link: an invited (or reset) partner user chooses a password."""

    template_name = "portal/set_password.html"
    success_url = reverse_lazy("login")
    post_reset_login = False

    def get_user(self, uidb64: str) -> Any:
        user = super().get_user(uidb64)
        # Deactivated users keep their link but may not use it.
        return user if user is not None and user.is_active else None

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is set: sign in with your email address."))
        return response
