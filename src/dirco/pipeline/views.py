"""HTML views of the pipeline: deal list, board, deal page and forms, activities.

Thin: each view checks access through pipeline.permissions, reads through the selectors and
writes through the services. HTMX partials are ``{% partialdef %}`` blocks of the full pages.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dirco.accounts.permissions import user_is_rep
from dirco.core.errors import ApplicationError
from dirco.core.exports import export_requested, export_response
from dirco.pipeline.exports import DEAL_COLUMNS
from dirco.pipeline.forms import (
    ActivityForm,
    DealFilterForm,
    DealForm,
    DealMoveForm,
    deal_form_initial,
)
from dirco.pipeline.models import Deal, Stage
from dirco.pipeline.permissions import (
    activities_visible_to,
    activity_can_edit,
    activity_can_log,
    deal_can_create,
    deal_can_edit,
    get_activity_for_user,
    get_deal_for_user,
    pipeline_can_change,
)
from dirco.pipeline.selectors import (
    deal_history,
    deal_list,
    deal_page,
    pipeline_board,
)
from dirco.pipeline.services import (
    activity_complete,
    activity_create,
    deal_create,
    deal_move_stage,
    deal_refs_resolve,
    deal_update,
)
from dirco.web.forms import (
    form_errors_from_application_error,
    form_submit,
    version_for_form,
    version_posted,
)
from dirco.web.http import AuthedHttpRequest, page_number, staff_required

DEALS_PER_PAGE = 50
BOARD_FILTERS = ("owner", "partner", "product_line")


def _refuse(request: AuthedHttpRequest, message: str) -> HttpResponse:
    """403 with a message: plain text for an HTMX call (shown as a notice), a page otherwise."""
    if request.htmx:
        return HttpResponseForbidden(message, content_type="text/plain; charset=utf-8")
    raise PermissionDenied(message)


@staff_required
def deal_list_view(request: AuthedHttpRequest) -> HttpResponseBase:
    """Filtered deals, 50 a page. No COUNT over the whole set: fetch 51 rows to know if more."""
    form = DealFilterForm(request.GET or None, user=request.user)
    filters = form.deal_filters()
    if fmt := export_requested(request.GET):
        deals = deal_list(user=request.user, filters=filters)
        return export_response(
            fmt=fmt, filename="deals", columns=DEAL_COLUMNS, rows=deals.iterator(2000)
        )
    page = page_number(request)
    offset = (page - 1) * DEALS_PER_PAGE
    rows = deal_page(user=request.user, filters=filters, offset=offset, limit=DEALS_PER_PAGE + 1)
    context = {
        "form": form,
        "deals": rows[:DEALS_PER_PAGE],
        "page": page,
        "has_next": len(rows) > DEALS_PER_PAGE,
        "has_previous": page > 1,
        "first_row": offset + 1,
        "last_row": offset + min(len(rows), DEALS_PER_PAGE),
        "can_create": deal_can_create(user=request.user),
    }
    template = "pipeline/deal_list.html"
    if request.htmx and request.htmx.target == "deal-results":
        template += "#deal-results"
    return render(request, template, context)


def _board_context(
    request: AuthedHttpRequest, data: Any, *, cards_for: Collection[int] | None = None
) -> dict[str, Any]:
    """What the board shows; ``cards_for`` (stage ids): only those columns' cards (a move)."""
    data = data.copy() if data else {}
    if "owner" not in data and user_is_rep(request.user):
        # A rep's board opens on "My deals"; "Anyone" (owner="") shows the rest.
        data["owner"] = str(request.user.pk)
    form = DealFilterForm(data or None, user=request.user)
    for name in list(form.fields):
        if name not in BOARD_FILTERS:
            del form.fields[name]
    filters = form.deal_filters(default_sort="close")
    stages = list(Stage.objects.order_by("order"))
    closed_stages = [s for s in stages if s.is_won or s.is_lost]
    columns = pipeline_board(
        user=request.user,
        filters=filters,
        cards_for=cards_for,
        open_stages=[s for s in stages if not (s.is_won or s.is_lost)],
    )
    all_stages = [c.stage for c in columns] + closed_stages
    return {
        "form": form,
        "columns": columns,
        "closed_stages": closed_stages,
        "move_options": _move_options(all_stages),
        "all_stages": all_stages,
        "lost_reasons": Deal.LostReason.choices,
        "can_edit": pipeline_can_change(user=request.user),
        "today": timezone.localdate(),
        # Phones show one stage at a time: the first one holding deals.
        "current_stage": next(
            (c.stage.pk for c in columns if c.count), columns[0].stage.pk if columns else None
        ),
        "owner_id": filters.owner_id,
        "show_owner": filters.owner_id is None,
    }


