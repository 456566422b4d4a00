"""Writes: objectives, their monthly split, the cascade (allocation), publishing, forecast calls."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dirco.accounts.models import User
from dirco.accounts.permissions import user_is_staff_member
from dirco.catalog.models import ProductLine
from dirco.core.errors import ApplicationError
from dirco.core.l10n import parse_amount
from dirco.core.money import CENT
from dirco.core.periods import month_add
from dirco.core.references import unknown_reference
from dirco.core.versioning import version_bump, version_check
from dirco.objectives.fiscal_calendar import (
    fiscal_year_months,
    fiscal_year_settable_check,
    period_parse,
)
from dirco.objectives.models import (
    ForecastAdjustment,
    Objective,
    ObjectiveMonth,
    ObjectiveMonthChange,
    ScopeKind,
)
from dirco.objectives.permissions import (
    forecast_call_can_adjust,
    forecast_call_can_submit,
    objective_allocation_reps,
    objective_can_allocate,
    objective_can_delete,
    objective_check_can_set,
    objective_check_can_set_kind,
    objective_may_allocate_to_partner,
    objective_may_allocate_to_rep,
    objective_scope_targets_for,
)
from dirco.objectives.seasonality import learned_split_weights, split_parent_scope
from dirco.objectives.selectors import (
    allocation_summary,
    monthly_actuals,
    objective_scope,
    won_last_12_months,
)
from dirco.partners.models import Partner
from dirco.revenue.services import revenue_forecast_for_scope, revenue_forecasts_warm
from dirco.rollups.writes import rollups_rebuild as _rollups_rebuild
from dirco.scopes import Scope
from dirco.teams.models import SalesTeam
from dirco.webhooks.services import emit

HUNDRED = Decimal(100)


def rollups_rebuild() -> dict[str, int]:
    """Recompute the monthly rollups from the deals; call after bulk writes (the demo seed)."""
    return _rollups_rebuild()


# -- input checks ------------------------------------------------------------------------------


def amount_parse(value: Any, *, field: str = "amount") -> Decimal:
    """A non-negative amount with at most 2 decimals, or an error naming ``field``."""
    if isinstance(value, bool):
        value = None
    try:
        # Typed in the user's language ("28 000 000,00", "1 900 000 €") or plain ("1200.50").
        amount = parse_amount(value) if value is not None else None
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        raise ApplicationError(
            _("Enter the %(field)s as a number, e.g. 1200000.00.") % {"field": field},
            fields={field: [_("Enter a number, e.g. 1200000.00.")]},
        )
    if amount < 0:
        raise ApplicationError(
            _("The %(field)s cannot be negative.") % {"field": field},
            fields={field: [_("Enter 0 or more.")]},
        )
    # The size first: quantize() of a number beyond the decimal context raises (HTTP 500).
    if amount >= Decimal(10) ** 14 or amount != amount.quantize(CENT):
        raise ApplicationError(
            _("The %(field)s has too many digits: at most 14 before the point and 2 after.")
            % {"field": field},
            fields={field: [_("At most 2 decimals.")]},
        )
    return amount.quantize(CENT)


def _distribute(total: Decimal, weights: list[float] | list[Decimal]) -> list[Decimal]:
    """Split ``total`` by ``weights`` to the cent; the rounding remainder goes to the largest."""
    weight_sum = sum(Decimal(str(w)) for w in weights)
    if weight_sum <= 0:
        weights = [1] * len(weights)  # type: ignore[assignment]
        weight_sum = Decimal(len(weights))
    parts = [
        (total * Decimal(str(w)) / weight_sum).quantize(CENT, rounding=ROUND_HALF_UP)
        for w in weights
    ]
    remainder = total - sum(parts)
    if remainder:
        largest = max(range(len(parts)), key=lambda i: (parts[i], -i))
        parts[largest] += remainder
        if parts[largest] < 0:  # pragma: no cover - only with absurd weights
            parts[largest] -= remainder
            parts[0] += remainder
    return parts


def percentages_parse(values: Any) -> list[Decimal]:
    if not isinstance(values, list | tuple) or len(values) != 12:
        raise ApplicationError(
            _("Give 12 monthly percentages, one per fiscal month."),
            fields={"percentages": [_("Give exactly 12 percentages.")]},
        )
    parsed: list[Decimal] = []
    for i, value in enumerate(values, start=1):
        try:
            pct = Decimal(str(value))
        except (InvalidOperation, ValueError):
            pct = Decimal(-1)
        if not pct.is_finite() or pct < 0:
            raise ApplicationError(
                _("Month %(n)s: enter a percentage of 0 or more.") % {"n": i},
                fields={"percentages": [_("Month %(n)s is not a valid percentage.") % {"n": i}]},
            )
        parsed.append(pct)
    total = sum(parsed, Decimal(0))
    if abs(total - HUNDRED) > CENT:
        raise ApplicationError(
            _("The monthly percentages add up to %(total)s%%, not 100%%: correct them.")
            % {"total": total.quantize(CENT)},
            fields={
                "percentages": [
                    _("They add up to %(total)s%%; they must add up to 100%%.")
                    % {"total": total.quantize(CENT)}
                ]
            },
        )
    return parsed


def _split_forecasts_warm(*, scopes: list[Scope], split_method: str) -> None:
    """A learned split reads the forecasts of each scope, of its parent scope and (for the
    scopes that borrow its error profile) of the company: refresh the stale ones now, before
    the write transaction that reads them."""
    if split_method != Objective.SplitMethod.LEARNED or not scopes:
        return
    wanted = [Scope("company")]
    for scope in scopes:
        wanted.append(scope)
        parent = split_parent_scope(scope)
        if parent is not None:
            wanted.append(parent)
    revenue_forecasts_warm(scopes=wanted)


def objective_split_compute(
    *,
    scope: Scope,
    fiscal_year: int,
    amount: Decimal,
    method: str,
    measure: str = Objective.Measure.WON_REVENUE,
    product_line_id: int | None = None,
    percentages: list[Decimal] | None = None,
) -> tuple[list[Decimal], str]:
    """The 12 fiscal-month amounts for ``method``, and a note (e.g. a fallback to flat)."""
    months = fiscal_year_months(fiscal_year)
    if method == Objective.SplitMethod.MANUAL:
        return _distribute(amount, percentages_parse(percentages)), ""
    if method == Objective.SplitMethod.LEARNED:
        weights, note = learned_split_weights(scope=scope)
        if weights is not None and sum(weights) > 0:
            # The shares are indexed by calendar month (January first).
            return _distribute(amount, [weights[m.month - 1] for m in months]), note
        return _distribute(amount, [1.0] * 12), note or _(
            "No seasonal profile could be learned for this scope (too little won history): "
            "split flat instead."
        )
    if method == Objective.SplitMethod.LAST_YEAR:
        actuals = monthly_actuals(
            scope=scope,
            first_month=month_add(months[0], -12),
            last_month=month_add(months[-1], -12),
            measure=measure,
            product_line_id=product_line_id,
        )
        values = [actuals[month_add(m, -12)] for m in months]
        if sum(values) > 0:
            return _distribute(amount, values), ""
        return _distribute(amount, [1.0] * 12), _(
            "Nothing was won last year in this scope: split flat instead."
        )
    if method == Objective.SplitMethod.FLAT:
        return _distribute(amount, [1.0] * 12), ""
    raise ApplicationError(
        _("Unknown split method '%(method)s': use learned, last_year, manual or flat.")
        % {"method": method},
        fields={"split_method": [_("Not a valid split method.")]},
    )


def _months_write(objective: Objective, amounts: list[Decimal]) -> None:
    ObjectiveMonth.objects.filter(objective=objective).delete()
    ObjectiveMonth.objects.bulk_create(
        ObjectiveMonth(objective=objective, month_index=i, month=m, amount=a)
        for i, (m, a) in enumerate(
            zip(fiscal_year_months(objective.fiscal_year), amounts, strict=True), start=1
        )
    )


# -- objectives --------------------------------------------------------------------------------


def _scope_objects(
    scope: Scope, product_line: ProductLine | None, user: User | None = None
) -> dict[str, Any]:
    """The FK values of an objective for a scope, or a field error for an unknown id.

    With ``user``, an id whose objective the user may not set is unknown too, like a missing
    one (no existence oracle: objective_scope_targets_for)."""
    out: dict[str, Any] = {"team": None, "rep": None, "partner": None, "product_line": product_line}
    if scope.kind == "company":
        return out
    model: Any = {
        "team": SalesTeam,
        "rep": User,
        "partner": Partner,
        "product_line": ProductLine,
    }[scope.kind]
    candidates = model.objects.all()
    if user is not None:
        allowed = objective_scope_targets_for(user=user, scope_kind=scope.kind)
        if allowed is not None:
            candidates = candidates.filter(pk__in=allowed.values("pk"))
    obj = candidates.filter(pk=scope.id or 0).first()
    if scope.kind == "rep" and obj is not None and not user_is_staff_member(obj):
        obj = None
    if obj is None:
        raise ApplicationError(
            unknown_reference(scope.kind, scope.id),
            fields={scope.kind: [unknown_reference(scope.kind, scope.id)]},
        )
    if scope.kind == "product_line":
        if product_line is not None:
            raise ApplicationError(
                _("A product-line objective cannot be narrowed to another product line."),
                fields={"product_line": [_("Leave empty for a product-line scope.")]},
            )
        out["product_line"] = obj
    else:
        out[scope.kind] = obj
    return out


def objective_create(
    *,
    user: User,
    scope: Scope,
    fiscal_year: int,
    amount: Any,
    measure: str = Objective.Measure.WON_REVENUE,
    product_line: ProductLine | None = None,
    split_method: str = Objective.SplitMethod.LEARNED,
    percentages: list[Any] | None = None,
    parent: Objective | None = None,
) -> Objective:
    _split_forecasts_warm(scopes=[scope], split_method=split_method)
    with transaction.atomic():
        fiscal_year_settable_check(fiscal_year, today=timezone.localdate())
        value = amount_parse(amount)
        if measure not in Objective.Measure.values:
            raise ApplicationError(
                _("Unknown measure '%(m)s'.") % {"m": measure},
                fields={"measure": [_("Use won_revenue, won_deals or new_active_partners.")]},
            )
        objective_check_can_set_kind(user=user, scope_kind=scope.kind, scope_id=scope.id)
        objects = _scope_objects(scope, product_line, user)
        objective_check_can_set(
            user=user,
            scope_kind=scope.kind,
            team=objects["team"],
            rep=objects["rep"],
            partner=objects["partner"],
        )
        if parent is not None:
            _parent_check(parent=parent, scope=scope, fiscal_year=fiscal_year, measure=measure)
        line = objects["product_line"]
        existing = Objective.objects.filter(
            scope_key=scope.key, fiscal_year=fiscal_year, measure=measure
        )
        if scope.kind != "product_line":
            existing = existing.filter(product_line=line)
        if existing.exists():
            raise ApplicationError(
                _("%(scope)s already has a %(year)s objective for this measure: change it instead.")
                % {"scope": scope.key, "year": fiscal_year},
                fields={"fiscal_year": [_("An objective already exists for this year.")]},
            )
        objective = Objective(
            scope_kind=scope.kind,
            scope_key=scope.key,
            fiscal_year=fiscal_year,
            measure=measure,
            amount=value,
            parent=parent,
            split_method=split_method,
            set_by=user,
            set_at=timezone.now(),
            **objects,
        )
        amounts, note = objective_split_compute(
            scope=objective_scope(objective),
            fiscal_year=fiscal_year,
            amount=value,
            method=split_method,
            measure=measure,
            product_line_id=line.pk if line and scope.kind != "product_line" else None,
            percentages=percentages,
        )
        objective.split_note = note
        objective.full_clean(exclude=["scope_key", "set_by"])
        objective.save()
        _months_write(objective, amounts)
        return objective


def _parent_check(*, parent: Objective, scope: Scope, fiscal_year: int, measure: str) -> None:
    allowed = {
        ScopeKind.COMPANY: {"team", "product_line"},
        ScopeKind.TEAM: {"rep", "partner"},
        ScopeKind.REP: {"partner"},
    }.get(parent.scope_kind, set())  # type: ignore[call-overload]
    if scope.kind not in allowed:
        raise ApplicationError(
            _("A %(kind)s objective cannot be allocated from a %(parent)s objective.")
            % {"kind": scope.kind, "parent": parent.scope_kind},
            fields={"parent": [_("Not a valid parent for this scope.")]},
        )
    if parent.fiscal_year != fiscal_year or parent.measure != measure:
        raise ApplicationError(
            _("The parent objective is for another fiscal year or measure."),
            fields={"parent": [_("Choose a parent with the same fiscal year and measure.")]},
        )


def objective_update(
    *,
    objective: Objective,
    user: User,
    amount: Any = None,
    split_method: str | None = None,
    percentages: list[Any] | None = None,
    expected_version: int | None = None,
) -> Objective:
    """Change the yearly amount and/or the split; the months are split again (overrides too).
    ``expected_version`` (the version the caller read) refuses the change with StaleVersion
    when the objective was saved in between."""
    _split_forecasts_warm(
        scopes=[objective_scope(objective)],
        split_method=split_method or objective.split_method,
    )
    with transaction.atomic():
        objective = Objective.objects.select_for_update().get(pk=objective.pk)
        objective_check_can_set(
            user=user,
            scope_kind=objective.scope_kind,
            team=objective.team,
            rep=objective.rep,
            partner=objective.partner,
        )
        version_check(objective, expected_version)
        if amount is not None:
            objective.amount = amount_parse(amount)
        if split_method is not None:
            objective.split_method = split_method
        amounts, note = objective_split_compute(
            scope=objective_scope(objective),
            fiscal_year=objective.fiscal_year,
            amount=objective.amount,
            method=objective.split_method,
            measure=objective.measure,
            product_line_id=(
                objective.product_line_id if objective.scope_kind != "product_line" else None
            ),
            percentages=percentages,
        )
        previous = {m.month_index: m.amount for m in objective.months.all()}
        objective.split_note = note
        objective.set_by = user
        objective.set_at = timezone.now()
        version_bump(objective)
        objective.save(
            update_fields=[
                "amount",
                "split_method",
                "split_note",
                "set_by",
                "set_at",
                "version",
                "updated_at",
            ]
        )
        _months_write(objective, amounts)
        ObjectiveMonthChange.objects.bulk_create(
            ObjectiveMonthChange(
                objective=objective,
                month=m,
                from_amount=previous.get(i, Decimal(0)),
                to_amount=a,
                changed_by=user,
            )
            for i, (m, a) in enumerate(
                zip(fiscal_year_months(objective.fiscal_year), amounts, strict=True), start=1
            )
            if previous and previous.get(i) != a
        )
        return objective


@transaction.atomic
def objective_months_set(
    *,
    objective: Objective,
    user: User,
    amounts: dict[Any, Any],
    rebalance: bool = False,
    expected_version: int | None = None,
) -> Objective:
    """Set some fiscal months (1-12) by hand; each change is audited (who, when, from, to).

    The months must still add up to the yearly amount: otherwise the change is refused with
    an error on ``months``, unless ``rebalance`` spreads the difference over the months not
    set by hand, in proportion to their amounts.
    """
    objective = Objective.objects.select_for_update().get(pk=objective.pk)
    objective_check_can_set(
        user=user,
        scope_kind=objective.scope_kind,
        team=objective.team,
        rep=objective.rep,
        partner=objective.partner,
    )
    version_check(objective, expected_version)
    rows = {m.month_index: m for m in objective.months.all()}
    new: dict[int, Decimal] = {}
    for key, value in amounts.items():
        try:
            index = int(key)
        except (TypeError, ValueError):
            index = 0
        if index not in rows:
            raise ApplicationError(
                _("Month %(m)s is outside the fiscal year: use fiscal months 1 to 12.")
                % {"m": key},
                fields={f"months.{key}": [_("Use a fiscal month from 1 to 12.")]},
            )
        new[index] = amount_parse(value, field=f"months.{index}")
    total = sum(new.get(i, row.amount) for i, row in rows.items())
    if total != objective.amount:
        if not rebalance:
            raise ApplicationError(
                _(
                    "The months add up to %(total)s, not the yearly %(amount)s: adjust them, or "
                    "ask to rebalance the other months."
                )
                % {"total": total, "amount": objective.amount},
                fields={
                    "months": [
                        _("They add up to %(total)s; the year is %(amount)s.")
                        % {"total": total, "amount": objective.amount}
                    ]
                },
            )
        free = [i for i, row in rows.items() if i not in new and not row.is_override]
        left = (
            objective.amount
            - sum(new.values())
            - sum(row.amount for i, row in rows.items() if i not in new and row.is_override)
        )
        if not free or left < 0:
            raise ApplicationError(
                _(
                    "Cannot rebalance: the months set by hand already exceed the yearly amount "
                    "or no month is left to adjust."
                ),
                fields={"months": [_("Lower the months set by hand or raise the year.")]},
            )
        spread = _distribute(left, [rows[i].amount for i in free])
        rebalanced = dict(zip(free, spread, strict=True))
    else:
        rebalanced = {}
    changes = []
    for index, row in rows.items():
        if index in new:
            value, override = new[index], True
        elif index in rebalanced:
            value, override = rebalanced[index], row.is_override
        else:
            continue
        if value != row.amount or override != row.is_override:
            changes.append(
                ObjectiveMonthChange(
                    objective=objective,
                    month=row.month,
                    from_amount=row.amount,
                    to_amount=value,
                    changed_by=user,
                )
            )
            row.amount, row.is_override = value, override
            row.save(update_fields=["amount", "is_override"])
    ObjectiveMonthChange.objects.bulk_create(changes)
    if changes:
        version_bump(objective)
        objective.save(update_fields=["version", "updated_at"])
    return objective


@transaction.atomic
def objective_delete(*, objective: Objective, user: User) -> None:
    if not objective_can_delete(user=user, objective=objective):
        raise ApplicationError(
            _("Only the director deletes objectives."),
            fields={"__all__": [_("Only the director deletes objectives.")]},
        )
    objective.delete()


# -- the cascade -------------------------------------------------------------------------------


def _default_targets(parent: Objective, user: User) -> list[Scope]:
    if parent.scope_kind == ScopeKind.COMPANY:
        return [
            Scope("team", t) for t in SalesTeam.objects.order_by("id").values_list("id", flat=True)
        ]
    if parent.scope_kind == ScopeKind.TEAM:
        reps = objective_allocation_reps(user=user, team_id=parent.team_id).order_by("id")
        return [Scope("rep", r) for r in reps.values_list("id", flat=True)]
    raise ApplicationError(
        _("Choose whom to allocate this objective to."),
        fields={"targets": [_("Give the scopes to allocate to.")]},
    )


def _shares(
    method: str, parent: Objective, targets: list[Scope], today: dt.date
) -> tuple[list[float], str]:
    if method == "history":
        values = won_last_12_months(
            scopes=targets,
            today=today,
            measure=parent.measure,
            product_line_id=parent.product_line_id if parent.scope_kind != "product_line" else None,
        )
        weights = [float(values.get(s.key, 0)) for s in targets]
        if sum(weights) > 0:
            return weights, ""
        return [1.0] * len(targets), _("Nothing was won in the last 12 months: allocated equally.")
    if method == "forecast":
        months = {f"{m:%Y-%m}" for m in fiscal_year_months(parent.fiscal_year)}
        weights = []
        for scope in targets:
            payload = revenue_forecast_for_scope(scope=scope, horizon=24)
            weights.append(sum(p["forecast"] for p in payload["forecast"] if p["period"] in months))
        if sum(weights) > 0:
            return [max(w, 0.0) for w in weights], ""
        return [1.0] * len(targets), _("No forecast is available: allocated equally.")
    raise ApplicationError(
        _("Unknown allocation method '%(m)s': use history, forecast or manual.") % {"m": method},
        fields={"method": [_("Use history, forecast or manual.")]},
    )


def objective_allocate(
    *,
    parent: Objective,
    user: User,
    method: str = "history",
    amounts: dict[str, Any] | None = None,
    targets: list[str] | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Allocate ``parent`` to its children: the company to teams, a team to reps and partners.

    ``method`` is ``history`` (share of the last 12 months' won revenue), ``forecast``
    (share of the forecast over the fiscal year) or ``manual`` (``amounts``: scope key ->
    amount). Children are created or updated as drafts; the allocation summary is returned.
    Nothing is saved if any target is refused.
    """
    today = today or timezone.localdate()
    if not objective_can_allocate(user=user, objective=parent):
        raise ApplicationError(
            _("You may not allocate this objective."),
            fields={"parent": [_("Only the director, or the team's manager, allocates it.")]},
        )
    if method == "manual":
        if not amounts:
            raise ApplicationError(
                _("Give an amount per scope to allocate manually."),
                fields={"amounts": [_("Give at least one amount.")]},
            )
        scope_amounts = []
        for key, raw in amounts.items():
            scope = Scope.parse(key)
            scope_amounts.append((scope, amount_parse(raw, field=f"amounts.{key}")))
        note = ""
    else:
        scopes = [Scope.parse(t) for t in targets] if targets else _default_targets(parent, user)
        if not scopes:
            raise ApplicationError(
                _("There is nobody to allocate to."),
                fields={"targets": [_("No team, rep or partner to allocate to.")]},
            )
        weights, note = _shares(method, parent, scopes, today)
        scope_amounts = list(zip(scopes, _distribute(parent.amount, weights), strict=True))
    errors: dict[str, list[str]] = {}
    for scope, _amount in scope_amounts:
        message = _allocation_target_error(parent=parent, scope=scope, user=user)
        if message:
            errors.setdefault("targets", []).append(message)
    if errors:
        raise ApplicationError(
            _("Nothing was allocated: some targets are not allowed."), fields=errors
        )
    # The children are created with the learned split, which reads their forecasts: warm
    # them before the transaction (revenue.services: none is computed inside one).
    _split_forecasts_warm(
        scopes=[scope for scope, _amount in scope_amounts],
        split_method=Objective.SplitMethod.LEARNED,
    )
    with transaction.atomic():
        line = parent.product_line if parent.scope_kind != "product_line" else None
        for scope, value in scope_amounts:
            child = Objective.objects.filter(
                scope_key=scope.key,
                fiscal_year=parent.fiscal_year,
                measure=parent.measure,
                product_line=line,
            ).first()
            if child is None:
                objective_create(
                    user=user,
                    scope=scope,
                    fiscal_year=parent.fiscal_year,
                    amount=value,
                    measure=parent.measure,
                    product_line=line,
                    parent=parent,
                )
            else:
                child.parent = parent
                version_bump(child)
                child.save(update_fields=["parent", "version", "updated_at"])
                if child.amount != value:
                    objective_update(objective=child, user=user, amount=value)
        summary = allocation_summary(objective=parent)
        summary["note"] = note
        return summary


