"""End customers (accounts) that buy our offer, directly or through partners."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from dirco.core.models import TimeStampedModel
from dirco.core.versioning import Versioned


class Account(TimeStampedModel, Versioned):
    class Size(models.TextChoices):
        MICRO = "micro", _("1-9 employees")
        SMALL = "small", _("10-49 employees")
        MEDIUM = "medium", _("50-249 employees")
        LARGE = "large", _("250-4,999 employees")
        ENTERPRISE = "enterprise", _("5,000+ employees")

    name = models.CharField(_("name"), max_length=200)
    domain = models.CharField(_("web domain"), max_length=253, blank=True, db_index=True)
    legal_identifier = models.CharField(_("legal identifier"), max_length=40, blank=True)
    industry = models.CharField(_("industry"), max_length=80, blank=True)
    size = models.CharField(_("size"), max_length=20, choices=Size.choices, default=Size.SMALL)
    country = CountryField(_("country"), max_length=2, default="FR")
    territory = models.ForeignKey(
        "partners.Territory",
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        related_name="accounts",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_accounts",
    )

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
