"""The JSON API (django-ninja): one NinjaAPI, one router per domain app.

- ``/api/v1/openapi.json``: the OpenAPI schema; ``/api/v1/docs``: Swagger UI, served from
  the static files bundled with django-ninja (``ninja`` is in INSTALLED_APPS), no CDN.
- Authentication: ``Authorization: Bearer <key>`` (an API token) or the browser session
  with its CSRF token; see :mod:`dirco.api.auth`.
- Errors: one format, see :mod:`dirco.api.errors`.
- Lists: keyset pages ``{"items": [...], "next": url | null}``, see :mod:`dirco.api.pagination`.
"""

from ninja import Swagger

from dirco.accounts.api import router as accounts_router
from dirco.api.auth import API_AUTH
from dirco.api.errors import errors_install
from dirco.api.openapi import DircoAPI
from dirco.customers.api import router as customers_router
from dirco.leads.api import router as leads_router
from dirco.objectives.api import router as objectives_router
from dirco.partners.api import router as partners_router
from dirco.pipeline.api import router as pipeline_router
from dirco.registrations.api import router as registrations_router
from dirco.revenue.api import router as revenue_router

api = DircoAPI(
    title="dirco API",
    version="1",
    description=(
        "Partners, accounts, contacts, deals and activities. Authenticate with "
        "`Authorization: Bearer <key>` (create a key with POST /api/v1/tokens while logged in) "
        "or the browser session. Errors are RFC 9457 problem documents "
        '(`application/problem+json`) with `{"error": {"code", "message", "fields"}}`.'
    ),
    urls_namespace="api",
    auth=API_AUTH,
    # validatorUrl=None: Swagger UI would otherwise fetch a badge from validator.swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
)
errors_install(api)

api.add_router("", accounts_router)
api.add_router("", partners_router)
api.add_router("", customers_router)
api.add_router("", pipeline_router)
api.add_router("", registrations_router)
api.add_router("", objectives_router)
api.add_router("", leads_router)
api.add_router("", revenue_router)