def _move_options(stages: list[Stage]) -> dict[int, SafeString]:
    """Each card's "Move to" choices (every stage but its own), rendered once per stage
    rather than once per card: the board renders a hundred cards."""
    options = {
        s.pk: format_html(
            '<option value="{}"{}>{}</option>',
            s.pk,
            mark_safe(" data-lost") if s.is_lost else "",
            s.label,
        )
        for s in stages
    }
    return {
        s.pk: mark_safe("".join(html for pk, html in options.items() if pk != s.pk)) for s in stages
    }


@staff_required
def pipeline_board_view(request: AuthedHttpRequest) -> HttpResponse:
    context = _board_context(request, request.GET)
    template = "pipeline/board.html"
    if request.htmx and request.htmx.target == "board":
        template += "#board"
    return render(request, template, context)


@staff_required
@require_POST
def deal_move_view(request: AuthedHttpRequest, deal_id: int) -> HttpResponse:
    """The board's drop (or the card's "move to" form): move, record, answer the columns."""
    deal = get_deal_for_user(user=request.user, deal_id=deal_id)
    if not deal_can_edit(user=request.user, deal=deal):
        return _refuse(request, _("You may not change this deal."))
    form = DealMoveForm(request.POST)
    from_stage = deal.stage
    message = ""
    if not form.is_valid():
        message = _("Choose a stage to move the deal to.")
    else:
        try:
            stage = deal_refs_resolve({"stage_id": form.cleaned_data["stage"]})["stage"]
            deal_move_stage(
                deal=deal,
                stage=stage,
                moved_by=request.user,
                lost_reason=form.cleaned_data["lost_reason"],
            )
        except ApplicationError as exc:
            message = "; ".join([m for msgs in exc.fields.values() for m in msgs] or [exc.message])
    if request.htmx:
        if message:
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return _board_moved(request, deal=deal, from_stage=from_stage, stage=stage)
    if message:
        messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(deal)s moved to %(stage)s.") % {"deal": deal.name, "stage": stage.label},
        )
    next_url = request.POST.get("next", "")
    if next_url.startswith("/") and not next_url.startswith("//"):
        return redirect(next_url)
    return redirect("pipeline_board")


def _board_moved(
    request: AuthedHttpRequest, *, deal: Deal, from_stage: Stage, stage: Stage
) -> HttpResponse:
    """The HTMX answer to a move: the columns the deal left and entered (cards, count, totals)
    and their tabs, each swapped in by its id (out of band), the rest of the board untouched.
    The rest does not change: a move changes only those columns' figures and cards (the
    board shows no figure over all columns, and the closed stages' drop zones no count)."""
    filters = {k: v for k, v in request.POST.items() if k in BOARD_FILTERS}
    changed = {from_stage.pk, stage.pk}
    context = _board_context(request, filters, cards_for=changed)
    context["columns"] = [c for c in context["columns"] if c.stage.pk in changed]
    # The cards' "next" (the move form without JavaScript) is the board's address, as a
    # reload of the page shows it, not this answer's.
    context["board_path"] = _board_path(request)
    response = render(request, "pipeline/board.html#board-moved", context)
    response["HX-Reswap"] = "none"
    # The board shows "Moved X to Y. Undo"; Undo posts the previous stage back here.
    response["HX-Trigger"] = json.dumps(
        {
            "dirco:deal-moved": {
                "deal_id": deal.pk,
                "url": reverse("deal_move", args=[deal.pk]),
                "message": _("Moved %(deal)s to %(stage)s.")
                % {"deal": deal.name, "stage": stage.label},
                "undo_stage": from_stage.pk,
                "undo_label": _("Undo"),
                # Phones show this stage unless the user chose one (board.js).
                "current_stage": context["current_stage"],
            }
        }
    )
    return response


def _board_path(request: AuthedHttpRequest) -> str:
    """The path and query of the board page the HTMX call came from (HX-Current-URL)."""
    current = urlsplit(request.htmx.current_url or "") if request.htmx else None
    if current and current.path == reverse("pipeline_board"):
        return current.path + (f"?{current.query}" if current.query else "")
    return reverse("pipeline_board")


