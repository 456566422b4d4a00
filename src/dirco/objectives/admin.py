"""Admin: objectives with their months and audit (read-only: writes go through the services)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from dirco.objectives.models import (
    ForecastAdjustment,
    Objective,
    ObjectiveMonth,
    ObjectiveMonthChange,
)


class ObjectiveMonthInline(admin.TabularInline[ObjectiveMonth, Objective]):
    model = ObjectiveMonth
    extra = 0
    can_delete = False
    readonly_fields = ("month_index", "month", "amount", "is_override")

    def has_add_permission(self, request: HttpRequest, obj: Objective | None = None) -> bool:
        return False


class ObjectiveMonthChangeInline(admin.TabularInline[ObjectiveMonthChange, Objective]):
    model = ObjectiveMonthChange
    extra = 0
    can_delete = False
    readonly_fields = ("month", "from_amount", "to_amount", "changed_by", "changed_at")

    def has_add_permission(self, request: HttpRequest, obj: Objective | None = None) -> bool:
        return False


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin[Objective]):
    list_display = ("scope_key", "product_line", "fiscal_year", "measure", "amount", "status")
    list_filter = ("fiscal_year", "scope_kind", "measure", "status")
    search_fields = ("scope_key",)
    readonly_fields = (
        "scope_kind",
        "scope_key",
        "team",
        "rep",
        "partner",
        "product_line",
        "fiscal_year",
        "measure",
        "amount",
        "status",
        "parent",
        "split_method",
        "split_note",
        "set_by",
        "set_at",
        "published_at",
    )
    inlines = [ObjectiveMonthInline, ObjectiveMonthChangeInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ForecastAdjustment)
class ForecastAdjustmentAdmin(admin.ModelAdmin[ForecastAdjustment]):
    list_display = ("scope_key", "period", "owner_call", "manager_call", "by", "at")
    list_filter = ("period",)
    readonly_fields = ("scope_key", "period", "owner_call", "manager_call", "note", "by", "at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
