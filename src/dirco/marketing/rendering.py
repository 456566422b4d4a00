"""Personalised email, rendered in a sandbox.

The template language is Django's, run by an engine of its own (:data:`ENGINE`): no file
loader, no library to load, and as builtins only the tags and filters of
:mod:`dirco.marketing.template_library`. The context is plain dicts of strings
(:func:`contact_context`), never a model: a template can read ``{{ contact.first_name }}``
and nothing beyond the values given (Django refuses names that start with an underscore).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template import Context, Engine, TemplateSyntaxError
from django.utils.translation import gettext as _

from dirco.core.errors import ApplicationError
from dirco.partners.models import Contact


class SandboxEngine(Engine):
    default_builtins = ["dirco.marketing.template_library"]


ENGINE = SandboxEngine(dirs=[], app_dirs=False, loaders=[], libraries={}, debug=False)

# The values a template may use, shown in the editor.
VARIABLES = (
    "contact.first_name",
    "contact.last_name",
    "contact.full_name",
    "contact.email",
    "contact.job_title",
    "contact.company",
    "sender.company",
    "unsubscribe_url",
)


def contact_context(contact: Contact | None) -> dict[str, dict[str, str]]:
    """The personalisation values of ``contact`` (a sample person when None)."""
    if contact is None:
        return {
            "contact": {
                "first_name": "Camille",
                "last_name": "Martin",
                "full_name": "Camille Martin",
                "email": "camille.martin@example.com",
                "job_title": "Marketing manager",
                "company": "Example SA",
            },
            "sender": {"company": settings.DIRCO_COMPANY_NAME},
        }
    company = contact.partner or contact.account
    return {
        "contact": {
            "first_name": contact.first_name,
            "last_name": contact.last_name,
            "full_name": f"{contact.first_name} {contact.last_name}".strip(),
            "email": contact.email,
            "job_title": contact.job_title,
            "company": str(company) if company is not None else "",
        },
        "sender": {"company": settings.DIRCO_COMPANY_NAME},
    }


@dataclass(frozen=True)
class CompiledTemplate:
    subject: Any
    html: Any
    text: Any


def template_compile(*, subject: str, html_body: str, text_body: str) -> CompiledTemplate:
    """The three parts parsed once (a campaign renders them for every recipient); a syntax
    error or a forbidden tag is an ApplicationError on the field it is in."""
    parts: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for field_name, source in (
        ("subject", subject),
        ("html_body", html_body),
        ("text_body", text_body),
    ):
        try:
            parts[field_name] = ENGINE.from_string(source)
        except TemplateSyntaxError as exc:
            errors[field_name] = [_("Template error: %(error)s") % {"error": exc}]
    if errors:
        raise ApplicationError(_("The template has errors."), fields=errors)
    return CompiledTemplate(parts["subject"], parts["html_body"], parts["text_body"])


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    html: str
    text: str


def _render(template: Any, values: dict[str, Any], *, autoescape: bool) -> str:
    # Template.render returns a SafeString; an email is never "safe" to paste into one of
    # dirco's pages (the preview): "".join gives a plain str, escaped wherever shown.
    return "".join((template.render(Context(values, autoescape=autoescape)),))


def email_render(compiled: CompiledTemplate, values: dict[str, Any]) -> RenderedEmail:
    """Subject and text unescaped, HTML escaped (a contact's name cannot inject markup).
    All three are plain strings (not marked safe for Django's pages)."""
    subject = " ".join(_render(compiled.subject, values, autoescape=False).split())[:250]
    return RenderedEmail(
        subject=subject,
        html=_render(compiled.html, values, autoescape=True),
        text=_render(compiled.text, values, autoescape=False),
    )


_HREF = re.compile(r"""href\s*=\s*(["'])(https?://[^"']+)\1""", re.IGNORECASE)


def html_links_rewrite(body: str, rewrite: Any) -> str:
    """Each absolute http(s) link of ``body`` replaced by ``rewrite(url)`` (the click
    redirect); ``rewrite`` returns None to leave a link as it is."""

    def replace(match: re.Match[str]) -> str:
        url = html.unescape(match.group(2))
        new = rewrite(url)
        if new is None:
            return match.group(0)
        return f'href="{html.escape(new, quote=True)}"'

    return _HREF.sub(replace, body)
