"""Writes of the social feed: posts, comments, reactions, follows, feed settings, and the
notifications they raise (mentions, followers, announcements, replies).

Every service takes a record or a post already reached through :mod:`dirco.social.
permissions` (``get_record_for_user``, ``get_post_for_user``) and checks the write rule
itself, so that the pages, the portal and the API cannot differ.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models import Model, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dirco.accounts.models import User
from dirco.accounts.permissions import user_is_partner
from dirco.core.errors import ApplicationError
from dirco.core.text import LONG_TEXT_MAX, text_problem
from dirco.notifications.services import notification_send
from dirco.partners.models import Tier
from dirco.social.attachments import CheckedAttachment, attachments_check
from dirco.social.markdown import markdown_render, mention_emails
from dirco.social.models import Attachment, Comment, FeedSettings, Follow, Post, Reaction
from dirco.social.permissions import (
    announcement_readers,
    comment_can_create,
    comment_visible_to_user,
    follow_can,
    post_audiences_for,
    post_visible_to_user,
    reaction_can_toggle,
    users_mentionable_by,
)

MAX_MENTIONS = 20


@dataclass(frozen=True)
class PostInput:
    body: str
    audience: str = Post.Audience.INTERNAL
    record_kind: str = ""  # "" for the company feed
    record: Model | None = None
    tier: Tier | None = None
    attachments: Sequence[File[Any] | Any] = field(default_factory=tuple)


def _refuse(field_name: str, message: str) -> ApplicationError:
    return ApplicationError(message, fields={field_name: [message]})


def _body_check(body: str) -> str:
    text = body.strip()
    if not text:
        raise _refuse("body", _("Write something before posting."))
    if len(text) > LONG_TEXT_MAX:
        raise _refuse(
            "body",
            _("The text is too long: %(max)s characters at most.") % {"max": LONG_TEXT_MAX},
        )
    if problem := text_problem(text, single_line=False):
        raise _refuse("body", problem)
    return text


def _mentioned(author: User, body: str) -> list[User]:
    emails = mention_emails(body)[:MAX_MENTIONS]
    if not emails:
        return []
    return list(users_mentionable_by(author).filter(email__in=emails).exclude(pk=author.pk))


def _display(user: User) -> str:
    return user.get_full_name() or user.email


def post_url_for(*, user: User, post: Post) -> str:
    """Where ``user`` reads ``post``: its record's conversation or the feed, in the portal for
    a partner user."""
    portal = user_is_partner(user)
    if post.record_kind:
        name = "portal:conversation" if portal else "social:record"
        url = reverse(name, args=[post.record_kind, post.record_id])
    else:
        url = reverse("portal:feed" if portal else "social:feed")
    return f"{url}#post-{post.pk}"


def _notify(*, users: Iterable[User], kind: str, post: Post, title: Callable[[], str]) -> None:
    """Tell each user in their own language, in the app only (the daily digest is the
    email); one insert per language and interface."""
    groups: dict[tuple[str, bool], list[User]] = defaultdict(list)
    for user in {u.pk: u for u in users}.values():
        groups[(user.language or settings.LANGUAGE_CODE, user_is_partner(user))].append(user)
    for (language, _portal), members in groups.items():
        with translation.override(language):
            url = post_url_for(user=members[0], post=post)
            notification_send(
                recipients=members, kind=kind, title=title()[:200], url=url, email=False
            )


def _record_label(post: Post) -> str:
    record = post.record
    return str(record) if record is not None else _("the company feed")


def _followers(post: Post) -> list[User]:
    """Who follows the post's record; a deal's post also reaches its partner's and its
    account's followers."""
    records = Q(pk__in=[])
    if post.partner_id is not None:
        records |= Q(partner_id=post.partner_id)
    if post.account_id is not None:
        records |= Q(account_id=post.account_id)
    if post.deal is not None:
        records |= Q(deal_id=post.deal.pk) | Q(account_id=post.deal.account_id)
        if post.deal.partner_id is not None:
            records |= Q(partner_id=post.deal.partner_id)
    follows = Follow.objects.filter(records).values("user_id")
    return list(User.objects.filter(is_active=True, pk__in=follows))


def _attachments_save(post: Post, checked: list[CheckedAttachment]) -> None:
    for item in checked:
        attachment = Attachment(
            post=post, name=item.name, content_type=item.content_type, size=item.size
        )
        attachment.file.save(item.stored_name, File(item.upload), save=False)
        attachment.save()


