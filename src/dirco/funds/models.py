"""Marketing development funds (MDF): budgets, partner fund requests and their claims.

A budget is money set aside for one partner, or for every partner of a tier, over a fiscal
period. A partner asks for part of it (``FundRequest``: the activity, the amount, the result
it expects); the partner's channel manager, their manager or the director approves or
rejects it with a reason. Approved amounts of a budget never exceed it: the approval locks
the budget row (``services.fund_request_approve``). Once the activity is done the partner
claims the money with a proof of execution (``FundClaim``, never above the approved
amount); staff mark the claim paid.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from dirco.core.models import Decision, TimeStampedModel
from dirco.core.versioning import Versioned

POSITIVE = [MinValueValidator(Decimal("0.01"))]


class FundBudget(TimeStampedModel):
    name = models.CharField(_("name"), max_length=120)
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fund_budgets",
    )
    tier = models.ForeignKey(
        "partners.Tier",
        verbose_name=_("tier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fund_budgets",
        help_text=_("A budget shared by every partner of this tier."),
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, validators=POSITIVE)
    currency = models.CharField(_("currency"), max_length=3, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("fund budget")
        verbose_name_plural = _("fund budgets")
        ordering = ["-period_start", "name", "id"]
        constraints = [
            models.CheckConstraint(
                name="fundbudget_partner_xor_tier",
                condition=(
                    models.Q(partner__isnull=False, tier__isnull=True)
                    | models.Q(partner__isnull=True, tier__isnull=False)
                ),
                violation_error_message=_("A budget is for one partner or for one tier."),
            ),
            models.CheckConstraint(
                name="fundbudget_period_order",
                condition=models.Q(period_end__gte=models.F("period_start")),
                violation_error_message=_("The period ends before it starts."),
            ),
            models.CheckConstraint(
                name="fundbudget_amount_positive", condition=models.Q(amount__gt=0)
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FundRequest(TimeStampedModel, Decision, Versioned):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CLAIMED = "claimed", _("Claimed")
        PAID = "paid", _("Paid")

    # The statuses whose approved amount is spent from the budget.
    COMMITTED = (Status.APPROVED, Status.CLAIMED, Status.PAID)

    budget = models.ForeignKey(
        FundBudget, verbose_name=_("budget"), on_delete=models.PROTECT, related_name="requests"
    )
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        related_name="fund_requests",
    )
    activity = models.CharField(_("activity"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    expected_result = models.TextField(_("expected result"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    amount = models.DecimalField(
        _("amount requested"), max_digits=14, decimal_places=2, validators=POSITIVE
    )
    approved_amount = models.DecimalField(
        _("approved amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("fund request")
        verbose_name_plural = _("fund requests")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["budget", "status"], name="fundrequest_budget_status")]
        constraints = [
            models.CheckConstraint(
                name="fundrequest_dates_order",
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                violation_error_message=_("The activity ends before it starts."),
            ),
            models.CheckConstraint(
                name="fundrequest_amount_positive", condition=models.Q(amount__gt=0)
            ),
            models.CheckConstraint(
                name="fundrequest_approved_within_request",
                condition=models.Q(approved_amount__isnull=True)
                | models.Q(approved_amount__gt=0, approved_amount__lte=models.F("amount")),
            ),
        ]

    def __str__(self) -> str:
        return self.activity


class FundClaim(TimeStampedModel, Decision):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        PAID = "paid", _("Paid")
        REJECTED = "rejected", _("Rejected")

    request = models.ForeignKey(
        FundRequest, verbose_name=_("fund request"), on_delete=models.PROTECT, related_name="claims"
    )
    amount = models.DecimalField(
        _("amount claimed"), max_digits=14, decimal_places=2, validators=POSITIVE
    )
    description = models.TextField(_("what was done"))
    proof = models.FileField(_("proof of execution"), upload_to="mdf/proofs/%Y/%m/", max_length=255)
    proof_content_type = models.CharField(max_length=60, editable=False)
    proof_size = models.PositiveIntegerField(editable=False)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("fund claim")
        verbose_name_plural = _("fund claims")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="fundclaim_amount_positive", condition=models.Q(amount__gt=0)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} · {self.amount}"
