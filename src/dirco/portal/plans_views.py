"""The portal's joint business plans: a partner's plan, once shared by its channel manager,
read by the partner's users as numbered versions; they comment, and the partner admin
accepts the latest version. Plans are reached through ``plans.permissions``: another
partner's plan, or a plan never shared, answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dirco.core.errors import ApplicationError
from dirco.plans.diagnosis import diagnosis_html
from dirco.plans.forms import CommentForm
from dirco.plans.models import Action
from dirco.plans.permissions import (
    get_plan_for_user,
    plan_can_comment,
    plan_version_can_accept,
    plans_visible_to,
)
from dirco.plans.services import plan_version_accept
from dirco.plans.views import plan_comment_post
from dirco.portal.http import partner_required
from dirco.portal.views import _page, _render
from dirco.web.http import AuthedHttpRequest

SECTION = "plans"


@partner_required
def plan_list_view(request: AuthedHttpRequest) -> HttpResponse:
    plans = plans_visible_to(request.user).order_by("-starts_on", "name", "id")
    return _render(
        request, "portal/plan_list.html", {"page": _page(request, plans)}, section=SECTION
    )


@partner_required
def plan_detail_view(request: AuthedHttpRequest, plan_id: int) -> HttpResponse:
    user = request.user
    plan = get_plan_for_user(user=user, plan_id=plan_id)
    versions = list(plan.versions.select_related("shared_by", "accepted_by").order_by("-number"))
    if not versions:  # pragma: no cover - plans_visible_to shows partners shared plans only
        raise Http404
    asked = request.GET.get("version", "")
    version = next((v for v in versions if str(v.number) == asked), versions[0])
    snapshot = version.snapshot
    kinds = dict(Action.Kind.choices)
    statuses = dict(Action.Status.choices)
    actions = [
        {
            **a,
            "kind_label": kinds.get(a["kind"], a["kind"]),
            "status_label": statuses.get(a["status"], a["status"]),
        }
        for a in snapshot.get("actions", [])
    ]
    return _render(
        request,
        "portal/plan_detail.html",
        {
            "plan": plan,
            "version": version,
            "versions": versions,
            "snapshot": snapshot,
            "actions": actions,
            "diagnosis": diagnosis_html(snapshot.get("diagnosis", "")),
            "can_accept": plan_version_can_accept(user=user, version=version),
            "can_comment": plan_can_comment(user=user, plan=plan),
            "comments": plan.comments.select_related("author").order_by("created_at"),
            "comment_form": CommentForm(),
        },
        section=SECTION,
    )


@partner_required
@require_POST
def plan_comment_view(request: AuthedHttpRequest, plan_id: int) -> HttpResponse:
    user = request.user
    plan = get_plan_for_user(user=user, plan_id=plan_id)
    if plan_can_comment(user=user, plan=plan):
        plan_comment_post(request, plan)
    else:
        messages.error(request, _("Write a comment first (5,000 characters at most)."))
    return redirect("portal:plan_detail", plan.pk)


@partner_required
@require_POST
def plan_accept_view(request: AuthedHttpRequest, plan_id: int, number: int) -> HttpResponse:
    user = request.user
    plan = get_plan_for_user(user=user, plan_id=plan_id)
    version = plan.versions.filter(number=number).first()
    if version is None:
        raise Http404
    try:
        plan_version_accept(version=version, by=user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Version %(n)s accepted.") % {"n": version.number})
    return redirect("portal:plan_detail", plan.pk)
