"""Writes on deal registrations: submit, approve, reject, extend, expire.

Every service runs in one transaction and saves nothing when it refuses. Notifications are
stored with the change and emailed after commit (notifications.services).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dirco.accounts.models import User
from dirco.accounts.permissions import directors, user_is_staff_member
from dirco.catalog.models import ProductLine
from dirco.core.countries import country_is_known
from dirco.core.errors import ApplicationError, validation_error_fields
from dirco.core.l10n import format_date
from dirco.core.legal_identifiers import legal_identifier_problem
from dirco.core.money import CURRENCIES, RateTable
from dirco.core.transactions import atomic_retrying
from dirco.core.validation import relations_read
from dirco.customers.models import Account
from dirco.customers.services import account_create
from dirco.notifications.services import notification_send
from dirco.partners.models import Partner
from dirco.pipeline.deal_rules import zero_amount_problem
from dirco.pipeline.models import Deal, Stage
from dirco.pipeline.services import deal_create
from dirco.registrations.conflicts import (
    Conflict,
    CustomerKeys,
    conflicts_find,
    registration_conflicts_find,
)
from dirco.registrations.lifecycle import onboarding_step_complete
from dirco.registrations.models import (
    DealRegistration,
    OnboardingStep,
    RegistrationConflict,
    RegistrationExtension,
)
from dirco.registrations.permissions import (
    registration_can_decide,
    registration_can_request_extension,
    registration_can_submit,
    registration_linkable_accounts,
)
from dirco.webhooks.services import emit

# What a partner may send: nothing about status, partner, approval or ownership.
REGISTRATION_INPUT_FIELDS = frozenset(
    {
        "customer_name",
        "customer_domain",
        "customer_legal_identifier",
        "customer_country",
        "amount",
        "currency",
        "product_line",
        "product_line_id",
        "expected_close_date",
        "confirm_zero_amount",  # not stored: "the amount is really 0"
    }
)
DEFAULT_PENDING_DAYS = 30


def _registration_event_payload(registration: DealRegistration) -> dict[str, Any]:
    return {
        "id": registration.pk,
        "partner_id": registration.partner_id,
        "customer_name": registration.customer_name,
        "status": registration.status,
        "amount": registration.amount,
        "currency": registration.currency,
        "deal_id": registration.deal_id,
        "decided_by_id": registration.decided_by_id,
    }


def pending_days() -> int:
    """Pending registrations older than this expire (setting DIRCO_REGISTRATION_PENDING_DAYS)."""
    return int(getattr(settings, "DIRCO_REGISTRATION_PENDING_DAYS", DEFAULT_PENDING_DAYS))


def _notify(*, users: Iterable[User | None], kind: str, url: str, text: Any) -> None:
    """Send in each recipient's language: ``text()`` returns (title, body) in the active one."""
    for user in {u.pk: u for u in users if u is not None}.values():
        with translation.override(user.language or settings.LANGUAGE_CODE):
            title, body = text()
            notification_send(recipients=[user], kind=kind, title=title, body=body, url=url)


def _staff_url(registration: DealRegistration) -> str:
    return reverse("registrations:detail", args=[registration.pk])


def _partner_url(registration: DealRegistration) -> str:
    # The partner portal shows the registration; until it exists, the API path names it.
    return f"/portal/registrations/{registration.pk}/"


def registration_reviewers(partner: Partner) -> list[User]:
    """Who is told about a new registration: the channel manager, else the directors."""
    manager = partner.channel_manager
    if manager is not None and manager.is_active:
        return [manager]
    return list(directors())


def _confirmed(data: dict[str, Any]) -> bool:
    """The explicit "the amount is really 0" (the portal's checkbox, the API's flag)."""
    return data.get("confirm_zero_amount") is True


