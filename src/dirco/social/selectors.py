"""Reads of the social feed, always through :mod:`dirco.social.permissions`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Final

from django.db.models import Count, DateTimeField, Model, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from dirco.accounts.models import User
from dirco.social.models import Attachment, Comment, FeedSettings, Follow, Post, Reaction
from dirco.social.permissions import (
    author_visible_q,
    comments_visible_to,
    follow_can,
    posts_visible_to,
)

FEED_VIEWS: Final = ("all", "following", "announcements")
# Without a "feed read at" mark, the unread count covers this many days.
UNREAD_WINDOW_DAYS: Final = 30


def post_list(
    *,
    user: User,
    view: str = "all",
    record_kind: str = "",
    record: Model | None = None,
    q: str = "",
) -> QuerySet[Post]:
    """The posts ``user`` reads, newest first: of one record's conversation, or of the feed
    (``all``, the records ``following``, or the ``announcements`` to partners); with ``q``,
    those whose text contains it (the feed's search: the same rule, then the words)."""
    qs = posts_visible_to(user)
    if q.strip():
        qs = qs.filter(body__icontains=q.strip())
    if record_kind and record is not None:
        qs = qs.filter(**{record_kind: record})
    elif view == "following":
        follows = Follow.objects.filter(user=user)
        qs = qs.filter(
            Q(partner_id__in=follows.values("partner_id"))
            | Q(deal_id__in=follows.values("deal_id"))
            | Q(account_id__in=follows.values("account_id"))
            | Q(deal__partner_id__in=follows.values("partner_id"))
            | Q(deal__account_id__in=follows.values("account_id"))
        )
    elif view == "announcements":
        qs = qs.filter(audience__in=[Post.Audience.PARTNERS, Post.Audience.TIER])
    return qs.select_related(
        "author", "tier", "partner", "deal", "account", "plan", "action"
    ).order_by("-created_at", "-id")


def comment_list(*, user: User, post: Post) -> QuerySet[Comment]:
    return (
        comments_visible_to(user)
        .filter(post=post)
        .select_related("author")
        .order_by("created_at", "id")
    )


@dataclass
class ReactionCount:
    kind: str
    label: str
    count: int
    mine: bool


@dataclass
class PostView:
    """A post as a page shows it to one user: its visible comments and reactions."""

    post: Post
    comments: list[Comment] = field(default_factory=list)
    reactions: list[ReactionCount] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)


def posts_decorate(*, user: User, posts: list[Post]) -> list[PostView]:
    """The comments, reaction counts and attachments of a page of posts, in four queries;
    comments and reactions by the same author rule as the posts."""
    ids = [p.pk for p in posts]
    views = {p.pk: PostView(post=p) for p in posts}
    if not ids:
        return []
    for comment in comments_visible_to(user).filter(post_id__in=ids).select_related("author"):
        views[comment.post_id].comments.append(comment)
    for view in views.values():
        view.comments.sort(key=lambda c: (c.created_at, c.pk))
    counts = {
        (row["post_id"], row["kind"]): row["n"]
        for row in Reaction.objects.filter(author_visible_q(user, "user__"), post_id__in=ids)
        .values("post_id", "kind")
        .annotate(n=Count("id"))
    }
    mine = set(Reaction.objects.filter(user=user, post_id__in=ids).values_list("post_id", "kind"))
    for pk, view in views.items():
        view.reactions = [
            ReactionCount(
                kind=kind,
                label=str(label),
                count=counts.get((pk, kind), 0),
                mine=(pk, kind) in mine,
            )
            for kind, label in Reaction.Kind.choices
        ]
    for attachment in Attachment.objects.filter(post_id__in=ids).order_by("id"):
        views[attachment.post_id].attachments.append(attachment)
    return [views[pk] for pk in ids]


def record_is_followed(*, user: User, kind: str, record: Model) -> bool | None:
    """Whether ``user`` follows the record; None when it cannot be followed by them."""
    if not follow_can(user=user, kind=kind):
        return None
    return Follow.objects.filter(user=user, **{kind: record}).exists()


def feed_unread_count(*, user: User, now: dt.datetime | None = None) -> int:
    """The posts ``user`` may read, by others, since they last opened the feed (or in the
    last ``UNREAD_WINDOW_DAYS`` days): the top bar's count."""
    default = (now or timezone.now()) - dt.timedelta(days=UNREAD_WINDOW_DAYS)
    seen = FeedSettings.objects.filter(user=user).values("seen_at")[:1]
    since = Coalesce(Subquery(seen), Value(default, output_field=DateTimeField()))
    return posts_visible_to(user).filter(created_at__gt=since).exclude(author=user).count()


def digest_posts_for(*, user: User, since: dt.datetime, limit: int = 20) -> list[Post]:
    """The posts by others ``user`` may read, created after ``since``, newest first."""
    return list(
        posts_visible_to(user)
        .filter(created_at__gt=since)
        .exclude(author=user)
        .select_related("author", "tier", "partner", "deal", "account", "plan", "action")
        .order_by("-created_at", "-id")[:limit]
    )
