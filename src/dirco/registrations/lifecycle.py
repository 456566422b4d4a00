"""The partner lifecycle: public application > review > onboarding checklist > active.

The public form is protected against spam by the public forms' traps (dirco.web.forms
.SpamTrapsForm: a honeypot field, a minimum fill time) and a per-address rate limit.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dirco.accounts.models import User
from dirco.accounts.permissions import directors, user_is_staff_member
from dirco.core.countries import country_clean
from dirco.core.errors import ApplicationError, validation_error_fields
from dirco.core.legal_identifiers import legal_identifier_clean
from dirco.core.text import text_fields_check
from dirco.notifications.services import notification_send
from dirco.partners.models import Contact, Partner, Territory, Tier
from dirco.partners.permissions import partner_can_set_standing
from dirco.registrations.models import OnboardingChecklist, OnboardingStep, PartnerApplication
from dirco.registrations.permissions import application_can_review
from dirco.web.http import rate_limit_hit

APPLICATION_INPUT_FIELDS = frozenset(
    {
        "company_name",
        "legal_identifier",
        "domain",
        "country",
        "kind",
        "contact_first_name",
        "contact_last_name",
        "contact_email",
        "contact_phone",
        "message",
    }
)
DEFAULT_STEPS = [
    OnboardingStep.Code.AGREEMENT_SIGNED,
    OnboardingStep.Code.FIRST_TRAINING,
    OnboardingStep.Code.FIRST_REGISTRATION,
]


def application_rate_limit() -> tuple[int, int]:
    """(how many applications, per how many seconds) from one address."""
    return (
        int(getattr(settings, "DIRCO_APPLICATION_RATE_LIMIT", 5)),
        int(getattr(settings, "DIRCO_APPLICATION_RATE_WINDOW", 3600)),
    )


def application_rate_limit_hit(request: HttpRequest) -> bool:
    """Count one application from the caller's address; True when it is over the limit."""
    limit, window = application_rate_limit()
    return rate_limit_hit(request, scope="partner-application", limit=limit, window=window)


def _notify_reviewers(application: PartnerApplication) -> None:
    url = reverse("registrations:application_detail", args=[application.pk])
    for user in directors():
        with translation.override(user.language or settings.LANGUAGE_CODE):
            notification_send(
                recipients=[user],
                kind="partner-application",
                title=_("New partner application: %(name)s") % {"name": application.company_name},
                body=application.message[:500],
                url=url,
            )


@transaction.atomic
def application_submit(*, data: dict[str, Any], ip: str | None) -> PartnerApplication:
    unknown = sorted(set(data) - APPLICATION_INPUT_FIELDS)
    if unknown:
        raise ApplicationError(
            _("These fields cannot be set: %(fields)s.") % {"fields": ", ".join(unknown)},
            fields={name: [_("This field cannot be set.")] for name in unknown},
        )
    text_fields_check(
        data,
        single_line=(
            "company_name",
            "legal_identifier",
            "domain",
            "country",
            "contact_first_name",
            "contact_last_name",
            "contact_email",
            "contact_phone",
        ),
        long_text=("message",),
    )
    application = PartnerApplication(**data, submitted_ip=ip or None)
    application.country = country_clean(application.country)
    application.legal_identifier = legal_identifier_clean(
        application.legal_identifier, country=application.country
    )
    if application.kind not in Partner.Kind.values:
        application.kind = Partner.Kind.RESELLER
    try:
        application.full_clean()
    except ValidationError as exc:
        raise ApplicationError(
            _("The application was not sent: correct the fields shown."),
            fields=validation_error_fields(exc),
        ) from exc
    application.save()
    _notify_reviewers(application)
    return application


def _application_open(application: PartnerApplication) -> PartnerApplication:
    application = PartnerApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != PartnerApplication.Status.SUBMITTED:
        raise ApplicationError(_("This application was already reviewed."))
    return application