def _parse_input(data: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(data) - REGISTRATION_INPUT_FIELDS)
    if unknown:
        raise ApplicationError(
            _("These fields cannot be set: %(fields)s.") % {"fields": ", ".join(unknown)},
            fields={name: [_("This field cannot be set.")] for name in unknown},
        )
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}

    name = str(data.get("customer_name") or "").strip()
    if not name:
        errors["customer_name"] = [_("Enter the customer's company name.")]
    out["customer_name"] = name
    domain = str(data.get("customer_domain") or "").strip()
    out["customer_domain"] = domain
    if domain and "." not in CustomerKeys.of(name="", domain=domain, legal_identifier="").domain:
        errors["customer_domain"] = [_("Enter a web domain such as example.com.")]
    legal_identifier = str(data.get("customer_legal_identifier") or "").strip()
    out["customer_legal_identifier"] = legal_identifier
    country = str(data.get("customer_country") or "").strip().upper()
    if not country_is_known(country):
        errors["customer_country"] = [_("Choose the customer's country, e.g. FR for France.")]
    else:
        problem = legal_identifier_problem(legal_identifier, country=country)
        if problem is not None:
            errors["customer_legal_identifier"] = [problem]
    out["customer_country"] = country

    raw_amount = data.get("amount")
    try:
        amount = Decimal(str(raw_amount)) if raw_amount not in (None, "") else None
    except (InvalidOperation, ValueError):
        amount = None
        errors["amount"] = [_("Enter the amount as a number, e.g. 12500.00.")]
    if amount is None and "amount" not in errors:
        errors["amount"] = [_("Enter the expected amount of the deal.")]
    elif amount is not None and (not amount.is_finite() or amount < 0):
        errors["amount"] = [_("The amount cannot be negative.")]
    elif (problem := zero_amount_problem(amount, confirmed=_confirmed(data))) is not None:
        errors["amount"] = [problem]
    out["amount"] = amount

    currency = str(data.get("currency") or "").strip().upper()
    if currency not in CURRENCIES:
        errors["currency"] = [
            _("Unknown currency %(code)s; use one of %(known)s.")
            % {"code": currency or "-", "known": ", ".join(CURRENCIES)}
        ]
    else:
        try:
            RateTable.load().rate(currency)
        except LookupError:
            errors["currency"] = [
                _("Amounts in %(code)s are not accepted yet; use EUR or ask your channel manager.")
                % {"code": currency}
            ]
    out["currency"] = currency

    line = data.get("product_line", data.get("product_line_id"))
    if isinstance(line, ProductLine):
        out["product_line"] = line
    else:
        found = (
            ProductLine.objects.filter(pk=int(str(line))).first()
            if str(line or "").isdigit()
            else None
        )
        if found is None:
            errors["product_line"] = [_("Choose one of the product lines offered.")]
        out["product_line"] = found

    close = data.get("expected_close_date")
    if isinstance(close, str):
        try:
            close = dt.date.fromisoformat(close)
        except ValueError:
            close = None
    if not isinstance(close, dt.date):
        errors["expected_close_date"] = [_("Enter the expected close date, e.g. 2031-06-30.")]
    elif close < timezone.localdate():
        errors["expected_close_date"] = [_("The expected close date cannot be in the past.")]
    out["expected_close_date"] = close

    if errors:
        raise ApplicationError(
            _("The registration was not sent: correct the fields shown."), fields=errors
        )
    return out


def _conflicts_store(registration: DealRegistration, conflicts: list[Conflict]) -> None:
    rows = []
    for c in conflicts:
        rows.append(
            RegistrationConflict(
                registration=registration,
                kind=c.kind,
                account_id=c.object_id if c.kind == "account" else None,
                deal_id=c.object_id if c.kind == "deal" else None,
                other_registration_id=c.object_id if c.kind == "registration" else None,
                matched_on=",".join(c.matched_on),
                score=Decimal(str(c.score)) if c.score is not None else None,
            )
        )
        if c.kind == "registration" and c.status == DealRegistration.Status.PENDING:
            # The earlier registration conflicts with this one too: its reviewer must know.
            rows.append(
                RegistrationConflict(
                    registration_id=c.object_id,
                    kind="registration",
                    other_registration=registration,
                    matched_on=",".join(c.matched_on),
                    score=Decimal(str(c.score)) if c.score is not None else None,
                )
            )
    RegistrationConflict.objects.bulk_create(rows)
    others = [c.object_id for c in conflicts if c.kind == "registration" and c.status == "pending"]
    for other in DealRegistration.objects.filter(pk__in=others).select_for_update():
        other.conflict_count += 1
        other.save(update_fields=["conflict_count", "updated_at"])


