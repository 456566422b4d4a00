"""Writes on marketing development funds. Each is one transaction; rules refused with
``ApplicationError`` naming the field.

The budget rule: the approved amounts of a budget's requests (approved, claimed or paid)
never exceed the budget. ``fund_request_approve`` locks the budget row
(``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's IMMEDIATE transactions serialize every
write) before it sums what is already committed, so two approvals at the same moment
cannot both take the last of a budget: the second waits, then sees the first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from dirco.accounts.models import User
from dirco.accounts.permissions import directors
from dirco.core.errors import ApplicationError, validation_error_fields
from dirco.core.money import company_currency, quantize
from dirco.core.versioning import version_bump, version_check
from dirco.funds.models import FundBudget, FundClaim, FundRequest
from dirco.funds.proofs import proof_check
from dirco.notifications.services import notification_send
from dirco.partners.models import Partner, Tier

MAX_AMOUNT = Decimal("999999999999.99")


@dataclass(frozen=True)
class FundBudgetInput:
    name: str
    period_start: dt.date
    period_end: dt.date
    amount: Decimal
    partner: Partner | None = None
    tier: Tier | None = None


@dataclass(frozen=True)
class FundRequestInput:
    activity: str
    expected_result: str
    starts_on: dt.date
    ends_on: dt.date
    amount: Decimal
    description: str = ""


def _notify(*, users: Iterable[User | None], kind: str, url: str, text: Callable[[], str]) -> None:
    """Tell each user in their own language (``text()`` is called with it active)."""
    for user in {u.pk: u for u in users if u is not None}.values():
        with translation.override(user.language or settings.LANGUAGE_CODE):
            notification_send(recipients=[user], kind=kind, title=text(), url=url)


def _deciders(partner: Partner) -> list[User]:
    """Who is told of a new request or claim: the channel manager, else the directors."""
    if partner.channel_manager_id is not None and partner.channel_manager is not None:
        return [partner.channel_manager]
    return list(directors())


def _refuse(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, fields={field: [message]})


def _amount_check(amount: Decimal, field: str = "amount") -> Decimal:
    if amount <= 0:
        raise _refuse(field, _("The amount must be greater than zero."))
    if amount > MAX_AMOUNT:
        raise _refuse(field, _("The amount is too large."))
    return quantize(amount)


def _save(obj: Any, update_fields: list[str] | None = None) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise ApplicationError(
            _("Please correct the errors below."), fields=validation_error_fields(exc)
        ) from None
    obj.save(update_fields=update_fields)


def fund_budget_committed(*, budget: FundBudget) -> Decimal:
    """The approved amounts of the budget's requests that are approved, claimed or paid."""
    total = budget.requests.filter(status__in=FundRequest.COMMITTED).aggregate(
        total=Sum("approved_amount")
    )["total"]
    return total or Decimal("0")


@transaction.atomic
def fund_budget_create(*, created_by: User, data: FundBudgetInput) -> FundBudget:
    if (data.partner is None) == (data.tier is None):
        raise _refuse("partner", _("Choose either one partner or one tier."))
    if data.period_end < data.period_start:
        raise _refuse("period_end", _("The period ends before it starts."))
    budget = FundBudget(
        name=data.name.strip(),
        partner=data.partner,
        tier=data.tier,
        period_start=data.period_start,
        period_end=data.period_end,
        amount=_amount_check(data.amount),
        currency=company_currency(),
        created_by=created_by,
    )
    _save(budget)
    return budget


def fund_budget_applies_to(*, budget: FundBudget, partner: Partner) -> bool:
    return budget.partner_id == partner.pk or (
        budget.tier_id is not None and budget.tier_id == partner.tier_id
    )


def _request_check(*, budget: FundBudget, data: FundRequestInput) -> Decimal:
    """The rules of what a request asks (on submission and on each change): its amount,
    its dates within the budget's period, no more than the budget has left."""
    amount = _amount_check(data.amount)
    if data.ends_on < data.starts_on:
        raise _refuse("ends_on", _("The activity ends before it starts."))
    if not budget.period_start <= data.starts_on <= budget.period_end:
        raise _refuse(
            "starts_on",
            _("The activity must start within the budget's period (%(start)s to %(end)s).")
            % {
                "start": date_format(budget.period_start, "SHORT_DATE_FORMAT"),
                "end": date_format(budget.period_end, "SHORT_DATE_FORMAT"),
            },
        )
    remaining = budget.amount - fund_budget_committed(budget=budget)
    if amount > remaining:
        raise _refuse(
            "amount",
            _("The budget has %(remaining)s %(currency)s left; ask for that much at most.")
            % {"remaining": remaining, "currency": budget.currency},
        )
    return amount