@transaction.atomic
def application_approve(
    *,
    application: PartnerApplication,
    approved_by: User,
    territory: Territory,
    channel_manager: User | None = None,
    tier: Tier | None = None,
) -> Partner:
    """Create the partner (status onboarding, entry tier unless given) and its checklist."""
    if not application_can_review(user=approved_by):
        raise PermissionDenied(_("Only the director or a manager reviews applications."))
    application = _application_open(application)
    if channel_manager is not None and not user_is_staff_member(channel_manager):
        raise ApplicationError(
            _("The channel manager must be a staff user."),
            fields={"channel_manager": [_("Choose a sales rep, manager or director.")]},
        )
    if tier is not None and not partner_can_set_standing(user=approved_by):
        raise ApplicationError(
            _("Only the sales director chooses a tier other than the entry tier."),
            fields={"tier": [_("Leave the entry tier, or ask the director.")]},
        )
    tier = tier or Tier.objects.order_by("-rank").first()
    if tier is None:
        raise ApplicationError(
            _("Create a partner tier in the admin before approving applications."),
            fields={"tier": [_("No tier exists yet.")]},
        )
    partner = Partner(
        name=application.company_name,
        legal_identifier=application.legal_identifier,
        domain=application.domain,
        country=application.country,
        kind=application.kind,
        territory=territory,
        tier=tier,
        status=Partner.Status.ONBOARDING,
        channel_manager=channel_manager or approved_by,
        joined_on=timezone.localdate(),
    )
    try:
        partner.full_clean()
    except ValidationError as exc:
        raise ApplicationError(
            _("The partner could not be created: correct the fields shown."),
            fields=validation_error_fields(exc),
        ) from exc
    partner.save()
    Contact.objects.create(
        partner=partner,
        first_name=application.contact_first_name,
        last_name=application.contact_last_name,
        email=application.contact_email,
        phone=application.contact_phone,
    )
    onboarding_checklist_create(partner=partner)
    application.status = PartnerApplication.Status.APPROVED
    application.reviewed_by = approved_by
    application.reviewed_at = timezone.now()
    application.partner = partner
    application.save()
    _decision_email_on_commit(application)
    return partner


@transaction.atomic
def application_reject(
    *, application: PartnerApplication, rejected_by: User, reason: str
) -> PartnerApplication:
    if not application_can_review(user=rejected_by):
        raise PermissionDenied(_("Only the director or a manager reviews applications."))
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("Say why the application is rejected."),
            fields={"reason": [_("A reason is required.")]},
        )
    application = _application_open(application)
    application.status = PartnerApplication.Status.REJECTED
    application.rejection_reason = reason
    application.reviewed_by = rejected_by
    application.reviewed_at = timezone.now()
    application.save()
    _decision_email_on_commit(application)
    return application


def _decision_email_on_commit(application: PartnerApplication) -> None:
    from dirco.registrations.tasks import application_decision_email_send

    pk = application.pk
    transaction.on_commit(lambda: application_decision_email_send.enqueue(application_id=pk))


@transaction.atomic
def onboarding_checklist_create(*, partner: Partner) -> OnboardingChecklist:
    """The checklist with the default steps; calling it again adds only missing steps."""
    checklist, _created = OnboardingChecklist.objects.get_or_create(partner=partner)
    existing = set(checklist.steps.values_list("code", flat=True))
    OnboardingStep.objects.bulk_create(
        [
            OnboardingStep(checklist=checklist, code=code, order=i)
            for i, code in enumerate(DEFAULT_STEPS)
            if code not in existing
        ]
    )
    return checklist


@transaction.atomic
def onboarding_step_complete(
    *,
    partner: Partner,
    code: str,
    done_by: User | None,
    done: bool = True,
    only_if_open: bool = False,
) -> OnboardingStep | None:
    """Tick (or untick) a step; the partner becomes active when every step is done.

    ``only_if_open`` is for automatic ticks (the first registration): they do nothing when
    the partner has no checklist or the step is already done.
    """
    checklist = OnboardingChecklist.objects.select_for_update().filter(partner=partner).first()
    if checklist is None:
        if only_if_open:
            return None
        checklist = onboarding_checklist_create(partner=partner)
    step = checklist.steps.filter(code=code).first()
    if step is None:
        if only_if_open:
            return None
        raise ApplicationError(
            _("Unknown onboarding step %(code)s.") % {"code": code},
            fields={"code": [_("Choose a step of the checklist.")]},
        )
    if only_if_open and step.done_at is not None:
        return step
    step.done_at = timezone.now() if done else None
    step.done_by = done_by if done else None
    step.save(update_fields=["done_at", "done_by"])
    all_done = not checklist.steps.filter(done_at__isnull=True).exists()
    if not all_done:
        checklist.completed_at = None
    elif checklist.completed_at is None:
        checklist.completed_at = timezone.now()
    checklist.save(update_fields=["completed_at", "updated_at"])
    if all_done:
        locked = Partner.objects.select_for_update().get(pk=partner.pk)
        if locked.status == Partner.Status.ONBOARDING:
            locked.status = Partner.Status.ACTIVE
            locked.save(update_fields=["status", "updated_at"])
            partner.status = locked.status
    return step


@transaction.atomic
def onboarding_certified_people_set(
    *, partner: Partner, certified_people: int | None
) -> OnboardingChecklist:
    if certified_people is not None and certified_people < 0:
        raise ApplicationError(
            _("The number of certified people cannot be negative."),
            fields={"certified_people": [_("Enter 0 or more, or leave empty when unknown.")]},
        )
    checklist = OnboardingChecklist.objects.filter(partner=partner).first()
    if checklist is None:
        checklist = onboarding_checklist_create(partner=partner)
    checklist.certified_people = certified_people
    checklist.save(update_fields=["certified_people", "updated_at"])
    return checklist