def _own_pending_duplicate_check(
    *, partner: Partner, keys: CustomerKeys, product_line: ProductLine
) -> None:
    """Refuse a registration of a customer and product line this partner already has under
    review: the second one would only sit beside the first as its own conflict."""
    same_customer = Q(name_key=keys.name)
    if keys.domain:
        same_customer |= Q(domain_key=keys.domain)
    if keys.legal_id:
        same_customer |= Q(legal_id_key=keys.legal_id)
    duplicate = (
        DealRegistration.objects.filter(
            same_customer,
            partner=partner,
            product_line=product_line,
            status=DealRegistration.Status.PENDING,
        )
        .order_by("created_at", "id")
        .first()
    )
    if duplicate is not None:
        raise ApplicationError(
            _(
                "You already registered %(customer)s for %(line)s on %(date)s and it is still "
                "under review: nothing new was sent. Add details to that registration instead."
            )
            % {
                "customer": duplicate.customer_name,
                "line": product_line.name,
                "date": format_date(timezone.localdate(duplicate.created_at)),
            },
            fields={"customer_name": [_("A registration of this customer is already pending.")]},
        )


@transaction.atomic
def registration_submit(*, user: User, data: dict[str, Any]) -> DealRegistration:
    """A partner user registers a deal for its own partner; the channel manager is told."""
    if not registration_can_submit(user=user):
        raise PermissionDenied(_("Only users of an active partner may register deals."))
    fields = _parse_input(data)
    assert user.partner is not None  # registration_can_submit checked it
    partner = Partner.objects.select_related("channel_manager", "tier").get(pk=user.partner.pk)
    keys = CustomerKeys.of(
        name=fields["customer_name"],
        domain=fields["customer_domain"],
        legal_identifier=fields["customer_legal_identifier"],
    )
    _own_pending_duplicate_check(partner=partner, keys=keys, product_line=fields["product_line"])
    registration = DealRegistration(
        partner=partner,
        submitted_by=user,
        name_key=keys.name,
        domain_key=keys.domain,
        legal_id_key=keys.legal_id,
        **fields,
    )
    try:
        # Partner, user and product line are objects read here: the database vouches for them.
        registration.full_clean(exclude=sorted(relations_read(registration)))
    except ValidationError as exc:
        raise ApplicationError(
            _("The registration was not sent: correct the fields shown."),
            fields=validation_error_fields(exc),
        ) from exc
    registration.save()
    conflicts = conflicts_find(keys=keys, exclude_registration_id=registration.pk)
    _conflicts_store(registration, conflicts)
    registration.conflict_count = len(conflicts)
    registration.save(update_fields=["conflict_count", "updated_at"])
    onboarding_step_complete(
        partner=partner,
        code=OnboardingStep.Code.FIRST_REGISTRATION,
        done_by=user,
        only_if_open=True,
    )

    def text() -> tuple[str, str]:
        title = _("New deal registration from %(partner)s: %(customer)s") % {
            "partner": partner.name,
            "customer": registration.customer_name,
        }
        body = (
            ngettext(
                "%(n)d possible conflict found; review it before deciding.",
                "%(n)d possible conflicts found; review them before deciding.",
                len(conflicts),
            )
            % {"n": len(conflicts)}
            if conflicts
            else _("No conflict found.")
        )
        return title, body

    _notify(
        users=registration_reviewers(partner),
        kind="registration-submitted",
        url=_staff_url(registration),
        text=text,
    )
    emit("registration.submitted", _registration_event_payload(registration))
    return registration


def _locked(registration: DealRegistration) -> DealRegistration:
    return (
        DealRegistration.objects.select_for_update(of=("self",))
        .select_related("partner", "partner__tier", "partner__channel_manager", "submitted_by")
        .get(pk=registration.pk)
    )


def _deal_owner(partner: Partner, decided_by: User) -> User:
    """The deal is owned by the partner's channel manager (a staff user), else the approver."""
    manager = partner.channel_manager
    if manager is not None and user_is_staff_member(manager):
        return manager
    return decided_by


