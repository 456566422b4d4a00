"""Standard Webhooks signatures (https://www.standardwebhooks.com/).

Each request carries ``webhook-id``, ``webhook-timestamp`` (Unix seconds) and
``webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>``, where the key
is the secret without its ``whsec_`` prefix, base64-decoded. A receiver recomputes it with
the subscription's secret (``webhook_signature_verify`` does, as a receiver would).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

SECRET_PREFIX = "whsec_"


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def webhook_signature(*, secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def webhook_signature_verify(
    *, secret: str, message_id: str, timestamp: int, body: bytes, header: str
) -> bool:
    """True when one of the space-separated signatures of ``header`` matches."""
    expected = webhook_signature(
        secret=secret, message_id=message_id, timestamp=timestamp, body=body
    )
    return any(hmac.compare_digest(expected, sig) for sig in header.split())
