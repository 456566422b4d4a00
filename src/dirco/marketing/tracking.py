"""The signed links of a campaign email: open pixel, click redirect, unsubscribe, and the
double opt-in confirmation.

Each token is signed with the site's SECRET_KEY (django.core.signing) under a salt of its
own, so that a pixel token cannot be replayed as an unsubscribe one, and a click token
carries its destination inside the signature: the redirect goes only where the email
pointed, never to a URL someone appends (no open redirect).
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

OPEN_SALT = "dirco.marketing.open"
CLICK_SALT = "dirco.marketing.click"
UNSUBSCRIBE_SALT = "dirco.marketing.unsubscribe"
CONFIRM_SALT = "dirco.marketing.confirm"
# A double opt-in confirmation link works for this long.
CONFIRM_MAX_AGE = 14 * 24 * 3600


def _absolute(path: str) -> str:
    return f"{settings.DIRCO_BASE_URL.rstrip('/')}{path}"


def open_url(recipient_id: int) -> str:
    token = signing.Signer(salt=OPEN_SALT).sign(str(recipient_id))
    return _absolute(reverse("mail:open", args=[token]))


def click_url(recipient_id: int, url: str) -> str:
    token = signing.dumps({"r": recipient_id, "u": url}, salt=CLICK_SALT, compress=True)
    return _absolute(reverse("mail:click", args=[token]))


def unsubscribe_url(recipient_id: int) -> str:
    token = signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(recipient_id))
    return _absolute(reverse("mail:unsubscribe", args=[token]))


def confirm_url(consent_id: int) -> str:
    token = signing.TimestampSigner(salt=CONFIRM_SALT).sign(str(consent_id))
    return _absolute(reverse("mail:confirm", args=[token]))


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
