"""HTML views of partners: the list, the partner page and its edit form (partners.services)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dirco.accounts.models import User
from dirco.partners.forms import PARTNER_SORTS, PartnerFilterForm, PartnerForm
from dirco.partners.models import Partner, Tier
from dirco.partners.permissions import (
    get_partner_for_user,
    partner_can_edit,
    partner_contacts_visible_to,
    partners_visible_to,
)
from dirco.partners.services import partner_update
from dirco.pipeline.permissions import deals_visible_to
from dirco.registrations.tier_review import partner_kpis, review_period
from dirco.web.forms import form_submit, version_for_form, version_posted
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
    today = timezone.localdate()
    start, end = review_period(today)
    qs = _with_kpis(qs, user=request.user, start=start, end=end)
    sort = data.get("sort") or "name"
    qs = qs.order_by(*PARTNER_SORTS.get(sort, PARTNER_SORTS["name"]))
    page = Paginator(qs, PARTNERS_PER_PAGE).get_page(request.GET.get("page"))
    template = "partners/partner_list.html"
    if request.htmx and request.htmx.target == "partner-results":
        template += "#partner-results"
    context = {
        "form": form,
        "page_obj": page,
        "progress": _tier_progress(list(page), start=start, end=end),
        "sort": sort,
        "sort_links": _sort_links(request, sort),
    }
    return render(request, template, context)


def _with_kpis(qs: QuerySet[Partner], *, user: User, start: Any, end: Any) -> QuerySet[Partner]:
    """Won revenue over the tier review's 12 months and the open pipeline, both in the company
    currency and over the deals this user may see: one subquery each, sortable."""
    deals = deals_visible_to(user).filter(partner=OuterRef("pk")).order_by().values("partner")
    won = deals.filter(stage__is_won=True, close_date__gte=start, close_date__lte=end)
    open_ = deals.filter(stage__is_won=False, stage__is_lost=False)
    zero = Value(Decimal(0), output_field=DecimalField(max_digits=18, decimal_places=2))
    return qs.annotate(
        won_12m=Coalesce(Subquery(won.annotate(s=Sum("amount_company")).values("s")[:1]), zero),
        pipeline_open=Coalesce(
            Subquery(open_.annotate(s=Sum("amount_company")).values("s")[:1]), zero
        ),
    )


def _tier_progress(partners: list[Partner], *, start: Any, end: Any) -> dict[int, dict[str, Any]]:
    """Per partner of the page: how many of the next tier's criteria it meets (the tier
    review's own KPIs), and toward which tier."""
    if not partners:
        return {}
    kpis = partner_kpis(partner_ids=[p.pk for p in partners], start=start, end=end)
    tiers = list(Tier.objects.order_by("rank"))
    out: dict[int, dict[str, Any]] = {}
    for partner in partners:
        above = [t for t in tiers if t.rank < partner.tier.rank]
        goal = above[-1] if above else partner.tier
        k = kpis[partner.pk]
        checks = [
            k.won_revenue >= goal.min_won_revenue,
            k.registrations >= goal.min_registrations,
            k.certified_people is not None and k.certified_people >= goal.min_certified_people,
        ]
        out[partner.pk] = {"goal": goal, "met": sum(checks), "of": len(checks), "top": not above}
    return out


def _sort_links(request: AuthedHttpRequest, sort: str) -> dict[str, dict[str, str]]:
    """For each sortable column: the URL that sorts by it (largest first, then flipped) and
    its aria-sort state."""
    links: dict[str, dict[str, str]] = {}
    for column, first in (
        ("name", "name"),
        ("tier", "tier"),
        ("won", "-won"),
        ("pipeline", "-pipeline"),
    ):
        current = sort.lstrip("-") == column
        # A click on the sorted column flips it; on another, sorts by it (KPIs largest first).
        target = (first[1:] if first.startswith("-") else f"-{first}") if sort == first else first
        query = request.GET.copy()
        query["sort"] = target
        query.pop("page", None)
        state = "none"
        if current:
            state = "descending" if sort.startswith("-") else "ascending"
        links[column] = {"url": f"?{query.urlencode()}", "aria": state}
    return links


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
