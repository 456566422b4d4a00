"""Through-channel campaigns: an approved template co-branded with a partner's name, logo and
signature (its :class:`~dirco.marketing.models.PartnerBrand`).

The partner's values join the sandbox's context (``partner.name``, ``partner.signature``,
``partner.logo_url``; ``sender.company`` becomes the partner's name), and whatever the template
says, the HTML part opens with the partner's logo and name and closes with its signature (the
text part too, without the logo): a partner's email never reads as the company's alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.html import escape
from django.utils.translation import gettext as _

from dirco.core.errors import ApplicationError
from dirco.marketing.models import PartnerBrand
from dirco.partners.models import Partner

LOGO_CID = "partner-logo@dirco"
LOGO_MAX_BYTES = 200_000
_MAGIC = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


@dataclass(frozen=True)
class Brand:
    partner_id: int
    name: str
    signature: str
    reply_to: str
    logo: bytes | None
    logo_type: str


def brand_of(partner: Partner) -> Brand:
    """The partner's brand (its name alone when it has set nothing yet)."""
    row = PartnerBrand.objects.filter(partner=partner).first()
    if row is None:
        return Brand(partner.pk, partner.name, "", "", None, "")
    return Brand(
        partner_id=partner.pk,
        name=row.display_name or partner.name,
        signature=row.signature,
        reply_to=row.reply_to,
        logo=bytes(row.logo) if row.logo else None,
        logo_type=row.logo_type,
    )


def logo_check(data: bytes) -> str:
    """The MIME type of an uploaded logo: a PNG or JPEG of at most 200 KB, read from its
    bytes (never from its name or the browser's word)."""
    if len(data) > LOGO_MAX_BYTES:
        raise ApplicationError(
            _("The logo is too large: at most 200 KB."),
            fields={"logo": [_("The logo is too large: at most 200 KB.")]},
        )
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    raise ApplicationError(
        _("The logo must be a PNG or JPEG image."),
        fields={"logo": [_("The logo must be a PNG or JPEG image.")]},
    )


def brand_context(brand: Brand) -> dict[str, Any]:
    return {
        "partner": {
            "name": brand.name,
            "signature": brand.signature,
            "logo_url": f"cid:{LOGO_CID}" if brand.logo else "",
        },
        "sender": {"company": brand.name},
    }


def _header_html(brand: Brand) -> str:
    logo = (
        f'<img src="cid:{LOGO_CID}" alt="{escape(brand.name)}" style="max-height:60px"><br>'
        if brand.logo
        else ""
    )
    return f'<div class="partner-brand">{logo}<strong>{escape(brand.name)}</strong></div>'


def _signature_html(brand: Brand) -> str:
    if not brand.signature.strip():
        return ""
    return f'<div class="partner-signature"><p>{escape(brand.signature).replace(chr(10), "<br>")}</p></div>'


def html_cobrand(body: str, brand: Brand) -> str:
    """The logo and name after ``<body>`` (or first), the signature before ``</body>``."""
    lower = body.lower()
    start = lower.find("<body")
    start = lower.find(">", start) + 1 if start >= 0 else 0
    body = body[:start] + _header_html(brand) + body[start:]
    lower = body.lower()
    end = lower.rfind("</body>")
    signature = _signature_html(brand)
    return body[:end] + signature + body[end:] if end >= 0 else body + signature


def text_cobrand(body: str, brand: Brand) -> str:
    signature = brand.signature.strip()
    return f"{body.rstrip()}\n\n{signature}\n" if signature else body