@transaction.atomic
def fund_request_submit(
    *, submitted_by: User, partner: Partner, budget: FundBudget, data: FundRequestInput
) -> FundRequest:
    """A partner asks for funds from a budget of its own or of its tier."""
    if not fund_budget_applies_to(budget=budget, partner=partner):
        raise _refuse("budget", _("This budget is not open to your company."))
    amount = _request_check(budget=budget, data=data)
    fund_request = FundRequest(
        budget=budget,
        partner=partner,
        activity=data.activity.strip(),
        description=data.description.strip(),
        expected_result=data.expected_result.strip(),
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        amount=amount,
        submitted_by=submitted_by,
    )
    _save(fund_request)
    _notify(
        users=_deciders(partner),
        kind="mdf-request-submitted",
        url=reverse("funds:request_detail", args=[fund_request.pk]),
        text=lambda: (
            _("%(partner)s asks for %(amount)s %(currency)s: %(activity)s")
            % {
                "partner": partner.name,
                "amount": amount,
                "currency": budget.currency,
                "activity": fund_request.activity,
            }
        ),
    )
    return fund_request


FUND_REQUEST_EDITABLE_FIELDS = frozenset(
    {"activity", "description", "expected_result", "starts_on", "ends_on", "amount"}
)


@transaction.atomic
def fund_request_update(
    *,
    fund_request: FundRequest,
    updated_by: User,
    changes: dict[str, Any],
    expected_version: int | None = None,
) -> FundRequest:
    """The partner corrects its request while it awaits a decision (``changes``: some of
    ``FUND_REQUEST_EDITABLE_FIELDS``); the rules of a submission apply to the result. Once
    decided, a request no longer changes: the decision was made on what it said."""
    unknown = sorted(set(changes) - FUND_REQUEST_EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(
            _("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(unknown)},
            fields={name: [_("This field cannot be set here.")] for name in unknown},
        )
    # The budget first, then the request: the order of fund_request_approve (no deadlock).
    budget = FundBudget.objects.select_for_update().get(pk=fund_request.budget_id)
    locked = FundRequest.objects.select_for_update().get(pk=fund_request.pk)
    version_check(locked, expected_version)
    if locked.status != FundRequest.Status.SUBMITTED:
        raise ApplicationError(
            _("Only a request awaiting a decision can change; this one is %(status)s.")
            % {"status": locked.get_status_display()}
        )
    current = {name: getattr(locked, name) for name in FUND_REQUEST_EDITABLE_FIELDS}
    data = FundRequestInput(**{**current, **changes})
    locked.amount = _request_check(budget=budget, data=data)
    locked.activity = data.activity.strip()
    locked.description = data.description.strip()
    locked.expected_result = data.expected_result.strip()
    locked.starts_on, locked.ends_on = data.starts_on, data.ends_on
    version_bump(locked)
    _save(locked, [*sorted(FUND_REQUEST_EDITABLE_FIELDS), "version", "updated_at"])
    return locked


@transaction.atomic
def fund_request_approve(
    *, fund_request: FundRequest, approved_by: User, amount: Decimal | None = None
) -> FundRequest:
    """Approve ``amount`` (default: all that was asked) if the budget still has it.

    The budget row is locked first, then the request: every approval of one budget runs one
    after the other, so the sum of approved amounts is read after any concurrent approval.
    """
    budget = FundBudget.objects.select_for_update().get(pk=fund_request.budget_id)
    locked = FundRequest.objects.select_for_update().get(pk=fund_request.pk)
    if locked.status != FundRequest.Status.SUBMITTED:
        raise ApplicationError(_("Only a submitted request can be approved."))
    approved = locked.amount if amount is None else _amount_check(amount, "approved_amount")
    if approved > locked.amount:
        raise _refuse("approved_amount", _("You cannot approve more than was asked."))
    remaining = budget.amount - fund_budget_committed(budget=budget)
    if approved > remaining:
        raise _refuse(
            "approved_amount",
            _(
                "The budget has %(remaining)s %(currency)s left: approve that much at most, "
                "or reject the request."
            )
            % {"remaining": remaining, "currency": budget.currency},
        )
    locked.status = FundRequest.Status.APPROVED
    locked.approved_amount = approved
    locked.decided_by = approved_by
    locked.decided_at = timezone.now()
    _save(locked, ["status", "approved_amount", "decided_by", "decided_at", "updated_at"])
    _notify(
        users=[locked.submitted_by],
        kind="mdf-request-approved",
        url=reverse("portal:mdf_request_detail", args=[locked.pk]),
        text=lambda: (
            _("Your fund request is approved: %(activity)s") % {"activity": locked.activity}
        ),
    )
    return locked


@transaction.atomic
def fund_request_reject(
    *, fund_request: FundRequest, rejected_by: User, reason: str
) -> FundRequest:
    locked = FundRequest.objects.select_for_update().get(pk=fund_request.pk)
    if locked.status != FundRequest.Status.SUBMITTED:
        raise ApplicationError(_("Only a submitted request can be rejected."))
    if not reason.strip():
        raise _refuse("reason", _("Say why the request is rejected: the partner will read it."))
    locked.status = FundRequest.Status.REJECTED
    locked.rejection_reason = reason.strip()
    locked.decided_by = rejected_by
    locked.decided_at = timezone.now()
    _save(locked, ["status", "rejection_reason", "decided_by", "decided_at", "updated_at"])
    _notify(
        users=[locked.submitted_by],
        kind="mdf-request-rejected",
        url=reverse("portal:mdf_request_detail", args=[locked.pk]),
        text=lambda: (
            _("Your fund request is rejected: %(activity)s") % {"activity": locked.activity}
        ),
    )
    return locked


@transaction.atomic
def fund_claim_submit(
    *,
    fund_request: FundRequest,
    submitted_by: User,
    amount: Decimal,
    description: str,
    proof: File[Any] | IO[bytes],
) -> FundClaim:
    """Claim the funds of an approved request with a proof of execution (never more than
    was approved). The request becomes claimed until the claim is paid or rejected."""
    locked = FundRequest.objects.select_for_update().get(pk=fund_request.pk)
    if locked.status != FundRequest.Status.APPROVED:
        raise ApplicationError(_("Only an approved request without a pending claim is claimed."))
    amount = _amount_check(amount)
    assert locked.approved_amount is not None
    if amount > locked.approved_amount:
        raise _refuse(
            "amount",
            _("The claim is above the approved amount (%(approved)s %(currency)s).")
            % {"approved": locked.approved_amount, "currency": locked.budget.currency},
        )
    if not description.strip():
        raise _refuse("description", _("Say what was done."))
    content_type, name, size = proof_check(proof)
    claim = FundClaim(
        request=locked,
        amount=amount,
        description=description.strip(),
        proof_content_type=content_type,
        proof_size=size,
        submitted_by=submitted_by,
    )
    claim.proof.save(name, proof if isinstance(proof, File) else File(proof), save=False)
    # The file is written before the row: if the row fails, delete it (nothing half-saved).
    try:
        _save(claim)
    except Exception:
        claim.proof.delete(save=False)
        raise
    locked.status = FundRequest.Status.CLAIMED
    locked.save(update_fields=["status", "updated_at"])
    _notify(
        users=_deciders(locked.partner),
        kind="mdf-claim-submitted",
        url=reverse("funds:request_detail", args=[locked.pk]),
        text=lambda: (
            _("%(partner)s claims its funds: %(activity)s")
            % {"partner": locked.partner.name, "activity": locked.activity}
        ),
    )
    return claim


@transaction.atomic
def fund_claim_pay(*, claim: FundClaim, paid_by: User) -> FundClaim:
    locked = FundClaim.objects.select_for_update().get(pk=claim.pk)
    if locked.status != FundClaim.Status.SUBMITTED:
        raise ApplicationError(_("Only a submitted claim can be paid."))
    locked.status = FundClaim.Status.PAID
    locked.decided_by = paid_by
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    FundRequest.objects.filter(pk=locked.request_id).update(
        status=FundRequest.Status.PAID, updated_at=timezone.now()
    )
    _notify(
        users=[locked.submitted_by],
        kind="mdf-claim-paid",
        url=reverse("portal:mdf_request_detail", args=[locked.request_id]),
        text=lambda: _("Your claim is paid: %(activity)s") % {"activity": locked.request.activity},
    )
    return locked


@transaction.atomic
def fund_claim_reject(*, claim: FundClaim, rejected_by: User, reason: str) -> FundClaim:
    """Refuse a claim (e.g. the proof does not show the activity); the partner may claim
    again with a better proof."""
    locked = FundClaim.objects.select_for_update().get(pk=claim.pk)
    if locked.status != FundClaim.Status.SUBMITTED:
        raise ApplicationError(_("Only a submitted claim can be rejected."))
    if not reason.strip():
        raise _refuse("reason", _("Say why the claim is rejected: the partner will read it."))
    locked.status = FundClaim.Status.REJECTED
    locked.rejection_reason = reason.strip()
    locked.decided_by = rejected_by
    locked.decided_at = timezone.now()
    locked.save(
        update_fields=["status", "rejection_reason", "decided_by", "decided_at", "updated_at"]
    )
    FundRequest.objects.filter(pk=locked.request_id).update(
        status=FundRequest.Status.APPROVED, updated_at=timezone.now()
    )
    _notify(
        users=[locked.submitted_by],
        kind="mdf-claim-rejected",
        url=reverse("portal:mdf_request_detail", args=[locked.request_id]),
        text=lambda: (
            _("Your claim is rejected: %(activity)s") % {"activity": locked.request.activity}
        ),
    )
    return locked
