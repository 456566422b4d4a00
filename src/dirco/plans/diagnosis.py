"""A plan's written diagnosis: markdown rendered to HTML with raw HTML switched off.

CommonMark with ``html`` off escapes every tag typed in the text (``<script>`` is shown, not
run), and markdown-it refuses ``javascript:``, ``vbscript:``, ``file:`` and ``data:`` links
(except images). Links open with ``rel="nofollow noopener"``.
"""

from __future__ import annotations

from typing import Any

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def _link_open(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    tokens[idx].attrSet("rel", "nofollow noopener")
    return str(self.renderToken(tokens, idx, options, env))


_md.add_render_rule("link_open", _link_open)


def diagnosis_html(text: str) -> SafeString:
    """The diagnosis as safe HTML (no raw HTML, no script links)."""
    return mark_safe(str(_md.render(text or "")))
