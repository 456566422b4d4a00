"""Direct marketing: consent per contact, the suppression list, segments, email templates,
campaigns and the status of each recipient.

Who may be sent to is decided in one place, :func:`dirco.marketing.consent.sendable_contacts`;
every send path (campaigns, test sends excepted: they go to the sender) asks it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dirco.core.models import TimeStampedModel


class Consent(TimeStampedModel):
    """The current consent of one contact to receive marketing email, and where it came from.

    A public sign-up needs a double opt-in: the consent stays PENDING until the contact
    follows the confirmation link. Withdrawing (unsubscribing) also puts the address on the
    suppression list, which wins over any consent recorded later by hand.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting confirmation")
        GRANTED = "granted", _("Granted")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Source(models.TextChoices):
        WEB_FORM = "web_form", _("Public sign-up form")
        EVENT = "event", _("Event or trade show")
        IMPORT = "import", _("Import")
        CONTRACT = "contract", _("Contract or partner agreement")
        MANUAL = "manual", _("Recorded by hand")

    class LegalBasis(models.TextChoices):
        CONSENT = "consent", _("Consent")
        LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest")
        CONTRACT = "contract", _("Contract")

    contact = models.OneToOneField(
        "partners.Contact",
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        related_name="marketing_consent",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    legal_basis = models.CharField(_("legal basis"), max_length=30, choices=LegalBasis.choices)
    given_at = models.DateTimeField(_("given at"))
    double_opt_in = models.BooleanField(_("double opt-in required"), default=False)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["status"], name="consent_status")]

    def __str__(self) -> str:
        return f"{self.contact_id}: {self.status}"


class Suppression(models.Model):
    """An address that is never sent marketing email again, whoever consented to what."""

    class Reason(models.TextChoices):
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        BOUNCED = "bounced", _("Bounced")
        COMPLAINT = "complaint", _("Spam complaint")
        MANUAL = "manual", _("Added by hand")

    # Stored lower-cased (suppression_add): one address, one row.
    email = models.EmailField(_("email"), unique=True)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    campaign = models.ForeignKey(
        "marketing.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppression list")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.email


class Segment(TimeStampedModel):
    """A saved, dynamic filter over contacts: its members are computed when it is read."""

    name = models.CharField(_("name"), max_length=120)
    # The filter (dirco.marketing.segments.SegmentFilter as JSON), validated by the service.
    filters = models.JSONField(_("filters"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EmailTemplate(TimeStampedModel):
    """Subject, HTML and text of an email, personalised in the sandboxed template language
    of dirco.marketing.rendering (plain values only: no model, no attribute beyond them)."""

    name = models.CharField(_("name"), max_length=120)
    subject = models.CharField(_("subject"), max_length=200)
    html_body = models.TextField(_("HTML part"))
    text_body = models.TextField(_("text part"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("email template")
        verbose_name_plural = _("email templates")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Campaign(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    name = models.CharField(_("name"), max_length=120)
    segment = models.ForeignKey(
        Segment, verbose_name=_("segment"), on_delete=models.PROTECT, related_name="campaigns"
    )
    template = models.ForeignKey(
        EmailTemplate,
        verbose_name=_("template"),
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    scheduled_at = models.DateTimeField(_("scheduled at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "scheduled_at"], name="campaign_due")]

    def __str__(self) -> str:
        return self.name


class Recipient(models.Model):
    """One address of a campaign and how far its email got."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        BOUNCED = "bounced", _("Bounced")
        OPENED = "opened", _("Opened")
        CLICKED = "clicked", _("Clicked")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        SKIPPED = "skipped", _("Skipped (no consent or suppressed)")

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="recipients"
    )
    contact = models.ForeignKey(
        "partners.Contact",
        verbose_name=_("contact"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    email = models.EmailField(_("email"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Set when a worker takes the recipient into its batch; a QUEUED recipient claimed longer
    # ago than the task lease belongs to a lost worker and is taken again.
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    clicked_at = models.DateTimeField(_("clicked at"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["campaign", "email"], name="recipient_once")]
        indexes = [models.Index(fields=["campaign", "status"], name="recipient_status")]

    def __str__(self) -> str:
        return self.email
