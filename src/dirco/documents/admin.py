"""Admin: the marketing and channel team publish documents and announcements here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from dirco.documents.models import Announcement, Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin[Document]):
    list_display = ["title", "min_tier_rank", "is_published", "updated_at"]
    list_filter = ["is_published", "min_tier_rank"]
    search_fields = ["title", "description"]
    filter_horizontal = ["partners"]

    def save_model(self, request: HttpRequest, obj: Document, form: Any, change: bool) -> None:
        if not change and obj.created_by_id is None:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin[Announcement]):
    list_display = ["title", "audience", "min_tier_rank", "published_at", "expires_at"]
    list_filter = ["audience"]
    search_fields = ["title", "body"]
    date_hierarchy = "published_at"
    filter_horizontal = ["partners"]

    def save_model(self, request: HttpRequest, obj: Announcement, form: Any, change: bool) -> None:
        if not change and obj.created_by_id is None:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
