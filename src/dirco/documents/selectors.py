"""Reads on the documents library and announcements, always through documents.permissions."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from dirco.accounts.models import User
from dirco.accounts.permissions import user_is_partner
from dirco.documents.models import Announcement, Document
from dirco.documents.permissions import announcements_visible_to, documents_visible_to


def document_list(*, user: User, q: str = "") -> QuerySet[Document]:
    qs = documents_visible_to(user)
    if q:
        qs = qs.filter(title__icontains=q)
    return qs.order_by("title", "id")


def announcement_list(*, user: User, now: dt.datetime | None = None) -> QuerySet[Announcement]:
    """Live announcements for ``user``, newest first (staff: only the live ones too)."""
    moment = now or timezone.now()
    qs = announcements_visible_to(user, now=moment)
    if not user_is_partner(user):
        qs = qs.filter(published_at__isnull=False, published_at__lte=moment).exclude(
            expires_at__lte=moment
        )
    return qs.order_by("-published_at", "-id")