def _allocation_target_error(*, parent: Objective, scope: Scope, user: User) -> str:
    try:
        _parent_check(
            parent=parent, scope=scope, fiscal_year=parent.fiscal_year, measure=parent.measure
        )
    except ApplicationError as exc:
        return f"{scope.key}: {exc.message}"
    if parent.scope_kind == ScopeKind.TEAM and scope.kind == "rep":
        in_team = User.objects.filter(pk=scope.id or 0, sales_teams=parent.team_id).exists()
        in_line = objective_may_allocate_to_rep(user=user, rep_id=scope.id or 0)
        if not (in_team and in_line):
            # The scope key, not the name: the user may not know who this is.
            return _(
                "%(name)s is not in your line (%(team)s): you can only allocate to its members."
            ) % {"name": scope.key, "team": parent.team}
    if parent.scope_kind == ScopeKind.TEAM and scope.kind == "partner":
        members = User.objects.filter(sales_teams=parent.team_id).values("id")
        ok = Partner.objects.filter(pk=scope.id or 0, channel_manager_id__in=members).exists()
        if ok:
            ok = objective_may_allocate_to_partner(user=user, partner_id=scope.id or 0)
        if not ok:
            # The scope key, not the name: a partner the user cannot see stays unknown.
            return _("%(name)s's channel manager is not in %(team)s.") % {
                "name": scope.key,
                "team": parent.team,
            }
    return ""


