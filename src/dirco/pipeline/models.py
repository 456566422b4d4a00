"""The pipeline: deals moving through configurable stages, their history and activities."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dirco.core.models import TimeStampedModel
from dirco.core.money import CURRENCY_CHOICES
from dirco.core.versioning import Versioned


class ForecastCategory(models.TextChoices):
    PIPELINE = "pipeline", _("Pipeline")
    BEST_CASE = "best_case", _("Best case")
    COMMIT = "commit", _("Commit")
    CLOSED = "closed", _("Closed")
    OMITTED = "omitted", _("Omitted")


# The default stage names (data migration 0002), listed for the translation catalogue:
# a stage whose name is one of these is shown in the user's language.
DEFAULT_STAGE_NAMES = (
    gettext_noop("Prospecting"),
    gettext_noop("Qualification"),
    gettext_noop("Proposal"),
    gettext_noop("Negotiation"),
    gettext_noop("Won"),
    gettext_noop("Lost"),
)


class Stage(TimeStampedModel, Versioned):
    name = models.CharField(_("name"), max_length=80, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), unique=True)
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"), validators=[MaxValueValidator(100)]
    )
    forecast_category = models.CharField(
        _("forecast category"),
        max_length=20,
        choices=ForecastCategory.choices,
        default=ForecastCategory.PIPELINE,
    )
    is_won = models.BooleanField(_("won"), default=False)
    is_lost = models.BooleanField(_("lost"), default=False)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["order"]
        constraints = [
            models.CheckConstraint(
                name="stage_not_won_and_lost",
                condition=~models.Q(is_won=True, is_lost=True),
                violation_error_message=_("A stage cannot be both won and lost."),
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the user's language when the catalogue knows it."""
        return gettext(self.name)

    @property
    def is_closed(self) -> bool:
        return self.is_won or self.is_lost


class Deal(TimeStampedModel, Versioned):
    class Source(models.TextChoices):
        DIRECT = "direct", _("Direct")
        PARTNER = "partner", _("Partner")
        CAMPAIGN = "campaign", _("Campaign")
        EVENT = "event", _("Event")

    class LostReason(models.TextChoices):
        PRICE = "price", _("Price")
        COMPETITOR = "competitor", _("Lost to a competitor")
        NO_DECISION = "no_decision", _("No decision")
        TIMING = "timing", _("Timing")
        FIT = "fit", _("Product fit")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    account = models.ForeignKey(
        "customers.Account",
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="deals",
    )
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deals",
        db_index=False,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_deals",
        db_index=False,
    )
    team = models.ForeignKey(
        "teams.SalesTeam",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deals",
        db_index=False,
    )
    product_line = models.ForeignKey(
        "catalog.ProductLine",
        verbose_name=_("product line"),
        on_delete=models.PROTECT,
        related_name="deals",
    )
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=CURRENCY_CHOICES, default="EUR"
    )
    # The amount in the company currency at the rate of the (expected) close date, kept on
    # write so that every total is one SUM without a join to the rate table.
    amount_company = models.DecimalField(
        _("amount (company currency)"), max_digits=16, decimal_places=2, editable=False
    )
    stage = models.ForeignKey(
        Stage,
        verbose_name=_("stage"),
        on_delete=models.PROTECT,
        related_name="deals",
        db_index=False,
    )
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"), validators=[MaxValueValidator(100)]
    )
    forecast_category = models.CharField(
        _("forecast category"), max_length=20, choices=ForecastCategory.choices
    )
    expected_close_date = models.DateField(_("expected close date"))
    close_date = models.DateField(_("close date"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.DIRECT
    )
    lost_reason = models.CharField(
        _("lost reason"), max_length=20, choices=LostReason.choices, blank=True
    )
    stage_entered_at = models.DateTimeField(_("in stage since"), default=timezone.now)
    # The deal's reference in the system it was imported from (dirco.imports upserts by it).
    external_id = models.CharField(_("external ID"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        ordering = ["-expected_close_date", "-id"]
        # Foreign keys that lead a composite index below have no index of their own: the
        # composite serves their lookups, and each index slows every insert.
        indexes = [
            models.Index(fields=["-expected_close_date", "-id"], name="deal_list_order"),
            models.Index(fields=["owner", "-expected_close_date"], name="deal_owner_ecd"),
            # The other sort orders of the deal list, so that a page never sorts the table.
            models.Index(fields=["-amount_company", "-id"], name="deal_amount_order"),
            models.Index(fields=["name", "id"], name="deal_name_order"),
            models.Index(fields=["-created_at", "-id"], name="deal_created_order"),
            models.Index(fields=["partner", "-expected_close_date"], name="deal_partner_ecd"),
            models.Index(fields=["team", "-expected_close_date"], name="deal_team_ecd"),
            models.Index(fields=["stage", "-expected_close_date"], name="deal_stage_ecd"),
            models.Index(fields=["close_date", "stage"], name="deal_close"),
            # The board's per-stage count and total read this index alone (no table rows),
            # for everyone (stage IN ...) and for a rep (stage IN ... AND owner = ...):
            # at 1M deals (70k open) 1 s -> 70 ms for the director, 650 ms -> 2 ms for a rep.
            # Stage leads, so that owner-only lists keep deal_owner_ecd (no sort).
            models.Index(
                fields=["stage", "owner", "amount_company"], name="deal_stage_owner_amount"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="deal_amount_gte_0"),
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~models.Q(external_id=""),
                name="deal_external_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_overdue(self) -> bool:
        """Still open and its expected close date has passed (the "overdue" deal filter)."""
        return (
            not self.stage.is_closed
            and self.expected_close_date is not None
            and self.expected_close_date < timezone.localdate()
        )


class StageChange(models.Model):
    """When a deal entered a stage, and who moved it there."""

    deal = models.ForeignKey(
        Deal,
        verbose_name=_("deal"),
        on_delete=models.CASCADE,
        related_name="stage_changes",
        db_index=False,
    )
    from_stage = models.ForeignKey(
        Stage,
        verbose_name=_("from stage"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_stage = models.ForeignKey(
        Stage, verbose_name=_("to stage"), on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["deal", "changed_at", "id"]
        indexes = [models.Index(fields=["deal", "changed_at"], name="stagechange_deal")]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.from_stage_id} -> {self.to_stage_id}"


class Activity(TimeStampedModel, Versioned):
    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        MEETING = "meeting", _("Meeting")
        EMAIL = "email", _("Email")
        TASK = "task", _("Task")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="activities",
        db_index=False,
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    deal = models.ForeignKey(
        Deal,
        verbose_name=_("deal"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
        db_index=False,
    )
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
    )
    contact = models.ForeignKey(
        "partners.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
    )
    account = models.ForeignKey(
        "customers.Account",
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
    )

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["owner", "done_at", "due_at"], name="activity_owner_due"),
            models.Index(fields=["deal", "due_at"], name="activity_deal"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_done(self) -> bool:
        return self.done_at is not None
