"""HTML views of partners: the list, the partner page and its edit form (partners.services)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dirco.partners.forms import PARTNER_SORTS, PartnerFilterForm, PartnerForm
from dirco.partners.permissions import (
    get_partner_for_user,
    partner_can_edit,
    partner_contacts_visible_to,
    partners_visible_to,
)
from dirco.partners.services import partner_update
from dirco.web.forms import form_submit
from dirco.web.http import AuthedHttpRequest, staff_required

PARTNERS_PER_PAGE = 25


@staff_required
def partner_list_view(request: AuthedHttpRequest) -> HttpResponse:
    form = PartnerFilterForm(request.GET or None)
    data: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
    qs = partners_visible_to(request.user).select_related("tier", "territory", "channel_manager")
    q = (data.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(domain__icontains=q))
    if data.get("tier"):
        qs = qs.filter(tier=data["tier"])
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    if data.get("territory"):
        qs = qs.filter(territory=data["territory"])
    qs = qs.order_by(*PARTNER_SORTS.get(data.get("sort") or "name", PARTNER_SORTS["name"]))
    page = Paginator(qs, PARTNERS_PER_PAGE).get_page(request.GET.get("page"))
    template = "partners/partner_list.html"
    if request.htmx and request.htmx.target == "partner-results":
        template += "#partner-results"
    return render(request, template, {"form": form, "page_obj": page})


@login_required
def partner_detail_view(request: AuthedHttpRequest, partner_id: int) -> HttpResponse:
    partner = get_partner_for_user(user=request.user, partner_id=partner_id)
    user = request.user
    # The figures, deals and activities blocks come from the pipeline's related_work_of tag.
    context = {
        "partner": partner,
        "contacts": partner_contacts_visible_to(user).filter(partner=partner).order_by("last_name"),
        "can_edit": partner_can_edit(user=user, partner=partner),
    }
    return render(request, "partners/partner_detail.html", context)


@staff_required
@require_http_methods(["GET", "POST"])
def partner_edit_view(request: AuthedHttpRequest, partner_id: int) -> HttpResponse:
    partner = get_partner_for_user(user=request.user, partner_id=partner_id)
    if not partner_can_edit(user=request.user, partner=partner):
        raise PermissionDenied(_("You may not change this partner."))
    form = PartnerForm(request.POST or None, user=request.user, partner=partner)
    saved = form_submit(
        request,
        form,
        lambda: partner_update(partner=partner, updated_by=request.user, **form.cleaned_data),
        success=_("Partner saved."),
    )
    if saved:
        return redirect("partner_detail", partner_id=partner.pk)
    return render(request, "partners/partner_form.html", {"form": form, "partner": partner})
