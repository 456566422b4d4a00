"""The columns of the account and contact exports, and contacts as vCard 4.0 (RFC 6350).

The rows come from accounts_visible_to / contacts_visible_to through the list's filters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse
from django.utils.translation import gettext_lazy as _

from dirco.core.exports import Column
from dirco.customers.models import Account
from dirco.partners.models import Contact

ACCOUNT_COLUMNS: list[Column[Account]] = [
    Column(_("ID"), lambda a: a.pk, "number"),
    Column(_("Name"), lambda a: a.name),
    Column(_("Web domain"), lambda a: a.domain),
    Column(_("Legal identifier"), lambda a: a.legal_identifier),
    Column(_("Industry"), lambda a: a.industry),
    Column(_("Size"), lambda a: a.get_size_display()),
    Column(_("Country"), lambda a: str(a.country)),
    Column(_("Territory"), lambda a: a.territory.name if a.territory_id else ""),
    Column(_("Owner"), lambda a: str(a.owner) if a.owner_id else ""),
]

CONTACT_COLUMNS: list[Column[Contact]] = [
    Column(_("ID"), lambda c: c.pk, "number"),
    Column(_("First name"), lambda c: c.first_name),
    Column(_("Last name"), lambda c: c.last_name),
    Column(_("Email"), lambda c: c.email),
    Column(_("Phone"), lambda c: c.phone),
    Column(_("Job title"), lambda c: c.job_title),
    Column(_("Account"), lambda c: c.account.name if c.account else ""),
    Column(_("Partner"), lambda c: c.partner.name if c.partner else ""),
]


def _escape(value: str) -> str:
    """A vCard text value (RFC 6350 3.4): backslash, comma, semicolon and newlines escaped."""
    return (
        value.replace("\\", "\\\\")
        .replace(",", "\\,")
        .replace(";", "\\;")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str) -> str:
    """A content line folded at 75 octets (RFC 6350 3.2), never inside a UTF-8 sequence."""
    out: list[str] = []
    current = ""
    size = 0
    limit = 75
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += ch
        size += width
    out.append(current)
    return "\r\n".join(out) + "\r\n"


def contact_vcard(contact: Contact) -> str:
    """One contact as a vCard 4.0: FN and N, and ORG, TITLE, EMAIL, TEL when known."""
    lines = [
        "BEGIN:VCARD",
        "VERSION:4.0",
        f"UID:urn:dirco:contact:{contact.pk}",
        "FN:" + _escape(f"{contact.first_name} {contact.last_name}".strip() or contact.email),
        f"N:{_escape(contact.last_name)};{_escape(contact.first_name)};;;",
    ]
    organisation = contact.account or contact.partner
    if organisation is not None:
        lines.append("ORG:" + _escape(organisation.name))
    if contact.job_title:
        lines.append("TITLE:" + _escape(contact.job_title))
    if contact.email:
        lines.append("EMAIL;TYPE=work:" + _escape(contact.email))
    if contact.phone:
        lines.append("TEL;VALUE=text;TYPE=work:" + _escape(contact.phone))
    lines.append(f"REV:{contact.updated_at.astimezone(dt.UTC).strftime('%Y%m%dT%H%M%SZ')}")
    lines.append("END:VCARD")
    return "".join(_fold(line) for line in lines)


def contacts_vcards(contacts: Iterable[Contact]) -> Iterator[str]:
    for contact in contacts:
        yield contact_vcard(contact)


def vcard_response(contacts: Iterable[Contact], *, filename: str) -> StreamingHttpResponse:
    """The contacts as one .vcf file (text/vcard, RFC 6350 10.1), streamed."""
    response = StreamingHttpResponse(
        (card.encode("utf-8") for card in contacts_vcards(contacts)),
        content_type="text/vcard; charset=utf-8",
    )
    safe = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "-" for ch in filename)
    response["Content-Disposition"] = f'attachment; filename="{safe}.vcf"'
    response["Cache-Control"] = "private, no-store"
    return response
