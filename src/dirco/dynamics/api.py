"""API: handovers of a leaving rep's book under /api/v1/handovers.

The director and managers only, for the people of their line (``dynamics.permissions``, as
the pages); every write goes through ``dynamics.handover``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from dirco.api.auth import request_user
from dirco.api.errors import ErrorOut
from dirco.api.schemas import DecimalString, Id, InputSchema, IsoDate, UserRef, choices_schema
from dirco.dynamics.capacity import capacity_plan, company_ramp_curve
from dirco.dynamics.departures import departure_plan, departure_plan_cancel
from dirco.dynamics.handover import handover_execute, handover_preview, handovers_visible_to
from dirco.dynamics.managers import manager_changes
from dirco.dynamics.models import Handover, ItemKind
from dirco.dynamics.permissions import (
    dynamics_check_view,
    dynamics_sees_company,
    get_leaver_for_user,
    people_visible_for_dynamics,
    planned_departures_visible_to,
    teams_visible_for_dynamics,
)
from dirco.dynamics.ramp import RampCurve, ramp_by_team, ramp_cohorts
from dirco.dynamics.synergy import dynamics_inputs, team_synergy
from dirco.dynamics.turnover import (
    DEFAULT_VACANCY_MONTHS,
    DepartureCost,
    departure_costs,
    planned_departure_costs,
    recruiting_cost_default,
    win_rates,
)
from dirco.teams.models import Departure

router = Router(tags=["team dynamics"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
ItemKindField = Annotated[ItemKind, choices_schema(ItemKind, "HandoverItemKind")]
ReasonField = Annotated[Departure.Reason, choices_schema(Departure.Reason, "DepartureReason")]


class BookItemOut(Schema):
    kind: str
    id: int
    label: str
    detail: str
    amount: DecimalString
    to_user_id: int | None = Field(description="The proposed recipient; null: kept.")


class BookOut(Schema):
    leaver: UserRef
    effective_on: dt.date
    items: list[BookItemOut]


class PreviewFilters(Schema):
    leaver: Id
    to: list[Id] = Field(default_factory=list, description="Recipients to spread items among.")
    effective_on: dt.date | None = None


class AssignmentIn(InputSchema):
    kind: ItemKindField
    id: Id
    to_user_id: Id | None = Field(description="null: kept by the leaver.")


class HandoverIn(InputSchema):
    leaver_id: Id
    items: list[AssignmentIn] = Field(default_factory=list, max_length=5000)
    effective_on: IsoDate | None = None
    departure_reason: ReasonField | None = Field(
        None, description="Omitted: the book moves, no departure is recorded."
    )
    departure_on: IsoDate | None = None
    note: str = Field("", max_length=300)


class HandoverItemOut(Schema):
    kind: str
    object_id: int
    label: str
    amount: DecimalString
    to_user: UserRef


class HandoverOut(Schema):
    id: int
    leaver: UserRef
    by: UserRef | None
    effective_on: dt.date
    departure_reason: str | None
    departure_on: dt.date | None
    note: str
    items: list[HandoverItemOut]
    created_at: dt.datetime

    @staticmethod
    def resolve_departure_reason(obj: Handover) -> str | None:
        return obj.departure.reason if obj.departure else None

    @staticmethod
    def resolve_departure_on(obj: Handover) -> dt.date | None:
        return obj.departure.left_on if obj.departure else None

    @staticmethod
    def resolve_items(obj: Handover) -> list[Any]:
        return list(obj.items.all())


@router.get(
    "/handovers",
    response={200: list[HandoverOut], **ERRORS},
    summary="The last 50 handovers of the people of your line",
)
def handover_list_endpoint(request: HttpRequest) -> Any:
    user = request_user(request)
    dynamics_check_view(user)
    return handovers_visible_to(user)


@router.get(
    "/handovers/preview",
    response={200: BookOut, **ERRORS},
    summary="A leaver's book with a proposed recipient per item (writes nothing)",
)
def handover_preview_endpoint(request: HttpRequest, filters: Query[PreviewFilters]) -> Any:
    user = request_user(request)
    leaver = get_leaver_for_user(user=user, leaver_id=filters.leaver)
    book = handover_preview(
        by=user, leaver=leaver, effective_on=filters.effective_on, recipient_ids=filters.to
    )
    return {
        "leaver": leaver,
        "effective_on": book.effective_on,
        "items": [
            {
                "kind": i.kind,
                "id": i.object_id,
                "label": i.label,
                "detail": i.detail,
                "amount": i.amount or Decimal(0),
                "to_user_id": i.to_user_id,
            }
            for i in book.items
        ],
    }


@router.post(
    "/handovers",
    response={201: HandoverOut, **ERRORS},
    summary="Hand a leaver's items over, all in one transaction, and record the departure",
)
def handover_create_endpoint(request: HttpRequest, payload: HandoverIn) -> Any:
    user = request_user(request)
    leaver = get_leaver_for_user(user=user, leaver_id=payload.leaver_id)
    handover = handover_execute(
        by=user,
        leaver=leaver,
        assignments={f"{a.kind}-{a.id}": a.to_user_id for a in payload.items},
        effective_on=payload.effective_on,
        departure_reason=payload.departure_reason or "",
        departure_on=payload.departure_on,
        note=payload.note,
    )
    return Status(
        201, Handover.objects.select_related("leaver", "by", "departure").get(pk=handover.pk)
    )


class BaselineOut(Schema):
    person: str
    expected: float
    low: float
    high: float
    months_of_history: int


class SynergyMonthOut(Schema):
    month: str = Field(description="YYYY-MM")
    manager: str
    members: list[BaselineOut]
    expected: float = Field(description="The sum of the members' baselines.")
    actual: float = Field(description="The team's won revenue (company currency).")
    index: float | None = Field(description="null: too little data (see reason).")
    low: float | None
    high: float | None = Field(description="null: unbounded.")
    reason: str
    events: list[dict[str, str]]


class SynergyOut(Schema):
    team_id: int
    team: str
    months: list[SynergyMonthOut]


class SynergyFilters(Schema):
    team: Id


@router.get(
    "/team-synergy",
    response={200: SynergyOut, **ERRORS},
    summary="A team's synergy index and its members' baselines, month by month (24 months)",
)
def team_synergy_endpoint(request: HttpRequest, filters: Query[SynergyFilters]) -> Any:
    user = request_user(request)
    dynamics_check_view(user)
    team = teams_visible_for_dynamics(user).filter(pk=filters.team).first()
    if team is None:
        raise Http404(_("No such team."))
    data = team_synergy(team=team, inputs=dynamics_inputs(as_of=timezone.localdate()))
    return {
        "team_id": team.pk,
        "team": team.name,
        "months": [
            {
                "month": f"{m.month:%Y-%m}",
                "manager": m.manager,
                "members": [
                    {
                        "person": name,
                        "expected": round(b.expected, 2),
                        "low": round(b.low, 2),
                        "high": round(b.high, 2),
                        "months_of_history": b.months,
                    }
                    for name, b in m.members
                ],
                "expected": round(m.synergy.expected, 2),
                "actual": round(m.synergy.actual, 2),
                "index": m.synergy.index,
                "low": m.synergy.low,
                "high": m.synergy.high,
                "reason": m.synergy.reason,
                "events": [
                    {"on": e.on.isoformat(), "kind": e.kind, "label": str(e.label), "who": e.who}
                    for e in m.events
                ],
            }
            for m in data.months
        ],
    }


class DepartureCostOut(Schema):
    person: str
    left_on: dt.date
    reason: str
    level: float
    vacancy_months: float
    still_vacant: bool
    vacancy_lost: float
    ramp_shortfall: float
    orphaned_pipeline: float
    slippage_lost: float | None = Field(description="null: too little data.")
    partners_reassigned: int
    recruiting_cost: float
    total: float
    too_little_data: bool


class CohortOut(Schema):
    cohort: str
    people: int
    months_to_80_pct: int | None
    curve: list[float | None]
    too_little_data: bool


class TurnoverOut(Schema):
    departures: list[DepartureCostOut]
    cohorts: list[CohortOut]


class TurnoverFilters(Schema):
    recruiting_cost: Decimal | None = Field(None, ge=0, le=10**9)


@router.get(
    "/team-turnover",
    response={200: TurnoverOut, **ERRORS},
    summary="The cost of each departure of the last two years and ramp-up curves by cohort",
)
def team_turnover_endpoint(request: HttpRequest, filters: Query[TurnoverFilters]) -> Any:
    user = request_user(request)
    dynamics_check_view(user)
    today = timezone.localdate()
    inputs = dynamics_inputs(as_of=today)
    people = people_visible_for_dynamics(user)
    costs = departure_costs(
        departures=list(
            Departure.objects.filter(
                user__in=people,
                status=Departure.Status.CONFIRMED,
                left_on__gte=inputs.months[0],
            ).select_related("user")
        ),
        inputs=inputs,
        as_of=today,
        recruiting_cost=(
            filters.recruiting_cost
            if filters.recruiting_cost is not None
            else recruiting_cost_default()
        ),
        rates=win_rates(first_month=inputs.history[0], last_month=inputs.months[-1]),
    )
    cohorts = ramp_cohorts(inputs=inputs, reps=list(people.values_list("pk", flat=True)))
    return {
        "departures": [_cost_out(c) for c in costs],
        "cohorts": [
            {
                "cohort": c.label,
                "people": c.reps,
                "months_to_80_pct": c.months_to_80,
                "curve": [None if v is None else round(v, 3) for v in c.curve],
                "too_little_data": c.too_little_data,
            }
            for c in cohorts
        ],
    }


class ManagerChangeOut(Schema):
    team: str
    manager: str
    on: dt.date
    promoted: bool
    reps_compared: int
    effect: float | None = Field(
        description="after - before, share of baseline; null: too little data"
    )
    effect_low: float | None
    effect_high: float | None
    synergy_before: float | None
    synergy_after: float | None
    own_sales_before: float
    own_sales_after: float


@router.get(
    "/team-managers",
    response={200: list[ManagerChangeOut], **ERRORS},
    summary="Each new manager of your teams: the reps' results against baseline before and after",
)
def team_managers_endpoint(request: HttpRequest) -> Any:
    user = request_user(request)
    dynamics_check_view(user)
    changes = manager_changes(
        teams=teams_visible_for_dynamics(user), inputs=dynamics_inputs(as_of=timezone.localdate())
    )
    return [
        {
            "team": str(c.team),
            "manager": c.manager,
            "on": c.on,
            "promoted": c.promoted,
            "reps_compared": c.effect.reps,
            "effect": c.effect.mean,
            "effect_low": c.effect.low,
            "effect_high": c.effect.high,
            "synergy_before": c.synergy_before,
            "synergy_after": c.synergy_after,
            "own_sales_before": round(c.own_before, 2),
            "own_sales_after": round(c.own_after, 2),
        }
        for c in changes
    ]


class PlannedDepartureOut(Schema):
    id: int
    person: UserRef
    left_on: dt.date
    reason: str
    note: str
    what_if: DepartureCostOut = Field(
        description="What the departure would cost (3 months until replaced, the default "
        "recruiting cost)."
    )


class PlannedDepartureIn(InputSchema):
    user_id: Id
    left_on: IsoDate
    reason: ReasonField
    note: str = Field("", max_length=300)


def _cost_out(c: DepartureCost) -> dict[str, Any]:
    return {
        "person": str(c.who),
        "left_on": c.left_on,
        "reason": str(c.reason),
        "level": round(c.cost.level, 2),
        "vacancy_months": c.cost.vacancy_months,
        "still_vacant": c.still_vacant,
        "vacancy_lost": round(c.cost.vacancy_lost, 2),
        "ramp_shortfall": round(c.cost.ramp_shortfall, 2),
        "orphaned_pipeline": round(c.cost.orphaned_pipeline, 2),
        "slippage_lost": None if c.cost.slippage_lost is None else round(c.cost.slippage_lost, 2),
        "partners_reassigned": c.cost.partners_reassigned,
        "recruiting_cost": round(c.cost.recruiting_cost, 2),
        "total": round(c.cost.total, 2),
        "too_little_data": c.too_little_data,
    }


def _planned_out(departures: list[Departure]) -> list[dict[str, Any]]:
    today = timezone.localdate()
    costs = planned_departure_costs(
        departures=departures,
        inputs=dynamics_inputs(as_of=today),
        as_of=today,
        vacancy_months=float(DEFAULT_VACANCY_MONTHS),
        recruiting_cost=recruiting_cost_default(),
    )
    return [
        {
            "id": c.departure.pk if c.departure else 0,
            "person": c.who,
            "left_on": c.left_on,
            "reason": c.departure.reason if c.departure else "",
            "note": c.departure.note if c.departure else "",
            "what_if": _cost_out(c),
        }
        for c in costs
    ]


@router.get(
    "/planned-departures",
    response={200: list[PlannedDepartureOut], **ERRORS},
    summary="The planned departures of your line, each with what it would cost",
)
def planned_departure_list_endpoint(request: HttpRequest) -> Any:
    user = request_user(request)
    dynamics_check_view(user)
    return _planned_out(
        list(planned_departures_visible_to(user).select_related("user").order_by("left_on"))
    )


@router.post(
    "/planned-departures",
    response={201: PlannedDepartureOut, **ERRORS},
    summary="Record (or move) the planned departure of someone of your line",
)
def planned_departure_create_endpoint(request: HttpRequest, payload: PlannedDepartureIn) -> Any:
    user = request_user(request)
    leaver = get_leaver_for_user(user=user, leaver_id=payload.user_id)
    departure = departure_plan(
        by=user, leaver=leaver, left_on=payload.left_on, reason=payload.reason, note=payload.note
    )
    departure = Departure.objects.select_related("user").get(pk=departure.pk)
    return Status(201, _planned_out([departure])[0])


@router.delete(
    "/planned-departures/{departure_id}",
    response={204: None, **ERRORS},
    summary="Cancel a planned departure (the person stays)",
)
def planned_departure_delete_endpoint(request: HttpRequest, departure_id: Id) -> Any:
    departure_plan_cancel(by=request_user(request), departure_id=departure_id)
    return Status(204, None)


class SeatOut(Schema):
    person: UserRef
    level: float = Field(description="Monthly won revenue today, deseasonalised.")
    months_of_history: int
    tenure_at_start: int = Field(description="Months since they started, at the year's start.")
    planned_departure: dt.date | None
    expected: float = Field(description="Expected won revenue over the planned year.")


class RampCurveOut(Schema):
    grouped_by: str = Field(description="start_year or team")
    group: str
    people: int
    months_to: dict[str, int | None] = Field(
        description="Share of a tenured level (50, 80, 100) -> months; null: not reached."
    )
    curve: list[float | None]
    too_little_data: bool


class CapacityOut(Schema):
    scope: str = Field(description="company or team:<id>")
    fiscal_year: int
    objective: DecimalString | None = Field(description="null: no objective set.")
    target: DecimalString | None
    expected_in_place: float | None
    gap: float | None
    new_rep_first_year: float
    reps_needed: int | None = Field(description="null: too little data or no target.")
    partner_yield: float | None
    partners_needed: int | None
    departure_rate: float | None = Field(description="Yearly; null: under a person-year.")
    departures: int
    person_years: float
    ramp_months: int
    ramp_measured: bool
    tenured_level: float
    missing: list[str] = Field(description="Figures without data: objective, rate, hire, partners.")
    seats: list[SeatOut]
    ramp: list[RampCurveOut]


class CapacityFilters(Schema):
    team: Id | None = Field(None, description="Omitted: the company (the director only).")
    target: Decimal | None = Field(None, ge=0, le=10**12)


def _curve_out(kind: str, c: RampCurve) -> dict[str, Any]:
    return {
        "grouped_by": kind,
        "group": c.label,
        "people": c.reps,
        "months_to": {str(k): (None if c.too_little_data else v) for k, v in c.months_to.items()},
        "curve": [None if v is None else round(v, 3) for v in c.curve],
        "too_little_data": c.too_little_data,
    }


@router.get(
    "/team-capacity",
    response={200: CapacityOut, **ERRORS},
    summary="Next fiscal year's capacity plan (reps and partners to add) and ramp-up curves",
)
def team_capacity_endpoint(request: HttpRequest, filters: Query[CapacityFilters]) -> Any:
    user = request_user(request)
    dynamics_check_view(user)
    team = None
    if filters.team is not None:
        team = teams_visible_for_dynamics(user).filter(pk=filters.team).first()
        if team is None:
            raise Http404(_("No such team."))
    elif not dynamics_sees_company(user):
        team = teams_visible_for_dynamics(user).order_by("name").first()
        if team is None:
            raise Http404(_("You manage no team."))
    today = timezone.localdate()
    inputs = dynamics_inputs(as_of=today)
    people = list(people_visible_for_dynamics(user).values_list("pk", flat=True))
    plan = capacity_plan(
        inputs=inputs,
        team=team,
        as_of=today,
        target=filters.target or None,
        company_curve=company_ramp_curve(inputs=inputs),
    )
    cap = plan.capacity
    return {
        "scope": f"team:{team.pk}" if team else "company",
        "fiscal_year": plan.fiscal_year,
        "objective": plan.objective,
        "target": plan.target,
        "expected_in_place": None if cap is None else round(cap.in_place, 2),
        "gap": None if cap is None else round(cap.gap, 2),
        "new_rep_first_year": round(cap.hire_yield if cap else 0.0, 2),
        "reps_needed": None if cap is None else cap.reps_needed,
        "partner_yield": None
        if cap is None or cap.partner_yield is None
        else round(cap.partner_yield, 2),
        "partners_needed": None if cap is None else cap.partners_needed,
        "departure_rate": plan.rate,
        "departures": plan.departures,
        "person_years": plan.person_years,
        "ramp_months": plan.ramp_months,
        "ramp_measured": plan.ramp_measured,
        "tenured_level": round(plan.hire_level, 2),
        "missing": plan.reasons,
        "seats": [
            {
                "person": s.person,
                "level": round(s.level, 2),
                "months_of_history": s.months_of_history,
                "tenure_at_start": s.tenure_at_start,
                "planned_departure": s.planned_departure,
                "expected": round(s.expected, 2),
            }
            for s in plan.seats
        ],
        "ramp": [_curve_out("start_year", c) for c in ramp_cohorts(inputs=inputs, reps=people)]
        + [_curve_out("team", c) for c in ramp_by_team(inputs=inputs, reps=people)],
    }
