from django.contrib import admin

from dirco.marketing.models import (
    BounceReport,
    Campaign,
    Consent,
    EmailTemplate,
    Segment,
    SocialPost,
    Suppression,
)


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin[Consent]):
    list_display = [
        "contact",
        "email",
        "status",
        "source",
        "legal_basis",
        "given_at",
        "confirmed_at",
    ]
    list_filter = ["status", "source", "legal_basis"]
    search_fields = ["email"]
    raw_id_fields = ["contact", "lead", "recorded_by"]


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


@admin.register(SocialPost)
class SocialPostAdmin(admin.ModelAdmin[SocialPost]):
    list_display = ["title", "status", "audience", "link_kind", "published_at"]
    list_filter = ["status", "audience"]
    exclude = ["image"]


@admin.register(BounceReport)
class BounceReportAdmin(admin.ModelAdmin[BounceReport]):
    list_display = ["kind", "email", "status_code", "received_at"]
    list_filter = ["kind"]
    search_fields = ["email", "message_id"]
    raw_id_fields = ["recipient"]
