"""Writes on the pipeline: each service validates, saves in one transaction and records history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any, TypedDict, Unpack

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dirco.accounts.models import User
from dirco.catalog.models import ProductLine
from dirco.catalog.permissions import catalog_can_change
from dirco.core.errors import ApplicationError
from dirco.core.money import CURRENCIES, RateTable
from dirco.core.references import unknown_reference
from dirco.core.transactions import atomic_retrying
from dirco.core.validation import relations_read
from dirco.core.versioning import version_bump, version_check
from dirco.customers.models import Account
from dirco.partners.models import Contact, Partner
from dirco.pipeline.activity_rules import activity_plausibility_check
from dirco.pipeline.deal_rules import DealFacts, deal_plausibility_check
from dirco.pipeline.hooks import (
    activity_change_hooks,
    activity_change_hooks_run,
    activity_snapshot,
    deal_change_hooks,
    deal_change_hooks_run,
    deal_delete_hooks_run,
    deal_snapshot,
)
from dirco.pipeline.models import Activity, Deal, ForecastCategory, Stage, StageChange
from dirco.pipeline.signals import deals_changed
from dirco.scopes import scopes_of_deal
from dirco.teams.models import SalesTeam
from dirco.webhooks.services import emit, emit_all


class DealFields(TypedDict, total=False):
    """What a caller may set on a deal: the deal form and the API build it, deal_create and
    deal_update take it (create needs name, account, owner, product_line, amount, currency,
    stage and expected_close_date; the model's validation says which is missing).

    ``amount`` is a Decimal in ``currency`` (ISO 4217) from the edge on; the services convert
    it to ``amount_company`` (Decimal, company currency) which the rollups sum in cents.
    """

    name: str
    account: Account
    partner: Partner | None
    owner: User
    team: SalesTeam | None
    product_line: ProductLine
    amount: Decimal
    currency: str
    stage: Stage
    probability: int | None
    expected_close_date: dt.date
    close_date: dt.date | None
    source: str
    lost_reason: str
    forecast_category: str


class ActivityFields(TypedDict, total=False):
    """What a caller may set on an activity (linked to at least one of deal, partner,
    contact, account); activity_create takes it."""

    kind: str
    subject: str
    notes: str
    due_at: dt.datetime | None
    done_at: dt.datetime | None
    deal: Deal | None
    partner: Partner | None
    contact: Contact | None
    account: Account | None


# Fields a caller may pass to deal_create/deal_update; anything else is refused (a caller
# that builds its keywords at run time is checked here, the others by mypy).
DEAL_WRITABLE_FIELDS = frozenset(DealFields.__annotations__)


def deal_team_for_owner(owner_id: int | None) -> SalesTeam | None:
    """The team a deal of this owner belongs to: the owner's first team (None without one)."""
    if owner_id is None:
        return None
    return SalesTeam.objects.filter(members=owner_id).order_by("id").first()


def _validation_error_fields(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


def _deal_stored(deal: Deal) -> dict[str, Any]:
    """The column values of a deal as read from the database (see :func:`_deal_validate`)."""
    return {f.name: getattr(deal, f.attname) for f in Deal._meta.concrete_fields}


def _deal_validate(deal: Deal, stored: dict[str, Any] | None = None) -> None:
    """Refuse a deal that may not be saved, with a message per field.

    ``stored``: the deal's columns as read, under lock, from its row (:func:`_deal_stored`);
    the model validation then skips the fields still holding those values, which the database
    already holds valid (foreign keys that exist, constraints that hold): a stage move checks
    neither the account, owner, team and product line again (4 queries) nor the constraints
    on the amount and external id (4 more, with their savepoints). Nor does it re-read a
    relation given as an object read from the database (:func:`relations_read`).
    """
    errors: dict[str, list[str]] = {}
    try:
        amount = Decimal(deal.amount)
    except (InvalidOperation, TypeError, ValueError):
        errors["amount"] = [_("Enter the amount as a number, e.g. 12500.00.")]
    else:
        if amount < 0:
            errors["amount"] = [_("The amount cannot be negative.")]
    if deal.currency not in CURRENCIES:
        errors["currency"] = [
            _("Unknown currency %(code)s; use one of %(known)s.")
            % {"code": deal.currency, "known": ", ".join(CURRENCIES)}
        ]
    if deal.stage_id and deal.stage.is_lost and not deal.lost_reason:
        errors["lost_reason"] = [_("Say why the deal was lost.")]
    if deal.partner is not None and deal.partner.status == Partner.Status.CHURNED:
        errors["partner"] = [_("This partner has churned; choose an active partner.")]
    if errors:
        raise ApplicationError(
            _("The deal was not saved: correct the fields shown."), fields=errors
        )
    exclude = {"amount_company"} | relations_read(deal)
    if stored is not None:
        exclude |= {
            f.name
            for f in Deal._meta.concrete_fields
            if f.name in stored and getattr(deal, f.attname) == stored[f.name]
        }
    try:
        deal.full_clean(exclude=sorted(exclude))
    except ValidationError as exc:
        raise ApplicationError(
            _("The deal was not saved: correct the fields shown."),
            fields=_validation_error_fields(exc),
        ) from exc


def _deal_convert(deal: Deal, rates: RateTable | None = None) -> None:
    rates = rates or RateTable.load()
    on = deal.close_date or deal.expected_close_date
    try:
        deal.amount_company = rates.to_company(Decimal(deal.amount), deal.currency, on)
    except LookupError as exc:
        raise ApplicationError(str(exc), fields={"currency": [str(exc)]}) from exc


def deal_scope_keys(deal: Deal) -> set[str]:
    """The keys of the scopes a deal counts in (see :func:`dirco.scopes.scopes_of_deal`)."""
    return {scope.key for scope in scopes_of_deal(deal)}


def deal_won_month(deal: Deal) -> dt.date | None:
    """The month (its first day) a deal's won revenue counts in, as the rollups count it (the
    close date, else the expected one); None unless the deal is won."""
    if not deal.stage.is_won:
        return None
    return (deal.close_date or deal.expected_close_date).replace(day=1)


def _deals_changed_on_commit(keys: set[str], won_months: set[dt.date | None]) -> None:
    frozen = sorted(keys)
    months = sorted(m for m in won_months if m is not None)
    transaction.on_commit(lambda: deals_changed.send(sender=Deal, scopes=frozen, won_months=months))


def deal_event_payload(deal: Deal) -> dict[str, Any]:
    """What a deal webhook carries (ids, not names: the receiver reads more through the API)."""
    return {
        "id": deal.pk,
        "name": deal.name,
        "account_id": deal.account_id,
        "partner_id": deal.partner_id,
        "owner_id": deal.owner_id,
        "stage_id": deal.stage_id,
        "product_line_id": deal.product_line_id,
        "amount": deal.amount,
        "currency": deal.currency,
        "amount_company": deal.amount_company,
        "expected_close_date": deal.expected_close_date,
        "close_date": deal.close_date,
    }


def _apply_stage(deal: Deal, stage: Stage, *, today: dt.date) -> None:
    deal.stage = stage
    deal.probability = stage.probability
    deal.forecast_category = stage.forecast_category
    if stage.is_closed:
        deal.close_date = deal.close_date or today
    else:
        deal.close_date = None
        deal.lost_reason = ""


@atomic_retrying
def deal_create(
    *, created_by: User | None, confirm_zero_amount: bool = False, **fields: Unpack[DealFields]
) -> Deal:
    unknown = set(fields) - DEAL_WRITABLE_FIELDS
    if unknown:
        raise ApplicationError(
            _("These fields cannot be set: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    stage = fields.pop("stage")
    probability = fields.pop("probability", None)
    deal = Deal(**fields)
    today = timezone.localdate()
    close_date = deal.close_date
    _apply_stage(deal, stage, today=today)
    if close_date and stage.is_closed:
        deal.close_date = close_date
    if probability is not None:
        deal.probability = probability
    if not deal.team_id and deal.owner_id:
        deal.team = deal_team_for_owner(deal.owner_id)
    if deal.partner_id and not fields.get("source"):
        deal.source = Deal.Source.PARTNER
    deal_plausibility_check(
        deal=deal, before=None, today=today, zero_amount_confirmed=confirm_zero_amount
    )
    _deal_validate(deal)
    _deal_convert(deal)
    deal.save()
    if deal_change_hooks:
        deal_change_hooks_run(None, deal_snapshot(deal))
    StageChange.objects.create(deal=deal, from_stage=None, to_stage=stage, changed_by=created_by)
    _deals_changed_on_commit(deal_scope_keys(deal), {deal_won_month(deal)})
    payload = deal_event_payload(deal)
    emit_all([("deal.created", payload)] + ([("deal.won", payload)] if stage.is_won else []))
    return deal


@atomic_retrying
def deal_update(
    *,
    deal: Deal,
    updated_by: User | None,
    confirm_zero_amount: bool = False,
    expected_version: int | None = None,
    **fields: Unpack[DealFields],
) -> Deal:
    """Change a deal; ``expected_version`` (the version the caller read) refuses the change
    with StaleVersion when someone saved the deal in between."""
    unknown = set(fields) - DEAL_WRITABLE_FIELDS
    if unknown:
        raise ApplicationError(
            _("These fields cannot be set: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    # Lock the deal's row alone, then read its relations: a locked query with a join makes
    # PostgreSQL re-check the join after the lock wait (READ COMMITTED), and a deal whose
    # stage changed meanwhile would vanish from the result (Deal.DoesNotExist, a 500).
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    version_check(deal, expected_version)
    stored = _deal_stored(deal)
    keys_before = deal_scope_keys(deal)
    won_month_before = deal_won_month(deal)
    before = deal_snapshot(deal) if deal_change_hooks else None
    facts_before = DealFacts.of(deal)
    new_stage = fields.pop("stage", None)
    owner_before = deal.owner_id
    for name, value in fields.items():
        setattr(deal, name, value)
    if "team" not in fields and deal.owner_id != owner_before:
        # The deal follows its new owner into their team: the previous owner's manager keeps
        # no write access through a stale team (finding 10 of the security test).
        deal.team = deal_team_for_owner(deal.owner_id)
    previous_stage = deal.stage
    if new_stage is not None and new_stage.pk != previous_stage.pk:
        close_date = fields.get("close_date")
        _apply_stage(deal, new_stage, today=timezone.localdate())
        if close_date and new_stage.is_closed:
            deal.close_date = close_date
        probability = fields.get("probability")
        if probability is not None:
            deal.probability = probability
        deal.stage_entered_at = timezone.now()
    deal_plausibility_check(
        deal=deal,
        before=facts_before,
        today=timezone.localdate(),
        zero_amount_confirmed=confirm_zero_amount,
    )
    _deal_validate(deal, stored)
    _deal_convert(deal)
    version_bump(deal)
    deal.save()
    if deal_change_hooks:
        deal_change_hooks_run(before, deal_snapshot(deal))
    if new_stage is not None and new_stage.pk != previous_stage.pk:
        StageChange.objects.create(
            deal=deal, from_stage=previous_stage, to_stage=new_stage, changed_by=updated_by
        )
    _deals_changed_on_commit(
        keys_before | deal_scope_keys(deal), {won_month_before, deal_won_month(deal)}
    )
    payload = deal_event_payload(deal)
    events = [("deal.updated", payload)]
    if new_stage is not None and new_stage.pk != previous_stage.pk:
        events.append(("deal.stage_changed", {**payload, "from_stage_id": previous_stage.pk}))
        if new_stage.is_won:
            events.append(("deal.won", payload))
        elif new_stage.is_lost:
            events.append(("deal.lost", {**payload, "lost_reason": deal.lost_reason}))
    emit_all(events)
    return deal


@atomic_retrying
def deal_move_stage(
    *,
    deal: Deal,
    stage: Stage,
    moved_by: User | None,
    lost_reason: str = "",
    expected_version: int | None = None,
) -> Deal:
    """Move a deal to another stage (the pipeline board's drag and drop) and record it."""
    fields: DealFields = {"stage": stage}
    if stage.is_lost:
        fields["lost_reason"] = lost_reason or deal.lost_reason or Deal.LostReason.OTHER
    return deal_update(deal=deal, updated_by=moved_by, expected_version=expected_version, **fields)


@atomic_retrying
def deal_delete(*, deal: Deal) -> None:
    # Locked first: the rollups leave by the deal as it is now, not as the caller read it.
    locked = Deal.objects.select_for_update().filter(pk=deal.pk).first()
    if locked is None:
        return
    deal = locked
    keys = deal_scope_keys(deal)
    won_month = deal_won_month(deal)
    deal_delete_hooks_run(deal)
    emit("deal.deleted", {"id": deal.pk, "name": deal.name})
    deal.delete()
    _deals_changed_on_commit(keys, {won_month})


ACTIVITY_WRITABLE_FIELDS = frozenset(ActivityFields.__annotations__)


@atomic_retrying
def activity_create(*, owner: User, **fields: Unpack[ActivityFields]) -> Activity:
    unknown = set(fields) - ACTIVITY_WRITABLE_FIELDS
    if unknown:
        raise ApplicationError(
            _("These fields cannot be set: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    activity = Activity(owner=owner, **fields)
    if not (activity.deal_id or activity.partner_id or activity.contact_id or activity.account_id):
        raise ApplicationError(
            _("Link the activity to a deal, a partner, a contact or an account."),
            fields={"deal": [_("Choose what this activity is about.")]},
        )
    try:
        activity.full_clean(exclude=sorted(relations_read(activity)))
    except ValidationError as exc:
        raise ApplicationError(
            _("The activity was not saved: correct the fields shown."),
            fields=_validation_error_fields(exc),
        ) from exc
    activity_plausibility_check(due_at=activity.due_at, today=timezone.localdate())
    activity.save()
    if activity_change_hooks:
        activity_change_hooks_run(None, activity_snapshot(activity))
    return activity


ACTIVITY_EDITABLE_FIELDS = frozenset({"kind", "subject", "notes", "due_at"})


@atomic_retrying
def activity_update(
    *, activity: Activity, expected_version: int | None = None, **fields: Unpack[ActivityFields]
) -> Activity:
    """Change what an activity says and when it is due (not what it is linked to, nor its
    owner: log another activity for that); ``expected_version`` as for deals."""
    unknown = set(fields) - ACTIVITY_EDITABLE_FIELDS
    if unknown:
        raise ApplicationError(
            _("These fields cannot be set: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    version_check(activity, expected_version)
    before = activity_snapshot(activity) if activity_change_hooks else None
    for name, value in fields.items():
        setattr(activity, name, value)
    try:
        activity.full_clean()
    except ValidationError as exc:
        raise ApplicationError(
            _("The activity was not saved: correct the fields shown."),
            fields=_validation_error_fields(exc),
        ) from exc
    version_bump(activity)
    activity.save()
    if activity_change_hooks:
        activity_change_hooks_run(before, activity_snapshot(activity))
    return activity


@atomic_retrying
def activity_complete(*, activity: Activity, done: bool = True) -> Activity:
    # Locked and re-read: two completions at once must count one done activity, not two.
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    before = activity_snapshot(activity) if activity_change_hooks else None
    activity.done_at = timezone.now() if done else None
    version_bump(activity)
    activity.save(update_fields=["done_at", "version", "updated_at"])
    if activity_change_hooks:
        activity_change_hooks_run(before, activity_snapshot(activity))
    return activity


def deal_refs_resolve(data: dict[str, Any]) -> dict[str, Any]:
    """Turn ids from a form or the API into model instances, with a field error per unknown id."""
    models: dict[str, Any] = {
        "account": Account,
        "partner": Partner,
        "owner": User,
        "team": SalesTeam,
        "product_line": ProductLine,
        "stage": Stage,
    }
    out = dict(data)
    errors: dict[str, list[str]] = {}
    for name, model in models.items():
        key = f"{name}_id"
        if key not in out:
            continue
        value = out.pop(key)
        if value is None:
            out[name] = None
            continue
        obj = model.objects.filter(pk=value).first()
        if obj is None:
            errors[name] = [unknown_reference(name, value)]
        else:
            out[name] = obj
    if errors:
        raise ApplicationError(
            _("The deal was not saved: correct the fields shown."), fields=errors
        )
    return out


# The pipeline's stages: the director's configuration (catalog.permissions). A deal copies
# its stage's probability and forecast category when it enters it, and the rollups count a
# deal won or lost by its stage's outcome: so a stage's outcome (won, lost, open) is set when
# it is created and never changes, and a stage deals went through is never deleted.

STAGE_EDITABLE_FIELDS = frozenset({"name", "order", "probability", "forecast_category"})


def _stage_save(stage: Stage, fields: list[str] | None = None) -> Stage:
    try:
        stage.full_clean()
    except ValidationError as exc:
        raise ApplicationError(
            _("Nothing was saved: correct the fields shown."),
            fields=_validation_error_fields(exc),
        ) from None
    stage.save(update_fields=fields)
    return stage


def _stage_allowed(user: User) -> None:
    if not catalog_can_change(user=user):
        raise PermissionDenied(_("Only the director changes the pipeline's stages."))


@transaction.atomic
def stage_create(
    *,
    created_by: User,
    name: str,
    order: int,
    probability: int,
    forecast_category: str = ForecastCategory.PIPELINE,
    is_won: bool = False,
    is_lost: bool = False,
) -> Stage:
    _stage_allowed(created_by)
    stage = Stage(
        name=name.strip(),
        order=order,
        probability=probability,
        forecast_category=forecast_category,
        is_won=is_won,
        is_lost=is_lost,
    )
    return _stage_save(stage)


@transaction.atomic
def stage_update(
    *,
    stage: Stage,
    updated_by: User,
    changes: dict[str, Any],
    expected_version: int | None = None,
) -> Stage:
    """Rename, reorder or change the defaults deals take on entering the stage (deals
    already in it keep theirs)."""
    _stage_allowed(updated_by)
    unknown = sorted(set(changes) - STAGE_EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(
            _("A stage's outcome (won, lost, open) is set when it is created."),
            fields={name: [_("This field cannot be changed.")] for name in unknown},
        )
    locked = Stage.objects.select_for_update().get(pk=stage.pk)
    version_check(locked, expected_version)
    for name, value in changes.items():
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    version_bump(locked)
    return _stage_save(locked, [*sorted(changes), "version", "updated_at"])


@transaction.atomic
def stage_delete(*, stage: Stage, deleted_by: User) -> None:
    """Delete a stage no deal went through (the database protects the others: 409), never
    the last open, won or lost stage: the pipeline needs one of each."""
    _stage_allowed(deleted_by)
    locked = Stage.objects.select_for_update().get(pk=stage.pk)
    same_outcome = Stage.objects.filter(is_won=locked.is_won, is_lost=locked.is_lost)
    if not same_outcome.exclude(pk=locked.pk).exists():
        raise ApplicationError(
            _("This is the pipeline's last %(outcome)s stage: add another before deleting it.")
            % {
                "outcome": _("won")
                if locked.is_won
                else (_("lost") if locked.is_lost else _("open"))
            }
        )
    locked.delete()
