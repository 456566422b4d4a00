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

    # A consent given on the public lead form belongs to the lead (a prospect, not yet a
    # contact) until the lead is converted: then it moves to the contact made from it.
    contact = models.OneToOneField(
        "partners.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="marketing_consent",
    )
    lead = models.OneToOneField(
        "leads.Lead",
        verbose_name=_("lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="marketing_consent",
    )
    # The address the consent was given for (the contact's or the lead's, at the time).
    email = models.EmailField(_("email"), blank=True)
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
        constraints = [
            models.CheckConstraint(
                name="consent_of_contact_or_lead",
                condition=models.Q(contact__isnull=False) | models.Q(lead__isnull=False),
                violation_error_message=_("A consent belongs to a contact or to a lead."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.contact_id or self.lead_id}: {self.status}"

    @property
    def address(self) -> str:
        """Where its confirmation email goes: the contact's address, else the one given."""
        if self.contact is not None and self.contact.email:
            return self.contact.email
        return self.email


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
    # Approved by marketing for through-channel campaigns: partners may pick it in the portal.
    partner_approved = models.BooleanField(_("approved for partners"), default=False)
    partner_approved_at = models.DateTimeField(_("approved for partners at"), null=True, blank=True)
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
    # A company campaign goes to a segment; a through-channel campaign (``partner`` set) to
    # that partner's own contacts, co-branded with its name, logo and signature.
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("segment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="marketing_campaigns",
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
        constraints = [
            models.CheckConstraint(
                name="campaign_segment_or_partner",
                condition=models.Q(segment__isnull=False, partner__isnull=True)
                | models.Q(segment__isnull=True, partner__isnull=False),
                violation_error_message=_(
                    "A campaign goes to a segment, or (through a partner) to its contacts."
                ),
            )
        ]

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
        COMPLAINED = "complained", _("Marked as spam")
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
    # A bounce or complaint report received after delivery (dirco process_bounces).
    bounced_at = models.DateTimeField(_("bounced at"), null=True, blank=True)
    complained_at = models.DateTimeField(_("complained at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["campaign", "email"], name="recipient_once")]
        indexes = [models.Index(fields=["campaign", "status"], name="recipient_status")]

    def __str__(self) -> str:
        return self.email


class PartnerBrand(TimeStampedModel):
    """How a partner signs the through-channel campaigns dirco sends for it: the name shown
    as sender, its logo (PNG or JPEG, embedded in the email) and its signature."""

    partner = models.OneToOneField(
        "partners.Partner",
        verbose_name=_("partner"),
        on_delete=models.CASCADE,
        related_name="marketing_brand",
    )
    display_name = models.CharField(_("name shown to recipients"), max_length=120, blank=True)
    signature = models.TextField(_("signature"), max_length=1000, blank=True)
    reply_to = models.EmailField(_("reply-to address"), blank=True)
    logo = models.BinaryField(_("logo"), null=True, blank=True, editable=True)
    logo_type = models.CharField(_("logo type"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("partner brand")
        verbose_name_plural = _("partner brands")

    def __str__(self) -> str:
        return self.display_name or str(self.partner_id)


class SocialPost(TimeStampedModel):
    """A post marketing publishes for staff and partners to share on their own networks."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("Staff and partners")
        STAFF = "staff", _("Staff only")
        PARTNERS = "partners", _("Partners only")

    class LinkKind(models.TextChoices):
        LEAD_FORM = "lead_form", _("Our contact form (leads are attributed)")
        URL = "url", _("A landing page")
        DOCUMENT = "document", _("A document")

    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text to share"), max_length=1000)
    image = models.BinaryField(_("image"), null=True, blank=True, editable=True)
    image_type = models.CharField(_("image type"), max_length=20, blank=True)
    link_kind = models.CharField(
        _("link to"), max_length=20, choices=LinkKind.choices, default=LinkKind.LEAD_FORM
    )
    url = models.URLField(_("landing page"), max_length=500, blank=True)
    document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("document"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="social_posts",
    )
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("social post")
        verbose_name_plural = _("social posts")
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title


class ShareLink(models.Model):
    """The tracked short link of one sharer for one post (dirco.marketing.tracking signs
    it); clicks and leads that come through it are attributed to the sharer, the partner
    the sharer belonged to when sharing, and the post's campaign."""

    post = models.ForeignKey(
        SocialPost, verbose_name=_("post"), on_delete=models.CASCADE, related_name="share_links"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sharer"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("share link")
        verbose_name_plural = _("share links")
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="share_link_once")]

    def __str__(self) -> str:
        return f"{self.post_id}/{self.user_id}"


class Share(models.Model):
    """One share of a post to a network (the sharer opened the network's share page)."""

    class Network(models.TextChoices):
        LINKEDIN = "linkedin", "LinkedIn"
        X = "x", "X"
        FACEBOOK = "facebook", "Facebook"

    link = models.ForeignKey(
        ShareLink, verbose_name=_("share link"), on_delete=models.CASCADE, related_name="shares"
    )
    network = models.CharField(_("network"), max_length=20, choices=Network.choices)
    created_at = models.DateTimeField(_("shared at"), auto_now_add=True)

    class Meta:
        verbose_name = _("share")
        verbose_name_plural = _("shares")

    def __str__(self) -> str:
        return f"{self.link_id} {self.network}"


class ShareClick(models.Model):
    link = models.ForeignKey(
        ShareLink, verbose_name=_("share link"), on_delete=models.CASCADE, related_name="clicks"
    )
    created_at = models.DateTimeField(_("clicked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("share click")
        verbose_name_plural = _("share clicks")

    def __str__(self) -> str:
        return f"{self.link_id} {self.created_at}"


class ShareLead(models.Model):
    """A lead of the public lead form that came through a share link."""

    link = models.ForeignKey(
        ShareLink, verbose_name=_("share link"), on_delete=models.CASCADE, related_name="leads"
    )
    lead = models.OneToOneField(
        "leads.Lead",
        verbose_name=_("lead"),
        on_delete=models.CASCADE,
        related_name="share_attribution",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("lead from a share")
        verbose_name_plural = _("leads from shares")

    def __str__(self) -> str:
        return f"{self.link_id} {self.lead_id}"


class BounceReport(models.Model):
    """A bounce (DSN, RFC 3464) or complaint (ARF, RFC 5965) read by dirco process_bounces,
    kept once per message (its Message-ID) so that a mailbox read twice counts it once."""

    class Kind(models.TextChoices):
        BOUNCE = "bounce", _("Bounce")
        DELAY = "delay", _("Delayed (temporary)")
        COMPLAINT = "complaint", _("Complaint")
        UNMATCHED = "unmatched", _("Not matched")

    message_id = models.CharField(_("message id"), max_length=300, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    recipient = models.ForeignKey(
        Recipient,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    email = models.EmailField(_("email"), blank=True)
    status_code = models.CharField(_("status"), max_length=20, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("bounce or complaint report")
        verbose_name_plural = _("bounce and complaint reports")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.email}"
