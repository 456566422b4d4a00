"""What a post may carry as attachments, checked from the bytes themselves (as the funds'
proofs are): the client's file name and declared content type are not trusted; the type is
sniffed from the first bytes and the stored name gets the matching extension. The original
name is kept, cleaned, for display. Allowed: PDF, PNG, JPEG, WebP and plain text (UTF-8, no
NUL), up to ``MAX_ATTACHMENT_BYTES`` each and ``MAX_ATTACHMENTS`` per post.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any, Final

from django.core.files.base import File
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from dirco.core.errors import ApplicationError

MAX_ATTACHMENT_BYTES: Final = 5 * 1024 * 1024
MAX_ATTACHMENTS: Final = 5

_SIGNATURES: Final[tuple[tuple[str, str, Any], ...]] = (
    ("application/pdf", "pdf", lambda head: head.startswith(b"%PDF-")),
    ("image/png", "png", lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    ("image/jpeg", "jpg", lambda head: head.startswith(b"\xff\xd8\xff")),
    ("image/webp", "webp", lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP"),
)


@dataclass(frozen=True)
class CheckedAttachment:
    upload: File[Any] | IO[bytes]
    name: str  # the original name, cleaned, for display
    stored_name: str
    content_type: str
    size: int


def _is_text(upload: File[Any] | IO[bytes]) -> bool:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def attachment_check(
    upload: File[Any] | IO[bytes], *, field: str = "attachments"
) -> CheckedAttachment:
    """The upload as an acceptable attachment; ApplicationError on ``field`` otherwise."""
    raw_name = str(getattr(upload, "name", "") or "file")
    shown = get_valid_filename(PurePath(raw_name).name)[:200] or "file"
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    if size == 0:
        message = _("%(name)s is empty.") % {"name": shown}
        raise ApplicationError(message, fields={field: [message]})
    if size > MAX_ATTACHMENT_BYTES:
        message = _("%(name)s is too large (%(size)s MB at most).") % {
            "name": shown,
            "size": MAX_ATTACHMENT_BYTES // (1024 * 1024),
        }
        raise ApplicationError(message, fields={field: [message]})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    sniffed = next(((ct, ext) for ct, ext, test in _SIGNATURES if test(head)), None)
    if sniffed is None:
        if not _is_text(upload):
            message = _(
                "%(name)s is not an accepted file: attach a PDF, PNG, JPEG, WebP or text file."
            ) % {"name": shown}
            raise ApplicationError(message, fields={field: [message]})
        sniffed = ("text/plain", "txt")
    content_type, extension = sniffed
    return CheckedAttachment(
        upload=upload,
        name=shown,
        stored_name=f"attachment-{uuid.uuid4().hex}.{extension}",
        content_type=content_type,
        size=int(size),
    )


def attachments_check(uploads: list[Any], *, field: str = "attachments") -> list[CheckedAttachment]:
    if len(uploads) > MAX_ATTACHMENTS:
        message = _("Attach %(n)s files at most.") % {"n": MAX_ATTACHMENTS}
        raise ApplicationError(message, fields={field: [message]})
    return [attachment_check(u, field=field) for u in uploads]
