from django.contrib import admin

from dirco.teams.models import SalesTeam


@admin.register(SalesTeam)
class SalesTeamAdmin(admin.ModelAdmin[SalesTeam]):
    list_display = ["name", "manager", "territory"]
    filter_horizontal = ["members"]
    search_fields = ["name"]