@login_required
def deal_detail_view(request: AuthedHttpRequest, deal_id: int) -> HttpResponse:
    deal = get_deal_for_user(user=request.user, deal_id=deal_id)
    return render(request, "pipeline/deal_detail.html", _deal_context(request, deal))


def _deal_context(
    request: AuthedHttpRequest, deal: Deal, activity_form: ActivityForm | None = None
) -> dict[str, Any]:
    return {
        "deal": deal,
        "history": deal_history(deal=deal),
        "activities": activities_visible_to(request.user)
        .filter(deal=deal)
        .select_related("owner")
        .order_by("done_at", "due_at", "id"),
        "activity_form": activity_form or ActivityForm(),
        "can_edit": deal_can_edit(user=request.user, deal=deal),
        "can_log_activity": activity_can_log(user=request.user, deal=deal),
    }


@staff_required
@require_http_methods(["GET", "POST"])
def deal_create_view(request: AuthedHttpRequest) -> HttpResponse:
    if not deal_can_create(user=request.user):
        return _refuse(request, _("You may not create deals."))
    initial: dict[str, Any] = {}
    if request.GET.get("account", "").isdigit():
        # Back from "+ New account": the new account is chosen.
        initial["account"] = int(request.GET["account"])
    form = DealForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            deal = deal_create(
                created_by=request.user,
                confirm_zero_amount=form.cleaned_data.get("confirm_zero_amount", False),
                **form.deal_fields(),
            )
        except ApplicationError as exc:
            form_errors_from_application_error(form, exc)
        else:
            messages.success(request, _("Deal %(name)s created.") % {"name": deal.name})
            return redirect("deal_detail", deal_id=deal.pk)
    return render(request, "pipeline/deal_form.html", {"form": form, "deal": None})


@staff_required
@require_http_methods(["GET", "POST"])
def deal_edit_view(request: AuthedHttpRequest, deal_id: int) -> HttpResponse:
    deal = get_deal_for_user(user=request.user, deal_id=deal_id)
    if not deal_can_edit(user=request.user, deal=deal):
        return _refuse(request, _("You may not change this deal."))
    initial = deal_form_initial(deal)
    if request.GET.get("account", "").isdigit():
        initial["account"] = int(request.GET["account"])  # back from "+ New account"
    form = DealForm(request.POST or None, user=request.user, deal=deal, initial=initial)
    saved = form_submit(
        request,
        form,
        lambda: deal_update(
            deal=deal,
            updated_by=request.user,
            confirm_zero_amount=form.cleaned_data.get("confirm_zero_amount", False),
            expected_version=version_posted(request),
            **form.deal_fields(),
        ),
        success=_("Deal saved."),
    )
    if saved:
        return redirect("deal_detail", deal_id=deal.pk)
    return render(
        request,
        "pipeline/deal_form.html",
        {"form": form, "deal": deal, "version": version_for_form(request, deal)},
    )


@staff_required
@require_POST
def deal_activity_create_view(request: AuthedHttpRequest, deal_id: int) -> HttpResponse:
    deal = get_deal_for_user(user=request.user, deal_id=deal_id)
    if not activity_can_log(user=request.user, deal=deal):
        return _refuse(request, _("You may not log activities on this deal."))
    form = ActivityForm(request.POST)
    if form.is_valid():
        try:
            activity_create(owner=request.user, **form.activity_fields(deal=deal))
        except ApplicationError as exc:
            form_errors_from_application_error(form, exc)
        else:
            form = ActivityForm()
            if not request.htmx:
                messages.success(request, _("Activity added."))
                return redirect("deal_detail", deal_id=deal.pk)
    context = _deal_context(request, deal, activity_form=form)
    if request.htmx:
        return render(request, "pipeline/deal_detail.html#activities", context)
    return render(request, "pipeline/deal_detail.html", context)


@staff_required
@require_POST
def activity_done_view(request: AuthedHttpRequest, activity_id: int) -> HttpResponse:
    activity = get_activity_for_user(user=request.user, activity_id=activity_id)
    if not activity_can_edit(user=request.user, activity=activity):
        return _refuse(request, _("Only the owner or their manager can complete this activity."))
    activity = activity_complete(activity=activity, done=request.POST.get("done", "1") == "1")
    if request.htmx:
        return render(
            request,
            "pipeline/activity_list.html#activity-row",
            {"activity": activity, "show_target": request.POST.get("show_target") == "1"},
        )
    next_url = request.POST.get("next", "")
    if next_url.startswith("/") and not next_url.startswith("//"):
        return redirect(next_url)
    return redirect(reverse("activity_list"))
