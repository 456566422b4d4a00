from django.contrib import admin

from dirco.customers.models import Account


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin[Account]):
    list_display = ["name", "domain", "industry", "size", "territory", "owner"]
    list_filter = ["size", "territory", "industry"]
    search_fields = ["name", "domain", "legal_identifier"]
    autocomplete_fields = ["owner", "territory"]
