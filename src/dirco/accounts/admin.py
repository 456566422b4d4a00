from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from dirco.accounts.models import ApiToken, User
from dirco.accounts.security import user_deactivate
from dirco.core.errors import ApplicationError


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):  # type: ignore[misc,type-arg]
    actions = ["deactivate"]
    history_list_display = ["role", "partner", "is_active"]
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "role", "partner", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    autocomplete_fields = ["partner", "reports_to"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "language", "time_zone")}),
        (_("Role"), {"fields": ("role", "partner", "reports_to", "hired_on", "left_on")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "role", "partner", "password1", "password2"),
            },
        ),
    )

    @admin.action(description=_("Deactivate (ends every session and API token)"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        done = 0
        assert isinstance(request.user, User)
        for user in queryset:
            try:
                user_deactivate(user=user, by=request.user)
            except ApplicationError as exc:
                self.message_user(request, f"{user}: {exc.message}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%(n)d user deactivated.", "%(n)d users deactivated.", done) % {"n": done},
                messages.SUCCESS,
            )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "last_used_at"]
    search_fields = ["name", "user__email"]
