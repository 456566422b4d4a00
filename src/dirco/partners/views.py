"""HTML views of partners: the list, the partner page and its edit form (partners.services)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dirco.partners.forms import PartnerForm
from dirco.partners.permissions import (
    get_partner_for_user,
    partner_can_edit,
    partner_contacts_visible_to,
)
from dirco.partners.services import partner_update
from dirco.web.forms import form_submit, version_for_form, version_posted
from dirco.web.http import AuthedHttpRequest, staff_required

PARTNERS_PER_PAGE = 25


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
        lambda: partner_update(
            partner=partner,
            updated_by=request.user,
            expected_version=version_posted(request),
            **form.cleaned_data,
        ),
        success=_("Partner saved."),
    )
    if saved:
        return redirect("partner_detail", partner_id=partner.pk)
    return render(
        request,
        "partners/partner_form.html",
        {"form": form, "partner": partner, "version": version_for_form(request, partner)},
    )
