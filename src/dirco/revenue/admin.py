from django.contrib import admin

from dirco.revenue.models import ForecastSnapshot


@admin.register(ForecastSnapshot)
class ForecastSnapshotAdmin(admin.ModelAdmin[ForecastSnapshot]):
    list_display = ["scope_key", "computed_at", "stale"]
    readonly_fields = ["scope_key", "computed_at", "stale", "payload"]
