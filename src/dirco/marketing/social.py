"""Social selling: posts marketing publishes for staff and partners to share on their own
LinkedIn, X or Facebook, through each network's public share page (no network API, nothing
of the sharer's account stored), with one tracked short link per sharer and post.

The short link (``/m/s/<id>-<mac>/``, dirco.marketing.tracking) is public; it records a
click and leads to the post's destination, which is never taken from the request (no open
redirect): our public lead form, the post's landing page, or the post's document. A lead
sent from the lead form after such a click is attributed to the link (the sharer, the
partner the sharer belonged to, and the post's campaign).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from dirco.accounts.models import User
from dirco.accounts.permissions import user_is_partner
from dirco.core.errors import ApplicationError
from dirco.marketing import tracking
from dirco.marketing.models import Campaign, Share, ShareClick, ShareLead, ShareLink, SocialPost
from dirco.marketing.permissions import marketing_may_manage, social_posts_shareable_by

if TYPE_CHECKING:  # documents and marketing are sibling apps: the model by reference only
    from dirco.documents.models import Document

IMAGE_MAX_BYTES = 1_000_000
_MAGIC = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))

# The networks' public share pages: the sharer posts from their own account, in their browser.
SHARE_PAGES = {
    Share.Network.LINKEDIN: "https://www.linkedin.com/sharing/share-offsite/?",
    Share.Network.X: "https://x.com/intent/post?",
    Share.Network.FACEBOOK: "https://www.facebook.com/sharer/sharer.php?",
}


def network_share_url(*, network: str, url: str, text: str) -> str:
    """The network's share page for ``url`` (X also takes the text; the others read the
    page's own title and description)."""
    if network == Share.Network.X:
        return SHARE_PAGES[Share.Network.X] + urlencode({"text": text[:200], "url": url})
    if network == Share.Network.FACEBOOK:
        return SHARE_PAGES[Share.Network.FACEBOOK] + urlencode({"u": url})
    if network == Share.Network.LINKEDIN:
        return SHARE_PAGES[Share.Network.LINKEDIN] + urlencode({"url": url})
    raise ApplicationError(_("Unknown network."), fields={"network": [_("Unknown network.")]})


def image_check(data: bytes) -> str:
    if len(data) > IMAGE_MAX_BYTES:
        raise ApplicationError(
            _("The image is too large: at most 1 MB."),
            fields={"image": [_("The image is too large: at most 1 MB.")]},
        )
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    raise ApplicationError(
        _("The image must be a PNG or JPEG."),
        fields={"image": [_("The image must be a PNG or JPEG.")]},
    )


@dataclass(frozen=True)
class PostInput:
    title: str
    text: str
    link_kind: str
    audience: str
    url: str = ""
    document: Document | None = None
    campaign: Campaign | None = None
    image: bytes | None = None  # None: keep the current one


@transaction.atomic
def social_post_save(*, post: SocialPost | None, data: PostInput, by: User) -> SocialPost:
    if not marketing_may_manage(by):
        raise PermissionDenied(_("Only marketing writes social posts."))
    errors: dict[str, list[str]] = {}
    if not data.title.strip():
        errors["title"] = [_("Required.")]
    if not data.text.strip():
        errors["text"] = [_("Write the text to share.")]
    if data.link_kind not in SocialPost.LinkKind.values:
        errors["link_kind"] = [_("Choose what the link leads to.")]
    if data.audience not in SocialPost.Audience.values:
        errors["audience"] = [_("Choose who may share it.")]
    if data.link_kind == SocialPost.LinkKind.URL and not data.url.lower().startswith(
        ("https://", "http://")
    ):
        errors["url"] = [_("Enter the landing page's address (http or https).")]
    if data.link_kind == SocialPost.LinkKind.DOCUMENT and (
        data.document is None or not data.document.is_published
    ):
        errors["document"] = [_("Choose a published document.")]
    if errors:
        raise ApplicationError(
            _("The post was not saved: correct the fields shown."), fields=errors
        )
    post = post or SocialPost(created_by=by)
    post.title = data.title.strip()
    post.text = data.text.strip()
    post.link_kind = data.link_kind
    post.audience = data.audience
    post.url = data.url.strip() if data.link_kind == SocialPost.LinkKind.URL else ""
    post.document = data.document if data.link_kind == SocialPost.LinkKind.DOCUMENT else None
    post.campaign = data.campaign
    if data.image is not None:
        post.image_type = image_check(data.image)
        post.image = data.image
    try:
        post.full_clean()
    except Exception as exc:
        raise ApplicationError(_("The post was not saved: %(error)s") % {"error": exc}) from None
    post.save()
    return post


