"""API: action plans and their actions under /api/v1/plans and /api/v1/actions.

Staff read the plans they see and change those they may (``plans.permissions``, as the pages
do); every write goes through ``plans.services``. Partner users read their joint plans as
the versions shared with them, in the portal: the live plan (drafts of the next version
included) is not served to them here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from dirco.api.auth import request_user
from dirco.api.errors import ErrorOut
from dirco.api.pagination import Page, PageParams, paginate
from dirco.api.schemas import (
    DecimalString,
    Id,
    InputSchema,
    IsoDate,
    Name,
    Text,
    UserRef,
    choices_schema,
    refs_resolve,
)
from dirco.api.versioning import etag_set, if_match_version
from dirco.plans.models import Action, ActionPlan
from dirco.plans.permissions import (
    action_can_create,
    action_can_edit,
    actions_visible_to,
    plan_can_create,
    plan_can_edit,
    plan_owner_choices,
    plans_api_visible_to,
)
from dirco.plans.selectors import plan_impact
from dirco.plans.services import (
    ActionInput,
    PlanInput,
    action_create,
    action_delete,
    action_set_status,
    action_update,
    plan_create,
    plan_delete,
    plan_set_status,
    plan_update,
)
from dirco.scopes import Scope

router = Router(tags=["action plans"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
Amount = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
PlanStatusField = Annotated[
    ActionPlan.Status, choices_schema(ActionPlan.Status, "ActionPlanStatus")
]
PlanScopeKindField = Annotated[
    ActionPlan.ScopeKind, choices_schema(ActionPlan.ScopeKind, "ActionPlanScopeKind")
]
ActionKindField = Annotated[Action.Kind, choices_schema(Action.Kind, "ActionKind")]
ActionStatusField = Annotated[Action.Status, choices_schema(Action.Status, "ActionStatus")]
Month = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2026-07"])]


class PlanOut(Schema):
    id: int
    name: str
    scope: str = Field(description="company, team:ID, rep:ID or partner:ID")
    scope_kind: str
    period: str
    fiscal_year: int
    starts_on: dt.date
    ends_on: dt.date
    status: str
    owner: UserRef
    objective_ids: list[int]
    diagnosis: str = Field(description="Markdown.")
    next_review_on: dt.date | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int = Field(description="Bumped on each change; sent as the ETag.")

    @staticmethod
    def resolve_scope(obj: ActionPlan) -> str:
        return obj.scope_key

    @staticmethod
    def resolve_objective_ids(obj: ActionPlan) -> list[int]:
        return sorted(o.pk for o in obj.objectives.all())


class PlanIn(InputSchema):
    name: Name = Field(min_length=1)
    scope: str = Field(max_length=40, description="company, team:ID, rep:ID or partner:ID")
    period: str = Field(max_length=10, description="2026, 2026-Q2 or 2026-05 (fiscal).")
    owner_id: Id | None = Field(None, description="Omitted: the caller.")
    objective_ids: list[Id] = Field(default_factory=list, max_length=100)
    diagnosis: Text = ""
    next_review_on: IsoDate | None = None


class PlanStatusIn(InputSchema):
    status: PlanStatusField


class PlanFilters(Schema):
    status: PlanStatusField | None = None
    scope_kind: PlanScopeKindField | None = None
    fiscal_year: int | None = Field(None, ge=2000, le=2100)


class ActionOut(Schema):
    id: int
    plan_id: int
    kind: str
    title: str
    description: str
    owner: UserRef
    starts_on: dt.date
    ends_on: dt.date
    status: str
    planned_cost: DecimalString
    actual_cost: DecimalString | None
    expected_revenue: dict[str, DecimalString] = Field(description="By month (YYYY-MM).")
    territory_ids: list[int]
    tier_ids: list[int]
    product_line_ids: list[int]
    account_ids: list[int]
    partner_ids: list[int]
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int = Field(description="Bumped on each change; sent as the ETag.")

    @staticmethod
    def resolve_expected_revenue(obj: Action) -> dict[str, str]:
        return {f"{m.month:%Y-%m}": str(m.expected_revenue) for m in obj.months.all()}

    @staticmethod
    def resolve_territory_ids(obj: Action) -> list[int]:
        return sorted(x.pk for x in obj.territories.all())

    @staticmethod
    def resolve_tier_ids(obj: Action) -> list[int]:
        return sorted(x.pk for x in obj.tiers.all())

    @staticmethod
    def resolve_product_line_ids(obj: Action) -> list[int]:
        return sorted(x.pk for x in obj.product_lines.all())

    @staticmethod
    def resolve_account_ids(obj: Action) -> list[int]:
        return sorted(x.pk for x in obj.accounts.all())

    @staticmethod
    def resolve_partner_ids(obj: Action) -> list[int]:
        return sorted(x.pk for x in obj.partners.all())


class ActionIn(InputSchema):
    kind: ActionKindField
    title: Name = Field(min_length=1)
    description: Text = ""
    owner_id: Id | None = Field(None, description="Omitted: the caller.")
    starts_on: IsoDate
    ends_on: IsoDate
    planned_cost: Amount = Decimal(0)
    expected_revenue: dict[Month, Amount] = Field(
        default_factory=dict, description="Expected won revenue by month (YYYY-MM)."
    )
    territory_ids: list[Id] = Field(default_factory=list, max_length=200)
    tier_ids: list[Id] = Field(default_factory=list, max_length=50)
    product_line_ids: list[Id] = Field(default_factory=list, max_length=200)
    account_ids: list[Id] = Field(default_factory=list, max_length=200)
    partner_ids: list[Id] = Field(default_factory=list, max_length=200)


class ActionCreateIn(ActionIn):
    plan_id: Id


class ActionStatusIn(InputSchema):
    status: ActionStatusField
    actual_cost: Amount | None = None


class ActionFilters(Schema):
    plan_id: Id | None = None
    status: ActionStatusField | None = None
    kind: ActionKindField | None = None


class ImpactOut(Schema):
    computed_for: str
    actions: list[dict[str, Any]]
    totals: dict[str, Any]


def _owner(user: Any, owner_id: int | None) -> Any:
    if owner_id is None:
        return user
    return refs_resolve({"owner_id": owner_id}, {"owner": plan_owner_choices(user)})["owner"]


def _plans(user: Any) -> Any:
    return plans_api_visible_to(user).select_related("owner").prefetch_related("objectives")


def _plan(user: Any, plan_id: int) -> ActionPlan:
    try:
        plan: ActionPlan = _plans(user).get(pk=plan_id)
    except ActionPlan.DoesNotExist:
        raise Http404("No such plan.") from None
    return plan


def _plan_input(user: Any, payload: PlanIn) -> PlanInput:
    return PlanInput(
        name=payload.name,
        scope=Scope.parse(payload.scope),
        period=payload.period.strip(),
        owner=_owner(user, payload.owner_id),
        objective_ids=tuple(sorted(set(payload.objective_ids))),
        diagnosis=payload.diagnosis,
        next_review_on=payload.next_review_on,
    )


def _action_input(user: Any, payload: ActionIn) -> ActionInput:
    return ActionInput(
        kind=payload.kind,
        title=payload.title,
        owner=_owner(user, payload.owner_id),
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        description=payload.description,
        planned_cost=payload.planned_cost,
        expected_revenue={
            dt.date(int(m[:4]), int(m[5:7]), 1): amount
            for m, amount in payload.expected_revenue.items()
        },
        territory_ids=tuple(sorted(set(payload.territory_ids))),
        tier_ids=tuple(sorted(set(payload.tier_ids))),
        product_line_ids=tuple(sorted(set(payload.product_line_ids))),
        account_ids=tuple(sorted(set(payload.account_ids))),
        partner_ids=tuple(sorted(set(payload.partner_ids))),
    )


def _editable_plan(user: Any, plan_id: int) -> ActionPlan:
    plan = _plan(user, plan_id)
    if not plan_can_edit(user=user, plan=plan):
        raise PermissionDenied(_("You may see this plan but not change it."))
    return plan


# -- plans ------------------------------------------------------------------------------------


@router.get("/plans", response={200: Page[PlanOut], **ERRORS}, summary="Action plans")
def plan_list_endpoint(
    request: HttpRequest, filters: Query[PlanFilters], page: Query[PageParams]
) -> Any:
    qs = _plans(request_user(request))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.scope_kind:
        qs = qs.filter(scope_kind=filters.scope_kind)
    if filters.fiscal_year:
        qs = qs.filter(fiscal_year=filters.fiscal_year)
    return paginate(request, qs, order=("-starts_on", "-id"), params=page)


@router.get("/plans/{plan_id}", response={200: PlanOut, **ERRORS}, summary="An action plan")
def plan_detail_endpoint(request: HttpRequest, plan_id: Id, response: HttpResponse) -> Any:
    plan = _plan(request_user(request), plan_id)
    etag_set(response, plan.version)
    return plan


@router.get(
    "/plans/{plan_id}/impact",
    response={200: ImpactOut, **ERRORS},
    summary="Expected against measured won revenue, cost, ROI and uplift of a plan's actions",
)
def plan_impact_endpoint(request: HttpRequest, plan_id: Id) -> Any:
    plan = _plan(request_user(request), plan_id)
    impact = plan_impact(plan=plan)
    return {k: impact[k] for k in ("computed_for", "actions", "totals")}


@router.post("/plans", response={201: PlanOut, **ERRORS}, summary="Create an action plan")
def plan_create_endpoint(request: HttpRequest, payload: PlanIn) -> Any:
    user = request_user(request)
    if not plan_can_create(user=user):
        raise PermissionDenied(_("Your role does not make action plans."))
    plan = plan_create(by=user, data=_plan_input(user, payload))
    return Status(201, _plan(user, plan.pk))


@router.put(
    "/plans/{plan_id}",
    response={200: PlanOut, **ERRORS, 412: ErrorOut},
    summary="Change a plan (If-Match: the ETag read, or 412)",
)
def plan_update_endpoint(
    request: HttpRequest, plan_id: Id, payload: PlanIn, response: HttpResponse
) -> Any:
    user = request_user(request)
    plan = _editable_plan(user, plan_id)
    plan = plan_update(
        plan=plan,
        by=user,
        data=_plan_input(user, payload),
        expected_version=if_match_version(request),
    )
    etag_set(response, plan.version)
    return _plan(user, plan_id)


@router.post(
    "/plans/{plan_id}/status",
    response={200: PlanOut, **ERRORS},
    summary="Activate, close or reopen a plan",
)
def plan_status_endpoint(request: HttpRequest, plan_id: Id, payload: PlanStatusIn) -> Any:
    user = request_user(request)
    plan = _editable_plan(user, plan_id)
    plan_set_status(plan=plan, status=payload.status)
    return _plan(user, plan_id)


@router.delete(
    "/plans/{plan_id}",
    response={204: None, **ERRORS},
    summary="Delete a draft plan never shared with a partner",
)
def plan_delete_endpoint(request: HttpRequest, plan_id: Id) -> Any:
    plan = _editable_plan(request_user(request), plan_id)
    plan_delete(plan=plan)
    return Status(204, None)


# -- actions ----------------------------------------------------------------------------------


def _actions(user: Any) -> Any:
    """The actions of the plans the API serves ``user`` that ``user`` sees."""
    return (
        actions_visible_to(user)
        .filter(plan__in=plans_api_visible_to(user).values("id"))
        .select_related("owner")
        .prefetch_related("months", "territories", "tiers", "product_lines", "accounts", "partners")
    )


def _action(user: Any, action_id: int) -> Action:
    try:
        action: Action = _actions(user).get(pk=action_id)
    except Action.DoesNotExist:
        raise Http404("No such action.") from None
    return action


def _editable_action(user: Any, action_id: int) -> Action:
    action = _action(user, action_id)
    if not action_can_edit(user=user, action=action):
        raise PermissionDenied(_("You may see this action but not change it."))
    return action


@router.get("/actions", response={200: Page[ActionOut], **ERRORS}, summary="Actions of plans")
def action_list_endpoint(
    request: HttpRequest, filters: Query[ActionFilters], page: Query[PageParams]
) -> Any:
    qs = _actions(request_user(request))
    if filters.plan_id is not None:
        qs = qs.filter(plan_id=filters.plan_id)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return paginate(request, qs, order=("starts_on", "id"), params=page)


@router.get("/actions/{action_id}", response={200: ActionOut, **ERRORS}, summary="An action")
def action_detail_endpoint(request: HttpRequest, action_id: Id, response: HttpResponse) -> Any:
    action = _action(request_user(request), action_id)
    etag_set(response, action.version)
    return action


@router.post("/actions", response={201: ActionOut, **ERRORS}, summary="Add an action to a plan")
def action_create_endpoint(request: HttpRequest, payload: ActionCreateIn) -> Any:
    user = request_user(request)
    plan = _plan(user, payload.plan_id)
    if not action_can_create(user=user, plan=plan, kind=payload.kind):
        raise PermissionDenied(_("You may not add this action to this plan."))
    action = action_create(plan=plan, by=user, data=_action_input(user, payload))
    return Status(201, _action(user, action.pk))


@router.put(
    "/actions/{action_id}",
    response={200: ActionOut, **ERRORS, 412: ErrorOut},
    summary="Change an action (If-Match: the ETag read, or 412)",
)
def action_update_endpoint(
    request: HttpRequest, action_id: Id, payload: ActionIn, response: HttpResponse
) -> Any:
    user = request_user(request)
    action = _editable_action(user, action_id)
    action = action_update(
        action=action,
        by=user,
        data=_action_input(user, payload),
        expected_version=if_match_version(request),
    )
    etag_set(response, action.version)
    return _action(user, action_id)


@router.post(
    "/actions/{action_id}/status",
    response={200: ActionOut, **ERRORS},
    summary="Run, finish or cancel an action (with its actual cost)",
)
def action_status_endpoint(request: HttpRequest, action_id: Id, payload: ActionStatusIn) -> Any:
    user = request_user(request)
    action = _editable_action(user, action_id)
    action_set_status(action=action, status=payload.status, actual_cost=payload.actual_cost)
    return _action(user, action_id)


@router.delete("/actions/{action_id}", response={204: None, **ERRORS}, summary="Delete an action")
def action_delete_endpoint(request: HttpRequest, action_id: Id) -> Any:
    action = _editable_action(request_user(request), action_id)
    action_delete(action=action)
    return Status(204, None)
