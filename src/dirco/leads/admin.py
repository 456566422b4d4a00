"""Admin: routing configuration (rules, partner profiles, territory areas) and a read-only
view of leads with their offers and timeline."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from dirco.leads.models import (
    Lead,
    LeadAssignment,
    LeadEvent,
    PartnerRoutingProfile,
    RoutingRule,
    TerritoryArea,
)


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin[RoutingRule]):
    list_display = ["territory", "policy", "team", "rep_cap", "top_k", "is_active"]
    list_filter = ["policy", "is_active"]


@admin.register(PartnerRoutingProfile)
class PartnerRoutingProfileAdmin(admin.ModelAdmin[PartnerRoutingProfile]):
    list_display = ["partner", "accepts_leads", "capacity"]
    list_filter = ["accepts_leads"]
    autocomplete_fields = ["partner"]


@admin.register(TerritoryArea)
class TerritoryAreaAdmin(admin.ModelAdmin[TerritoryArea]):
    list_display = ["country", "postcode_prefix", "territory"]
    list_filter = ["country"]


class LeadAssignmentInline(admin.TabularInline[LeadAssignment, Lead]):
    model = LeadAssignment
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "partner",
        "rep",
        "rule",
        "score",
        "offered_at",
        "due_at",
        "outcome",
        "reason",
    )

    def has_add_permission(self, request: HttpRequest, obj: Lead | None = None) -> bool:
        return False


class LeadEventInline(admin.TabularInline[LeadEvent, Lead]):
    model = LeadEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ("created_at", "kind", "partner", "rep", "actor", "message")

    def has_add_permission(self, request: HttpRequest, obj: Lead | None = None) -> bool:
        return False


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin[Lead]):
    """Routing goes through the services (pages, API); here leads are read, not edited."""

    list_display = [
        "company_name",
        "contact_name",
        "status",
        "source",
        "territory",
        "partner",
        "rep",
    ]
    list_filter = ["status", "source", "territory"]
    search_fields = ["company_name", "contact_name", "email"]
    inlines = [LeadAssignmentInline, LeadEventInline]

    def has_change_permission(self, request: HttpRequest, obj: Lead | None = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
