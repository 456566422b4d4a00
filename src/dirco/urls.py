"""The top of the house: every app's pages and API routers are assembled here, and only here.

Infrastructure (``dirco.api``'s auth, errors, pagination and schemas; ``dirco.web``'s http
and form helpers) is imported by the apps and never imports them back; this module is the one
place that knows them all. The JSON API lives under /api/v1/, the admin under /admin/.
"""

from django.contrib import admin
from django.urls import include, path
from ninja import Swagger

from dirco.accounts import views as accounts_views
from dirco.accounts.api import partner_users_router
from dirco.accounts.api import router as accounts_router
from dirco.accounts.api_auth import API_AUTH
from dirco.api.errors import api_handler400, api_handler404, api_handler500, errors_install
from dirco.api.idempotency import idempotency_install
from dirco.api.media_types import media_types_install
from dirco.api.openapi import DircoAPI
from dirco.catalog.api import router as catalog_router
from dirco.core.observability import metrics_view
from dirco.customers import views as customers_views
from dirco.customers.api import contacts_router
from dirco.customers.api import router as customers_router
from dirco.dynamics.api import router as dynamics_router
from dirco.funds.api import router as funds_router
from dirco.imports.api import router as imports_router
from dirco.leads.api import router as leads_router
from dirco.marketing.api import router as marketing_router
from dirco.objectives.api import router as objectives_router
from dirco.partners import views as partners_views
from dirco.partners.api import router as partners_router
from dirco.pipeline import views as pipeline_views
from dirco.pipeline.api import router as pipeline_router
from dirco.plans import views as plans_views
from dirco.plans.api import router as plans_router
from dirco.registrations import directory_views as registrations_directory
from dirco.registrations.api import router as registrations_router
from dirco.revenue.api import router as revenue_router
from dirco.social.api import router as social_router
from dirco.web import views as web_views
from dirco.webhooks.api import router as webhooks_router

# The JSON API (django-ninja): one NinjaAPI, one router per domain app.
# - /api/v1/openapi.json: the OpenAPI schema; /api/v1/docs: Swagger UI, served from the static
#   files bundled with django-ninja (``ninja`` is in INSTALLED_APPS), no CDN.
# - Authentication: ``Authorization: Bearer <key>`` (an API token) or the browser session
#   with its CSRF token; see dirco.accounts.api_auth and dirco.api.auth.
# - Errors: one format, see dirco.api.errors.
# - Lists: keyset pages {"items": [...], "next": url | null}, see dirco.api.pagination.
api = DircoAPI(
    title="dirco API",
    version="1",
    description=(
        "Partners, accounts, contacts, deals and activities. Authenticate with "
        "`Authorization: Bearer <key>` (create a key with POST /api/v1/tokens while logged in) "
        "or the browser session. Errors are RFC 9457 problem documents "
        '(`application/problem+json`) with `{"error": {"code", "message", "fields"}}`. '
        "Every POST accepts `Idempotency-Key` (the first answer is replayed for 24 h; another "
        "body with the same key is a 422). Deals, partners, accounts and contacts carry a "
        "`version`, sent as `ETag`; send it back in `If-Match` on PATCH to get 412 instead of "
        "overwriting someone else's change. Each API token is rate limited (429, Retry-After)."
    ),
    urls_namespace="api",
    auth=API_AUTH,
    # validatorUrl=None: Swagger UI would otherwise fetch a badge from validator.swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
)
errors_install(api)

api.add_router("", accounts_router)
api.add_router("", partner_users_router)
api.add_router("", partners_router)
api.add_router("", catalog_router)
api.add_router("", customers_router)
api.add_router("", contacts_router)
api.add_router("", pipeline_router)
api.add_router("", registrations_router)
api.add_router("", objectives_router)
api.add_router("", leads_router)
api.add_router("", revenue_router)
api.add_router("", webhooks_router)
api.add_router("", funds_router)
api.add_router("", plans_router)
api.add_router("", dynamics_router)
api.add_router("", imports_router)
api.add_router("", marketing_router)
api.add_router("", social_router)
# After every router: a body only under its declared media type (dirco.api.media_types),
# then each POST honours Idempotency-Key (dirco.api.idempotency).
media_types_install(api)
idempotency_install(api)

