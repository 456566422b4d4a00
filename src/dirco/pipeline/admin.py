from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from dirco.pipeline.models import Activity, Deal, Stage, StageChange


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin[Stage]):
    list_display = ["name", "order", "probability", "forecast_category", "is_won", "is_lost"]


class StageChangeInline(admin.TabularInline[StageChange, Deal]):
    model = StageChange
    extra = 0
    readonly_fields = ["from_stage", "to_stage", "changed_at", "changed_by"]
    can_delete = False


@admin.register(Deal)
class DealAdmin(SimpleHistoryAdmin):  # type: ignore[misc]  # read-only history view
    list_display = [
        "name",
        "account",
        "partner",
        "owner",
        "stage",
        "amount",
        "currency",
        "expected_close_date",
    ]
    list_filter = ["stage", "source", "product_line", "currency"]
    search_fields = ["name", "account__name"]
    raw_id_fields = ["account", "partner", "owner", "team"]
    readonly_fields = ["amount_company"]
    list_select_related = ["account", "partner", "owner", "stage"]
    show_full_result_count = False
    inlines = [StageChangeInline]


@admin.register(StageChange)
class StageChangeAdmin(admin.ModelAdmin[StageChange]):
    list_display = ["deal", "from_stage", "to_stage", "changed_at", "changed_by"]
    raw_id_fields = ["deal"]
    show_full_result_count = False


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin[Activity]):
    list_display = ["subject", "kind", "owner", "due_at", "done_at"]
    list_filter = ["kind"]
    search_fields = ["subject"]
    raw_id_fields = ["deal", "partner", "contact", "account", "owner"]
    show_full_result_count = False