@transaction.atomic
def post_create(*, author: User, data: PostInput) -> Post:
    """A post on a record's conversation or on the company feed (an announcement when its
    audience is partners or a tier); notifies the mentioned users, the record's followers
    and, for an announcement, the partner users it reaches."""
    body = _body_check(data.body)
    kind = data.record_kind
    if kind and (data.record is None or kind not in Post.RecordKind.values):
        raise _refuse("record", _("Choose the record to post on."))
    allowed = post_audiences_for(user=author, record_kind=kind)
    if not allowed:
        raise PermissionDenied(_("You may not post here."))
    if data.audience not in allowed:
        raise _refuse(
            "audience",
            _("Choose one of these audiences: %(audiences)s.")
            % {"audiences": ", ".join(str(Post.Audience(a).label) for a in allowed)},
        )
    if data.audience == Post.Audience.TIER and data.tier is None:
        raise _refuse("tier", _("Choose the tier the announcement is for."))
    checked = attachments_check(list(data.attachments))
    post = Post(
        author=author,
        body=body,
        audience=data.audience,
        tier=data.tier if data.audience == Post.Audience.TIER else None,
        **({kind: data.record} if kind else {}),
    )
    post.body_html = markdown_render(body)
    post.full_clean(exclude=["body_html"])
    post.save()
    mentioned = [u for u in _mentioned(author, body) if post_visible_to_user(user=u, post=post)]
    if mentioned:
        post.body_html = markdown_render(
            body, mentions={u.email.lower(): _display(u) for u in mentioned}
        )
        post.save(update_fields=["body_html"])
    _attachments_save(post, checked)
    who = _display(author)
    _notify(
        users=mentioned,
        kind="social_mention",
        post=post,
        title=lambda: _("%(who)s mentioned you") % {"who": who},
    )
    already = {u.pk for u in mentioned} | {author.pk}
    followers = [
        u
        for u in {f.pk: f for f in _followers(post)}.values()
        if u.pk not in already and post_visible_to_user(user=u, post=post)
    ]
    _notify(
        users=followers,
        kind="social_post",
        post=post,
        title=lambda: (
            _("%(who)s posted on %(record)s") % {"who": who, "record": _record_label(post)}
        ),
    )
    if post.is_announcement:
        _notify(
            users=list(announcement_readers(post)),
            kind="social_announcement",
            post=post,
            title=lambda: _("New announcement from %(who)s") % {"who": who},
        )
    return post


@transaction.atomic
def comment_create(*, author: User, post: Post, body: str) -> Comment:
    """A comment on ``post``; notifies the mentioned users, the post's author and the
    record's followers who may read it."""
    if not comment_can_create(user=author, post=post):
        raise PermissionDenied(_("You may not comment on this post."))
    text = _body_check(body)
    comment = Comment(post=post, author=author, body=text, body_html=markdown_render(text))
    comment.save()
    mentioned = [
        u for u in _mentioned(author, text) if comment_visible_to_user(user=u, comment=comment)
    ]
    if mentioned:
        comment.body_html = markdown_render(
            text, mentions={u.email.lower(): _display(u) for u in mentioned}
        )
        comment.save(update_fields=["body_html"])
    who = _display(author)
    _notify(
        users=mentioned,
        kind="social_mention",
        post=post,
        title=lambda: _("%(who)s mentioned you") % {"who": who},
    )
    already = {u.pk for u in mentioned} | {author.pk}
    candidates = [post.author, *_followers(post)]
    others = [
        u
        for u in {c.pk: c for c in candidates}.values()
        if u.pk not in already and u.is_active and comment_visible_to_user(user=u, comment=comment)
    ]
    _notify(
        users=others,
        kind="social_comment",
        post=post,
        title=lambda: (
            _("%(who)s commented on %(record)s") % {"who": who, "record": _record_label(post)}
        ),
    )
    return comment


@transaction.atomic
def reaction_toggle(*, user: User, post: Post, kind: str) -> bool:
    """Add ``user``'s reaction of ``kind`` to ``post``, or take it back; True when added."""
    if kind not in Reaction.Kind.values:
        raise _refuse("kind", _("Choose a reaction: like, celebrate or insightful."))
    if not reaction_can_toggle(user=user, post=post):
        raise PermissionDenied(_("You may not react to this post."))
    deleted, _rows = Reaction.objects.filter(post=post, user=user, kind=kind).delete()
    if deleted:
        return False
    try:
        with transaction.atomic():
            Reaction.objects.create(post=post, user=user, kind=kind)
    except IntegrityError:  # a double click raced us: the reaction is there
        pass
    return True


@transaction.atomic
def follow_toggle(*, user: User, kind: str, record: Model) -> bool:
    """Follow the record (reached by get_record_for_user), or stop; True when now following."""
    if not follow_can(user=user, kind=kind):
        raise PermissionDenied(_("You may not follow this record."))
    which: dict[str, Any] = {"user": user, kind: record}
    deleted, _rows = Follow.objects.filter(**which).delete()
    if deleted:
        return False
    Follow.objects.get_or_create(**which)
    return True


def feed_settings_for(user: User) -> FeedSettings:
    settings_row, _created = FeedSettings.objects.get_or_create(user=user)
    return settings_row


@transaction.atomic
def feed_mark_seen(*, user: User, now: dt.datetime | None = None) -> None:
    FeedSettings.objects.update_or_create(user=user, defaults={"seen_at": now or timezone.now()})


@transaction.atomic
def feed_digest_set(*, user: User, daily: bool) -> FeedSettings:
    row, _created = FeedSettings.objects.update_or_create(
        user=user, defaults={"digest_daily": daily}
    )
    return row
