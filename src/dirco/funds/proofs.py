"""Proof-of-execution files: what a claim may carry, checked from the bytes themselves.

The client's file name and declared content type are not trusted: the type is sniffed from
the file's first bytes (its magic number) and the stored name gets the matching extension.
Allowed: PDF, PNG, JPEG and WebP, up to ``MAX_PROOF_BYTES``.
"""

from __future__ import annotations

import uuid
from typing import IO, Any, Final

from django.core.files.base import File
from django.utils.translation import gettext as _

from dirco.core.errors import ApplicationError

MAX_PROOF_BYTES: Final = 10 * 1024 * 1024

# content type -> (extension, test on the first bytes)
_SIGNATURES: Final[tuple[tuple[str, str, Any], ...]] = (
    ("application/pdf", "pdf", lambda head: head.startswith(b"%PDF-")),
    ("image/png", "png", lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    ("image/jpeg", "jpg", lambda head: head.startswith(b"\xff\xd8\xff")),
    ("image/webp", "webp", lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP"),
)


def proof_sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a file starting with ``head``, None if not allowed."""
    for content_type, extension, test in _SIGNATURES:
        if test(head):
            return content_type, extension
    return None


def proof_check(upload: File[Any] | IO[bytes], *, field: str = "proof") -> tuple[str, str, int]:
    """(content type, stored name, size) of an acceptable proof; ApplicationError otherwise."""
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    if size == 0:
        raise ApplicationError(
            _("The proof file is empty."), fields={field: [_("The proof file is empty.")]}
        )
    if size > MAX_PROOF_BYTES:
        message = _("The proof file is too large (%(size)s MB at most).") % {
            "size": MAX_PROOF_BYTES // (1024 * 1024)
        }
        raise ApplicationError(message, fields={field: [message]})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    sniffed = proof_sniff(head)
    if sniffed is None:
        message = _("The proof must be a PDF, PNG, JPEG or WebP file.")
        raise ApplicationError(message, fields={field: [message]})
    content_type, extension = sniffed
    return content_type, f"proof-{uuid.uuid4().hex}.{extension}", int(size)
