"""The commercial action plan (PAC): plans tied to objectives, their actions, checklist tasks,
the deals linked to an action, the versions shared with a partner and the calendar feeds.

A plan has one scope (the company, a team, a rep or a partner; ``dirco.scopes.Scope``) and a
fiscal period; its actions must lie inside that period. An action's expected won revenue is
spread over months (one :class:`ActionMonth` per month). The link between a deal and an action
lives here, on the plans side (:class:`ActionDeal`), because the pipeline sits below plans and
may not know them. See docs/plans.md.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dirco.core.models import TimeStampedModel
from dirco.core.versioning import Versioned
from dirco.scopes import Scope

if TYPE_CHECKING:
    from dirco.pipeline.models import Deal


class ActionPlan(TimeStampedModel, Versioned):
    """A plan of actions for one scope and fiscal period, serving some objectives."""

    class ScopeKind(models.TextChoices):
        COMPANY = "company", _("Company")
        TEAM = "team", _("Team")
        REP = "rep", _("Rep")
        PARTNER = "partner", _("Partner")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="action_plans",
    )
    scope_kind = models.CharField(_("scope"), max_length=20, choices=ScopeKind.choices)
    # "company", "team:3", "rep:12" or "partner:5" (dirco.scopes.Scope.key).
    scope_key = models.CharField(_("scope key"), max_length=40, editable=False)
    team = models.ForeignKey(
        "teams.SalesTeam",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="action_plans",
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rep"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="scoped_action_plans",
    )
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="action_plans",
    )
    # The fiscal period as written ("2026", "2026-Q2", "2026-05"), and its first and last days.
    period = models.CharField(_("period"), max_length=10)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    objectives = models.ManyToManyField(
        "objectives.Objective",
        verbose_name=_("objectives served"),
        blank=True,
        related_name="action_plans",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    # Markdown; rendered without raw HTML (plans.markdown.markdown_render).
    diagnosis = models.TextField(_("diagnosis"), blank=True)
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        ordering = ["-starts_on", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="plan_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["scope_key", "starts_on"], name="plan_scope_start"),
            models.Index(fields=["status", "starts_on"], name="plan_status_start"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def scope(self) -> Scope:
        return Scope.parse(self.scope_key)


class PlanReview(models.Model):
    """A review date of a plan (the director's monthly or quarterly check), with its notes."""

    plan = models.ForeignKey(
        ActionPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="reviews"
    )
    review_on = models.DateField(_("review date"))
    notes = models.TextField(_("notes"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("plan review")
        verbose_name_plural = _("plan reviews")
        ordering = ["plan", "review_on", "id"]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.review_on}"


class Action(TimeStampedModel, Versioned):
    """One planned action of a plan: an event, a campaign, an offer, a training..."""

    class Kind(models.TextChoices):
        EVENT = "event", _("Event or trade show")
        WEBINAR = "webinar", _("Webinar")
        PROMOTION = "promotion", _("Promotion or product offer")
        SERVICE_OFFER = "service_offer", _("Service offer")
        PARTNER_TRAINING = "partner_training", _("Partner training")
        PARTNER_VISIT = "partner_visit", _("Partner visit")
        CALL_CAMPAIGN = "call_campaign", _("Call campaign")
        EMAIL_CAMPAIGN = "email_campaign", _("Email campaign")
        PARTNER_RECRUITMENT = "partner_recruitment", _("Partner recruitment")

    # The kinds marketing runs (and may change in any plan it sees).
    MARKETING_KINDS: ClassVar[frozenset[str]] = frozenset(
        {"event", "webinar", "promotion", "email_campaign"}
    )

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    plan = models.ForeignKey(
        ActionPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="actions"
    )
    kind = models.CharField(_("type"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_actions",
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    # The target segment; empty means "the whole scope of the plan".
    territories = models.ManyToManyField(
        "partners.Territory", verbose_name=_("territories"), blank=True, related_name="+"
    )
    tiers = models.ManyToManyField(
        "partners.Tier", verbose_name=_("tiers"), blank=True, related_name="+"
    )
    product_lines = models.ManyToManyField(
        "catalog.ProductLine", verbose_name=_("product lines"), blank=True, related_name="+"
    )
    accounts = models.ManyToManyField(
        "customers.Account", verbose_name=_("accounts"), blank=True, related_name="+"
    )
    partners = models.ManyToManyField(
        "partners.Partner", verbose_name=_("partners"), blank=True, related_name="+"
    )
    # Costs in the company currency.
    planned_cost = models.DecimalField(
        _("planned cost"),
        max_digits=14,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    actual_cost = models.DecimalField(
        _("actual cost"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    deals: models.ManyToManyField[Deal, ActionDeal] = models.ManyToManyField(
        "pipeline.Deal",
        verbose_name=_("linked deals"),
        through="ActionDeal",
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="action_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(planned_cost__gte=0), name="action_planned_cost_gte_0"
            ),
            models.CheckConstraint(
                condition=models.Q(actual_cost__isnull=True) | models.Q(actual_cost__gte=0),
                name="action_actual_cost_gte_0",
            ),
        ]
        indexes = [
            models.Index(fields=["starts_on", "ends_on"], name="action_dates"),
            models.Index(fields=["owner", "starts_on"], name="action_owner_start"),
            models.Index(fields=["kind", "starts_on"], name="action_kind_start"),
        ]

    def __str__(self) -> str:
        return self.title


class ActionMonth(models.Model):
    """The won revenue an action is expected to bring in one calendar month."""

    action = models.ForeignKey(
        Action, verbose_name=_("action"), on_delete=models.CASCADE, related_name="months"
    )
    month = models.DateField(_("month"))  # the first day of the month
    expected_revenue = models.DecimalField(
        _("expected won revenue"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
    )

    class Meta:
        verbose_name = _("action month")
        verbose_name_plural = _("action months")
        ordering = ["action", "month"]
        constraints = [
            models.UniqueConstraint(fields=["action", "month"], name="action_month_once"),
            models.CheckConstraint(
                condition=models.Q(expected_revenue__gte=0), name="action_month_revenue_gte_0"
            ),
        ]
        indexes = [models.Index(fields=["month"], name="action_month_month")]

    def __str__(self) -> str:
        return f"{self.action_id} {self.month:%Y-%m}: {self.expected_revenue}"


class ActionTask(TimeStampedModel):
    """A checklist item of an action (book the room, send the invitations...)."""

    action = models.ForeignKey(
        Action, verbose_name=_("action"), on_delete=models.CASCADE, related_name="tasks"
    )
    title = models.CharField(_("title"), max_length=200)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        related_name="action_tasks",
    )
    due_on = models.DateField(_("due"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        verbose_name = _("action task")
        verbose_name_plural = _("action tasks")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["assignee", "done_at", "due_on"], name="task_assignee")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class ActionDeal(models.Model):
    """A deal explicitly linked to an action (attribution by hand; the impact measurement may
    also attribute by source or rule without a row here)."""

    action = models.ForeignKey(
        Action, verbose_name=_("action"), on_delete=models.CASCADE, related_name="deal_links"
    )
    deal = models.ForeignKey(
        "pipeline.Deal", verbose_name=_("deal"), on_delete=models.CASCADE, related_name="+"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("linked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    linked_at = models.DateTimeField(_("linked at"), default=timezone.now)

    class Meta:
        verbose_name = _("deal linked to an action")
        verbose_name_plural = _("deals linked to actions")
        constraints = [
            models.UniqueConstraint(fields=["action", "deal"], name="action_deal_once"),
        ]
        indexes = [models.Index(fields=["deal"], name="action_deal_deal")]

    def __str__(self) -> str:
        return f"{self.action_id} <- {self.deal_id}"


class PlanVersion(models.Model):
    """A snapshot of a plan shared with its partner (joint business plan); the partner admin
    accepts a version. Versions are kept, never changed except for the acceptance."""

    plan = models.ForeignKey(
        ActionPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField(_("snapshot"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("shared by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    shared_at = models.DateTimeField(_("shared at"), default=timezone.now)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} v{self.number}"


class PlanComment(models.Model):
    """A comment on a plan, by staff or by the partner's users (joint business plan)."""

    plan = models.ForeignKey(
        ActionPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("plan comment")
        verbose_name_plural = _("plan comments")
        ordering = ["plan", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.body[:40]}"


class CalendarFeedToken(models.Model):
    """The secret of a user's iCalendar feed URL. Only a hash is stored; revoking it (or making
    a new one) ends the old URL."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="calendar_feed_tokens",
    )
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(revoked_at__isnull=True),
                name="calendar_feed_one_live_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} feed"