@transaction.atomic
def social_post_publish(*, post: SocialPost, by: User, publish: bool = True) -> SocialPost:
    """Publish (the audience sees it and may share it) or archive (sharing stops; existing
    short links keep working, so that what was posted does not break)."""
    if not marketing_may_manage(by):
        raise PermissionDenied(_("Only marketing publishes social posts."))
    post = SocialPost.objects.select_for_update().get(pk=post.pk)
    if publish:
        post.status = SocialPost.Status.PUBLISHED
        post.published_at = post.published_at or timezone.now()
    else:
        post.status = SocialPost.Status.ARCHIVED
    post.save(update_fields=["status", "published_at", "updated_at"])
    return post


def share_link_for(*, post: SocialPost, user: User) -> ShareLink:
    """The sharer's own link for the post (made on first use, the same ever after)."""
    if not social_posts_shareable_by(user).filter(pk=post.pk).exists():
        raise PermissionDenied(_("This post is not yours to share."))
    partner_id = user.partner_id if user_is_partner(user) else None
    link = ShareLink.objects.filter(post=post, user=user).first()
    if link is not None:
        return link
    try:
        with transaction.atomic():
            return ShareLink.objects.create(post=post, user=user, partner_id=partner_id)
    except IntegrityError:  # made by a concurrent request
        return ShareLink.objects.get(post=post, user=user)


@transaction.atomic
def share_record(*, post: SocialPost, user: User, network: str) -> tuple[Share, str]:
    """The sharer opens a network's share page: recorded, and the page's address returned."""
    if network not in Share.Network.values:
        raise ApplicationError(_("Unknown network."), fields={"network": [_("Unknown network.")]})
    link = share_link_for(post=post, user=user)
    share = Share.objects.create(link=link, network=network)
    return share, network_share_url(
        network=network, url=tracking.share_url(link.pk), text=f"{post.title} {post.text}"
    )


def share_click(*, link_id: int) -> ShareLink | None:
    """A visitor followed a short link: the click is counted, the link returned."""
    link = ShareLink.objects.select_related("post", "post__document").filter(pk=link_id).first()
    if link is None:
        return None
    ShareClick.objects.create(link=link)
    return link


def share_lead_attribute(*, token: str, lead_id: int) -> ShareLead | None:
    """Attribute a lead from the public form to the short link whose signed token the
    visitor brought (None for a forged token, an unknown link or a lead already attributed)."""
    link_id = tracking.share_token_read(token)
    if link_id is None or not ShareLink.objects.filter(pk=link_id).exists():
        return None
    try:
        with transaction.atomic():
            return ShareLead.objects.create(link_id=link_id, lead_id=lead_id)
    except IntegrityError:
        return None


# --- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShareFigures:
    key: int | None  # the partner's id (None: staff sharers) or the user's id
    label: str
    shares: int
    clicks: int
    leads: int


def share_leaderboard(*, links: QuerySet[ShareLink], by: str = "partner") -> list[ShareFigures]:
    """Shares, clicks and leads of ``links`` (already scoped to who reads them) per partner
    (``by="partner"``; staff sharers are one row, key None), per sharer (``by="user"``) or
    per campaign of the posts (``by="campaign"``), most leads first: the one function behind the leaderboard, the portal and the API."""
    field = {"partner": "partner_id", "user": "user_id", "campaign": "post__campaign_id"}[by]
    ids = links.values("pk")
    shares = dict(
        Share.objects.filter(link__in=ids)
        .values(f"link__{field}")
        .annotate(n=Count("pk"))
        .values_list(f"link__{field}", "n")
    )
    clicks = dict(
        ShareClick.objects.filter(link__in=ids)
        .values(f"link__{field}")
        .annotate(n=Count("pk"))
        .values_list(f"link__{field}", "n")
    )
    leads = dict(
        ShareLead.objects.filter(link__in=ids)
        .values(f"link__{field}")
        .annotate(n=Count("pk"))
        .values_list(f"link__{field}", "n")
    )
    keys = set(links.values_list(field, flat=True))
    labels: dict[int | None, str] = {}
    if by == "partner":
        for pk, name in links.filter(partner__isnull=False).values_list(
            "partner_id", "partner__name"
        ):
            labels[pk] = name
        labels[None] = _("Staff")
    elif by == "campaign":
        for pk, name in links.filter(post__campaign__isnull=False).values_list(
            "post__campaign_id", "post__campaign__name"
        ):
            labels[pk] = name
        labels[None] = _("No campaign")
    else:
        for pk, first, last, email in links.values_list(
            "user_id", "user__first_name", "user__last_name", "user__email"
        ):
            labels[pk] = f"{first} {last}".strip() or email
    rows = [
        ShareFigures(
            key=key,
            label=labels.get(key, ""),
            shares=shares.get(key, 0),
            clicks=clicks.get(key, 0),
            leads=leads.get(key, 0),
        )
        for key in keys
    ]
    return sorted(rows, key=lambda r: (-r.leads, -r.clicks, -r.shares, r.label))
