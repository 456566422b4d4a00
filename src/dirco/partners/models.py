"""Partners: the companies that sell or co-sell our offer, their tiers, territories and contacts."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from dirco.core.models import TimeStampedModel
from dirco.core.versioning import Versioned


class Territory(TimeStampedModel):
    """A node of the territory tree (e.g. Europe > France > Île-de-France)."""

    name = models.CharField(_("name"), max_length=120)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Tier(TimeStampedModel):
    name = models.CharField(_("name"), max_length=60, unique=True)
    rank = models.PositiveSmallIntegerField(
        _("rank"), unique=True, help_text=_("1 is the top tier.")
    )
    min_won_revenue = models.DecimalField(
        _("minimum won revenue (12 months)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    min_registrations = models.PositiveIntegerField(
        _("minimum registrations (12 months)"), default=0
    )
    min_certified_people = models.PositiveIntegerField(_("minimum certified people"), default=0)
    protection_days = models.PositiveIntegerField(_("registration protection (days)"), default=90)
    lead_weight = models.PositiveSmallIntegerField(_("lead routing weight"), default=1)

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.name


class Partner(TimeStampedModel, Versioned):
    class Status(models.TextChoices):
        PROSPECT = "prospect", _("Prospect")
        ONBOARDING = "onboarding", _("Onboarding")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        CHURNED = "churned", _("Churned")

    class Kind(models.TextChoices):
        RESELLER = "reseller", _("Reseller")
        DISTRIBUTOR = "distributor", _("Distributor")
        INTEGRATOR = "integrator", _("Integrator")
        REFERRAL = "referral", _("Referral")

    name = models.CharField(_("name"), max_length=200)
    legal_identifier = models.CharField(
        _("legal identifier"),
        max_length=40,
        blank=True,
        help_text=_("SIREN, VAT or company number."),
    )
    domain = models.CharField(_("web domain"), max_length=253, blank=True)
    country = CountryField(_("country"), max_length=2, help_text=_("ISO 3166 code, e.g. FR."))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.RESELLER)
    territory = models.ForeignKey(
        Territory, verbose_name=_("territory"), on_delete=models.PROTECT, related_name="partners"
    )
    tier = models.ForeignKey(
        Tier, verbose_name=_("tier"), on_delete=models.PROTECT, related_name="partners"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PROSPECT
    )
    channel_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("channel manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_partners",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]
        indexes = [models.Index(fields=["status", "name"], name="partner_status_name")]

    def __str__(self) -> str:
        return self.name


class Contact(TimeStampedModel, Versioned):
    """A person at a partner or at a customer account (exactly one of the two)."""

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="contacts",
    )
    account = models.ForeignKey(
        "customers.Account",
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="contacts",
    )

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.CheckConstraint(
                name="contact_partner_xor_account",
                condition=(
                    models.Q(partner__isnull=False, account__isnull=True)
                    | models.Q(partner__isnull=True, account__isnull=False)
                ),
                violation_error_message=_(
                    "A contact belongs to exactly one partner or one account."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"
