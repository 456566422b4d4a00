"""The project's URLs plus the leads router on a test API, until it is mounted on /api/v1/."""

from __future__ import annotations

from django.urls import path
from ninja import NinjaAPI

from dirco.accounts.api_auth import API_AUTH
from dirco.api.errors import errors_install
from dirco.leads.api import router
from dirco.urls import urlpatterns as project_urlpatterns

API_PREFIX = "/api/leads-test"

test_api = NinjaAPI(urls_namespace="leads_test_api", auth=API_AUTH, docs_url=None)
errors_install(test_api)
test_api.add_router("", router, url_name_prefix="leads_test")

urlpatterns = [path("api/leads-test/", test_api.urls), *project_urlpatterns]