@transaction.atomic
def objective_publish(*, objective: Objective, user: User, confirm: bool = False) -> Objective:
    """Publish an objective. Over- or under-allocation to its children, or more allocated
    from its parent than the parent's amount, blocks publishing unless ``confirm``."""
    objective = Objective.objects.select_for_update().get(pk=objective.pk)
    if not (
        objective_can_allocate(user=user, objective=objective)
        or _can_set(user=user, objective=objective)
    ):
        raise ApplicationError(
            _("You may not publish this objective."),
            fields={"objective": [_("Only whoever sets it may publish it.")]},
        )
    if not confirm:
        summary = allocation_summary(objective=objective)
        if summary["children"] and summary["status"] != "exact":
            message = (
                _(
                    "%(allocated)s of %(amount)s is allocated (over by %(diff)s): correct "
                    "the allocation or confirm to publish anyway."
                )
                if summary["status"] == "over"
                else _(
                    "%(allocated)s of %(amount)s is allocated (under by %(diff)s): correct "
                    "the allocation or confirm to publish anyway."
                )
            )
            raise ApplicationError(
                message
                % {
                    "allocated": summary["allocated"],
                    "amount": objective.amount,
                    "diff": abs(summary["remaining"]),
                },
                fields={"confirm": [_("Confirm to publish an unbalanced allocation.")]},
            )
        if objective.parent_id is not None:
            parent_summary = allocation_summary(objective=objective.parent)  # type: ignore[arg-type]
            if parent_summary["status"] == "over":
                raise ApplicationError(
                    _(
                        "The objectives allocated from %(parent)s add up to %(allocated)s, over its "
                        "%(amount)s: lower this amount or confirm to publish anyway."
                    )
                    % {
                        "parent": objective.parent,
                        "allocated": parent_summary["allocated"],
                        "amount": parent_summary["amount"],
                    },
                    fields={"amount": [_("Over the parent's amount; confirm to publish anyway.")]},
                )
    objective.status = Objective.Status.PUBLISHED
    objective.published_at = timezone.now()
    version_bump(objective)
    objective.save(update_fields=["status", "published_at", "version", "updated_at"])
    emit(
        "objective.published",
        {
            "id": objective.pk,
            "scope": objective.scope_key,
            "fiscal_year": objective.fiscal_year,
            "amount": objective.amount,
            "published_at": objective.published_at,
        },
    )
    return objective


