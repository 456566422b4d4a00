"""Staff pages of the commercial action plan (PAC): plans, their actions and checklist tasks,
the measured impact, and the counter-seasonality proposals that become draft actions.

Every page asks ``plans.permissions`` (the API asks the same functions) and writes through
``plans.services``; hidden plans and actions answer 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dirco.core.errors import ApplicationError
from dirco.core.exports import export_requested, export_response
from dirco.objectives.fiscal_calendar import fiscal_year_of
from dirco.objectives.permissions import objectives_visible_to
from dirco.objectives.selectors import objective_names
from dirco.partners.permissions import partners_visible_to
from dirco.pipeline.exports import ACTIVITY_COLUMNS
from dirco.pipeline.selectors import activity_list_for_user
from dirco.plans import calendar
from dirco.plans.diagnosis import diagnosis_html
from dirco.plans.forms import (
    ActionForm,
    ActionStatusForm,
    CommentForm,
    PlanForm,
    ProposalAddForm,
    TaskForm,
)
from dirco.plans.models import Action, ActionPlan, CalendarFeedToken
from dirco.plans.permissions import (
    action_can_create,
    action_can_edit,
    get_action_for_user,
    get_plan_for_user,
    get_task_for_user,
    plan_can_comment,
    plan_can_create,
    plan_can_edit,
    plan_can_share,
    plan_owner_choices,
    plan_scope_choices,
    plans_editable_by,
    task_can_complete,
)
from dirco.plans.selectors import (
    my_open_tasks,
    plan_actions,
    plan_figures,
    plan_impact,
    plan_list,
    proposal_find,
    proposals_for,
)
from dirco.plans.services import (
    ActionInput,
    action_create,
    action_set_status,
    action_update,
    calendar_feed_create,
    calendar_feed_revoke,
    plan_comment_add,
    plan_create,
    plan_set_status,
    plan_update,
    plan_version_share,
    task_create,
    task_set_done,
)
from dirco.scopes import Scope, scope_labels, scopes_for
from dirco.teams.models import SalesTeam
from dirco.web.forms import form_submit, version_for_form, version_posted
from dirco.web.http import AuthedHttpRequest, staff_required

PER_PAGE = 25


def _year_arg(request: AuthedHttpRequest) -> int | None:
    raw = request.GET.get("year", "")
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return None


@staff_required
def plan_list_view(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    status = request.GET.get("status", "")
    if status not in ActionPlan.Status.values:
        status = ""
    scope_kind = request.GET.get("scope", "")
    if scope_kind not in ActionPlan.ScopeKind.values:
        scope_kind = ""
    year = _year_arg(request)
    plans = plan_list(user=user, status=status, scope_kind=scope_kind, fiscal_year=year)
    page = Paginator(plans, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "plans/plan_list.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": ActionPlan.Status.choices,
            "scope_kind": scope_kind,
            "scope_kinds": ActionPlan.ScopeKind.choices,
            "year": year,
            "count": page.paginator.count,
            "can_create": plan_can_create(user=user),
        },
    )


def _plan_form(request: AuthedHttpRequest, **kwargs: Any) -> PlanForm:
    user = request.user
    return PlanForm(
        request.POST or None,
        scopes=plan_scope_choices(user),
        owners=plan_owner_choices(user),
        objectives=objectives_visible_to(user)
        .select_related("team", "rep", "partner")
        .order_by("-fiscal_year", "scope_kind", "id"),
        **kwargs,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def plan_create_view(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    if not plan_can_create(user=user):
        raise PermissionDenied(_("Your role does not make action plans."))
    form = _plan_form(
        request,
        initial={
            "owner": user.pk,
            "period": str(fiscal_year_of(timezone.localdate())),
            "scope": request.GET.get("scope", ""),
        },
    )
    created: list[ActionPlan] = []
    if form_submit(
        request,
        form,
        lambda: created.append(plan_create(by=user, data=form.service_input())),
        success=_("Plan created as a draft."),
    ):
        return redirect("plans:detail", created[0].pk)
    return render(request, "plans/plan_form.html", {"form": form, "plan": None})


@staff_required
@require_http_methods(["GET", "POST"])
def plan_edit_view(request: AuthedHttpRequest, plan_id: int) -> HttpResponse:
    user = request.user
    plan = get_plan_for_user(user=user, plan_id=plan_id)
    if not plan_can_edit(user=user, plan=plan):
        raise PermissionDenied(_("You may not change this plan."))
    form = _plan_form(
        request,
        initial={
            "name": plan.name,
            "scope": plan.scope_key,
            "period": plan.period,
            "owner": plan.owner_id,
            "objectives": list(plan.objectives.values_list("id", flat=True)),
            "diagnosis": plan.diagnosis,
            "next_review_on": plan.next_review_on,
        },
    )
    if form_submit(
        request,
        form,
        lambda: plan_update(
            plan=plan,
            by=user,
            data=form.service_input(),
            expected_version=version_posted(request),
        ),
        success=_("Plan saved."),
    ):
        return redirect("plans:detail", plan.pk)
    return render(
        request,
        "plans/plan_form.html",
        {"form": form, "plan": plan, "version": version_for_form(request, plan)},
    )


@staff_required
def plan_detail_view(request: AuthedHttpRequest, plan_id: int) -> HttpResponse:
    user = request.user
    plan = get_plan_for_user(user=user, plan_id=plan_id)
    actions = plan_actions(plan=plan, user=user)
    impact = plan_impact(plan=plan)
    measured = {row["id"]: row for row in impact["actions"]}
    can_edit = plan_can_edit(user=user, plan=plan)
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "diagnosis": diagnosis_html(plan.diagnosis),
            "rows": [(a, measured.get(a.pk)) for a in actions],
            "figures": plan_figures(plan=plan, actions=actions),
            "impact": impact,
            "can_edit": can_edit,
            "can_add_action": can_edit and action_can_create(user=user, plan=plan),
            "can_share": plan_can_share(user=user, plan=plan),
            "can_comment": plan_can_comment(user=user, plan=plan),
            "comments": plan.comments.select_related("author").order_by("created_at"),
            "versions": plan.versions.select_related("shared_by", "accepted_by").order_by(
                "-number"
            ),
            "objectives": list(
                objective_names(list(plan.objectives.order_by("-fiscal_year", "id"))).items()
            ),
            "comment_form": CommentForm(),
            "next_statuses": _plan_next_statuses(plan) if can_edit else [],
            "today": timezone.localdate(),
        },
    )


def _plan_next_statuses(plan: ActionPlan) -> list[tuple[str, str]]:
    moves = {
        ActionPlan.Status.DRAFT: [ActionPlan.Status.ACTIVE],
        ActionPlan.Status.ACTIVE: [ActionPlan.Status.CLOSED],
        ActionPlan.Status.CLOSED: [ActionPlan.Status.ACTIVE],
    }
    labels = {
        ActionPlan.Status.ACTIVE: _("Activate")
        if plan.status == ActionPlan.Status.DRAFT
        else _("Reopen"),
        ActionPlan.Status.CLOSED: _("Close the plan"),
    }
    return [(s.value, str(labels[s])) for s in moves.get(ActionPlan.Status(plan.status), [])]


@staff_required
@require_POST
def plan_status_view(request: AuthedHttpRequest, plan_id: int) -> HttpResponse:
    user = request.user
    plan = get_plan_for_user(user=user, plan_id=plan_id)
    if not plan_can_edit(user=user, plan=plan):
        raise PermissionDenied(_("You may not change this plan."))
    try:
        plan_set_status(plan=plan, status=request.POST.get("status", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Plan status changed."))
    return redirect("plans:detail", plan.pk)


@staff_required
@require_POST
def plan_share_view(request: AuthedHttpRequest, plan_id: int) -> HttpResponse:
    user = request.user
    plan = get_plan_for_user(user=user, plan_id=plan_id)
    if not plan_can_share(user=user, plan=plan):
        raise PermissionDenied(_("Only a partner's plan is shared, by who may change it."))
    try:
        version = plan_version_share(plan=plan, by=user, note=request.POST.get("note", "")[:300])
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Version %(n)s shared with the partner's users.") % {"n": version.number},
        )
    return redirect("plans:detail", plan.pk)


@staff_required
@require_POST
def plan_comment_view(request: AuthedHttpRequest, plan_id: int) -> HttpResponse:
    user = request.user
    plan = get_plan_for_user(user=user, plan_id=plan_id)
    if not plan_can_comment(user=user, plan=plan):
        raise PermissionDenied(_("You may not comment on this plan."))
    plan_comment_post(request, plan)
    return redirect("plans:detail", plan.pk)


def plan_comment_post(request: AuthedHttpRequest, plan: ActionPlan) -> None:
    """Add the posted comment to ``plan`` (the staff page and the portal), saying how it went;
    the caller has checked that the user may comment."""
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a comment first (5,000 characters at most)."))
        return
    try:
        plan_comment_add(plan=plan, by=request.user, body=form.cleaned_data["body"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Comment added."))


@staff_required
def plan_impact_view(request: AuthedHttpRequest, plan_id: int) -> HttpResponse:
    user = request.user
    plan = get_plan_for_user(user=user, plan_id=plan_id)
    recompute = request.method == "POST" and plan_can_edit(user=user, plan=plan)
    impact = plan_impact(plan=plan, recompute=recompute)
    if recompute:
        messages.success(request, _("Impact measured again."))
        return redirect("plans:impact", plan.pk)
    return render(
        request,
        "plans/plan_impact.html",
        {"plan": plan, "impact": impact, "can_edit": plan_can_edit(user=user, plan=plan)},
    )


# -- actions ----------------------------------------------------------------------------


def _action_form(request: AuthedHttpRequest, **kwargs: Any) -> ActionForm:
    user = request.user
    return ActionForm(
        request.POST or None,
        owners=plan_owner_choices(user),
        partners=partners_visible_to(user),
        **kwargs,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def action_create_view(request: AuthedHttpRequest, plan_id: int) -> HttpResponse:
    user = request.user
    plan = get_plan_for_user(user=user, plan_id=plan_id)
    if not action_can_create(user=user, plan=plan):
        raise PermissionDenied(_("You may not add actions to this plan."))
    today = timezone.localdate()
    start = max(plan.starts_on, today)
    form = _action_form(
        request,
        initial={"owner": user.pk, "starts_on": start, "ends_on": start + dt.timedelta(days=1)},
    )
    created: list[Action] = []
    if form_submit(
        request,
        form,
        lambda: created.append(action_create(plan=plan, by=user, data=form.service_input())),
        success=_("Action added."),
    ):
        return redirect("plans:action_detail", created[0].pk)
    return render(request, "plans/action_form.html", {"form": form, "plan": plan, "action": None})


@staff_required
@require_http_methods(["GET", "POST"])
def action_detail_view(request: AuthedHttpRequest, action_id: int) -> HttpResponse:
    """The action with its checklist; its owner and plan editors change it here."""
    user = request.user
    action = get_action_for_user(user=user, action_id=action_id)
    can_edit = action_can_edit(user=user, action=action)
    months = list(action.months.order_by("month"))
    form = None
    if can_edit:
        form = _action_form(
            request,
            initial={
                "kind": action.kind,
                "title": action.title,
                "description": action.description,
                "owner": action.owner_id,
                "starts_on": action.starts_on,
                "ends_on": action.ends_on,
                "planned_cost": action.planned_cost,
                "expected_revenue": sum((m.expected_revenue for m in months), 0),
                "territories": [t.pk for t in action.territories.all()],
                "tiers": [t.pk for t in action.tiers.all()],
                "product_lines": [p.pk for p in action.product_lines.all()],
                "partners": [p.pk for p in action.partners.all()],
            },
        )
        if form_submit(
            request,
            form,
            lambda: action_update(
                action=action,
                by=user,
                data=form.service_input(),
                expected_version=version_posted(request),
            ),
            success=_("Action saved."),
        ):
            return redirect("plans:action_detail", action.pk)
    elif request.method == "POST":
        raise PermissionDenied(_("You may not change this action."))
    impact = plan_impact(plan=action.plan)
    measured = next((row for row in impact["actions"] if row["id"] == action.pk), None)
    return render(
        request,
        "plans/action_detail.html",
        {
            "action": action,
            "plan": action.plan,
            "months": months,
            "measured": measured,
            "form": form,
            "version": version_for_form(request, action),
            "can_edit": can_edit,
            "tasks": action.tasks.select_related("assignee").order_by("due_on", "id"),
            "task_form": TaskForm(owners=plan_owner_choices(user)) if can_edit else None,
            "status_form": ActionStatusForm(
                initial={"status": action.status, "actual_cost": action.actual_cost}
            )
            if can_edit
            else None,
        },
    )


@staff_required
@require_POST
def action_status_view(request: AuthedHttpRequest, action_id: int) -> HttpResponse:
    user = request.user
    action = get_action_for_user(user=user, action_id=action_id)
    if not action_can_edit(user=user, action=action):
        raise PermissionDenied(_("You may not change this action."))
    form = ActionStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Pick a status, and a cost of 0 or more."))
        return redirect("plans:action_detail", action.pk)
    try:
        action_set_status(
            action=action,
            status=form.cleaned_data["status"],
            actual_cost=form.cleaned_data["actual_cost"],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Action status changed."))
    return redirect("plans:action_detail", action.pk)


@staff_required
@require_POST
def task_create_view(request: AuthedHttpRequest, action_id: int) -> HttpResponse:
    user = request.user
    action = get_action_for_user(user=user, action_id=action_id)
    if not action_can_edit(user=user, action=action):
        raise PermissionDenied(_("You may not change this action."))
    form = TaskForm(request.POST, owners=plan_owner_choices(user))
    if form.is_valid():
        try:
            task_create(action=action, by=user, data=form.service_input())
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Task added."))
    else:
        messages.error(
            request,
            " ".join(str(e) for errors in form.errors.values() for e in errors),
        )
    return redirect("plans:action_detail", action.pk)


@staff_required
@require_POST
def task_done_view(request: AuthedHttpRequest, task_id: int) -> HttpResponse:
    user = request.user
    task = get_task_for_user(user=user, task_id=task_id)
    if not task_can_complete(user=user, task=task):
        raise PermissionDenied(_("Only the assignee or who may change the action ticks it."))
    task_set_done(task=task, done=request.POST.get("done") == "1")
    back = request.POST.get("next", "")
    if back == "activities":
        return redirect("activity_list")
    return redirect("plans:action_detail", task.action_id)


@staff_required
def my_activities_view(request: AuthedHttpRequest) -> HttpResponseBase:
    """My activities: the pipeline's open activities, then the plans' checklist tasks.
    ``?export=csv|xlsx`` exports the activities (the pipeline's columns)."""
    user = request.user
    if fmt := export_requested(request.GET):
        return export_response(
            fmt=fmt,
            filename="activities",
            columns=ACTIVITY_COLUMNS,
            rows=activity_list_for_user(user=user).iterator(2000),
        )
    return render(
        request,
        "plans/my_activities.html",
        {
            "activities": activity_list_for_user(user=user),
            "tasks": my_open_tasks(user=user),
            "today": timezone.localdate(),
            "now": timezone.now(),
        },
    )


# -- proposals -------------------------------------------------------------------------------


def _plans_to_add_to(request: AuthedHttpRequest) -> list[tuple[int, str]]:
    return list(
        plans_editable_by(request.user)
        .filter(Q(status=ActionPlan.Status.DRAFT) | Q(status=ActionPlan.Status.ACTIVE))
        .filter(ends_on__gte=timezone.localdate())
        .order_by("-starts_on", "name")
        .values_list("id", "name")
    )


def _proposal_scope_choices(user: Any) -> list[tuple[str, str]]:
    scopes = plan_scope_choices(user)
    labels = scope_labels(scopes, prefixed=True)
    return [(s.key, labels.get(s.key, s.key)) for s in scopes]


def _proposal_scope(request: AuthedHttpRequest) -> Scope:
    """The scope asked (``?scope=``) among those the user plans for, else the broadest."""
    scopes = plan_scope_choices(request.user)
    if not scopes:
        raise Http404
    asked = request.GET.get("scope") or request.POST.get("scope") or ""
    return next((s for s in scopes if s.key == asked), scopes[0])


@staff_required
def proposals_view(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    scope = _proposal_scope(request)
    data = proposals_for(user=user, scope=scope)
    plans = _plans_to_add_to(request)
    return render(
        request,
        "plans/proposals.html",
        {
            **data,
            "plans": plans,
            "add_form": ProposalAddForm(plans=plans),
            "can_create": plan_can_create(user=user),
            "kinds": dict(Action.Kind.choices),
            "scope_choices": _proposal_scope_choices(user),
            "scope_key": scope.key,
        },
    )


@staff_required
@require_POST
def proposal_add_view(request: AuthedHttpRequest) -> HttpResponse:
    """One click: the proposal becomes a planned action of the chosen plan, its dates, cost
    and expected revenue as proposed (to be refined on the action's page)."""
    user = request.user
    scope = _proposal_scope(request)
    form = ProposalAddForm(request.POST, plans=_plans_to_add_to(request))
    if not form.is_valid():
        messages.error(request, _("Pick a plan you may change (draft or active)."))
        return redirect(reverse("plans:proposals") + f"?scope={scope.key}")
    proposal = proposal_find(user=user, key=form.cleaned_data["proposal"], scope=scope)
    if proposal is None:
        messages.error(request, _("This proposal is no longer offered: the figures moved."))
        return redirect(reverse("plans:proposals") + f"?scope={scope.key}")
    plan = get_plan_for_user(user=user, plan_id=int(form.cleaned_data["plan"]))
    if not action_can_create(user=user, plan=plan, kind=proposal.kind):
        raise Http404
    kind_label = dict(Action.Kind.choices).get(proposal.kind, proposal.kind)
    try:
        action = action_create(
            plan=plan,
            by=user,
            data=ActionInput(
                kind=proposal.kind,
                title=_("%(kind)s against the %(month)s gap")
                % {"kind": kind_label, "month": proposal.month.strftime("%m/%Y")},
                owner=user,
                starts_on=proposal.start,
                ends_on=proposal.end,
                description=_(
                    "Proposed from the counter-seasonality proposals: this type returned "
                    "%(roi)s times its cost at this time of year (%(n)s past actions)."
                )
                % {"roi": proposal.roi, "n": proposal.past_actions},
                planned_cost=proposal.cost,
                expected_revenue={proposal.month: proposal.expected},
            ),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("plans:proposals") + f"?scope={scope.key}")
    messages.success(request, _("Proposed action added to the plan."))
    return redirect("plans:action_detail", action.pk)


# -- calendar ------------------------------------------------------------------------------------


def _calendar_day(request: AuthedHttpRequest) -> dt.date:
    raw = request.GET.get("date", "")
    try:
        day = dt.date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    if not 2000 <= day.year <= 2100:
        day = timezone.localdate()
    return day


def _int_arg(request: AuthedHttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


@staff_required
def calendar_view(request: AuthedHttpRequest) -> HttpResponse:
    """Month or week of actions, activities and tasks, filtered by team, partner and type."""
    user = request.user
    view = "week" if request.GET.get("view") == "week" else "month"
    day = _calendar_day(request)
    first_weekday = int(get_format("FIRST_DAY_OF_WEEK"))
    teams = SalesTeam.objects.filter(
        pk__in=[s.id for s in scopes_for(user) if s.kind == "team"]
    ).order_by("name")
    partners = partners_visible_to(user).order_by("name")
    team_id = _int_arg(request, "team")
    partner_id = _int_arg(request, "partner")
    kind = request.GET.get("type", "")
    if kind not in (*calendar.TYPES, *Action.Kind.values):
        kind = ""
    filters = calendar.Filters(
        team_id=team_id if team_id and teams.filter(pk=team_id).exists() else None,
        partner_id=partner_id if partner_id and partners.filter(pk=partner_id).exists() else None,
        kind=kind,
    )
    if view == "week":
        weeks = [calendar.week_days(day, first_weekday)]
        previous, following = day - dt.timedelta(days=7), day + dt.timedelta(days=7)
    else:
        weeks = calendar.month_weeks(day, first_weekday)
        month = day.replace(day=1)
        previous = (month - dt.timedelta(days=1)).replace(day=1)
        following = (month + dt.timedelta(days=32)).replace(day=1)
    first, last = weeks[0][0], weeks[-1][-1]
    entries = calendar.calendar_entries(user=user, first=first, last=last, filters=filters)
    by_day = calendar.entries_by_day(entries, first, last)
    query = {
        k: v
        for k, v in (
            ("view", view),
            ("team", filters.team_id),
            ("partner", filters.partner_id),
            ("type", filters.kind),
        )
        if v
    }
    return render(
        request,
        "plans/calendar.html",
        {
            "view": view,
            "day": day,
            "month": day.replace(day=1),
            "weeks": [[(d, by_day.get(d, [])) for d in week] for week in weeks],
            "agenda": [(d, by_day[d]) for d in sorted(by_day)],
            "weekdays": weeks[0],
            "today": timezone.localdate(),
            "previous_q": urlencode({**query, "date": previous.isoformat()}),
            "next_q": urlencode({**query, "date": following.isoformat()}),
            "today_q": urlencode(query),
            "month_q": urlencode({**query, "view": "month", "date": day.isoformat()}),
            "week_q": urlencode({**query, "view": "week", "date": day.isoformat()}),
            "week_base_q": urlencode({**query, "view": "week"}),
            "teams": teams,
            "partners": partners,
            "filters": filters,
            "types": [
                ("actions", _("Plan actions")),
                ("activities", _("Activities")),
                ("tasks", _("Plan tasks")),
                *Action.Kind.choices,
            ],
            "has_feed": CalendarFeedToken.objects.filter(
                user=user, revoked_at__isnull=True
            ).exists(),
            "feed_url": request.session.pop("calendar_feed_url", ""),
        },
    )


@staff_required
@require_POST
def calendar_feed_view(request: AuthedHttpRequest) -> HttpResponse:
    """Make a new secret feed address (the previous one stops working), or revoke it."""
    user = request.user
    if request.POST.get("revoke"):
        calendar_feed_revoke(user=user)
        messages.success(request, _("Calendar feed revoked: its address no longer works."))
    else:
        key = calendar_feed_create(user=user)
        request.session["calendar_feed_url"] = request.build_absolute_uri(
            reverse("plans:calendar_ics", args=[key])
        )
        messages.success(
            request, _("New calendar feed address: copy it now, it is shown only once.")
        )
    return redirect("plans:calendar")


def calendar_ics_view(request: HttpRequest, key: str) -> HttpResponse:
    """A user's calendar as iCalendar, at its secret address (no login: calendar apps
    cannot log in). An unknown or revoked key answers 404."""
    user = calendar.feed_user(key) if len(key) < 100 else None
    if user is None:
        raise Http404("No such calendar.")
    with translation.override(user.language or translation.get_language()):
        body = calendar.feed_ics(user)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


@staff_required
def plan_ics_view(request: AuthedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_plan_for_user(user=request.user, plan_id=plan_id)
    response = HttpResponse(
        calendar.plan_ics(plan=plan, user=request.user), content_type="text/calendar"
    )
    response["Content-Disposition"] = f'attachment; filename="plan-{plan.pk}.ics"'
    return response
