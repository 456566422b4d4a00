"""The cockpit pages: objectives (list, page, form, months, allocation, publishing), the
objectives curve, gap-to-objective, leaderboards (with CSV and XLSX exports) and forecast
calls. Thin views: the figures come from objectives.selectors (which read the rollups), the
writes from objectives.services, access from objectives.permissions and dirco.scopes."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dirco.core.errors import ApplicationError
from dirco.objectives.charts import curve_under, objective_curve_svg
from dirco.objectives.cockpit import (
    LEADERBOARD_COLUMNS,
    LEADERBOARD_KIND_LABELS,
    LEADERBOARD_KPIS,
    allocation_targets,
    current_quarter_label,
    forecast_call_rights,
    leaderboard_sort,
    objective_scope_choices_for,
)
from dirco.objectives.exports import XLSX_CONTENT_TYPE, leaderboard_csv, leaderboard_xlsx
from dirco.objectives.fiscal_calendar import fiscal_year_of, period_parse
from dirco.objectives.forms import (
    AllocationForm,
    ManagerCallForm,
    MonthsForm,
    ObjectiveForm,
    OwnerCallForm,
    PublishForm,
)
from dirco.objectives.models import Objective, ScopeKind
from dirco.objectives.permissions import (
    get_objective_for_user,
    objective_can_allocate,
    objective_can_edit,
    objective_may_set_any,
    objectives_visible_to,
)
from dirco.objectives.selectors import (
    LEADERBOARD_KINDS,
    allocation_summary,
    attainment_for,
    gap_to_objective,
    leaderboard,
    objective_curve,
    objective_detail,
    objective_scope,
)
from dirco.objectives.services import (
    forecast_adjust,
    forecast_call_submit,
    objective_allocate,
    objective_create,
    objective_months_set,
    objective_publish,
    objective_update,
)
from dirco.scopes import Scope, scope_default, scope_may_see, scope_picker_groups
from dirco.web.forms import version_for_form, version_posted
from dirco.web.http import AuthedHttpRequest, staff_required

KIND_ORDER = Case(
    *(
        When(scope_kind=kind, then=Value(rank))
        for rank, kind in enumerate(
            [
                ScopeKind.COMPANY,
                ScopeKind.PRODUCT_LINE,
                ScopeKind.TEAM,
                ScopeKind.REP,
                ScopeKind.PARTNER,
            ]
        )
    ),
    output_field=IntegerField(),
)


def _today() -> dt.date:
    return timezone.localdate()


def _fiscal_year(request: AuthedHttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return fiscal_year_of(_today())
    return year if 2000 <= year <= 2100 else fiscal_year_of(_today())


def _years_around(year: int) -> list[int]:
    current = fiscal_year_of(_today())
    return sorted({*range(current - 3, current + 2), year})


def _scope(request: AuthedHttpRequest) -> Scope:
    """The scope asked for (404 if malformed); the selectors 404 when it is not visible."""
    try:
        return Scope.parse(request.GET.get("scope") or scope_default(request.user).key)
    except ApplicationError:
        raise Http404("No such scope.") from None


def _cockpit_context(
    request: AuthedHttpRequest, *, scope: Scope | None, year: int
) -> dict[str, Any]:
    return {
        "scope": scope,
        "scope_key": scope.key if scope else "",
        "year": year,
        "years": _years_around(year),
        # Read when the template shows the picker (the template calls it), so the curve's
        # htmx fragment, which has no picker, does not read the scopes in reach.
        "scope_groups": partial(scope_picker_groups, request.user, scope),
    }


def _summary(objective: Objective) -> dict[str, Any]:
    summary = allocation_summary(objective=objective)
    return {**summary, "over_by": max(-summary["remaining"], 0)}


# -- objectives ---------------------------------------------------------------------------------


@staff_required
def objective_list_view(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    year = _fiscal_year(request)
    objectives = (
        objectives_visible_to(user)
        .filter(fiscal_year=year)
        .select_related("team", "rep", "partner", "product_line", "parent")
        .annotate(kind_order=KIND_ORDER)
        .order_by("kind_order", "scope_key", "product_line_id", "measure")
    )
    return render(
        request,
        "objectives/objective_list.html",
        {
            "objectives": objectives,
            "year": year,
            "years": _years_around(year),
            "can_create": objective_may_set_any(user),
        },
    )


@staff_required
def objective_detail_view(request: AuthedHttpRequest, objective_id: int) -> HttpResponse:
    user = request.user
    objective = get_objective_for_user(user=user, objective_id=objective_id)
    scope = objective_scope(objective)
    return render(
        request,
        "objectives/objective_detail.html",
        {
            **objective_detail(objective=objective, user=user),
            "scope": scope,
            "can_edit": objective_can_edit(user=user, objective=objective),
            "can_allocate": objective_can_allocate(user=user, objective=objective),
            "can_see_curve": scope_may_see(user=user, scope=scope),
            # A rep sees its own objective, not always the team's it was allocated from:
            # the breadcrumb names the parent and links it only when it opens.
            "can_see_parent": objective.parent_id is not None
            and objectives_visible_to(user).filter(pk=objective.parent_id).exists(),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def objective_create_view(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    if not objective_may_set_any(user):
        raise PermissionDenied(_("Only the director and managers set objectives."))
    year = _fiscal_year(request)
    initial = {"scope": request.GET.get("scope", "")}
    form = ObjectiveForm(
        request.POST or None,
        initial=initial,
        scope_choices=objective_scope_choices_for(user),
        fiscal_year=year,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            objective = objective_create(
                user=user,
                scope=Scope.parse(data["scope"]),
                fiscal_year=data["fiscal_year"],
                amount=data["amount"],
                measure=data["measure"],
                product_line=data["product_line"],
                split_method=data["split_method"],
                percentages=form.percentages(),
            )
        except ApplicationError as exc:
            form.apply_error(exc)
        else:
            messages.success(request, _("Objective saved as a draft."))
            if objective.split_note:
                messages.warning(request, objective.split_note)
            return redirect("objective_detail", objective_id=objective.pk)
    return render(request, "objectives/objective_form.html", {"form": form, "objective": None})


@staff_required
@require_http_methods(["GET", "POST"])
def objective_edit_view(request: AuthedHttpRequest, objective_id: int) -> HttpResponse:
    user = request.user
    objective = get_objective_for_user(user=user, objective_id=objective_id)
    if not objective_can_edit(user=user, objective=objective):
        raise PermissionDenied(_("You may see this objective but not change it."))
    form = ObjectiveForm(
        request.POST or None, objective=objective, fiscal_year=objective.fiscal_year
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            objective = objective_update(
                objective=objective,
                user=user,
                amount=data["amount"],
                split_method=data["split_method"],
                percentages=form.percentages(),
                expected_version=version_posted(request),
            )
        except ApplicationError as exc:
            form.apply_error(exc)
        else:
            messages.success(request, _("Objective saved: the months were split again."))
            if objective.split_note:
                messages.warning(request, objective.split_note)
            return redirect("objective_detail", objective_id=objective.pk)
    return render(
        request,
        "objectives/objective_form.html",
        {"form": form, "objective": objective, "version": version_for_form(request, objective)},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def objective_months_view(request: AuthedHttpRequest, objective_id: int) -> HttpResponse:
    user = request.user
    objective = get_objective_for_user(user=user, objective_id=objective_id)
    if not objective_can_edit(user=user, objective=objective):
        raise PermissionDenied(_("You may see this objective but not change it."))
    form = MonthsForm(request.POST or None, months=list(objective.months.order_by("month_index")))
    if request.method == "POST" and form.is_valid():
        changed = form.changed_amounts()
        if not changed:
            messages.info(request, _("No month was changed."))
            return redirect("objective_detail", objective_id=objective.pk)
        try:
            objective_months_set(
                objective=objective,
                user=user,
                amounts=changed,
                rebalance=form.cleaned_data["rebalance"],
                expected_version=version_posted(request),
            )
        except ApplicationError as exc:
            form.apply_error(exc)
        else:
            messages.success(request, _("Months saved; each change is in the history below."))
            return redirect("objective_detail", objective_id=objective.pk)
    return render(
        request,
        "objectives/objective_months.html",
        {"form": form, "objective": objective, "version": version_for_form(request, objective)},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def objective_allocate_view(request: AuthedHttpRequest, objective_id: int) -> HttpResponse:
    user = request.user
    objective = get_objective_for_user(user=user, objective_id=objective_id)
    if not objective_can_allocate(user=user, objective=objective):
        raise PermissionDenied(_("Only the director, or the team's manager, allocates it."))
    summary = _summary(objective)
    current = {child["scope"]: child["amount"] for child in summary["children"]}
    form = AllocationForm(
        request.POST or None,
        targets=allocation_targets(parent=objective, user=user),
        current=current,
    )
    if request.method == "POST" and form.is_valid():
        method = form.cleaned_data["method"]
        try:
            result = objective_allocate(
                parent=objective,
                user=user,
                method=method,
                amounts=form.manual_amounts() if method == "manual" else None,
            )
        except ApplicationError as exc:
            form.apply_error(exc)
        else:
            messages.success(request, _("Allocation saved (children are drafts)."))
            if result.get("note"):
                messages.warning(request, result["note"])
            return redirect("objective_allocate", objective_id=objective.pk)
    return render(
        request,
        "objectives/objective_allocate.html",
        {
            "objective": objective,
            "label": objective_detail(objective=objective)["label"],
            "summary": summary,
            "form": form,
            "publish_form": PublishForm(),
        },
    )


@staff_required
@require_POST
def objective_publish_view(request: AuthedHttpRequest, objective_id: int) -> HttpResponse:
    """Publish; an unbalanced allocation comes back as a confirmation step, nothing saved."""
    user = request.user
    objective = get_objective_for_user(user=user, objective_id=objective_id)
    form = PublishForm(request.POST)
    form.is_valid()
    try:
        objective_publish(
            objective=objective, user=user, confirm=bool(form.cleaned_data.get("confirm"))
        )
    except ApplicationError as exc:
        form.apply_error(exc)
    else:
        messages.success(request, _("Objective published."))
        return redirect("objective_detail", objective_id=objective.pk)
    return render(
        request,
        "objectives/objective_publish.html",
        {
            "objective": objective,
            "label": objective_detail(objective=objective)["label"],
            "summary": _summary(objective),
            "form": form,
            "needs_confirm": "confirm" in form.errors,
        },
        status=400,
    )


# -- the cockpit --------------------------------------------------------------------------------


@staff_required
def curve_view(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    scope = _scope(request)
    year = _fiscal_year(request)
    view = "monthly" if request.GET.get("view") == "monthly" else "cumulative"
    curve = objective_curve(scope=scope, fiscal_year=year, user=user)
    attainment = attainment_for(scope=scope, period=year, user=user)
    rows = [{**row, "under": curve_under(row, view=view)} for row in curve["rows"]]
    query = {"scope": scope.key, "year": year}
    context = {
        **_cockpit_context(request, scope=scope, year=year),
        "curve": curve,
        "rows": rows,
        "attainment": attainment,
        "view": view,
        "svg": objective_curve_svg(curve["rows"], view=view),
        "monthly_url": "?" + urlencode({**query, "view": "monthly"}),
        "cumulative_url": "?" + urlencode({**query, "view": "cumulative"}),
        "under_count": curve["months_under_objective"],
    }
    if request.htmx and request.htmx.target == "curve":
        return render(request, "objectives/_curve.html", context)
    return render(request, "objectives/curve.html", context)


@staff_required
def gap_view(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    scope = _scope(request)
    year = _fiscal_year(request)
    gap = gap_to_objective(scope=scope, fiscal_year=year, user=user)
    return render(
        request,
        "objectives/gap.html",
        {**_cockpit_context(request, scope=scope, year=year), "gap": gap},
    )


def _leaderboard_rows(request: AuthedHttpRequest) -> tuple[str, int, str, list[dict[str, Any]]]:
    kind = request.GET.get("kind", "rep")
    if kind not in LEADERBOARD_KINDS:
        raise Http404("No such leaderboard.")
    year = _fiscal_year(request)
    rows = leaderboard(kind=kind, fiscal_year=year, user=request.user)
    rows, sort = leaderboard_sort(rows, sort=request.GET.get("sort", ""))
    return kind, year, sort, rows


@staff_required
def leaderboard_view(request: AuthedHttpRequest) -> HttpResponse:
    kind, year, sort, rows = _leaderboard_rows(request)
    columns = []
    for key, title, col_kind in LEADERBOARD_COLUMNS:
        current = sort.lstrip("-") == key
        descending = sort.startswith("-")
        # Numbers sort from the highest first; a second click reverses.
        if current:
            next_sort = key if descending else f"-{key}"
        else:
            next_sort = key if col_kind == "text" or key == "rank" else f"-{key}"
        columns.append(
            {
                "key": key,
                "title": title,
                "kind": col_kind,
                "url": "?" + urlencode({"kind": kind, "year": year, "sort": next_sort}),
                "aria_sort": ("descending" if descending else "ascending") if current else "",
                "kpi": LEADERBOARD_KPIS.get(key, ""),
            }
        )
    query = urlencode({"kind": kind, "year": year, "sort": sort})
    return render(
        request,
        "objectives/leaderboard.html",
        {
            "kind": kind,
            "kinds": list(LEADERBOARD_KIND_LABELS.items()),
            "kind_label": LEADERBOARD_KIND_LABELS[kind],
            "year": year,
            "years": _years_around(year),
            "sort": sort,
            "columns": columns,
            "rows": rows,
            "csv_url": f"{reverse('leaderboard_export', args=['csv'])}?{query}",
            "xlsx_url": f"{reverse('leaderboard_export', args=['xlsx'])}?{query}",
        },
    )


@staff_required
def leaderboard_export_view(request: AuthedHttpRequest, fmt: str) -> HttpResponse:
    """The same rows as the page (same selector, same scoping, same sort)."""
    kind, year, _sort, rows = _leaderboard_rows(request)
    filename = f"leaderboard-{kind}-{year}"
    if fmt == "csv":
        response = HttpResponse(leaderboard_csv(rows), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        sheet = f"{LEADERBOARD_KIND_LABELS[kind]} {year}"
        response = HttpResponse(
            leaderboard_xlsx(rows, sheet_title=sheet), content_type=XLSX_CONTENT_TYPE
        )
    else:
        raise Http404("No such export format.")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@staff_required
@require_http_methods(["GET", "POST"])
def forecast_calls_view(request: AuthedHttpRequest) -> HttpResponse:
    """The owner's call and the manager's adjustment for a scope and period, side by side."""
    user = request.user
    scope = _scope(request)
    default_period = current_quarter_label(_today())
    try:
        period = period_parse(request.GET.get("period") or default_period).label
    except ApplicationError:
        period = default_period
    attainment = attainment_for(scope=scope, period=period, user=user)
    rights = forecast_call_rights(user=user, scope=scope)
    action = request.POST.get("action", "")
    call_form = OwnerCallForm(request.POST if action == "call" else None)
    adjust_form = ManagerCallForm(request.POST if action == "adjust" else None)
    if request.method == "POST" and action not in ("call", "adjust"):
        return HttpResponseBadRequest(_("Choose whether to submit your call or adjust it."))
    if request.method == "POST":
        try:
            if action == "call" and call_form.is_valid():
                forecast_call_submit(
                    user=user,
                    scope=scope,
                    period=period,
                    owner_call=call_form.cleaned_data["owner_call"],
                    note=call_form.cleaned_data["note"],
                )
            elif action == "adjust" and adjust_form.is_valid():
                forecast_adjust(
                    user=user,
                    scope=scope,
                    period=period,
                    manager_call=adjust_form.cleaned_data["manager_call"],
                    note=adjust_form.cleaned_data["note"],
                )
            else:
                raise ApplicationError(_("Correct the fields shown."))
        except ApplicationError as exc:
            (call_form if action == "call" else adjust_form).apply_error(exc)
        else:
            messages.success(request, _("Forecast call saved."))
            query = urlencode({"scope": scope.key, "period": period})
            return redirect(f"{reverse('forecast_calls')}?{query}")
    year = fiscal_year_of(_today())
    periods = [str(year), *(f"{year}-Q{q}" for q in range(1, 5))]
    if period not in periods:
        periods.append(period)
    return render(
        request,
        "objectives/forecast_calls.html",
        {
            **_cockpit_context(request, scope=scope, year=year),
            "period": period,
            "periods": periods,
            "attainment": attainment,
            "latest": attainment["calls"][0] if attainment["calls"] else None,
            "rights": rights,
            "call_form": call_form,
            "adjust_form": adjust_form,
        },
    )