@atomic_retrying  # writes a deal: its rollup rows are shared with every deal write
def registration_approve(
    *,
    registration: DealRegistration,
    approved_by: User,
    account: Account | None = None,
    override_conflicts: bool = False,
) -> DealRegistration:
    """Approve: link ``account`` (or create one), create the deal, start the protection."""
    if not registration_can_decide(user=approved_by, registration=registration):
        raise PermissionDenied(_("You may not decide on this registration."))
    registration = _locked(registration)
    if registration.status != DealRegistration.Status.PENDING:
        raise ApplicationError(_("Only a registration under review can be approved."))
    now = timezone.now()
    protected = [
        c for c in registration_conflicts_find(registration=registration, now=now) if c.protected
    ]
    if protected and not override_conflicts:
        raise ApplicationError(
            _("Another registration protects this customer; tick the override to approve anyway."),
            fields={"override_conflicts": [_("Confirm that you override the protection.")]},
        )
    partner = registration.partner
    owner = _deal_owner(partner, approved_by)
    if account is not None and not (
        registration_linkable_accounts(user=approved_by, registration=registration)
        .filter(pk=account.pk)
        .exists()
    ):
        # The same words for a hidden account as for a missing one.
        raise ApplicationError(
            _("Nothing was saved: correct the fields shown."),
            fields={"account": [_("Unknown account: %(id)s.") % {"id": account.pk}]},
        )
    if account is None:
        account = account_create(
            created_by=approved_by,
            name=registration.customer_name,
            domain=registration.domain_key,
            legal_identifier=registration.customer_legal_identifier,
            country=registration.customer_country,
            territory=partner.territory,
            owner=owner,
        )
    stage = Stage.objects.filter(is_won=False, is_lost=False).order_by("order").first()
    if stage is None:
        raise ApplicationError(_("Create an open pipeline stage in the admin first."))
    deal = deal_create(
        created_by=approved_by,
        name=f"{registration.customer_name} - {registration.product_line.name}",
        account=account,
        partner=partner,
        owner=owner,
        product_line=registration.product_line,
        amount=registration.amount,
        currency=registration.currency,
        stage=stage,
        # The partner's date may have passed while the registration waited for review.
        expected_close_date=max(registration.expected_close_date, timezone.localdate(now)),
        source=Deal.Source.PARTNER,
    )
    registration.status = DealRegistration.Status.APPROVED
    registration.decided_by = approved_by
    registration.decided_at = now
    registration.approved_at = now
    registration.protected_until = now + dt.timedelta(days=partner.tier.protection_days)
    registration.conflicts_overridden = bool(protected)
    registration.account = account
    registration.deal = deal
    registration.save()

    def text() -> tuple[str, str]:
        return (
            _("Deal registration approved: %(customer)s")
            % {"customer": registration.customer_name},
            _("The customer is protected for you until %(date)s.")
            % {"date": format_date(timezone.localdate(registration.protected_until))},
        )

    _notify(
        users=[registration.submitted_by],
        kind="registration-approved",
        url=_partner_url(registration),
        text=text,
    )
    emit("registration.decided", _registration_event_payload(registration))
    return registration


@transaction.atomic
def registration_reject(
    *, registration: DealRegistration, rejected_by: User, reason: str
) -> DealRegistration:
    if not registration_can_decide(user=rejected_by, registration=registration):
        raise PermissionDenied(_("You may not decide on this registration."))
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("Say why the registration is rejected: the partner will read it."),
            fields={"reason": [_("A reason is required.")]},
        )
    registration = _locked(registration)
    if registration.status != DealRegistration.Status.PENDING:
        raise ApplicationError(_("Only a registration under review can be rejected."))
    registration.status = DealRegistration.Status.REJECTED
    registration.rejection_reason = reason
    registration.decided_by = rejected_by
    registration.decided_at = timezone.now()
    registration.save()

    def text() -> tuple[str, str]:
        return (
            _("Deal registration rejected: %(customer)s")
            % {"customer": registration.customer_name},
            _("Reason: %(reason)s") % {"reason": reason},
        )

    _notify(
        users=[registration.submitted_by],
        kind="registration-rejected",
        url=_partner_url(registration),
        text=text,
    )
    emit("registration.decided", _registration_event_payload(registration))
    return registration


@transaction.atomic
def registration_extension_request(
    *, registration: DealRegistration, requested_by: User, reason: str
) -> RegistrationExtension:
    """A partner asks for more protection time on an approved, still protected registration."""
    if not registration_can_request_extension(user=requested_by, registration=registration):
        raise PermissionDenied(_("You may not ask for an extension of this registration."))
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("Say why you need more time."), fields={"reason": [_("A reason is required.")]}
        )
    registration = _locked(registration)
    if not registration.is_protected():
        raise ApplicationError(_("Only an approved registration still protected can be extended."))
    if registration.extensions.filter(status=RegistrationExtension.Status.PENDING).exists():
        raise ApplicationError(
            _("An extension request is already waiting for a decision."),
            fields={"reason": [_("Wait for the decision on your previous request.")]},
        )
    extension = RegistrationExtension.objects.create(
        registration=registration, requested_by=requested_by, reason=reason
    )

    def text() -> tuple[str, str]:
        return (
            _("Extension requested by %(partner)s: %(customer)s")
            % {"partner": registration.partner.name, "customer": registration.customer_name},
            reason,
        )

    _notify(
        users=registration_reviewers(registration.partner),
        kind="registration-extension-requested",
        url=_staff_url(registration),
        text=text,
    )
    return extension


