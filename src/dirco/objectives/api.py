"""API: objectives (CRUD, monthly split, allocation, publish), attainment, curve, gap,
leaderboards and forecast calls. Mounted at /api/v1/.

Reads go through objectives.permissions / objectives.selectors (404 for what the caller may
not see), writes through objectives.services (400 with the field to blame, nothing saved).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from dirco.accounts.models import User
from dirco.api.auth import request_user
from dirco.api.errors import ErrorOut
from dirco.api.pagination import Page, PageParams, paginate
from dirco.api.schemas import DecimalString, FiscalYear, Id, InputSchema, StrictBool, Text
from dirco.api.versioning import etag_set, if_match_version
from dirco.catalog.models import ProductLine
from dirco.core.errors import ApplicationError
from dirco.objectives.fiscal_calendar import fiscal_year_of
from dirco.objectives.models import Objective
from dirco.objectives.permissions import (
    get_objective_for_user,
    objective_can_allocate,
    objective_can_delete,
    objective_can_edit,
    objectives_visible_to,
)
from dirco.objectives.selectors import (
    attainment_for,
    gap_to_objective,
    leaderboard,
    objective_curve,
    objective_detail,
)
from dirco.objectives.services import (
    forecast_adjust,
    forecast_call_submit,
    objective_allocate,
    objective_create,
    objective_delete,
    objective_months_set,
    objective_publish,
    objective_update,
)
from dirco.scopes import Scope

router = Router(tags=["objectives"])

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
Money = DecimalString
MaybeMoney = DecimalString | None


class MonthOut(Schema):
    month_index: int
    month: dt.date
    amount: Money
    is_override: bool


class ChangeOut(Schema):
    month: dt.date
    from_amount: Money
    to_amount: Money
    changed_by: str | None
    changed_at: dt.datetime

    @staticmethod
    def resolve_changed_by(obj: Any) -> str | None:
        return str(obj.changed_by) if obj.changed_by else None


class ObjectiveOut(Schema):
    id: int
    scope: str = Field(alias="scope_key")
    scope_kind: str
    product_line_id: int | None
    fiscal_year: int
    measure: str
    amount: Money
    status: str
    parent_id: int | None
    split_method: str
    split_note: str
    set_by_id: int | None
    set_at: dt.datetime
    published_at: dt.datetime | None
    version: int = Field(description="Bumped on each change; sent as the ETag.")


class AllocationChildOut(Schema):
    id: int
    scope: str
    label: str
    amount: Money
    status: str
    counted: bool
    share: MaybeMoney


class AllocationOut(Schema):
    objective_id: int
    amount: Money
    allocated: Money
    remaining: Money
    status: str
    overlay: Money
    children: list[AllocationChildOut]
    note: str = ""


class ObjectiveDetailOut(ObjectiveOut):
    months: list[MonthOut]
    changes: list[ChangeOut]
    allocation: AllocationOut


class ObjectiveFilters(Schema):
    fiscal_year: FiscalYear | None = None
    scope: str | None = Field(
        None, max_length=60, description="company, team:ID, rep:ID, partner:ID, ..."
    )
    status: Literal["", "draft", "published"] = ""


class ObjectiveIn(InputSchema):
    scope: str = Field(
        max_length=60, description="company, team:ID, rep:ID, partner:ID or product_line:ID"
    )
    fiscal_year: int
    amount: Decimal = Field(description="Yearly amount (company currency for won revenue).")
    measure: Objective.Measure = Objective.Measure.WON_REVENUE
    product_line_id: Id | None = None
    split_method: Objective.SplitMethod = Objective.SplitMethod.LEARNED
    percentages: list[Decimal] | None = Field(None, description="12 numbers summing to 100.")
    parent_id: Id | None = None


class ObjectivePatch(InputSchema):
    amount: Decimal | None = None
    split_method: Objective.SplitMethod | None = None
    percentages: list[Decimal] | None = None


class MonthsIn(InputSchema):
    amounts: dict[str, Decimal] = Field(description="Fiscal month (1-12) -> amount.")
    rebalance: StrictBool = False


class AllocateIn(InputSchema):
    method: Literal["history", "forecast", "manual"] = "history"
    amounts: dict[str, Decimal] | None = Field(None, description="Scope key -> amount (manual).")
    targets: list[str] | None = Field(None, description="Scope keys (history and forecast).")


class PublishIn(InputSchema):
    confirm: StrictBool = False


class CurveRowOut(Schema):
    period: str
    fiscal_month: int
    objective: Money
    objective_cumulative: Money
    actual: MaybeMoney
    actual_cumulative: MaybeMoney
    forecast: MaybeMoney
    lower80: MaybeMoney
    upper80: MaybeMoney
    lower95: MaybeMoney
    upper95: MaybeMoney
    projected_cumulative: Money
    is_complete: bool
    is_current: bool
    under_objective: bool = Field(
        description="A complete month at whose end cumulative won was below cumulative objective."
    )
    below_month_objective: bool = Field(
        description="A complete month whose own won revenue was below its own objective."
    )


class ObjectiveBriefOut(Schema):
    id: int
    amount: Money
    status: str
    split_method: str
    split_note: str


class CurveOut(Schema):
    scope: str
    label: str
    fiscal_year: int
    measure: str
    currency: str
    objective: ObjectiveBriefOut | None
    rows: list[CurveRowOut]
    as_of: dt.date
    months_under_objective: int
    forecast_method: str
    forecast_summary: str
    warnings: list[str]


class CallOut(Schema):
    owner_call: MaybeMoney
    manager_call: MaybeMoney
    note: str
    by: str
    at: dt.datetime


class CategoriesOut(Schema):
    closed: Money
    commit: Money
    best_case: Money
    pipeline: Money
    omitted: Money


class AttainmentOut(Schema):
    scope: str
    label: str
    period: str
    period_kind: str
    fiscal_year: int
    first_month: dt.date
    last_month: dt.date
    measure: str
    currency: str
    objective: ObjectiveBriefOut | None
    objective_full: Money
    objective_to_date: Money
    won_to_date: Money
    won_count: int
    attainment_to_date_pct: MaybeMoney
    attainment_full_pct: MaybeMoney
    as_of: dt.date
    gap_to_date: Money = Field(description="Objective to date - won to date, 0 when ahead.")
    remaining_objective: Money = Field(
        description="Gap to period end: full objective - won to date, 0 when reached."
    )
    open_amount: Money
    open_weighted: Money
    open_count: int
    coverage: MaybeMoney = Field(description="Weighted open pipeline / objective left to win.")
    categories: CategoriesOut
    calls: list[CallOut]
    statistical_forecast: MaybeMoney
    statistical_lower80: MaybeMoney
    statistical_upper80: MaybeMoney
    projected_landing: Money
    projected_lower80: MaybeMoney
    projected_upper80: MaybeMoney
    landing_method: str = Field(description="forecast, weighted_pipeline or closed.")
    projected_attainment_pct: MaybeMoney
    won_same_months_last_year: Money
    yoy_growth_pct: MaybeMoney
    win_rate_pct: MaybeMoney
    avg_deal_size: MaybeMoney
    cycle_days: int | None
    forecast_summary: str


class GapRowOut(Schema):
    period: str
    objective: Money
    carried_over: Money
    won: Money
    weighted_pipeline: Money
    to_win: Money
    gap: Money
    days_left: int
    capacity: MaybeMoney
    new_deals_can_close: bool
    planned: Money
    from_pipeline: Money
    from_new_pipeline: Money
    rolls_over: Money
    deals_to_win: int | None
    deals_to_create: int | None
    pipeline_to_create: MaybeMoney
    create_by: dt.date | None


class GapOut(Schema):
    scope: str
    label: str
    fiscal_year: int
    currency: str
    objective: ObjectiveBriefOut | None
    stats: dict[str, Any]
    as_of: dt.date
    objective_full: Money
    objective_to_date: Money
    won_to_date: Money
    attainment_to_date_pct: MaybeMoney
    behind_to_date: Money = Field(description="Gap to date: objective to date - won to date.")
    gap_to_period_end: Money
    rows: list[GapRowOut]
    total_gap: Money = Field(description="Gap to period end (kept for older clients).")
    capacity: MaybeMoney = Field(description="Best month of the last 12 complete months.")
    shortfall: Money = Field(description="What cannot be won by the year's end at capacity.")
    shortfall_pct: MaybeMoney
    reachable: bool
    total_deals_to_win: int | None
    total_deals_to_create: int | None
    total_pipeline_to_create: MaybeMoney


class LeaderboardRowOut(Schema):
    rank: int
    scope: str
    label: str
    won: Money
    won_count: int
    objective: MaybeMoney
    objective_to_date: MaybeMoney
    attainment_pct: MaybeMoney
    attainment_to_date_pct: MaybeMoney
    gap_to_date: MaybeMoney
    won_last_year: Money
    growth_pct: MaybeMoney
    win_rate_pct: MaybeMoney
    avg_deal_size: MaybeMoney
    cycle_days: int | None
    open_weighted: Money
    deals_created: int
    activities_done: int | None
    activities_created: int | None


class ScopeYearQuery(Schema):
    scope: str = Field("company", max_length=60)
    year: FiscalYear | None = Field(None, description="Fiscal year; the current one by default.")
    product_line_id: Id | None = None


class AttainmentQuery(Schema):
    scope: str = Field("company", max_length=60)
    period: str | None = Field(None, max_length=10, description="2026, 2026-Q2 or 2026-05.")
    product_line_id: Id | None = None


class LeaderboardQuery(Schema):
    kind: Literal["rep", "team", "partner", "product_line"] = "rep"
    year: FiscalYear | None = None


class CallIn(InputSchema):
    scope: str = Field(max_length=60)
    period: str = Field(max_length=10)
    owner_call: Decimal | None = None
    manager_call: Decimal | None = None
    note: Text = ""


def _detail(objective: Objective, user: User) -> dict[str, Any]:
    detail = objective_detail(objective=objective, user=user)
    names = [f for f in ObjectiveOut.model_fields if f != "scope"]
    return {
        **{name: getattr(objective, name) for name in names},
        "scope_key": objective.scope_key,
        "months": detail["months"],
        "changes": detail["changes"],
        "allocation": detail["allocation"],
    }


def _editable(request: HttpRequest, objective_id: Id) -> tuple[Any, Objective]:
    user = request_user(request)
    objective = get_objective_for_user(user=user, objective_id=objective_id)
    if not objective_can_edit(user=user, objective=objective):
        raise PermissionDenied(_("You may see this objective but not change it."))
    return user, objective


def _year(year: int | None) -> int:
    return year or fiscal_year_of(timezone.localdate())


@router.get("/objectives", response={200: Page[ObjectiveOut], **ERRORS}, summary="Objectives")
def objective_list(
    request: HttpRequest, filters: Query[ObjectiveFilters], page: Query[PageParams]
) -> Any:
    qs = objectives_visible_to(request_user(request))
    if filters.fiscal_year:
        qs = qs.filter(fiscal_year=filters.fiscal_year)
    if filters.scope:
        qs = qs.filter(scope_key=Scope.parse(filters.scope).key)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return paginate(request, qs, order=("-fiscal_year", "scope_key", "id"), params=page)


@router.get(
    "/objectives/{objective_id}",
    response={200: ObjectiveDetailOut, **ERRORS},
    summary="An objective with its months, changes and allocation",
)
def objective_get(request: HttpRequest, objective_id: Id, response: HttpResponse) -> Any:
    user = request_user(request)
    objective = get_objective_for_user(user=user, objective_id=objective_id)
    etag_set(response, objective.version)
    return _detail(objective, user)


@router.post(
    "/objectives", response={201: ObjectiveDetailOut, **ERRORS}, summary="Set an objective"
)
def objective_create_endpoint(request: HttpRequest, payload: ObjectiveIn) -> Any:
    user = request_user(request)
    line = None
    if payload.product_line_id is not None:
        line = ProductLine.objects.filter(pk=payload.product_line_id).first()
        if line is None:
            raise ApplicationError(
                _("Unknown product line: %(id)s.") % {"id": payload.product_line_id},
                fields={"product_line": [_("Unknown product line.")]},
            )
    parent = None
    if payload.parent_id is not None:
        parent = objectives_visible_to(user).filter(pk=payload.parent_id).first()
        if parent is None:
            raise ApplicationError(
                _("Unknown parent objective: %(id)s.") % {"id": payload.parent_id},
                fields={"parent": [_("Unknown objective.")]},
            )
    objective = objective_create(
        user=user,
        scope=Scope.parse(payload.scope),
        fiscal_year=payload.fiscal_year,
        amount=payload.amount,
        measure=payload.measure,
        product_line=line,
        split_method=payload.split_method,
        percentages=payload.percentages,
        parent=parent,
    )
    return Status(201, _detail(objective, user))


@router.patch(
    "/objectives/{objective_id}",
    response={200: ObjectiveDetailOut, **ERRORS, 412: ErrorOut},
    summary="Change the amount or the monthly split (If-Match: the ETag read, or 412)",
)
def objective_patch(
    request: HttpRequest, objective_id: Id, payload: ObjectivePatch, response: HttpResponse
) -> Any:
    user, objective = _editable(request, objective_id)
    objective = objective_update(
        objective=objective,
        user=user,
        amount=payload.amount,
        split_method=payload.split_method,
        percentages=payload.percentages,
        expected_version=if_match_version(request),
    )
    etag_set(response, objective.version)
    return _detail(objective, user)


@router.put(
    "/objectives/{objective_id}/months",
    response={200: ObjectiveDetailOut, **ERRORS, 412: ErrorOut},
    summary="Set months by hand (audited; If-Match: the ETag read, or 412)",
)
def objective_months_put(
    request: HttpRequest, objective_id: Id, payload: MonthsIn, response: HttpResponse
) -> Any:
    """The months must still add up to the year unless ``rebalance`` spreads the difference
    over the months not set by hand."""
    user, objective = _editable(request, objective_id)
    objective_months_set(
        objective=objective,
        user=user,
        amounts=dict(payload.amounts),
        rebalance=payload.rebalance,
        expected_version=if_match_version(request),
    )
    objective = Objective.objects.get(pk=objective.pk)
    etag_set(response, objective.version)
    return _detail(objective, user)


@router.delete(
    "/objectives/{objective_id}", response={204: None, **ERRORS}, summary="Delete an objective"
)
def objective_delete_endpoint(request: HttpRequest, objective_id: Id) -> Any:
    user, objective = _editable(request, objective_id)
    if not objective_can_delete(user=user, objective=objective):
        raise PermissionDenied(_("Only the director deletes objectives."))
    objective_delete(objective=objective, user=user)
    return Status(204, None)


@router.post(
    "/objectives/{objective_id}/allocate",
    response={200: AllocationOut, **ERRORS},
    summary="Allocate to teams, reps or partners",
)
def objective_allocate_endpoint(request: HttpRequest, objective_id: Id, payload: AllocateIn) -> Any:
    user = request_user(request)
    objective = get_objective_for_user(user=user, objective_id=objective_id)
    if not objective_can_allocate(user=user, objective=objective):
        raise PermissionDenied(_("You may see this objective but not allocate it."))
    return objective_allocate(
        parent=objective,
        user=user,
        method=payload.method,
        amounts=dict(payload.amounts) if payload.amounts else None,
        targets=payload.targets,
    )


@router.post(
    "/objectives/{objective_id}/publish",
    response={200: ObjectiveDetailOut, **ERRORS},
    summary="Publish (confirm to publish an unbalanced allocation)",
)
def objective_publish_endpoint(request: HttpRequest, objective_id: Id, payload: PublishIn) -> Any:
    user = request_user(request)
    objective = get_objective_for_user(user=user, objective_id=objective_id)
    if not (
        objective_can_edit(user=user, objective=objective)
        or objective_can_allocate(user=user, objective=objective)
    ):
        raise PermissionDenied(_("You may see this objective but not publish it."))
    return _detail(objective_publish(objective=objective, user=user, confirm=payload.confirm), user)


@router.get("/attainment", response={200: AttainmentOut, **ERRORS}, summary="Attainment")
def attainment_get(request: HttpRequest, query: Query[AttainmentQuery]) -> Any:
    """Won vs objective, weighted pipeline and coverage, forecast categories and calls, the
    statistical forecast, the projected landing and year-over-year growth."""
    return attainment_for(
        scope=Scope.parse(query.scope),
        period=query.period or str(_year(None)),
        user=request_user(request),
        product_line_id=query.product_line_id,
    )


@router.get("/curve", response={200: CurveOut, **ERRORS}, summary="Objectives curve")
def curve_get(request: HttpRequest, query: Query[ScopeYearQuery]) -> Any:
    return objective_curve(
        scope=Scope.parse(query.scope),
        fiscal_year=_year(query.year),
        user=request_user(request),
        product_line_id=query.product_line_id,
    )


@router.get("/gap", response={200: GapOut, **ERRORS}, summary="Gap to objective")
def gap_get(request: HttpRequest, query: Query[ScopeYearQuery]) -> Any:
    return gap_to_objective(
        scope=Scope.parse(query.scope),
        fiscal_year=_year(query.year),
        user=request_user(request),
        product_line_id=query.product_line_id,
    )


@router.get(
    "/leaderboard", response={200: list[LeaderboardRowOut], **ERRORS}, summary="Leaderboard"
)
def leaderboard_get(request: HttpRequest, query: Query[LeaderboardQuery]) -> Any:
    return leaderboard(kind=query.kind, fiscal_year=_year(query.year), user=request_user(request))


@router.post("/forecast-calls", response={201: CallOut, **ERRORS}, summary="Forecast call")
def forecast_call_post(request: HttpRequest, payload: CallIn) -> Any:
    """The scope owner sends ``owner_call``; a manager sends ``manager_call`` with a ``note``.
    Both are kept."""
    user = request_user(request)
    scope = Scope.parse(payload.scope)
    if payload.manager_call is not None:
        call = forecast_adjust(
            user=user,
            scope=scope,
            period=payload.period,
            manager_call=payload.manager_call,
            note=payload.note,
        )
    else:
        call = forecast_call_submit(
            user=user,
            scope=scope,
            period=payload.period,
            owner_call=payload.owner_call,
            note=payload.note,
        )
    return Status(
        201,
        {
            "owner_call": call.owner_call,
            "manager_call": call.manager_call,
            "note": call.note,
            "by": str(call.by) if call.by else "",
            "at": call.at,
        },
    )
