"""Writes of the action plans: plans, actions, their months of expected revenue, checklist
tasks, deal links, the versions shared with a partner, comments and calendar feeds.

Every service takes typed keyword arguments (the HTML forms and the API build the same
:class:`PlanInput` / :class:`ActionInput` / :class:`TaskInput`), checks everything before
writing, raises :class:`ApplicationError` naming each wrong field, and runs in one
transaction: nothing is half-saved.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from dirco.accounts.models import User
from dirco.catalog.models import ProductLine
from dirco.core.errors import ApplicationError
from dirco.core.periods import month_add
from dirco.core.text import LONG_TEXT_MAX, NAME_MAX
from dirco.core.versioning import version_bump, version_check
from dirco.customers.permissions import accounts_visible_to
from dirco.objectives.fiscal_calendar import period_parse
from dirco.objectives.permissions import objectives_visible_to
from dirco.partners.models import Territory, Tier
from dirco.partners.permissions import partners_visible_to
from dirco.pipeline.models import Deal
from dirco.plans.models import (
    Action,
    ActionDeal,
    ActionMonth,
    ActionPlan,
    ActionTask,
    CalendarFeedToken,
    PlanComment,
    PlanVersion,
)
from dirco.plans.permissions import (
    action_can_create,
    plan_owner_choices,
    plan_scope_allowed,
    plan_version_can_accept,
)
from dirco.scopes import Scope

# The largest amount a cost or a month of expected revenue may hold (max_digits=14).
AMOUNT_MAX = Decimal("999999999999.99")
DIAGNOSIS_MAX = 20_000
# Expected won revenue may land up to this many months after the action ends.
REVENUE_MONTHS_AFTER_END = 12

PLAN_TRANSITIONS: dict[str, frozenset[str]] = {
    ActionPlan.Status.DRAFT: frozenset({ActionPlan.Status.ACTIVE, ActionPlan.Status.CLOSED}),
    ActionPlan.Status.ACTIVE: frozenset({ActionPlan.Status.DRAFT, ActionPlan.Status.CLOSED}),
    ActionPlan.Status.CLOSED: frozenset({ActionPlan.Status.ACTIVE}),
}
ACTION_TRANSITIONS: dict[str, frozenset[str]] = {
    Action.Status.PLANNED: frozenset(
        {Action.Status.RUNNING, Action.Status.DONE, Action.Status.CANCELLED}
    ),
    Action.Status.RUNNING: frozenset(
        {Action.Status.PLANNED, Action.Status.DONE, Action.Status.CANCELLED}
    ),
    Action.Status.DONE: frozenset({Action.Status.RUNNING}),
    Action.Status.CANCELLED: frozenset({Action.Status.PLANNED}),
}


@dataclass(frozen=True)
class PlanInput:
    name: str
    scope: Scope
    period: str  # "2026", "2026-Q2" or "2026-05" (objectives.fiscal_calendar.period_parse)
    owner: User
    objective_ids: tuple[int, ...] = ()
    diagnosis: str = ""
    next_review_on: dt.date | None = None


@dataclass(frozen=True)
class ActionInput:
    kind: str
    title: str
    owner: User
    starts_on: dt.date
    ends_on: dt.date
    description: str = ""
    planned_cost: Decimal = Decimal(0)
    actual_cost: Decimal | None = None
    # Expected won revenue by month (any day of the month stands for the month).
    expected_revenue: Mapping[dt.date, Decimal] = field(default_factory=dict)
    territory_ids: tuple[int, ...] = ()
    tier_ids: tuple[int, ...] = ()
    product_line_ids: tuple[int, ...] = ()
    account_ids: tuple[int, ...] = ()
    partner_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class TaskInput:
    title: str
    due_on: dt.date
    assignee: User


def revenue_spread_evenly(
    *, total: Decimal, first_month: dt.date, months: int
) -> dict[dt.date, Decimal]:
    """``total`` split over ``months`` months from ``first_month``'s, in cents, the rounding
    rest on the last month (so that the months add up to ``total`` exactly)."""
    if months < 1:
        raise ApplicationError(
            _("Spread the expected revenue over one month at least."),
            fields={"revenue_months": [_("Use 1 month or more.")]},
        )
    first = first_month.replace(day=1)
    share = (total / months).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    out = {month_add(first, i): share for i in range(months)}
    out[month_add(first, months - 1)] = total - share * (months - 1)
    return out


def _add(errors: dict[str, list[str]], name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ApplicationError(_("Nothing was saved: correct the fields shown."), fields=errors)


def _line_check(errors: dict[str, list[str]], name: str, value: str, *, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        _add(errors, name, _("This field is required."))
    elif "\r" in value or "\n" in value:
        _add(errors, name, _("One line only: remove the line breaks."))
    elif len(value) > NAME_MAX:
        _add(errors, name, _("At most %(max)s characters.") % {"max": NAME_MAX})
    return value


def _long_check(errors: dict[str, list[str]], name: str, value: str, limit: int) -> str:
    if len(value or "") > limit:
        _add(
            errors,
            name,
            _("At most %(max)s characters (this one has %(n)s).") % {"max": limit, "n": len(value)},
        )
    return value or ""


def _amount_check(errors: dict[str, list[str]], name: str, value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    try:
        amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError, TypeError):
        _add(errors, name, _("Enter an amount."))
        return None
    if not amount.is_finite() or amount < 0:
        _add(errors, name, _("The amount cannot be negative."))
        return None
    if amount > AMOUNT_MAX:
        _add(errors, name, _("The amount is too large."))
        return None
    return amount


# -- plans -----------------------------------------------------------------------------


def _plan_validate(
    *, by: User, data: PlanInput, plan: ActionPlan | None
) -> tuple[dict[str, Any], list[int]]:
    errors: dict[str, list[str]] = {}
    name = _line_check(errors, "name", data.name, required=True)
    diagnosis = _long_check(errors, "diagnosis", data.diagnosis, DIAGNOSIS_MAX)
    scope_changed = plan is None or plan.scope_key != data.scope.key
    if scope_changed and not plan_scope_allowed(user=by, scope=data.scope):
        _add(errors, "scope", _("You may not make a plan for this scope."))
    if plan is not None and scope_changed and plan.versions.exists():
        _add(errors, "scope", _("This plan was shared with its partner: its scope is fixed."))
    fields: dict[str, Any] = {"name": name, "diagnosis": diagnosis}
    try:
        period = period_parse(data.period)
    except ApplicationError as exc:
        for key, messages in exc.fields.items():
            errors.setdefault(key, []).extend(messages)
    else:
        fields.update(
            period=period.label,
            fiscal_year=period.fiscal_year,
            starts_on=period.first_month,
            ends_on=period.end - dt.timedelta(days=1),
        )
        if plan is not None:
            outside = plan.actions.exclude(
                starts_on__gte=fields["starts_on"], ends_on__lte=fields["ends_on"]
            ).count()
            if outside:
                _add(
                    errors,
                    "period",
                    _("%(n)s action(s) of this plan fall outside this period: move them first.")
                    % {"n": outside},
                )
    if not plan_owner_choices(by).filter(pk=data.owner.pk).exists():
        _add(errors, "owner", _("You may not make this person the owner."))
    objective_ids = sorted(set(data.objective_ids))
    if objective_ids:
        found = set(
            objectives_visible_to(by).filter(pk__in=objective_ids).values_list("id", flat=True)
        )
        if len(found) != len(objective_ids):
            _add(errors, "objectives", _("Pick objectives among those you can see."))
        elif "fiscal_year" in fields:
            other_year = (
                objectives_visible_to(by)
                .filter(pk__in=objective_ids)
                .exclude(fiscal_year=fields["fiscal_year"])
                .exists()
            )
            if other_year:
                _add(
                    errors,
                    "objectives",
                    _("Pick objectives of the plan's fiscal year (%(year)s).")
                    % {"year": fields["fiscal_year"]},
                )
    _raise(errors)
    scope = data.scope
    fields.update(
        scope_kind=scope.kind,
        scope_key=scope.key,
        team_id=scope.id if scope.kind == "team" else None,
        rep_id=scope.id if scope.kind == "rep" else None,
        partner_id=scope.id if scope.kind == "partner" else None,
        owner=data.owner,
        next_review_on=data.next_review_on,
    )
    return fields, objective_ids


@transaction.atomic
def plan_create(*, by: User, data: PlanInput) -> ActionPlan:
    fields, objective_ids = _plan_validate(by=by, data=data, plan=None)
    plan = ActionPlan(created_by=by, **fields)
    plan.full_clean()
    plan.save()
    plan.objectives.set(objective_ids)
    return plan


@transaction.atomic
def plan_update(
    *, plan: ActionPlan, by: User, data: PlanInput, expected_version: int | None = None
) -> ActionPlan:
    """Change a plan; ``expected_version`` (the version the caller read) refuses the change
    with StaleVersion when the plan was saved in between."""
    plan = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    version_check(plan, expected_version)
    fields, objective_ids = _plan_validate(by=by, data=data, plan=plan)
    for name, value in fields.items():
        setattr(plan, name, value)
    plan.full_clean()
    version_bump(plan)
    plan.save()
    plan.objectives.set(objective_ids)
    return plan


@transaction.atomic
def plan_set_status(*, plan: ActionPlan, status: str) -> ActionPlan:
    plan = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    if status == plan.status:
        return plan
    if status not in PLAN_TRANSITIONS.get(plan.status, frozenset()):
        raise ApplicationError(
            _("A %(from)s plan cannot become %(to)s.")
            % {
                "from": ActionPlan.Status(plan.status).label,
                "to": ActionPlan.Status(status).label
                if status in ActionPlan.Status.values
                else status,
            },
            fields={"status": [_("Not a possible status from here.")]},
        )
    plan.status = status
    now = timezone.now()
    if status == ActionPlan.Status.ACTIVE and plan.activated_at is None:
        plan.activated_at = now
    plan.closed_at = now if status == ActionPlan.Status.CLOSED else None
    version_bump(plan)
    plan.save(update_fields=["status", "activated_at", "closed_at", "version", "updated_at"])
    return plan


@transaction.atomic
def plan_delete(*, plan: ActionPlan) -> None:
    if plan.status != ActionPlan.Status.DRAFT or plan.versions.exists():
        raise ApplicationError(
            _("Only a draft plan never shared with a partner can be deleted; close it instead.")
        )
    plan.delete()


def _plan_open_check(plan: ActionPlan) -> None:
    if plan.status == ActionPlan.Status.CLOSED:
        raise ApplicationError(_("This plan is closed: reopen it to change its actions."))


# -- actions ---------------------------------------------------------------------------


def _ids_check(
    errors: dict[str, list[str]], name: str, ids: tuple[int, ...], allowed: Any
) -> list[int]:
    wanted = sorted(set(ids))
    if wanted and allowed.filter(pk__in=wanted).count() != len(wanted):
        _add(errors, name, _("Pick among the choices offered."))
    return wanted


def _action_validate(
    *, by: User, plan: ActionPlan, data: ActionInput, action: Action | None
) -> tuple[dict[str, Any], dict[str, list[int]], dict[dt.date, Decimal]]:
    errors: dict[str, list[str]] = {}
    if data.kind not in Action.Kind.values:
        _add(errors, "kind", _("Pick a type among the choices offered."))
    elif action is None and not action_can_create(user=by, plan=plan, kind=data.kind):
        _add(errors, "kind", _("You may add only marketing actions to this plan."))
    title = _line_check(errors, "title", data.title, required=True)
    description = _long_check(errors, "description", data.description, LONG_TEXT_MAX)
    owners = plan_owner_choices(by)
    if action is not None and action.owner_id == data.owner.pk:
        pass  # keeping the owner is always allowed
    elif not owners.filter(pk=data.owner.pk).exists():
        _add(errors, "owner", _("You may not make this person the owner."))
    if data.ends_on < data.starts_on:
        _add(errors, "ends_on", _("The end date is before the start date."))
    if data.starts_on < plan.starts_on or data.starts_on > plan.ends_on:
        _add(
            errors,
            "starts_on",
            _("Start within the plan's period (%(start)s to %(end)s).")
            % {"start": plan.starts_on.isoformat(), "end": plan.ends_on.isoformat()},
        )
    if data.ends_on > plan.ends_on or data.ends_on < plan.starts_on:
        _add(
            errors,
            "ends_on",
            _("End within the plan's period (%(start)s to %(end)s).")
            % {"start": plan.starts_on.isoformat(), "end": plan.ends_on.isoformat()},
        )
    planned_cost = _amount_check(errors, "planned_cost", data.planned_cost)
    actual_cost = _amount_check(errors, "actual_cost", data.actual_cost)
    months: dict[dt.date, Decimal] = {}
    first_allowed = data.starts_on.replace(day=1)
    last_allowed = month_add(data.ends_on.replace(day=1), REVENUE_MONTHS_AFTER_END)
    for day, raw in data.expected_revenue.items():
        month = day.replace(day=1)
        amount = _amount_check(errors, "expected_revenue", raw)
        if amount is None:
            continue
        if not first_allowed <= month <= last_allowed:
            _add(
                errors,
                "expected_revenue",
                _(
                    "Expected revenue in %(month)s: use the months from the action's start to "
                    "%(n)s months after its end."
                )
                % {"month": f"{month:%Y-%m}", "n": REVENUE_MONTHS_AFTER_END},
            )
            continue
        months[month] = months.get(month, Decimal(0)) + amount
    refs = {
        "territories": _ids_check(
            errors, "territories", data.territory_ids, Territory.objects.all()
        ),
        "tiers": _ids_check(errors, "tiers", data.tier_ids, Tier.objects.all()),
        "product_lines": _ids_check(
            errors, "product_lines", data.product_line_ids, ProductLine.objects.all()
        ),
        "accounts": _ids_check(errors, "accounts", data.account_ids, accounts_visible_to(by)),
        "partners": _ids_check(errors, "partners", data.partner_ids, partners_visible_to(by)),
    }
    _raise(errors)
    fields = {
        "kind": data.kind,
        "title": title,
        "description": description,
        "owner": data.owner,
        "starts_on": data.starts_on,
        "ends_on": data.ends_on,
        "planned_cost": planned_cost or Decimal(0),
        "actual_cost": actual_cost,
    }
    return fields, refs, dict(sorted(months.items()))


def _action_write_relations(
    action: Action, refs: dict[str, list[int]], months: dict[dt.date, Decimal]
) -> None:
    for name, ids in refs.items():
        getattr(action, name).set(ids)
    action.months.all().delete()
    ActionMonth.objects.bulk_create(
        ActionMonth(action=action, month=month, expected_revenue=amount)
        for month, amount in months.items()
    )


@transaction.atomic
def action_create(*, plan: ActionPlan, by: User, data: ActionInput) -> Action:
    plan = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    _plan_open_check(plan)
    fields, refs, months = _action_validate(by=by, plan=plan, data=data, action=None)
    action = Action(plan=plan, **fields)
    action.full_clean(exclude=["plan"])
    action.save()
    _action_write_relations(action, refs, months)
    return action


@transaction.atomic
def action_update(
    *, action: Action, by: User, data: ActionInput, expected_version: int | None = None
) -> Action:
    """Change an action; ``expected_version`` as for plans."""
    action = Action.objects.select_for_update().select_related("plan").get(pk=action.pk)
    _plan_open_check(action.plan)
    version_check(action, expected_version)
    fields, refs, months = _action_validate(by=by, plan=action.plan, data=data, action=action)
    if (
        data.kind != action.kind
        and action.owner_id != by.pk
        and not action_can_create(user=by, plan=action.plan, kind=data.kind)
    ):
        raise ApplicationError(
            _("Nothing was saved: correct the fields shown."),
            fields={"kind": [_("You may not change this action to that type.")]},
        )
    for name, value in fields.items():
        setattr(action, name, value)
    action.full_clean(exclude=["plan"])
    version_bump(action)
    action.save()
    _action_write_relations(action, refs, months)
    return action


@transaction.atomic
def action_set_status(*, action: Action, status: str, actual_cost: Decimal | None = None) -> Action:
    """Move an action (planned, running, done, cancelled); its actual cost may come with
    ``done``."""
    action = Action.objects.select_for_update().select_related("plan").get(pk=action.pk)
    _plan_open_check(action.plan)
    errors: dict[str, list[str]] = {}
    cost = _amount_check(errors, "actual_cost", actual_cost)
    _raise(errors)
    if status != action.status and status not in ACTION_TRANSITIONS.get(action.status, frozenset()):
        raise ApplicationError(
            _("This action cannot go from %(from)s to %(to)s.")
            % {
                "from": Action.Status(action.status).label,
                "to": Action.Status(status).label if status in Action.Status.values else status,
            },
            fields={"status": [_("Not a possible status from here.")]},
        )
    action.status = status
    if cost is not None:
        action.actual_cost = cost
    version_bump(action)
    action.save(update_fields=["status", "actual_cost", "version", "updated_at"])
    return action


@transaction.atomic
def action_delete(*, action: Action) -> None:
    _plan_open_check(action.plan)
    action.delete()


# -- tasks -----------------------------------------------------------------------------


def _task_validate(*, by: User, action: Action, data: TaskInput) -> str:
    errors: dict[str, list[str]] = {}
    title = _line_check(errors, "title", data.title, required=True)
    if (
        data.assignee.pk != by.pk
        and not plan_owner_choices(by).filter(pk=data.assignee.pk).exists()
    ):
        _add(errors, "assignee", _("You may not give tasks to this person."))
    if data.due_on > month_add(action.ends_on.replace(day=1), REVENUE_MONTHS_AFTER_END):
        _add(errors, "due_on", _("The due date is too far after the action."))
    _raise(errors)
    return title


@transaction.atomic
def task_create(*, action: Action, by: User, data: TaskInput) -> ActionTask:
    _plan_open_check(action.plan)
    title = _task_validate(by=by, action=action, data=data)
    task = ActionTask(action=action, title=title, due_on=data.due_on, assignee=data.assignee)
    task.full_clean(exclude=["action"])
    task.save()
    return task


@transaction.atomic
def task_set_done(*, task: ActionTask, done: bool = True) -> ActionTask:
    task = ActionTask.objects.select_for_update().get(pk=task.pk)
    if done and task.done_at is None:
        task.done_at = timezone.now()
    elif not done:
        task.done_at = None
    task.save(update_fields=["done_at", "updated_at"])
    return task


@transaction.atomic
def task_delete(*, task: ActionTask) -> None:
    task.delete()


# -- deal links ------------------------------------------------------------------------


@transaction.atomic
def action_deal_link(*, action: Action, deal: Deal, by: User) -> ActionDeal:
    """Link a deal to an action (the caller checked it sees the deal); linking twice is a no-op."""
    link, _created = ActionDeal.objects.get_or_create(
        action=action, deal=deal, defaults={"linked_by": by}
    )
    return link


@transaction.atomic
def action_deal_unlink(*, action: Action, deal_id: int) -> None:
    ActionDeal.objects.filter(action=action, deal_id=deal_id).delete()


# -- joint business plans --------------------------------------------------------------


def plan_snapshot(plan: ActionPlan) -> dict[str, Any]:
    """What a version keeps of a plan: its text, period, objectives and actions."""
    actions = []
    for action in (
        plan.actions.select_related("owner").prefetch_related("months").order_by("starts_on", "id")
    ):
        months = {f"{m.month:%Y-%m}": str(m.expected_revenue) for m in action.months.all()}
        actions.append(
            {
                "id": action.pk,
                "kind": action.kind,
                "title": action.title,
                "description": action.description,
                "owner": str(action.owner),
                "starts_on": action.starts_on.isoformat(),
                "ends_on": action.ends_on.isoformat(),
                "status": action.status,
                "planned_cost": str(action.planned_cost),
                "expected_revenue": str(
                    sum((m.expected_revenue for m in action.months.all()), Decimal(0))
                ),
                "months": months,
            }
        )
    return {
        "name": plan.name,
        "scope": plan.scope_key,
        "period": plan.period,
        "starts_on": plan.starts_on.isoformat(),
        "ends_on": plan.ends_on.isoformat(),
        "status": plan.status,
        "diagnosis": plan.diagnosis,
        "objectives": [
            {
                "id": o.pk,
                "fiscal_year": o.fiscal_year,
                "measure": o.measure,
                "amount": str(o.amount),
            }
            for o in plan.objectives.order_by("id")
        ],
        "actions": actions,
    }


@transaction.atomic
def plan_version_share(*, plan: ActionPlan, by: User, note: str = "") -> PlanVersion:
    """Share the plan as it is now with its partner: a new numbered snapshot."""
    plan = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    errors: dict[str, list[str]] = {}
    note = _line_check(errors, "note", note, required=False)
    if len(note) > 300:
        _add(errors, "note", _("At most %(max)s characters.") % {"max": 300})
    _raise(errors)
    if plan.scope_kind != ActionPlan.ScopeKind.PARTNER:
        raise ApplicationError(_("Only a partner's plan is shared with a partner."))
    number = (plan.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    return PlanVersion.objects.create(
        plan=plan, number=number, snapshot=plan_snapshot(plan), note=note, shared_by=by
    )


@transaction.atomic
def plan_version_accept(*, version: PlanVersion, by: User) -> PlanVersion:
    """The partner admin accepts the latest version; a newer version shared meanwhile, or an
    earlier acceptance, refuses it."""
    ActionPlan.objects.select_for_update().get(pk=version.plan_id)
    version = PlanVersion.objects.select_related("plan").get(pk=version.pk)
    if not plan_version_can_accept(user=by, version=version):
        raise ApplicationError(
            _("Only the latest version, not yet accepted, can be accepted by the partner admin.")
        )
    version.accepted_by = by
    version.accepted_at = timezone.now()
    version.save(update_fields=["accepted_by", "accepted_at"])
    return version


@transaction.atomic
def plan_comment_add(*, plan: ActionPlan, by: User, body: str) -> PlanComment:
    errors: dict[str, list[str]] = {}
    body = (body or "").strip()
    if not body:
        _add(errors, "body", _("Write a comment."))
    _long_check(errors, "body", body, LONG_TEXT_MAX)
    _raise(errors)
    return PlanComment.objects.create(plan=plan, author=by, body=body)


# -- calendar feeds --------------------------------------------------------------------


def calendar_feed_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def calendar_feed_create(*, user: User) -> str:
    """A new secret feed key for ``user`` (the previous URL stops working). Shown once."""
    calendar_feed_revoke(user=user)
    key = secrets.token_urlsafe(32)
    CalendarFeedToken.objects.create(user=user, key_hash=calendar_feed_key_hash(key))
    return key


@transaction.atomic
def calendar_feed_revoke(*, user: User) -> None:
    CalendarFeedToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
