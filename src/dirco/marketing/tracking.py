"""The signed links of a campaign email: open pixel, click redirect, unsubscribe, and the
double opt-in confirmation.

Each token is signed with the site's SECRET_KEY (django.core.signing) under a salt of its
own, so that a pixel token cannot be replayed as an unsubscribe one, and a click token
carries its destination inside the signature: the redirect goes only where the email
pointed, never to a URL someone appends (no open redirect).
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.core import signing
from django.urls import reverse

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
