"""Staff pages of team dynamics: the handover of a leaving rep's book (and, below, the figures).

The director and managers only (``dynamics.permissions``; reps, marketing: 403; partner users
go home). Every write goes through ``dynamics.handover``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from dirco.accounts.models import User
from dirco.core.errors import ApplicationError
from dirco.core.exports import Column, export_requested, export_response
from dirco.dynamics.capacity import CapacityPlan, capacity_plan, company_ramp_curve
from dirco.dynamics.charts import synergy_chart
from dirco.dynamics.departures import departure_plan, departure_plan_cancel
from dirco.dynamics.handover import (
    KIND_ORDER,
    Book,
    handover_execute,
    handover_preview,
    handovers_visible_to,
)
from dirco.dynamics.managers import SIDE, ManagerChange, manager_changes
from dirco.dynamics.model import MIN_EFFECT_REPS, RAMP_SHARES
from dirco.dynamics.models import HandoverItem, ItemKind
from dirco.dynamics.permissions import (
    dynamics_check_view,
    dynamics_sees_company,
    get_leaver_for_user,
    handover_leavers_for,
    handover_recipients_for,
    people_visible_for_dynamics,
    planned_departures_visible_to,
    teams_visible_for_dynamics,
)
from dirco.dynamics.ramp import MIN_COHORT, RampCurve, ramp_by_team, ramp_cohorts
from dirco.dynamics.synergy import TeamMonth, dynamics_inputs, team_synergy
from dirco.dynamics.turnover import (
    DEFAULT_VACANCY_MONTHS,
    DepartureCost,
    departure_costs,
    planned_departure_costs,
    recruiting_cost_default,
    what_if_cost,
    win_rates,
)
from dirco.teams.models import Departure, SalesTeam
from dirco.web.http import AuthedHttpRequest, staff_required

KEEP = ""

HANDOVER_ITEM_COLUMNS: list[Column[HandoverItem]] = [
    Column(gettext_lazy("Handover"), lambda i: i.handover_id),
    Column(gettext_lazy("Date"), lambda i: i.handover.effective_on),
    Column(gettext_lazy("Who leaves"), lambda i: str(i.handover.leaver)),
    Column(gettext_lazy("Kind"), lambda i: i.get_kind_display()),
    Column(gettext_lazy("Record"), lambda i: i.object_id),
    Column(gettext_lazy("Label"), lambda i: i.label),
    Column(gettext_lazy("Amount"), lambda i: i.amount, kind="money"),
    Column(gettext_lazy("Handed to"), lambda i: str(i.to_user)),
    Column(gettext_lazy("Handed over by"), lambda i: str(i.handover.by or "")),
]


@staff_required
def handover_list_view(request: AuthedHttpRequest) -> HttpResponseBase:
    user = request.user
    dynamics_check_view(user)
    handovers = handovers_visible_to(user)
    fmt = export_requested(request.GET)
    if fmt:
        rows = [item for h in handovers for item in h.items.all()]
        return export_response(
            fmt=fmt,
            filename="handovers",
            columns=HANDOVER_ITEM_COLUMNS,
            rows=rows,
            sheet_title=_("Handovers"),
        )
    leavers = handover_leavers_for(user).filter(is_active=True).order_by("first_name", "last_name")
    return render(
        request,
        "dynamics/handover_list.html",
        {
            "handovers": handovers,
            "leavers": leavers,
            "csv_url": reverse("dynamics:handovers") + "?export=csv",
            "xlsx_url": reverse("dynamics:handovers") + "?export=xlsx",
        },
    )


def _int_or_none(value: str) -> int | None:
    return int(value) if value.strip().isdigit() else None


def _date_arg(value: str | None, default: dt.date) -> dt.date:
    parsed = parse_date(value or "") if value else None
    return parsed or default


def _choices_from(data: Any, book_keys: list[str]) -> dict[str, int | None]:
    """The per-item choices of the form: {"deal-12": 7, "account-3": None (keep)}."""
    out: dict[str, int | None] = {}
    for key in book_keys:
        if f"item-{key}" in data:
            out[key] = _int_or_none(data.get(f"item-{key}", KEEP))
    return out


@staff_required
@require_http_methods(["GET", "POST"])
def handover_view(request: AuthedHttpRequest, user_id: int) -> HttpResponse:
    """The leaver's book with a recipient per item: GET proposes defaults for the chosen
    recipients (``?to=..``), POST "preview" shows what each recipient would get, POST
    "confirm" hands the book over and goes back to the list."""
    by = request.user
    leaver = get_leaver_for_user(user=by, leaver_id=user_id)
    data = request.POST if request.method == "POST" else request.GET
    today = timezone.localdate()
    effective_on = _date_arg(data.get("effective_on"), today)
    recipients = [r for r in (_int_or_none(v) for v in data.getlist("to")) if r is not None]
    errors: list[str] = []
    field_errors: dict[str, list[str]] = {}
    book: Book | None = None
    try:
        book = handover_preview(
            by=by, leaver=leaver, effective_on=effective_on, recipient_ids=recipients
        )
        if request.method == "POST":
            choices = _choices_from(data, [i.key for i in book.items])
            book = handover_preview(
                by=by,
                leaver=leaver,
                effective_on=effective_on,
                recipient_ids=recipients,
                choices=choices,
            )
    except ApplicationError as exc:
        errors.append(exc.message)
        field_errors = exc.fields
        book = handover_preview(by=by, leaver=leaver, effective_on=effective_on)
    reason = data.get("reason", "")
    left_on = _date_arg(data.get("left_on"), effective_on)
    note = data.get("note", "")[:300]
    if request.method == "POST" and data.get("action") == "confirm" and not errors:
        try:
            handover = handover_execute(
                by=by,
                leaver=leaver,
                assignments={i.key: i.to_user_id for i in book.items},
                effective_on=effective_on,
                departure_reason=reason,
                departure_on=left_on,
                note=note,
            )
        except ApplicationError as exc:
            errors.append(exc.message)
            field_errors = exc.fields
        else:
            messages.success(
                request,
                _("%(who)s's book was handed over: %(n)s records moved.")
                % {"who": leaver, "n": handover.items.count()},
            )
            return redirect(f"{reverse('dynamics:handovers')}#handover-{handover.pk}")
    people = list(handover_recipients_for(user=by, leaver=leaver))
    names = {p.pk: str(p) for p in people}
    totals = [
        {"name": names.get(pk, pk), **{str(k): v for k, v in row.items()}}
        for pk, row in book.totals_by_recipient().items()
    ]
    sections = [
        {"kind": kind.value, "label": kind.label, "items": book.of_kind(kind)}
        for kind in KIND_ORDER
    ]
    return render(
        request,
        "dynamics/handover.html",
        {
            "leaver": leaver,
            "book": book,
            "sections": sections,
            "people": people,
            "recipients": recipients,
            "totals": totals,
            "previewed": request.method == "POST",
            "effective_on": effective_on,
            "left_on": left_on,
            "reason": reason,
            "reasons": Departure.Reason.choices,
            "note": note,
            "errors": errors,
            "field_errors": field_errors,
            "kinds": ItemKind,
        },
        status=400 if errors else 200,
    )


@staff_required
def method_view(request: AuthedHttpRequest) -> HttpResponse:
    """How each team dynamics figure is made, and its limits (docs/analytics.md in full)."""
    dynamics_check_view(request.user)
    return render(request, "dynamics/method.html")


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


SYNERGY_COLUMNS: list[Column[TeamMonth]] = [
    Column(gettext_lazy("Month"), lambda m: f"{m.month:%Y-%m}"),
    Column(gettext_lazy("Manager"), lambda m: m.manager),
    Column(gettext_lazy("Members"), lambda m: len(m.members), kind="number"),
    Column(gettext_lazy("Sum of baselines"), lambda m: round(m.synergy.expected, 2), kind="money"),
    Column(gettext_lazy("Team won revenue"), lambda m: round(m.synergy.actual, 2), kind="money"),
    Column(gettext_lazy("Synergy index"), lambda m: _pct(m.synergy.index)),
    Column(gettext_lazy("Index low (80%)"), lambda m: _pct(m.synergy.low)),
    Column(gettext_lazy("Index high (80%)"), lambda m: _pct(m.synergy.high)),
    Column(
        gettext_lazy("Events"),
        lambda m: "; ".join(f"{e.on} {e.label}: {e.who}" for e in m.events),
    ),
]


def _team_arg(user: User, raw: str | None) -> SalesTeam | None:
    teams = teams_visible_for_dynamics(user)
    if raw:
        if not raw.isdigit():
            raise Http404(_("No such team."))
        team = teams.filter(pk=int(raw)).first()
        if team is None:
            raise Http404(_("No such team."))
        return team
    return teams.order_by("name").first()


@staff_required
def synergy_view(request: AuthedHttpRequest) -> HttpResponseBase:
    user = request.user
    dynamics_check_view(user)
    team = _team_arg(user, request.GET.get("team"))
    data = None
    if team is not None:
        data = team_synergy(team=team, inputs=dynamics_inputs(as_of=timezone.localdate()))
    fmt = export_requested(request.GET)
    if fmt:
        return export_response(
            fmt=fmt,
            filename=f"synergy-{team.pk if team else 'none'}",
            columns=SYNERGY_COLUMNS,
            rows=data.months if data else [],
            sheet_title=_("Team synergy"),
        )
    latest = data.months[-1] if data and data.months else None
    query = f"team={team.pk}&" if team else ""
    return render(
        request,
        "dynamics/synergy.html",
        {
            "team": team,
            "teams": teams_visible_for_dynamics(user).order_by("name"),
            "data": data,
            "months": list(reversed(data.months)) if data else [],
            "latest": latest,
            "chart": synergy_chart(data) if data else None,
            "csv_url": f"{reverse('dynamics:synergy')}?{query}export=csv",
            "xlsx_url": f"{reverse('dynamics:synergy')}?{query}export=xlsx",
        },
    )


TURNOVER_COLUMNS: list[Column[DepartureCost]] = [
    Column(gettext_lazy("Who"), lambda d: str(d.who)),
    Column(gettext_lazy("Leaving date"), lambda d: d.left_on),
    Column(gettext_lazy("Reason"), lambda d: d.reason),
    Column(gettext_lazy("Monthly level"), lambda d: round(d.cost.level, 2), kind="money"),
    Column(gettext_lazy("Vacancy (months)"), lambda d: d.cost.vacancy_months, kind="number"),
    Column(gettext_lazy("Still vacant"), lambda d: _("yes") if d.still_vacant else _("no")),
    Column(
        gettext_lazy("Vacancy revenue lost"), lambda d: round(d.cost.vacancy_lost, 2), kind="money"
    ),
    Column(gettext_lazy("Ramp shortfall"), lambda d: round(d.cost.ramp_shortfall, 2), kind="money"),
    Column(
        gettext_lazy("Pipeline slippage"),
        lambda d: "" if d.cost.slippage_lost is None else round(d.cost.slippage_lost, 2),
        kind="money",
    ),
    Column(
        gettext_lazy("Partners reassigned"), lambda d: d.cost.partners_reassigned, kind="number"
    ),
    Column(
        gettext_lazy("Recruiting cost"), lambda d: round(d.cost.recruiting_cost, 2), kind="money"
    ),
    Column(gettext_lazy("Total"), lambda d: round(d.cost.total, 2), kind="money"),
]


def _decimal_arg(raw: str | None, default: Decimal, *, high: Decimal) -> Decimal:
    try:
        value = Decimal(raw) if raw else default
    except (InvalidOperation, ValueError):
        return default
    return min(max(value, Decimal(0)), high) if value.is_finite() else default


@staff_required
def turnover_view(request: AuthedHttpRequest) -> HttpResponseBase:
    user = request.user
    dynamics_check_view(user)
    today = timezone.localdate()
    recruiting = _decimal_arg(
        request.GET.get("recruiting_cost"), recruiting_cost_default(), high=Decimal(10**9)
    )
    vacancy = _decimal_arg(
        request.GET.get("vacancy"), Decimal(DEFAULT_VACANCY_MONTHS), high=Decimal(36)
    )
    inputs = dynamics_inputs(as_of=today)
    rates = win_rates(first_month=inputs.history[0], last_month=inputs.months[-1])
    people = people_visible_for_dynamics(user)
    departures = list(
        Departure.objects.filter(
            user__in=people, status=Departure.Status.CONFIRMED, left_on__gte=inputs.months[0]
        ).select_related("user")
    )
    costs = departure_costs(
        departures=departures, inputs=inputs, as_of=today, recruiting_cost=recruiting, rates=rates
    )
    fmt = export_requested(request.GET)
    if fmt:
        return export_response(
            fmt=fmt,
            filename="turnover",
            columns=TURNOVER_COLUMNS,
            rows=costs,
            sheet_title=_("Turnover"),
        )
    what_if = None
    what_if_id = _int_or_none(request.GET.get("what_if", ""))
    if what_if_id is not None:
        who = people.filter(pk=what_if_id, is_active=True).first()
        if who is None:
            raise Http404(_("No such person in your line."))
        what_if = what_if_cost(
            who=who,
            inputs=inputs,
            as_of=today,
            vacancy_months=float(vacancy),
            recruiting_cost=recruiting,
            rates=rates,
        )
    by_year: dict[int, float] = {}
    for c in costs:
        by_year[c.left_on.year] = by_year.get(c.left_on.year, 0.0) + c.cost.total
    return render(
        request,
        "dynamics/turnover.html",
        {
            "costs": costs,
            "by_year": sorted(by_year.items()),
            "rates": rates,
            "what_if": what_if,
            "what_if_id": what_if_id,
            "candidates": people.filter(is_active=True, role__in=["rep", "manager"]).order_by(
                "first_name", "last_name"
            ),
            "vacancy": vacancy,
            "recruiting": recruiting,
            "csv_url": f"{reverse('dynamics:turnover')}?export=csv&recruiting_cost={recruiting}",
            "xlsx_url": f"{reverse('dynamics:turnover')}?export=xlsx&recruiting_cost={recruiting}",
        },
    )


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


MANAGER_COLUMNS: list[Column[ManagerChange]] = [
    Column(gettext_lazy("Team"), lambda c: str(c.team)),
    Column(gettext_lazy("Manager"), lambda c: c.manager),
    Column(gettext_lazy("Date"), lambda c: c.on),
    Column(
        gettext_lazy("Promoted from the sales force"), lambda c: _("yes") if c.promoted else _("no")
    ),
    Column(gettext_lazy("Reps compared"), lambda c: c.effect.reps, kind="number"),
    Column(gettext_lazy("Effect (after - before)"), lambda c: _fmt(c.effect.mean)),
    Column(gettext_lazy("Effect low (80%)"), lambda c: _fmt(c.effect.low)),
    Column(gettext_lazy("Effect high (80%)"), lambda c: _fmt(c.effect.high)),
    Column(gettext_lazy("Synergy before"), lambda c: _fmt(c.synergy_before)),
    Column(gettext_lazy("Synergy after"), lambda c: _fmt(c.synergy_after)),
    Column(
        gettext_lazy("Own sales before (monthly)"), lambda c: round(c.own_before, 2), kind="money"
    ),
    Column(
        gettext_lazy("Own sales after (monthly)"), lambda c: round(c.own_after, 2), kind="money"
    ),
]


@staff_required
def managers_view(request: AuthedHttpRequest) -> HttpResponseBase:
    user = request.user
    dynamics_check_view(user)
    changes = manager_changes(
        teams=teams_visible_for_dynamics(user), inputs=dynamics_inputs(as_of=timezone.localdate())
    )
    fmt = export_requested(request.GET)
    if fmt:
        return export_response(
            fmt=fmt,
            filename="manager-effect",
            columns=MANAGER_COLUMNS,
            rows=changes,
            sheet_title=_("Manager effect"),
        )
    return render(
        request,
        "dynamics/managers.html",
        {
            "changes": changes,
            "side": SIDE,
            "min_reps": MIN_EFFECT_REPS,
            "csv_url": f"{reverse('dynamics:managers')}?export=csv",
            "xlsx_url": f"{reverse('dynamics:managers')}?export=xlsx",
        },
    )


PLANNED_COLUMNS: list[Column[DepartureCost]] = [
    Column(gettext_lazy("Who"), lambda d: str(d.who)),
    Column(gettext_lazy("Leaving date"), lambda d: d.left_on),
    Column(gettext_lazy("Reason"), lambda d: d.reason),
    Column(gettext_lazy("Note"), lambda d: d.departure.note if d.departure else ""),
    *TURNOVER_COLUMNS[3:5],
    *TURNOVER_COLUMNS[6:8],
    Column(
        gettext_lazy("Orphaned pipeline (expected value)"),
        lambda d: round(d.cost.orphaned_pipeline, 2),
        kind="money",
    ),
    *TURNOVER_COLUMNS[8:],
]


@staff_required
@require_http_methods(["GET", "POST"])
def departures_view(request: AuthedHttpRequest) -> HttpResponseBase:
    """The planned departures of the user's line, each with its "what if", and the form that
    records one (POST)."""
    user = request.user
    dynamics_check_view(user)
    today = timezone.localdate()
    errors: list[str] = []
    field_errors: dict[str, list[str]] = {}
    form = {"user": "", "left_on": "", "reason": "", "note": ""}
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in form}
        try:
            leaver = get_leaver_for_user(user=user, leaver_id=form["user"])
        except Http404:
            errors.append(_("Choose someone of your line."))
            field_errors = {"user": [_("Choose someone of your line.")]}
        else:
            try:
                departure = departure_plan(
                    by=user,
                    leaver=leaver,
                    left_on=parse_date(form["left_on"]) if form["left_on"] else None,
                    reason=form["reason"],
                    note=form["note"],
                )
            except (ApplicationError, ValueError) as exc:
                if isinstance(exc, ApplicationError):
                    errors.append(exc.message)
                    field_errors = exc.fields
                else:
                    errors.append(_("Give the leaving date as YYYY-MM-DD."))
                    field_errors = {"left_on": [_("Give the leaving date as YYYY-MM-DD.")]}
            else:
                messages.success(
                    request,
                    _("%(who)s's departure on %(day)s is recorded as planned.")
                    % {"who": departure.user, "day": departure.left_on.isoformat()},
                )
                return redirect(f"{reverse('dynamics:departures')}#departure-{departure.pk}")
    recruiting = recruiting_cost_default()
    planned = list(planned_departures_visible_to(user).select_related("user").order_by("left_on"))
    costs = planned_departure_costs(
        departures=planned,
        inputs=dynamics_inputs(as_of=today),
        as_of=today,
        vacancy_months=float(DEFAULT_VACANCY_MONTHS),
        recruiting_cost=recruiting,
    )
    fmt = export_requested(request.GET)
    if fmt and request.method == "GET":
        return export_response(
            fmt=fmt,
            filename="planned-departures",
            columns=PLANNED_COLUMNS,
            rows=costs,
            sheet_title=_("Planned departures"),
        )
    planned_ids = {d.user_id for d in planned}
    return render(
        request,
        "dynamics/departures.html",
        {
            "costs": costs,
            "people": handover_leavers_for(user)
            .filter(is_active=True)
            .exclude(pk__in=planned_ids)
            .order_by("first_name", "last_name"),
            "reasons": Departure.Reason.choices,
            "form": form,
            "errors": errors,
            "field_errors": field_errors,
            "vacancy": DEFAULT_VACANCY_MONTHS,
            "recruiting": recruiting,
            "today": today,
            "csv_url": f"{reverse('dynamics:departures')}?export=csv",
            "xlsx_url": f"{reverse('dynamics:departures')}?export=xlsx",
        },
        status=400 if errors else 200,
    )


@staff_required
@require_http_methods(["POST"])
def departure_cancel_view(request: AuthedHttpRequest, departure_id: int) -> HttpResponse:
    """The person stays: remove their planned departure."""
    departure_plan_cancel(by=request.user, departure_id=departure_id)
    messages.success(request, _("The planned departure was removed."))
    return redirect("dynamics:departures")


def _months_to_title(share: int) -> str:
    return _("Months to %(share)s%%") % {"share": share}


def _month_title(n: int) -> str:
    return _("Month %(n)s") % {"n": n}


# Titles translated when the export is made, in the reader's language.
_months_to_title_lazy = lazy(_months_to_title, str)
_month_title_lazy = lazy(_month_title, str)

RampRow = tuple[str, RampCurve]


def _months_to_column(share: int) -> Column[RampRow]:
    def value(r: RampRow) -> int | str | None:
        return "" if r[1].too_little_data else r[1].months_to[share]

    return Column(_months_to_title_lazy(share), value, kind="number")


def _curve_column(t: int) -> Column[RampRow]:
    def value(r: RampRow) -> float | str:
        v = r[1].curve[t]
        return "" if v is None else round(v, 3)

    return Column(_month_title_lazy(t + 1), value, kind="number")


RAMP_COLUMNS: list[Column[RampRow]] = [
    Column(gettext_lazy("Grouped by"), lambda r: r[0]),
    Column(gettext_lazy("Group"), lambda r: r[1].label),
    Column(gettext_lazy("People"), lambda r: r[1].reps, kind="number"),
    *[_months_to_column(share) for share in RAMP_SHARES],
    *[_curve_column(t) for t in range(12)],
]


@dataclass(frozen=True)
class CapacityLine:
    """One line of the capacity export: a person in place, or a line of the plan."""

    label: str
    level: float | None = None
    months_of_history: int | None = None
    tenure_at_start: int | None = None
    planned_departure: dt.date | None = None
    amount: float | None = None


def capacity_lines(plan: CapacityPlan) -> list[CapacityLine]:
    lines = [
        CapacityLine(
            str(s.person),
            s.level,
            s.months_of_history,
            s.tenure_at_start,
            s.planned_departure,
            s.expected,
        )
        for s in plan.seats
    ]
    cap = plan.capacity
    lines.append(CapacityLine(str(_("Target")), amount=float(plan.target or 0) or None))
    if cap is not None:
        lines += [
            CapacityLine(str(_("Expected from the people in place")), amount=cap.in_place),
            CapacityLine(str(_("Gap")), amount=cap.gap),
            CapacityLine(str(_("A new rep's first year")), amount=cap.hire_yield),
            CapacityLine(
                str(_("Reps to hire")),
                amount=None if cap.reps_needed is None else float(cap.reps_needed),
            ),
            CapacityLine(
                str(_("Or partners like the median active one")),
                amount=None if cap.partners_needed is None else float(cap.partners_needed),
            ),
        ]
    return lines


def _round_or_blank(value: float | None) -> float | str:
    return "" if value is None else round(value, 2)


CAPACITY_COLUMNS: list[Column[CapacityLine]] = [
    Column(gettext_lazy("Person or line"), lambda c: c.label),
    Column(gettext_lazy("Monthly level"), lambda c: _round_or_blank(c.level), kind="money"),
    Column(gettext_lazy("Months of own history"), lambda c: c.months_of_history, kind="number"),
    Column(gettext_lazy("Tenure at the year's start (months)"), lambda c: c.tenure_at_start),
    Column(gettext_lazy("Planned departure"), lambda c: c.planned_departure),
    Column(gettext_lazy("Amount"), lambda c: _round_or_blank(c.amount), kind="number"),
]


def _capacity_team_arg(user: User, raw: str | None) -> SalesTeam | None:
    """The team planned: the one asked; for a manager, their first team by default; for the
    director, the company (None) by default."""
    if raw:
        return _team_arg(user, raw)
    if dynamics_sees_company(user):
        return None
    return _team_arg(user, None)


@staff_required
def capacity_view(request: AuthedHttpRequest) -> HttpResponseBase:
    """Ramp-up curves by cohort and by team, and next year's capacity plan."""
    user = request.user
    dynamics_check_view(user)
    today = timezone.localdate()
    team = _capacity_team_arg(user, request.GET.get("team"))
    raw_target = request.GET.get("target", "").strip()
    target = _decimal_arg(raw_target, Decimal(0), high=Decimal(10**12)) if raw_target else None
    inputs = dynamics_inputs(as_of=today)
    people = list(people_visible_for_dynamics(user).values_list("pk", flat=True))
    cohorts = ramp_cohorts(inputs=inputs, reps=people)
    by_team = ramp_by_team(inputs=inputs, reps=people)
    curve = company_ramp_curve(inputs=inputs)
    plan = None
    if team is not None or dynamics_sees_company(user):
        plan = capacity_plan(
            inputs=inputs, team=team, as_of=today, target=target or None, company_curve=curve
        )
    fmt = export_requested(request.GET)
    if fmt:
        if request.GET.get("table") == "ramp":
            return export_response(
                fmt=fmt,
                filename="ramp-up",
                columns=RAMP_COLUMNS,
                rows=[(str(_("Start year")), c) for c in cohorts]
                + [(str(_("Team")), c) for c in by_team],
                sheet_title=_("Ramp-up"),
            )
        return export_response(
            fmt=fmt,
            filename=f"capacity-{team.pk if team else 'company'}",
            columns=CAPACITY_COLUMNS,
            rows=capacity_lines(plan) if plan else [],
            sheet_title=_("Capacity"),
        )
    query = f"team={team.pk}&" if team else ""
    if target:
        query += f"target={target}&"
    base = reverse("dynamics:capacity")
    return render(
        request,
        "dynamics/capacity.html",
        {
            "team": team,
            "teams": teams_visible_for_dynamics(user).order_by("name"),
            "sees_company": dynamics_sees_company(user),
            "plan": plan,
            "target": target,
            "cohorts": cohorts,
            "by_team": by_team,
            "company_curve": curve,
            "shares": RAMP_SHARES,
            "tenure_months": list(range(1, 13)),
            "min_cohort": MIN_COHORT,
            "csv_url": f"{base}?{query}export=csv",
            "xlsx_url": f"{base}?{query}export=xlsx",
            "ramp_csv_url": f"{base}?table=ramp&export=csv",
            "ramp_xlsx_url": f"{base}?table=ramp&export=xlsx",
        },
    )
