"""The partner documents library and the announcements shown in the partner portal.

Both are gated: a document by the partner's tier (``min_tier_rank``) and optionally by a list
of partners; an announcement by its audience (every partner, a tier and better, or a list of
partners) and its publication window. Files live under ``MEDIA_ROOT`` and are never served by
a public URL: the portal streams them after ``get_document_for_user``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dirco.core.models import TimeStampedModel


class Document(TimeStampedModel):
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    file = models.FileField(_("file"), upload_to="documents/%Y/%m/", max_length=255)
    min_tier_rank = models.PositiveSmallIntegerField(
        _("minimum tier rank"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Partners whose tier rank is this number or better (1 is the top tier) see the "
            "document; leave empty for every tier."
        ),
    )
    partners = models.ManyToManyField(
        "partners.Partner",
        verbose_name=_("only for these partners"),
        blank=True,
        related_name="+",
        help_text=_("Leave empty for every partner of the allowed tiers."),
    )
    is_published = models.BooleanField(_("published"), default=False)
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
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class Announcement(TimeStampedModel):
    class Audience(models.TextChoices):
        ALL = "all", _("All partners")
        TIER = "tier", _("A tier and better")
        PARTNERS = "partners", _("Specific partners")

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.ALL
    )
    min_tier_rank = models.PositiveSmallIntegerField(
        _("minimum tier rank"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("For the tier audience: partners whose tier rank is this number or better."),
    )
    partners = models.ManyToManyField(
        "partners.Partner",
        verbose_name=_("partners"),
        blank=True,
        related_name="+",
        help_text=_("For the specific partners audience."),
    )
    published_at = models.DateTimeField(
        _("published at"),
        null=True,
        blank=True,
        help_text=_("Empty: a draft. In the future: shown from then on."),
    )
    expires_at = models.DateTimeField(
        _("expires at"), null=True, blank=True, help_text=_("Empty: never expires.")
    )
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
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["published_at", "expires_at"], name="announce_window")]
        constraints = [
            models.CheckConstraint(
                name="announcement_tier_audience_has_rank",
                condition=~models.Q(audience="tier") | models.Q(min_tier_rank__isnull=False),
                violation_error_message=_("Choose the minimum tier rank of a tier audience."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def is_live(self, *, now: dt.datetime | None = None) -> bool:
        moment = now or timezone.now()
        return (
            self.published_at is not None
            and self.published_at <= moment
            and (self.expires_at is None or self.expires_at > moment)
        )
