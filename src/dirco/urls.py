"""Root URL configuration: the web pages, the JSON API under /api/v1/, the admin."""

from django.contrib import admin
from django.urls import include, path

from dirco.api.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("revenue/", include("dirco.revenue.urls")),
    path("objectives/", include("dirco.objectives.urls")),
    path("registrations/", include("dirco.registrations.urls")),
    path("leads/", include("dirco.leads.urls")),
    path("notifications/", include("dirco.notifications.urls")),
    path("portal/", include("dirco.portal.urls")),
    path("security/", include("dirco.accounts.otp_urls")),
    path("", include("dirco.web.urls")),
]
