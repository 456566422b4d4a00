"""The signed links of a campaign email: open pixel, click redirect, unsubscribe, and the
double opt-in confirmation.

Each token is signed with the site's SECRET_KEY (django.core.signing) under a salt of its
own, so that a pixel token cannot be replayed as an unsubscribe one, and a click token
carries its destination inside the signature: the redirect goes only where the email
pointed, never to a URL someone appends (no open redirect).
"""

from __future__ import annotations

import functools
import re

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

OPEN_SALT = "dirco.marketing.open"
CLICK_SALT = "dirco.marketing.click"
UNSUBSCRIBE_SALT = "dirco.marketing.unsubscribe"
CONFIRM_SALT = "dirco.marketing.confirm"
# A double opt-in confirmation link works for this long.
CONFIRM_MAX_AGE = 14 * 24 * 3600


_SLOT = "TOKENSLOT"


@functools.lru_cache(maxsize=32)
def _pattern(name: str, base_url: str) -> tuple[str, str]:
    """The absolute URL of route ``name`` around its token (reversed once, not per email:
    a campaign builds three links for each of thousands of recipients)."""
    before, _, after = f"{base_url.rstrip('/')}{reverse(name, args=[_SLOT])}".partition(_SLOT)
    return before, after


def _url(name: str, token: str) -> str:
    before, after = _pattern(name, settings.DIRCO_BASE_URL)
    return f"{before}{token}{after}"


def open_url(recipient_id: int) -> str:
    return _url("mail:open", signing.Signer(salt=OPEN_SALT).sign(str(recipient_id)))


def click_url(recipient_id: int, url: str) -> str:
    token = signing.dumps({"r": recipient_id, "u": url}, salt=CLICK_SALT, compress=True)
    return _url("mail:click", token)


def unsubscribe_url(recipient_id: int) -> str:
    return _url("mail:unsubscribe", signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(recipient_id)))


def confirm_url(consent_id: int) -> str:
    return _url("mail:confirm", signing.TimestampSigner(salt=CONFIRM_SALT).sign(str(consent_id)))


def _id(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def open_token_read(token: str) -> int | None:
    try:
        return _id(signing.Signer(salt=OPEN_SALT).unsign(token))
    except signing.BadSignature:
        return None


def click_token_read(token: str) -> tuple[int, str] | None:
    try:
        data = signing.loads(token, salt=CLICK_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("r"), int):
        return None
    url = data.get("u")
    if not isinstance(url, str) or not url.lower().startswith(("http://", "https://")):
        return None
    return data["r"], url


def unsubscribe_token_read(token: str) -> int | None:
    try:
        return _id(signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token))
    except signing.BadSignature:
        return None


def confirm_token_read(token: str) -> int | None:
    try:
        return _id(
            signing.TimestampSigner(salt=CONFIRM_SALT).unsign(token, max_age=CONFIRM_MAX_AGE)
        )
    except signing.BadSignature:
        return None


# --- short links of social posts, and the bounce addresses of campaign emails -----------------

SHARE_SALT = "dirco.marketing.share"
VERP_SALT = "dirco.marketing.verp"
# The lead form keeps the share that brought a visitor for this long (a signed cookie).
SHARE_COOKIE = "dirco_share"
SHARE_COOKIE_MAX_AGE = 30 * 24 * 3600


def _mac(salt: str, value: str, length: int) -> str:
    # Hex (lower case): it survives mail servers that fold the case of an address's local
    # part, and a short link stays short. 64 bits: guessing one is out of reach.
    return salted_hmac(salt, value, algorithm="sha256").hexdigest()[:length]


def share_token(link_id: int) -> str:
    return f"{link_id}-{_mac(SHARE_SALT, str(link_id), 16)}"


def share_token_read(token: str) -> int | None:
    """The share link id of a short link's token; None when forged or tampered with."""
    value, _, mac = token.partition("-")
    if not value.isdigit() or not constant_time_compare(mac, _mac(SHARE_SALT, value, 16)):
        return None
    return int(value)


def share_url(link_id: int) -> str:
    return _url("mail:share", share_token(link_id))


def verp_local_part(recipient_id: int) -> str:
    """``r<id>-<mac>``: what follows the ``+`` of a campaign email's bounce address."""
    value = f"r{recipient_id}"
    return f"{value}-{_mac(VERP_SALT, value, 16)}"


def verp_address(recipient_id: int, bounce_address: str) -> str:
    """``bounces+r12-<mac>@example.com`` for ``bounces@example.com`` (VERP): a bounce sent
    back to it names the recipient, whatever the remote server writes in the report."""
    local, _, domain = bounce_address.partition("@")
    return f"{local}+{verp_local_part(recipient_id)}@{domain}"


_VERP = re.compile(r"\+(r(\d+)-([0-9a-f]{16}))@", re.IGNORECASE)


def verp_read(address: str) -> int | None:
    """The recipient id in a VERP address, or None (no tag, or a tag not signed by us)."""
    match = _VERP.search(address)
    if match is None:
        return None
    value = f"r{match.group(2)}"
    if not constant_time_compare(match.group(3).lower(), _mac(VERP_SALT, value, 16)):
        return None
    return int(match.group(2))


def message_id_for(recipient_id: int, domain: str) -> str:
    """The Message-ID of a campaign email: it names the recipient (signed), so that a report
    quoting only the original headers is matched too."""
    return f"<dirco.{verp_local_part(recipient_id)}@{domain}>"


_MESSAGE_ID = re.compile(r"<dirco\.(r(\d+)-([0-9a-f]{16}))@", re.IGNORECASE)


def message_id_read(message_id: str) -> int | None:
    match = _MESSAGE_ID.search(message_id)
    if match is None:
        return None
    value = f"r{match.group(2)}"
    if not constant_time_compare(match.group(3).lower(), _mac(VERP_SALT, value, 16)):
        return None
    return int(match.group(2))
