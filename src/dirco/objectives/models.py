"""Objectives with their monthly rows and forecast calls (the rollups are in dirco.rollups).

See docs/objectives.md for the cascade and how each deal counts once per scope.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dirco.core.models import TimeStampedModel
from dirco.core.versioning import Versioned

# The scope kinds are the rollups' (below objectives), re-exported.
from dirco.rollups.models import ScopeKind as ScopeKind


class Objective(TimeStampedModel, Versioned):
    """A yearly target for a scope (optionally narrowed to a product line), split by month."""

    class Measure(models.TextChoices):
        WON_REVENUE = "won_revenue", _("Won revenue")
        WON_DEALS = "won_deals", _("Won deals")
        NEW_ACTIVE_PARTNERS = "new_active_partners", _("New active partners")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    class SplitMethod(models.TextChoices):
        LEARNED = "learned", _("Learned seasonality")
        LAST_YEAR = "last_year", _("Last year's shape")
        MANUAL = "manual", _("Manual percentages")
        FLAT = "flat", _("Flat")

    scope_kind = models.CharField(_("scope"), max_length=20, choices=ScopeKind.choices)
    # "company", "team:3", "rep:12", "partner:5" or "product_line:2" (dirco.scopes.Scope).
    scope_key = models.CharField(_("scope key"), max_length=40, editable=False)
    team = models.ForeignKey(
        "teams.SalesTeam",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="objectives",
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rep"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="objectives",
    )
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="objectives",
    )
    # The scope itself for a product-line objective; otherwise an optional narrowing.
    product_line = models.ForeignKey(
        "catalog.ProductLine",
        verbose_name=_("product line"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="objectives",
    )
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    measure = models.CharField(
        _("measure"), max_length=30, choices=Measure.choices, default=Measure.WON_REVENUE
    )
    amount = models.DecimalField(
        _("yearly amount"),
        max_digits=16,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("allocated from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    split_method = models.CharField(
        _("monthly split"), max_length=20, choices=SplitMethod.choices, default=SplitMethod.LEARNED
    )
    split_note = models.CharField(_("split note"), max_length=300, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    set_at = models.DateTimeField(_("set at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering = ["-fiscal_year", "scope_key", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope_key", "fiscal_year", "measure"],
                condition=models.Q(product_line__isnull=True) | models.Q(scope_kind="product_line"),
                name="objective_one_per_scope_year_measure",
            ),
            models.UniqueConstraint(
                fields=["scope_key", "product_line", "fiscal_year", "measure"],
                condition=models.Q(product_line__isnull=False),
                name="objective_one_per_scope_line_year_measure",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="objective_amount_gte_0"
            ),
        ]
        indexes = [models.Index(fields=["fiscal_year", "scope_kind"], name="objective_year_kind")]

    def __str__(self) -> str:
        return f"{self.scope_key} {self.fiscal_year} {self.measure}"


class ObjectiveMonth(models.Model):
    """One row per fiscal month (like a per-period quota row)."""

    objective = models.ForeignKey(
        Objective, verbose_name=_("objective"), on_delete=models.CASCADE, related_name="months"
    )
    month_index = models.PositiveSmallIntegerField(
        _("fiscal month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    month = models.DateField(_("month"))
    amount = models.DecimalField(
        _("amount"), max_digits=16, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    is_override = models.BooleanField(_("set by hand"), default=False)

    class Meta:
        verbose_name = _("objective month")
        verbose_name_plural = _("objective months")
        ordering = ["objective", "month_index"]
        constraints = [
            models.UniqueConstraint(
                fields=["objective", "month_index"], name="objective_month_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.objective_id} {self.month:%Y-%m}: {self.amount}"


class ObjectiveMonthChange(models.Model):
    """Append-only audit of months changed by hand: who, when, from, to."""

    objective = models.ForeignKey(
        Objective, verbose_name=_("objective"), on_delete=models.CASCADE, related_name="changes"
    )
    month = models.DateField(_("month"))
    from_amount = models.DecimalField(_("from"), max_digits=16, decimal_places=2)
    to_amount = models.DecimalField(_("to"), max_digits=16, decimal_places=2)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("objective month change")
        verbose_name_plural = _("objective month changes")
        ordering = ["objective", "-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.objective_id} {self.month:%Y-%m}: {self.from_amount} -> {self.to_amount}"


class ForecastAdjustment(models.Model):
    """A forecast call for a scope and period: the owner's call and the manager's, both kept.

    Rows are appended, never changed: the latest row of a scope and period is the current call.
    """

    scope_key = models.CharField(_("scope"), max_length=40)
    period = models.CharField(_("period"), max_length=10)
    owner_call = models.DecimalField(
        _("owner's call"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    manager_call = models.DecimalField(
        _("manager's call"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("forecast adjustment")
        verbose_name_plural = _("forecast adjustments")
        ordering = ["scope_key", "period", "-at", "-id"]
        indexes = [models.Index(fields=["scope_key", "period", "-at"], name="forecastadj_scope")]

    def __str__(self) -> str:
        return f"{self.scope_key} {self.period}"
