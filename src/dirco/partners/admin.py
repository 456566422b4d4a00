from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from dirco.partners.models import Contact, Partner, Territory, Tier


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin[Territory]):
    list_display = ["name", "code", "parent"]
    search_fields = ["name", "code"]


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin[Tier]):
    list_display = ["name", "rank", "min_won_revenue", "min_registrations", "protection_days"]


class ContactInline(admin.TabularInline[Contact, Partner]):
    model = Contact
    fk_name = "partner"
    extra = 0
    fields = ["first_name", "last_name", "email", "phone", "job_title"]


@admin.register(Partner)
class PartnerAdmin(SimpleHistoryAdmin):  # type: ignore[misc]  # read-only history view
    list_display = ["name", "tier", "status", "territory", "country", "channel_manager"]
    list_filter = ["status", "tier", "territory", "kind"]
    search_fields = ["name", "domain", "legal_identifier"]
    autocomplete_fields = ["channel_manager", "parent", "territory"]
    inlines = [ContactInline]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin[Contact]):
    list_display = ["last_name", "first_name", "email", "partner", "account"]
    search_fields = ["last_name", "first_name", "email"]
    autocomplete_fields = ["partner", "account"]