@transaction.atomic
def registration_extension_decide(
    *, extension: RegistrationExtension, decided_by: User, approve: bool, note: str = ""
) -> RegistrationExtension:
    """Grant (protection extended by the tier's days) or decline a pending extension."""
    registration = _locked(extension.registration)
    if not registration_can_decide(user=decided_by, registration=registration):
        raise PermissionDenied(_("You may not decide on this registration."))
    extension = RegistrationExtension.objects.select_for_update().get(pk=extension.pk)
    if extension.status != RegistrationExtension.Status.PENDING:
        raise ApplicationError(_("This extension request was already decided."))
    now = timezone.now()
    if approve and registration.status != DealRegistration.Status.APPROVED:
        raise ApplicationError(_("The registration is no longer approved; it cannot be extended."))
    extension.decided_by = decided_by
    extension.decided_at = now
    extension.decision_note = (note or "").strip()
    extension.protected_until_before = registration.protected_until
    if approve:
        start = max(registration.protected_until or now, now)
        registration.protected_until = start + dt.timedelta(
            days=registration.partner.tier.protection_days
        )
        registration.save(update_fields=["protected_until", "updated_at"])
        extension.status = RegistrationExtension.Status.APPROVED
    else:
        extension.status = RegistrationExtension.Status.DECLINED
    extension.protected_until_after = registration.protected_until
    extension.save()

    def text() -> tuple[str, str]:
        customer = registration.customer_name
        if approve:
            return (
                _("Extension granted: %(customer)s") % {"customer": customer},
                _("The customer is protected for you until %(date)s.")
                % {"date": format_date(timezone.localdate(registration.protected_until))},
            )
        return (
            _("Extension declined: %(customer)s") % {"customer": customer},
            extension.decision_note,
        )

    _notify(
        users=[registration.submitted_by, extension.requested_by],
        kind="registration-extension-decided",
        url=_partner_url(registration),
        text=text,
    )
    return extension


@transaction.atomic
def registration_expire(*, registration: DealRegistration, now: dt.datetime) -> DealRegistration:
    registration = _locked(registration)
    still_due = (
        registration.status == DealRegistration.Status.APPROVED
        and registration.protected_until is not None
        and registration.protected_until <= now
    ) or registration.status == DealRegistration.Status.PENDING
    if not still_due:  # extended or decided meanwhile
        return registration
    registration.status = DealRegistration.Status.EXPIRED
    registration.expired_at = now
    registration.save(update_fields=["status", "expired_at", "updated_at"])
    RegistrationExtension.objects.filter(
        registration=registration, status=RegistrationExtension.Status.PENDING
    ).update(
        status=RegistrationExtension.Status.DECLINED,
        decided_at=now,
        decision_note="expired",
        updated_at=now,
    )

    def text() -> tuple[str, str]:
        return (
            _("Deal registration expired: %(customer)s") % {"customer": registration.customer_name},
            _("The protection of this customer has ended."),
        )

    _notify(
        users=[registration.submitted_by],
        kind="registration-expired",
        url=_partner_url(registration),
        text=text,
    )
    return registration


def registrations_expire(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Expire approved registrations whose protection ended without the deal being won, and
    pending ones older than ``pending_days()``. Each expiry is its own transaction."""
    now = now or timezone.now()
    ended = (
        DealRegistration.objects.filter(
            status=DealRegistration.Status.APPROVED, protected_until__lte=now
        )
        .exclude(deal__stage__is_won=True)
        .order_by("id")
    )
    stale = DealRegistration.objects.filter(
        status=DealRegistration.Status.PENDING,
        created_at__lte=now - dt.timedelta(days=pending_days()),
    ).order_by("id")
    counts = {"approved": 0, "pending": 0}
    for key, qs in (("approved", ended), ("pending", stale)):
        for registration in qs:
            done = registration_expire(registration=registration, now=now)
            counts[key] += done.status == DealRegistration.Status.EXPIRED
    return counts
