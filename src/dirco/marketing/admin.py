from django.contrib import admin

from dirco.marketing.models import Campaign, Consent, EmailTemplate, Segment, Suppression


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin[Consent]):
    list_display = ["contact", "status", "source", "legal_basis", "given_at", "confirmed_at"]
    list_filter = ["status", "source", "legal_basis"]
    raw_id_fields = ["contact", "recorded_by"]


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin[Suppression]):
    list_display = ["email", "reason", "created_at"]
    list_filter = ["reason"]
    search_fields = ["email"]
    raw_id_fields = ["campaign"]


admin.site.register(Segment)
admin.site.register(EmailTemplate)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin[Campaign]):
    list_display = ["name", "status", "scheduled_at", "finished_at"]
    list_filter = ["status"]
