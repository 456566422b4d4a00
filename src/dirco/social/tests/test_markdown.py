"""Markdown is rendered and sanitised: no script, no event handler, no javascript: link."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from dirco.social.markdown import ALLOWED_TAGS, markdown_render, mention_emails


def test_markdown_renders_the_usual_formatting() -> None:
    html = markdown_render("**bold** and *it*\n\n- one\n- two\n\n[site](https://example.com)")
    assert "<strong>bold</strong>" in html
    assert "<em>it</em>" in html
    assert "<li>one</li>" in html
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">site</a>' in html


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](java&#x73;cript:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[click](vbscript:msgbox(1))",
        "![img](javascript:alert(1))",
        '<iframe src="https://evil.example"></iframe>',
        "<svg onload=alert(1)>",
        '<div style="background:url(javascript:alert(1))">x</div>',
        '[x](https://ok.example "t" onmouseover=alert(1))',
        "<a href='https://ok.example' onclick='alert(1)'>x</a>",
    ],
)
def test_markdown_never_lets_script_through(text: str) -> None:
    parser = _Tags()
    parser.feed(markdown_render(text))
    for tag, attrs in parser.tags:
        assert tag in ALLOWED_TAGS, tag
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            assert name in {"href", "title", "rel", "start"}, (tag, name)
            if name == "href":
                assert (value or "").split(":", 1)[0].lower() in {"http", "https", "mailto"}, value


def test_raw_html_is_shown_as_text() -> None:
    html = markdown_render("<b>hi</b>")
    assert "&lt;b&gt;hi&lt;/b&gt;" in html


def test_mentions_become_badges_only_for_resolved_users() -> None:
    text = "Hi @ann@example.com and @bob@example.com, mail me at carol@example.com"
    assert mention_emails(text) == ["ann@example.com", "bob@example.com"]
    html = markdown_render(text, mentions={"ann@example.com": "Ann <Admin>"})
    assert '<span class="mention">@Ann &lt;Admin&gt;</span>' in html
    assert "@bob@example.com" in html  # not resolved: left as typed
    assert html.count("mention") == 1


def test_a_typed_placeholder_cannot_forge_a_mention() -> None:
    html = markdown_render('\ue0000\ue001 <span class="mention">@Boss</span>')
    assert '<span class="mention">' not in html
