"""The enterprise social feed: posts on records and on the company feed, their comments,
reactions and attachments, what each user follows, and each user's feed settings.

A post sits either on one record (a partner, a deal, an account, a plan or an action: its
conversation) or on the company feed (no record). Who reads it is its ``audience``:

- on a record: ``internal`` (staff who see the record; never shown in the portal) or
  ``record`` (everyone who sees the record, the partner's users included);
- on the company feed: ``internal`` (every staff member), ``partners`` (an announcement to
  every partner) or ``tier`` (an announcement to the partners of ``tier`` and better).

The rule is written once, in :mod:`dirco.social.permissions`. ``body`` is the author's
Markdown; ``body_html`` its rendering, sanitised (:mod:`dirco.social.markdown`), made by the
services and never by anything else.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dirco.core.models import TimeStampedModel

RECORD_FIELDS = ("partner", "deal", "account", "plan", "action")


def _at_most_one_record() -> Q:
    """At most one of the record columns is set (none: a company post)."""
    options = [Q(**{f"{f}__isnull": True for f in RECORD_FIELDS})]
    for field in RECORD_FIELDS:
        options.append(
            Q(**{f"{f}__isnull": f != field for f in RECORD_FIELDS}),
        )
    condition = options[0]
    for option in options[1:]:
        condition |= option
    return condition


class Post(TimeStampedModel):
    class Audience(models.TextChoices):
        INTERNAL = "internal", _("Staff only")
        RECORD = "record", _("Everyone who sees the record")
        PARTNERS = "partners", _("All partners")
        TIER = "tier", _("A tier and better")

    class RecordKind(models.TextChoices):
        PARTNER = "partner", _("Partner")
        DEAL = "deal", _("Deal")
        ACCOUNT = "account", _("Account")
        PLAN = "plan", _("Action plan")
        ACTION = "action", _("Action")

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="social_posts",
    )
    body = models.TextField(_("text"))
    body_html = models.TextField(_("rendered text"), editable=False)
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.INTERNAL
    )
    tier = models.ForeignKey(
        "partners.Tier",
        verbose_name=_("tier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("For an announcement to a tier: its partners and those of better tiers."),
    )
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="social_posts",
    )
    deal = models.ForeignKey(
        "pipeline.Deal",
        verbose_name=_("deal"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="social_posts",
    )
    account = models.ForeignKey(
        "customers.Account",
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="social_posts",
    )
    plan = models.ForeignKey(
        "plans.ActionPlan",
        verbose_name=_("action plan"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="social_posts",
    )
    action = models.ForeignKey(
        "plans.Action",
        verbose_name=_("action"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="social_posts",
    )

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["-created_at", "-id"], name="social_post_recent")]
        constraints = [
            models.CheckConstraint(
                name="social_post_one_record",
                condition=_at_most_one_record(),
                violation_error_message=_("A post belongs to one record at most."),
            ),
            models.CheckConstraint(
                name="social_post_tier_audience",
                condition=(Q(audience="tier") & Q(tier__isnull=False))
                | (~Q(audience="tier") & Q(tier__isnull=True)),
                violation_error_message=_("Choose the tier of an announcement to a tier."),
            ),
        ]

    def __str__(self) -> str:
        return self.body[:60]

    @property
    def record_kind(self) -> str:
        for field in RECORD_FIELDS:
            if getattr(self, f"{field}_id") is not None:
                return field
        return ""

    @property
    def record_id(self) -> int | None:
        kind = self.record_kind
        value = getattr(self, f"{kind}_id") if kind else None
        return int(value) if value is not None else None

    @property
    def record(self) -> models.Model | None:
        kind = self.record_kind
        record: models.Model | None = getattr(self, kind) if kind else None
        return record

    @property
    def is_announcement(self) -> bool:
        return self.audience in (self.Audience.PARTNERS, self.Audience.TIER)


class Comment(TimeStampedModel):
    post = models.ForeignKey(
        Post, verbose_name=_("post"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="social_comments",
    )
    body = models.TextField(_("text"))
    body_html = models.TextField(_("rendered text"), editable=False)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["post", "created_at", "id"], name="social_comment_post")]

    def __str__(self) -> str:
        return self.body[:60]


class Reaction(models.Model):
    class Kind(models.TextChoices):
        LIKE = "like", _("Like")
        CELEBRATE = "celebrate", _("Celebrate")
        INSIGHTFUL = "insightful", _("Insightful")

    post = models.ForeignKey(
        Post, verbose_name=_("post"), on_delete=models.CASCADE, related_name="reactions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="social_reactions",
    )
    kind = models.CharField(_("reaction"), max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reaction")
        verbose_name_plural = _("reactions")
        constraints = [
            models.UniqueConstraint(
                fields=["post", "user", "kind"], name="social_reaction_once_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.post_id}"


class Attachment(TimeStampedModel):
    """A file joined to a post; never served by a public URL (see the attachment views)."""

    post = models.ForeignKey(
        Post, verbose_name=_("post"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="social/%Y/%m/", max_length=255)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Follow(models.Model):
    """A user follows one partner, deal or account: its new posts land in their feed's
    "following" view and notify them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="social_follows",
    )
    partner = models.ForeignKey(
        "partners.Partner", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    deal = models.ForeignKey(
        "pipeline.Deal", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    account = models.ForeignKey(
        "customers.Account", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.CheckConstraint(
                name="social_follow_one_record",
                condition=Q(partner__isnull=False, deal__isnull=True, account__isnull=True)
                | Q(partner__isnull=True, deal__isnull=False, account__isnull=True)
                | Q(partner__isnull=True, deal__isnull=True, account__isnull=False),
                violation_error_message=_("A follow is of one record."),
            ),
            models.UniqueConstraint(fields=["user", "partner"], name="social_follow_partner"),
            models.UniqueConstraint(fields=["user", "deal"], name="social_follow_deal"),
            models.UniqueConstraint(fields=["user", "account"], name="social_follow_account"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows"


class FeedSettings(models.Model):
    """Per user: when they last read the feed (the unread count) and the daily digest."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="feed_settings",
    )
    digest_daily = models.BooleanField(
        _("daily email digest"),
        default=False,
        help_text=_("Once a day, an email with the new posts you may read."),
    )
    seen_at = models.DateTimeField(_("feed read at"), null=True, blank=True)
    digest_sent_at = models.DateTimeField(_("last digest sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("feed settings")
        verbose_name_plural = _("feed settings")

    def __str__(self) -> str:
        return f"feed settings of {self.user_id}"
