from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from dirco.documents.models import Announcement, Document


def make_document(title: str, *, content: bytes = b"%PDF-1.4 test", **fields: Any) -> Document:
    """A document with a small file saved under MEDIA_ROOT (point it at a tmp dir in tests)."""
    partners = fields.pop("partners", [])
    document = Document(title=title, is_published=fields.pop("is_published", True), **fields)
    document.file.save(f"{title.lower().replace(' ', '-')}.pdf", ContentFile(content), save=True)
    document.partners.set(partners)
    return document


def make_announcement(title: str, **fields: Any) -> Announcement:
    partners = fields.pop("partners", [])
    fields.setdefault("published_at", timezone.now() - dt.timedelta(hours=1))
    announcement = Announcement.objects.create(title=title, body=f"Body of {title}.", **fields)
    announcement.partners.set(partners)
    return announcement