def _can_set(*, user: User, objective: Objective) -> bool:
    from dirco.objectives.permissions import objective_can_edit

    return objective_can_edit(user=user, objective=objective)


# -- forecast calls ----------------------------------------------------------------------------


@transaction.atomic
def forecast_call_submit(
    *, user: User, scope: Scope, period: str, owner_call: Any, note: str = ""
) -> ForecastAdjustment:
    """The scope owner's own call for a period (a rep for themselves, a manager for a team)."""
    fiscal = period_parse(period)
    value = amount_parse(owner_call, field="owner_call")
    if not forecast_call_can_submit(user=user, scope=scope):
        raise ApplicationError(
            _("Only the owner of a scope submits its call; managers adjust it."),
            fields={"scope": [_("This is not your scope.")]},
        )
    latest = _latest_call(scope.key, fiscal.label)
    return ForecastAdjustment.objects.create(
        scope_key=scope.key,
        period=fiscal.label,
        owner_call=value,
        manager_call=latest.manager_call if latest else None,
        note=note,
        by=user,
    )


@transaction.atomic
def forecast_adjust(
    *, user: User, scope: Scope, period: str, manager_call: Any, note: str
) -> ForecastAdjustment:
    """A manager's call over the owner's: both are kept, with the manager's note."""
    fiscal = period_parse(period)
    value = amount_parse(manager_call, field="manager_call")
    if not note.strip():
        raise ApplicationError(
            _("Say why you adjust the forecast."), fields={"note": [_("A note is required.")]}
        )
    if not forecast_call_can_adjust(user=user, scope=scope):
        raise ApplicationError(
            _("Only a manager of this scope may adjust its forecast."),
            fields={"scope": [_("You may not adjust this forecast.")]},
        )
    latest = _latest_call(scope.key, fiscal.label)
    return ForecastAdjustment.objects.create(
        scope_key=scope.key,
        period=fiscal.label,
        owner_call=latest.owner_call if latest else None,
        manager_call=value,
        note=note.strip(),
        by=user,
    )


def _latest_call(scope_key: str, period: str) -> ForecastAdjustment | None:
    return (
        ForecastAdjustment.objects.filter(scope_key=scope_key, period=period)
        .order_by("-at", "-id")
        .first()
    )
