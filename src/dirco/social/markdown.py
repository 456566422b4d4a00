"""Markdown of posts and comments, rendered once and sanitised.

markdown-it-py renders CommonMark with raw HTML off (a ``<script>`` typed by the author is
shown as text); nh3 (the Rust ``ammonia`` sanitiser) then keeps only the tags and attributes
below and only http, https and mailto links, whatever markdown-it let through. Mentions are
put in after sanitising, as ``<span class="mention">`` around the escaped name of a user the
services resolved, so that no author can forge one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

import nh3
from django.utils.html import escape
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})

ALLOWED_TAGS: Final = frozenset(
    {
        "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr",
        "h1", "h2", "h3", "h4", "h5", "h6", "del",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES: Final = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES: Final = frozenset({"http", "https", "mailto"})

# ``@person@example.com``: a mention is an at sign followed by a user's email address.
MENTION_RE: Final = re.compile(r"(?<![\w@])@([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
# Private-use characters stand for the mentions while Markdown renders; typed ones are removed.
_OPEN, _CLOSE = "\ue000", "\ue001"
_PLACEHOLDER_RE: Final = re.compile(f"{_OPEN}(\\d+){_CLOSE}")


def mention_emails(text: str) -> list[str]:
    """The email addresses mentioned in ``text``, lower-cased, in order, once each."""
    seen: dict[str, None] = {}
    for match in MENTION_RE.finditer(text):
        seen.setdefault(match.group(1).lower(), None)
    return list(seen)


def markdown_render(text: str, *, mentions: Mapping[str, str] | None = None) -> str:
    """``text`` as safe HTML; ``mentions`` maps a mentioned email (lower case) to the display
    name of the user it resolved to: those become mention badges, others stay as typed."""
    names = dict(mentions or {})
    text = text.replace(_OPEN, "").replace(_CLOSE, "")
    found: list[str] = []

    def _mark(match: re.Match[str]) -> str:
        email = match.group(1).lower()
        if email not in names:
            return match.group(0)
        found.append(names[email])
        return f"{_OPEN}{len(found) - 1}{_CLOSE}"

    html = _md.render(MENTION_RE.sub(_mark, text))
    clean = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
    )
    return _PLACEHOLDER_RE.sub(
        lambda m: f'<span class="mention">@{escape(found[int(m.group(1))])}</span>', clean
    )
