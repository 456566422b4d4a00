"""Two-factor pages, mounted under ``/security/`` by the root URL configuration."""

from django.urls import path

from dirco.accounts import otp_views, token_views

urlpatterns = [
    path("2fa/", otp_views.otp_status_view, name="otp_status"),
    path("2fa/enrol/", otp_views.otp_enrol_view, name="otp_enrol"),
    path("2fa/verify/", otp_views.otp_verify_view, name="otp_verify"),
    path("2fa/backup-codes/", otp_views.otp_backup_codes_view, name="otp_backup_codes"),
    path("2fa/disable/", otp_views.otp_disable_view, name="otp_disable"),
    path("tokens/", token_views.api_token_list_view, name="api_tokens"),
    path(
        "tokens/<int:token_id>/revoke/",
        token_views.api_token_revoke_view,
        name="api_token_revoke",
    ),
]
