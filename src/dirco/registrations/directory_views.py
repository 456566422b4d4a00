"""The partner directory (the list of partners with their tier-programme figures).

It lives here, above partners and the pipeline, because its columns (won revenue, open
pipeline, tier progress) are those of ``registrations.partner_figures``; the partner page
and its edit form stay in ``partners.views``. The URL (``partner_list``) is the same.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone

from dirco.core.exports import export_requested, export_response
from dirco.core.text import name_or_domain_matching
from dirco.partners.forms import PARTNER_SORTS, PartnerFilterForm
from dirco.partners.permissions import partners_visible_to
from dirco.registrations.exports import PARTNER_COLUMNS
from dirco.registrations.partner_figures import partners_with_figures, tier_progress
from dirco.registrations.tier_review import partners_with_tier_progress, review_period
from dirco.web.http import AuthedHttpRequest, staff_required

PARTNERS_PER_PAGE = 25


@staff_required
def partner_list_view(request: AuthedHttpRequest) -> HttpResponseBase:
    form = PartnerFilterForm(request.GET or None)
    data: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
    qs = partners_visible_to(request.user).select_related("tier", "territory", "channel_manager")
    qs = name_or_domain_matching(qs, data.get("q"))
    if data.get("tier"):
        qs = qs.filter(tier=data["tier"])
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    if data.get("territory"):
        qs = qs.filter(territory=data["territory"])
    today = timezone.localdate()
    qs = partners_with_figures(qs, user=request.user, today=today)
    # Tier progress as SQL too, so that the column sorts (same filters as tier_progress).
    start, end = review_period(today)
    qs = partners_with_tier_progress(qs, start=start, end=end)
    sort = data.get("sort") or "name"
    qs = qs.order_by(*PARTNER_SORTS.get(sort, PARTNER_SORTS["name"]))
    if fmt := export_requested(request.GET):
        return export_response(
            fmt=fmt, filename="partners", columns=PARTNER_COLUMNS, rows=qs.iterator(2000)
        )
    page = Paginator(qs, PARTNERS_PER_PAGE).get_page(request.GET.get("page"))
    template = "partners/partner_list.html"
    if request.htmx and request.htmx.target == "partner-results":
        template += "#partner-results"
    context = {
        "form": form,
        "page_obj": page,
        "progress": tier_progress(partners=list(page), today=today),
        "sort": sort,
        "sort_links": _sort_links(request, sort),
    }
    return render(request, template, context)


def _sort_links(request: AuthedHttpRequest, sort: str) -> dict[str, dict[str, str]]:
    """For each sortable column: the URL that sorts by it (largest first, then flipped) and
    its aria-sort state."""
    links: dict[str, dict[str, str]] = {}
    for column, first in (
        ("name", "name"),
        ("tier", "tier"),
        ("won", "-won"),
        ("pipeline", "-pipeline"),
        ("progress", "-progress"),
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