# The staff pages that have no URLconf of their own.
staff_pages = [
    path("healthz", web_views.healthz, name="healthz"),
    path("readyz", web_views.readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("favicon.ico", web_views.favicon, name="favicon"),
    path("", web_views.home, name="home"),
    path("help/kpis/", web_views.kpi_glossary_view, name="kpi_glossary"),
    path("login/", accounts_views.LoginView.as_view(), name="login"),
    path("logout/", accounts_views.LogoutView.as_view(), name="logout"),
    path("partners/", registrations_directory.partner_list_view, name="partner_list"),
    path("partners/<int:partner_id>/", partners_views.partner_detail_view, name="partner_detail"),
    path("partners/<int:partner_id>/edit/", partners_views.partner_edit_view, name="partner_edit"),
    path("accounts/", customers_views.account_list_view, name="account_list"),
    path("accounts/new/", customers_views.account_create_view, name="account_create"),
    path("accounts/search/", customers_views.account_search_view, name="account_search"),
    path("accounts/<int:account_id>/", customers_views.account_detail_view, name="account_detail"),
    path("accounts/<int:account_id>/edit/", customers_views.account_edit_view, name="account_edit"),
    path("contacts/export/", customers_views.contact_export_view, name="contact_export"),
    path(
        "contacts/<int:contact_id>/vcard/",
        customers_views.contact_vcard_view,
        name="contact_vcard",
    ),
    path("pipeline/", pipeline_views.pipeline_board_view, name="pipeline_board"),
    path("deals/", pipeline_views.deal_list_view, name="deal_list"),
    path("deals/new/", pipeline_views.deal_create_view, name="deal_create"),
    path("deals/<int:deal_id>/", pipeline_views.deal_detail_view, name="deal_detail"),
    path("deals/<int:deal_id>/edit/", pipeline_views.deal_edit_view, name="deal_edit"),
    path("deals/<int:deal_id>/move/", pipeline_views.deal_move_view, name="deal_move"),
    path(
        "deals/<int:deal_id>/activities/",
        pipeline_views.deal_activity_create_view,
        name="deal_activity_create",
    ),
    path("activities/", plans_views.my_activities_view, name="activity_list"),
    path(
        "activities/<int:activity_id>/done/",
        pipeline_views.activity_done_view,
        name="activity_done",
    ),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    # Django's switch (django.conf.urls.i18n), keeping the choice on the user too.
    path("i18n/setlang/", accounts_views.language_set_view, name="set_language"),
    path("revenue/", include("dirco.revenue.urls")),
    path("objectives/", include("dirco.objectives.urls")),
    path("registrations/", include("dirco.registrations.urls")),
    path("leads/", include("dirco.leads.urls")),
    path("notifications/", include("dirco.notifications.urls")),
    path("mdf/", include("dirco.funds.urls")),
    path("marketing/", include("dirco.marketing.urls")),
    # The links of campaign emails (open pixel, click, unsubscribe): public, signed tokens.
    path("m/", include("dirco.marketing.public_urls")),
    path("plans/", include("dirco.plans.urls")),
    path("team/", include("dirco.dynamics.urls")),
    path("feed/", include("dirco.social.urls")),
    path("portal/", include("dirco.portal.urls")),
    path("webhooks/", include("dirco.webhooks.urls")),
    path("imports/", include("dirco.imports.urls")),
    path("security/", include("dirco.accounts.otp_urls")),
    *staff_pages,
]

# Under /api/ every error is a problem document, even those answered before the API runs.
handler400 = api_handler400
handler404 = api_handler404
handler500 = api_handler500
