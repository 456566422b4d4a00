"""The optional daily email digest: once a day, each user who asked for it (their feed
settings) gets the new posts they may read, through Django's email backend.

The scheduler enqueues :func:`dirco.social.tasks.social_digest_task` every hour; a user's
digest goes out when a day has passed since the last one, so that a missed hour only delays
it. The posts are chosen by :func:`dirco.social.selectors.digest_posts_for`, hence by the
feed's one visibility rule: an internal note never reaches a partner user's mailbox.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import ngettext

from dirco.social.models import FeedSettings
from dirco.social.selectors import digest_posts_for
from dirco.social.services import post_url_for

DIGEST_EVERY: Final = dt.timedelta(days=1)
# The hourly job may run a little early or late: a digest is due after 23 hours.
DIGEST_SLACK: Final = dt.timedelta(hours=1)


def social_digest_send(*, now: dt.datetime | None = None) -> int:
    """Send the digests that are due; returns how many emails went out. A digest with no new
    post is not sent (the day still counts)."""
    moment = now or timezone.now()
    due = (
        FeedSettings.objects.filter(digest_daily=True, user__is_active=True)
        .exclude(user__email="")
        .exclude(digest_sent_at__gt=moment - DIGEST_EVERY + DIGEST_SLACK)
        .select_related("user")
    )
    base = getattr(settings, "DIRCO_BASE_URL", "")
    messages: list[EmailMultiAlternatives] = []
    done: list[int] = []
    for row in due:
        user = row.user
        since = row.digest_sent_at or moment - DIGEST_EVERY
        posts = digest_posts_for(user=user, since=since)
        done.append(row.pk)
        if not posts:
            continue
        with translation.override(user.language or settings.LANGUAGE_CODE):
            items = [(post, f"{base}{post_url_for(user=user, post=post)}") for post in posts]
            context = {"user": user, "items": items, "base": base}
            subject = ngettext(
                "[dirco] %(n)s new post in your feed",
                "[dirco] %(n)s new posts in your feed",
                len(posts),
            ) % {"n": len(posts)}
            text = render_to_string("social/digest_email.txt", context)
            html = render_to_string("social/digest_email.html", context)
        message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
        message.attach_alternative(html, "text/html")
        messages.append(message)
    sent = get_connection(fail_silently=False).send_messages(messages) if messages else 0
    FeedSettings.objects.filter(pk__in=done).update(digest_sent_at=moment)
    return int(sent or 0)
