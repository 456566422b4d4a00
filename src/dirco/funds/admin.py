from django.contrib import admin

from dirco.funds.models import FundBudget, FundClaim, FundRequest


@admin.register(FundBudget)
class FundBudgetAdmin(admin.ModelAdmin[FundBudget]):
    list_display = ("name", "partner", "tier", "period_start", "period_end", "amount")
    list_select_related = ("partner", "tier")


@admin.register(FundRequest)
class FundRequestAdmin(admin.ModelAdmin[FundRequest]):
    list_display = ("activity", "partner", "amount", "approved_amount", "status")
    list_filter = ("status",)
    list_select_related = ("partner",)
    readonly_fields = ("status", "approved_amount", "decided_by", "decided_at")


@admin.register(FundClaim)
class FundClaimAdmin(admin.ModelAdmin[FundClaim]):
    list_display = ("request", "amount", "status", "created_at")
    list_filter = ("status",)
    readonly_fields = ("status", "proof_content_type", "proof_size", "decided_by", "decided_at")
