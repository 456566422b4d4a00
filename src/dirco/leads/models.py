"""Leads: prospects from forms, imports, campaigns and events, routed to partners or reps.

A lead is offered to one partner (or one rep) at a time. Each offer is a ``LeadAssignment``
with its score, rule and outcome; ``LeadEvent`` is the lead's timeline. The lead keeps its
current assignee (``partner`` or ``rep``) so that access checks are one indexed filter.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from dirco.core.models import TimeStampedModel


class Lead(TimeStampedModel):
    class Source(models.TextChoices):
        WEB_FORM = "web_form", _("Web form")
        IMPORT = "import", _("Import")
        CAMPAIGN = "campaign", _("Campaign")
        EVENT = "event", _("Event")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        OFFERED = "offered", _("Offered")
        ACCEPTED = "accepted", _("Accepted")
        CONVERTED = "converted", _("Converted")
        DECLINED = "declined", _("Declined")
        LOST = "lost", _("Lost")

    OPEN_STATUSES = (Status.OFFERED, Status.ACCEPTED)

    company_name = models.CharField(_("company name"), max_length=200)
    contact_name = models.CharField(_("contact name"), max_length=200)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    country = CountryField(_("country"), max_length=2, help_text=_("ISO 3166 code, e.g. FR."))
    postcode = models.CharField(_("postcode"), max_length=16, blank=True)
    territory = models.ForeignKey(
        "partners.Territory",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
    )
    product_line = models.ForeignKey(
        "catalog.ProductLine",
        verbose_name=_("product line of interest"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    message = models.TextField(_("message"), blank=True)
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.WEB_FORM
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )
    consent = models.BooleanField(_("consent to be contacted"), default=False)
    # Current assignee: at most one of the two, set while offered and after acceptance.
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sales rep"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="routed_leads",
    )
    offered_at = models.DateTimeField(_("offered at"), null=True, blank=True)
    sla_due_at = models.DateTimeField(_("answer due by"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    account = models.ForeignKey(
        "customers.Account",
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    deal = models.ForeignKey(
        "pipeline.Deal",
        verbose_name=_("deal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    lost_reason = models.TextField(_("lost reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "sla_due_at"], name="lead_status_sla")]
        constraints = [
            models.CheckConstraint(
                name="lead_partner_or_rep",
                condition=models.Q(partner__isnull=True) | models.Q(rep__isnull=True),
                violation_error_message=_("A lead is routed to a partner or to a rep, not both."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.company_name} ({self.contact_name})"


class RoutingRule(TimeStampedModel):
    """How leads of a territory (and of its sub-territories without a rule) are routed."""

    class Policy(models.TextChoices):
        PARTNERS_THEN_REPS = "partners_then_reps", _("Partners first, reps as fallback")
        PARTNERS_ONLY = "partners_only", _("Partners only")
        REPS_ONLY = "reps_only", _("Reps only (round-robin)")

    territory = models.OneToOneField(
        "partners.Territory",
        verbose_name=_("territory"),
        on_delete=models.CASCADE,
        related_name="lead_routing_rule",
    )
    policy = models.CharField(
        _("policy"), max_length=24, choices=Policy.choices, default=Policy.PARTNERS_THEN_REPS
    )
    team = models.ForeignKey(
        "teams.SalesTeam",
        verbose_name=_("rep team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lead_routing_rules",
        help_text=_("Reps of this team take leads in turn; empty: the territory's team."),
    )
    rep_cap = models.PositiveSmallIntegerField(
        _("open leads per rep"), default=20, validators=[MinValueValidator(1)]
    )
    top_k = models.PositiveSmallIntegerField(
        _("best partners drawn from"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("The lead goes to one of the K best-scored partners, at random by score."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("lead routing rule")
        verbose_name_plural = _("lead routing rules")

    def __str__(self) -> str:
        return f"{self.territory}: {self.get_policy_display()}"


class PartnerRoutingProfile(TimeStampedModel):
    """Per-partner routing data; a partner without one takes leads with the default capacity."""

    partner = models.OneToOneField(
        "partners.Partner",
        verbose_name=_("partner"),
        on_delete=models.CASCADE,
        related_name="lead_routing",
    )
    accepts_leads = models.BooleanField(_("accepts leads"), default=True)
    capacity = models.PositiveSmallIntegerField(
        _("capacity"), default=10, help_text=_("Most leads offered or accepted at once.")
    )

    class Meta:
        verbose_name = _("partner routing profile")
        verbose_name_plural = _("partner routing profiles")

    def __str__(self) -> str:
        return str(self.partner)


class TerritoryArea(TimeStampedModel):
    """Maps a country (and optionally a postcode prefix) to a territory; longest prefix wins."""

    territory = models.ForeignKey(
        "partners.Territory",
        verbose_name=_("territory"),
        on_delete=models.CASCADE,
        related_name="lead_areas",
    )
    country = CountryField(_("country"), max_length=2)
    postcode_prefix = models.CharField(_("postcode prefix"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("territory area")
        verbose_name_plural = _("territory areas")
        constraints = [
            models.UniqueConstraint(
                fields=["country", "postcode_prefix"], name="territory_area_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.country} {self.postcode_prefix}".strip()


class LeadAssignment(TimeStampedModel):
    """One offer of a lead to a partner or a rep, and how it ended."""

    class Rule(models.TextChoices):
        PARTNER_SCORE = "partner_score", _("Partner score (weighted draw)")
        REP_ROUND_ROBIN = "rep_round_robin", _("Rep round-robin")
        MANUAL = "manual", _("Chosen by hand")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Awaiting answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    lead = models.ForeignKey(
        Lead, verbose_name=_("lead"), on_delete=models.CASCADE, related_name="assignments"
    )
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_assignments",
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sales rep"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_assignments",
    )
    rule = models.CharField(_("rule"), max_length=20, choices=Rule.choices)
    routing_rule = models.ForeignKey(
        RoutingRule,
        verbose_name=_("routing rule"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assignments",
    )
    score = models.DecimalField(_("score"), max_digits=12, decimal_places=4, null=True, blank=True)
    offered_at = models.DateTimeField(_("offered at"))
    due_at = models.DateTimeField(_("answer due by"))
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.PENDING
    )
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("lead assignment")
        verbose_name_plural = _("lead assignments")
        ordering = ["offered_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="lead_assignment_partner_xor_rep",
                condition=(
                    models.Q(partner__isnull=False, rep__isnull=True)
                    | models.Q(partner__isnull=True, rep__isnull=False)
                ),
                violation_error_message=_("An offer goes to exactly one partner or one rep."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.lead} → {self.partner or self.rep}"


class LeadEvent(TimeStampedModel):
    """The lead's timeline. ``partner`` is the partner the event is about (a partner sees only
    its own events)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        OFFERED = "offered", _("Offered")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Answer time expired")
        WITHDRAWN = "withdrawn", _("Offer withdrawn")
        UNROUTABLE = "unroutable", _("No one to route to")
        CONVERTED = "converted", _("Converted")
        LOST = "lost", _("Lost")

    lead = models.ForeignKey(
        Lead, verbose_name=_("lead"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    assignment = models.ForeignKey(
        LeadAssignment,
        verbose_name=_("offer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_events",
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sales rep"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    message = models.TextField(_("message"), blank=True)

    class Meta:
        verbose_name = _("lead event")
        verbose_name_plural = _("lead events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.lead}: {self.get_kind_display()}"
