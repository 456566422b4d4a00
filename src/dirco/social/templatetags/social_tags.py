"""Template tags of the navigation: the feed's unread count in the staff menu and the
portal's top bar (one query, through the feed's visibility rule)."""

from __future__ import annotations

from typing import Any

from django import template

from dirco.social.selectors import feed_unread_count

register = template.Library()


@register.simple_tag
def feed_unread(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return feed_unread_count(user=user)
