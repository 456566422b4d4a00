"""Admin views: for inspection and support. Decisions go through the staff pages (services)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from dirco.registrations.models import (
    DealRegistration,
    PartnerApplication,
    RegistrationExtension,
    TierChange,
)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Records written by services only: the admin shows them and changes nothing."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False


class ExtensionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = RegistrationExtension
    extra = 0
    can_delete = False
    readonly_fields = ["requested_by", "reason", "status", "decided_by", "decided_at"]
    fields = ("requested_by", "reason", "status", "decided_by", "decided_at")

    def has_add_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False


@admin.register(DealRegistration)
class DealRegistrationAdmin(ReadOnlyAdmin):
    list_display = ["customer_name", "partner", "status", "amount", "currency", "created_at"]
    list_filter = ["status"]
    search_fields = ["customer_name", "customer_domain", "partner__name"]
    inlines = [ExtensionInline]


@admin.register(PartnerApplication)
class PartnerApplicationAdmin(ReadOnlyAdmin):
    list_display = ["company_name", "country", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["company_name", "contact_email"]


@admin.register(TierChange)
class TierChangeAdmin(ReadOnlyAdmin):
    list_display = ["partner", "from_tier", "to_tier", "changed_by", "changed_at"]
