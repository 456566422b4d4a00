"""Deal registrations, and the partner lifecycle: application, onboarding, tier review.

A partner registers a deal it found; the channel manager approves it (the deal is then
protected from other partners for the tier's window) or rejects it. The lifecycle models live
here too because they are driven by the same people and events (the first registration ticks
the onboarding checklist; registrations count in the tier review).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from dirco.core.models import Decision, TimeStampedModel
from dirco.core.money import CURRENCY_CHOICES


class DealRegistration(TimeStampedModel, Decision):
    class Status(models.TextChoices):
        PENDING = "pending", _("Under review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        EXPIRED = "expired", _("Expired")

    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="submitted_registrations",
    )
    customer_name = models.CharField(_("customer name"), max_length=200)
    customer_domain = models.CharField(_("customer web domain"), max_length=253, blank=True)
    customer_legal_identifier = models.CharField(
        _("customer legal identifier"),
        max_length=40,
        blank=True,
        help_text=_("SIREN, VAT or company number."),
    )
    customer_country = CountryField(
        _("customer country"), max_length=2, help_text=_("ISO 3166 code, e.g. FR.")
    )
    # Normalised forms, kept on write so that conflict detection compares without recomputing.
    name_key = models.CharField(max_length=200, editable=False, db_index=True)
    domain_key = models.CharField(max_length=253, editable=False, blank=True, db_index=True)
    legal_id_key = models.CharField(max_length=40, editable=False, blank=True, db_index=True)
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    product_line = models.ForeignKey(
        "catalog.ProductLine",
        verbose_name=_("product line"),
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    expected_close_date = models.DateField(_("expected close date"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    protected_until = models.DateTimeField(_("protected until"), null=True, blank=True)
    conflicts_overridden = models.BooleanField(
        _("approved over a protected conflict"), default=False
    )
    expired_at = models.DateTimeField(_("expired at"), null=True, blank=True)
    account = models.ForeignKey(
        "customers.Account",
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    deal = models.OneToOneField(
        "pipeline.Deal",
        verbose_name=_("deal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registration",
    )
    conflict_count = models.PositiveIntegerField(
        _("conflicts at submission"), default=0, editable=False
    )

    class Meta:
        verbose_name = _("deal registration")
        verbose_name_plural = _("deal registrations")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["partner", "-created_at"], name="reg_partner_created"),
            models.Index(fields=["status", "protected_until"], name="reg_status_protected"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="reg_amount_gte_0"),
            models.CheckConstraint(
                name="reg_rejected_has_reason",
                condition=~models.Q(status="rejected", rejection_reason=""),
                violation_error_message=_("A rejected registration needs a reason."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_name} ({self.partner_id})"

    def is_protected(self, *, now: dt.datetime | None = None) -> bool:
        moment = now or timezone.now()
        return (
            self.status == self.Status.APPROVED
            and self.protected_until is not None
            and self.protected_until > moment
        )


class RegistrationExtension(TimeStampedModel, Decision):
    """A partner's request to extend the protection of an approved registration."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Requested")
        APPROVED = "approved", _("Granted")
        DECLINED = "declined", _("Declined")

    registration = models.ForeignKey(
        DealRegistration,
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        related_name="extensions",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    decision_note = models.TextField(_("note"), blank=True)
    protected_until_before = models.DateTimeField(null=True, blank=True, editable=False)
    protected_until_after = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration"],
                condition=models.Q(status="pending"),
                name="reg_one_pending_extension",
                violation_error_message=_("An extension request is already waiting."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration_id}: {self.status}"


class RegistrationConflict(models.Model):
    """A conflict found when the registration was submitted (the list shows their count).

    The detail page and the approval recompute conflicts live; these rows are the record of
    what the channel manager was told at submission.
    """

    class Kind(models.TextChoices):
        ACCOUNT = "account", _("Existing account")
        DEAL = "deal", _("Open deal")
        REGISTRATION = "registration", _("Other registration")

    registration = models.ForeignKey(
        DealRegistration,
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        related_name="conflicts",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    account = models.ForeignKey(
        "customers.Account", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    deal = models.ForeignKey(
        "pipeline.Deal", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    other_registration = models.ForeignKey(
        DealRegistration, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    matched_on = models.CharField(_("matched on"), max_length=60)
    score = models.DecimalField(_("name score"), max_digits=5, decimal_places=1, null=True)
    found_at = models.DateTimeField(_("found at"), default=timezone.now)

    class Meta:
        verbose_name = _("registration conflict")
        verbose_name_plural = _("registration conflicts")
        ordering = ["registration", "id"]

    def __str__(self) -> str:
        return f"{self.registration_id}: {self.kind} ({self.matched_on})"


# The partner lifecycle.


class PartnerApplication(TimeStampedModel):
    """A company asking to become a partner, from the public form (no login)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    company_name = models.CharField(_("company name"), max_length=200)
    legal_identifier = models.CharField(_("legal identifier"), max_length=40, blank=True)
    domain = models.CharField(_("web domain"), max_length=253, blank=True)
    country = CountryField(_("country"), max_length=2, help_text=_("ISO 3166 code, e.g. FR."))
    kind = models.CharField(_("kind of partner"), max_length=20, default="reseller")
    contact_first_name = models.CharField(_("first name"), max_length=100)
    contact_last_name = models.CharField(_("last name"), max_length=100)
    contact_email = models.EmailField(_("email"))
    contact_phone = models.CharField(_("phone"), max_length=40, blank=True)
    message = models.TextField(_("why you want to partner with us"), blank=True)
    submitted_ip = models.GenericIPAddressField(null=True, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    partner = models.OneToOneField(
        "partners.Partner",
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="application",
    )

    class Meta:
        verbose_name = _("partner application")
        verbose_name_plural = _("partner applications")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.company_name


class OnboardingChecklist(TimeStampedModel):
    partner = models.OneToOneField(
        "partners.Partner",
        verbose_name=_("partner"),
        on_delete=models.CASCADE,
        related_name="onboarding",
    )
    certified_people = models.PositiveIntegerField(
        _("certified people"),
        null=True,
        blank=True,
        help_text=_("People at the partner certified on our offer; empty when unknown."),
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("onboarding checklist")
        verbose_name_plural = _("onboarding checklists")

    def __str__(self) -> str:
        return f"{self.partner_id}"


class OnboardingStep(models.Model):
    class Code(models.TextChoices):
        AGREEMENT_SIGNED = "agreement_signed", _("Partner agreement signed")
        FIRST_TRAINING = "first_training", _("First training attended")
        FIRST_REGISTRATION = "first_registration", _("First deal registered")

    checklist = models.ForeignKey(
        OnboardingChecklist,
        verbose_name=_("checklist"),
        on_delete=models.CASCADE,
        related_name="steps",
    )
    code = models.CharField(_("step"), max_length=40, choices=Code.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("onboarding step")
        verbose_name_plural = _("onboarding steps")
        ordering = ["checklist", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "code"], name="onboarding_step_once")
        ]

    def __str__(self) -> str:
        return self.code


class TierReview(TimeStampedModel):
    """One run of the tier review: KPIs of every partner over 12 months, and proposals."""

    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("run by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))

    class Meta:
        verbose_name = _("tier review")
        verbose_name_plural = _("tier reviews")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.period_start} - {self.period_end}"


class TierProposal(Decision):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed")
        DISMISSED = "dismissed", _("Dismissed")

    review = models.ForeignKey(
        TierReview, verbose_name=_("review"), on_delete=models.CASCADE, related_name="proposals"
    )
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        on_delete=models.CASCADE,
        related_name="tier_proposals",
    )
    from_tier = models.ForeignKey(
        "partners.Tier", verbose_name=_("current tier"), on_delete=models.PROTECT, related_name="+"
    )
    to_tier = models.ForeignKey(
        "partners.Tier", verbose_name=_("proposed tier"), on_delete=models.PROTECT, related_name="+"
    )
    kpis = models.JSONField(_("KPIs"), default=dict)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED
    )

    class Meta:
        verbose_name = _("tier proposal")
        verbose_name_plural = _("tier proposals")
        ordering = ["review", "partner__name", "id"]

    def __str__(self) -> str:
        return f"{self.partner_id}: {self.from_tier_id} -> {self.to_tier_id}"

    @property
    def is_upgrade(self) -> bool:
        return self.to_tier.rank < self.from_tier.rank


class TierChange(models.Model):
    """The history of a partner's tier: who changed it, when, and on which KPIs."""

    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        on_delete=models.CASCADE,
        related_name="tier_changes",
    )
    from_tier = models.ForeignKey(
        "partners.Tier", verbose_name=_("from"), on_delete=models.PROTECT, related_name="+"
    )
    to_tier = models.ForeignKey(
        "partners.Tier", verbose_name=_("to"), on_delete=models.PROTECT, related_name="+"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    kpis = models.JSONField(_("KPIs"), default=dict)
    proposal = models.OneToOneField(
        TierProposal,
        verbose_name=_("proposal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="change",
    )

    class Meta:
        verbose_name = _("tier change")
        verbose_name_plural = _("tier changes")
        ordering = ["partner", "-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.partner_id}: {self.from_tier_id} -> {self.to_tier_id}"
