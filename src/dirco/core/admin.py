from django.contrib import admin

from dirco.core.models import ExchangeRate


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin[ExchangeRate]):
    list_display = ["currency", "valid_from", "rate"]
    list_filter = ["currency"]
