"""dirco settings: one module, driven by environment variables, safe defaults for development.

Production (``DIRCO_ENV=production``) refuses to start without a real ``SECRET_KEY``
and ``ALLOWED_HOSTS``.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import sys
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(os.environ.get("DIRCO_HOME", Path.cwd()))

ENV = os.environ.get("DIRCO_ENV", "development")
PRODUCTION = ENV == "production"
TESTING = "pytest" in sys.modules or os.environ.get("DIRCO_TESTING") == "1"

_DEV_SECRET = "dev-insecure-dirco-secret-key-change-me-in-production-0123456789"
SECRET_KEY = os.environ.get("SECRET_KEY", _DEV_SECRET)
# DEBUG publishes tracebacks and the URLconf: off unless asked for by name (``make demo``
# asks), and never in production, whatever else is set (finding 6 of the security test).
_DEBUG_ASKED = os.environ.get("DIRCO_DEBUG", "0") == "1"
if PRODUCTION and (_DEBUG_ASKED or os.environ.get("DEBUG", "0") == "1"):
    raise ImproperlyConfigured("DEBUG is on in production: unset DIRCO_DEBUG (and DEBUG).")
DEBUG = _DEBUG_ASKED and not TESTING
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h]
if not PRODUCTION:
    ALLOWED_HOSTS += ["localhost", "127.0.0.1", "[::1]", "testserver"]
if PRODUCTION:
    if SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 40:
        raise ImproperlyConfigured("Set SECRET_KEY to a random string of 50+ characters.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("Set ALLOWED_HOSTS to the host names dirco is served on.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    # Serves the API docs page (Swagger UI) from its bundled static files, not a CDN.
    "ninja",
    "template_partials",
    # Before django_tasks_db: its `db_worker` command is dirco's (a heartbeat lease added).
    "dirco.core",
    "django_tasks",
    "django_tasks_db",
    # ISO 3166 country names in the user's language for every country select.
    "django_countries",
    # Security: brute-force lockout, second factor (TOTP + backup codes), audit trail.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "simple_history",
    "dirco.accounts",
    "dirco.webhooks",
    "dirco.partners",
    "dirco.customers",
    "dirco.catalog",
    "dirco.teams",
    "dirco.pipeline",
    "dirco.rollups",
    "dirco.revenue",
    "dirco.objectives",
    "dirco.notifications",
    "dirco.marketing",
    "dirco.registrations",
    "dirco.leads",
    "dirco.documents",
    "dirco.funds",
    "dirco.impact",
    "dirco.plans",
    "dirco.dynamics",
    "dirco.imports",
    "dirco.social",
    "dirco.portal",
    "dirco.api",
    "dirco.web",
    "dirco.demo",
    "dirco.schedule",
]

MIDDLEWARE = [
    # First: the request id (X-Request-ID) for every log line and answer, and the metrics.
    "dirco.core.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the request: NUL characters and oversized bodies answer 400/413.
    "dirco.core.middleware.RequestInputGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "dirco.accounts.middleware.SessionTrackingMiddleware",
    "dirco.accounts.middleware.OtpRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Partner users never reach staff pages: portal equivalent or 404 (deny by default).
    "dirco.web.partner_gate.PartnerGateMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a lockout raised during login into its answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dirco.urls"
WSGI_APPLICATION = "dirco.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite by default (WAL, IMMEDIATE transactions, busy timeout), PostgreSQL
# when DATABASE_URL says so.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# Seconds a web process keeps its database connection between requests (SQLite too: opening
# the file and running the PRAGMAs costs about 3 ms of CPU per request; 0 closes each time).
CONN_MAX_AGE = int(os.environ.get("DIRCO_CONN_MAX_AGE", "60"))
if DATABASE_URL:
    DATABASES: dict[str, dict[str, Any]] = {
        "default": dict(
            dj_database_url.parse(DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=True)
        )
    }
    # PostgreSQL receives each query's values apart from its SQL (server-side binding), and a
    # connection prepares the statements it runs often (psycopg, at their 5th run): a query
    # every request makes is planned once per connection, not on every run (a quarter less
    # PostgreSQL CPU per request of the load test: docs/deployment.md). A pooler in
    # transaction mode that does not track prepared statements (PgBouncer before 1.21, or
    # without max_prepared_statements) breaks them: DIRCO_PG_PREPARED_STATEMENTS=0 turns
    # both off (Django's default: values bound in the client, every query planned).
    # Added to the URL's own options (?sslmode=... stays); PostgreSQL's only.
    if (
        os.environ.get("DIRCO_PG_PREPARED_STATEMENTS", "1") == "1"
        and "postgresql" in DATABASES["default"]["ENGINE"]
    ):
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            {"server_side_binding": True, "prepare_threshold": 5}
        )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(PROJECT_DIR / "dirco.sqlite3")),
            "CONN_MAX_AGE": CONN_MAX_AGE,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA busy_timeout=20000;"
                    "PRAGMA cache_size=-64000;"
                    "PRAGMA temp_store=MEMORY;"
                    "PRAGMA mmap_size=268435456;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A write aborted by PostgreSQL for a deadlock or a serialization failure runs again, at most
# this many attempts in all (dirco.core.transactions.atomic_retrying).
DIRCO_DB_RETRY_ATTEMPTS = int(os.environ.get("DIRCO_DB_RETRY_ATTEMPTS", "5"))

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# django-axes first: it refuses a locked-out login before any password is checked. The API's
# bearer tokens do not go through these backends (see dirco.api.auth).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Validators apply when a password is set through a form or the admin; the demo seed sets
# its password directly (see docs/security.md).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Outside production, serve static files from the apps even with DEBUG off (the default).
WHITENOISE_USE_FINDERS = not PRODUCTION
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", PROJECT_DIR / "staticfiles"))
# Uploaded files (the partner documents library). Never served by a public URL: the portal
# streams each file after an access check, so do not map MEDIA_URL in the web server.
MEDIA_ROOT = Path(os.environ.get("DIRCO_MEDIA_ROOT", PROJECT_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Uploaded files in S3-compatible object storage (AWS S3, MinIO, Scaleway, OVH...) instead of
# MEDIA_ROOT when DIRCO_S3_BUCKET is set: every web and worker machine then sees the same
# files without a shared folder. Needs the "s3" extra (django-storages with boto3); the keys
# come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the machine's role). Files stay
# private: no public ACL, and the portal still streams each one after its access check.
if os.environ.get("DIRCO_S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["DIRCO_S3_BUCKET"],
            "endpoint_url": os.environ.get("DIRCO_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("DIRCO_S3_REGION") or None,
            "location": os.environ.get("DIRCO_S3_PREFIX", ""),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
    }
    if os.environ.get("REDIS_URL")
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
# Stateless web processes: sessions live in the database (any process can serve any request);
# with Redis, read through the cache first and still written to the database (cached_db), and
# django-axes counts failed logins and lockouts in Redis. The API throttle and the public
# forms' rate limits use the cache above, so Redis shares them between processes too.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if os.environ.get("REDIS_URL")
    else "django.contrib.sessions.backends.db"
)
if os.environ.get("REDIS_URL"):
    AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"

# The reverse proxies whose X-Forwarded-For is believed (comma-separated addresses or
# networks, e.g. "127.0.0.1,10.0.0.0/8"); from anyone else the header is ignored. See
# dirco.web.http.client_ip, which the rate limits and django-axes use.
DIRCO_TRUSTED_PROXIES = [
    ipaddress.ip_network(item.strip(), strict=False)
    for item in os.environ.get("DIRCO_TRUSTED_PROXIES", "").split(",")
    if item.strip()
]

TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING or os.environ.get("TASKS_IMMEDIATE") == "1"
            else "django_tasks_db.DatabaseBackend"
        )
    }
}

# Background workers (dirco.core.task_queue): a RUNNING task whose worker has not beaten for
# the lease is run again by another worker, at most DIRCO_TASK_MAX_ATTEMPTS claims in all;
# finished task rows are deleted after DIRCO_TASK_RESULTS_KEEP_DAYS (by `dirco scheduler`).
DIRCO_TASK_LEASE_SECONDS = float(os.environ.get("DIRCO_TASK_LEASE_SECONDS", "60"))
DIRCO_TASK_MAX_ATTEMPTS = int(os.environ.get("DIRCO_TASK_MAX_ATTEMPTS", "3"))
DIRCO_TASK_RESULTS_KEEP_DAYS = int(os.environ.get("DIRCO_TASK_RESULTS_KEEP_DAYS", "7"))
# Import files of more rows than this are checked and imported by the task worker.
DIRCO_IMPORT_BACKGROUND_ROWS = int(os.environ.get("DIRCO_IMPORT_BACKGROUND_ROWS", "2000"))
# Import jobs and their uploaded files are deleted this many days after the upload.
DIRCO_IMPORT_KEEP_DAYS = int(os.environ.get("DIRCO_IMPORT_KEEP_DAYS", "30"))

# Forecast snapshots (revenue.services): the refresh task of a scope runs this long after the
# write that made it stale (the writes of that time share it); a read serves a stale forecast
# for the grace period, then recomputes it. With inline tasks (no worker) reads never wait.
DIRCO_FORECAST_DEBOUNCE_SECONDS = int(os.environ.get("DIRCO_FORECAST_DEBOUNCE_SECONDS", "10"))
DIRCO_FORECAST_STALE_GRACE_SECONDS = int(
    os.environ.get(
        "DIRCO_FORECAST_STALE_GRACE_SECONDS",
        "0" if TASKS["default"]["BACKEND"].endswith("ImmediateBackend") else "300",
    )
)

EMAIL_BACKEND = (
    "django.core.mail.backends.locmem.EmailBackend"
    if TESTING
    else os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "0") == "1"
EMAIL_USE_SSL = os.environ.get("EMAIL_USE_SSL", "0") == "1"
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DIRCO_BASE_URL = os.environ.get("DIRCO_BASE_URL", "http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "dirco <no-reply@dirco.local>")

# Direct marketing campaigns (dirco.marketing.sending): the sender address, at most this many
# messages a second per worker (0: no limit) over this many SMTP connections, attempts per message on a temporary SMTP
# failure, and the first pause between attempts (doubled each time).
DIRCO_MARKETING_FROM_EMAIL = os.environ.get("DIRCO_MARKETING_FROM_EMAIL", DEFAULT_FROM_EMAIL)
DIRCO_CAMPAIGN_RATE_PER_SECOND = float(os.environ.get("DIRCO_CAMPAIGN_RATE_PER_SECOND", "50"))
DIRCO_CAMPAIGN_CONNECTIONS = int(os.environ.get("DIRCO_CAMPAIGN_CONNECTIONS", "4"))
DIRCO_CAMPAIGN_MAX_ATTEMPTS = int(os.environ.get("DIRCO_CAMPAIGN_MAX_ATTEMPTS", "3"))
# The mailbox asynchronous bounces and complaints come back to: campaign emails are sent
# with the envelope sender bounces+r<id>-<mac>@domain (VERP) when it is set (docs/marketing.md).
DIRCO_BOUNCE_ADDRESS = os.environ.get("DIRCO_BOUNCE_ADDRESS", "")
DIRCO_CAMPAIGN_RETRY_PAUSE_SECONDS = float(
    os.environ.get("DIRCO_CAMPAIGN_RETRY_PAUSE_SECONDS", "2")
)

# Company settings.
DIRCO_COMPANY_NAME = os.environ.get("DIRCO_COMPANY_NAME", "Demo Industries")
DIRCO_COMPANY_CURRENCY = os.environ.get("DIRCO_COMPANY_CURRENCY", "EUR")
# The company's own country (ISO 3166 code): an imported partner or account whose row gives
# none and whose web domain or VAT number says none gets this one (dirco.core.countries).
DIRCO_COMPANY_COUNTRY = os.environ.get("DIRCO_COMPANY_COUNTRY", "FR").strip().upper()

# Lead routing: hours a partner or rep has to accept or decline an offered lead before it is
# re-routed (``dirco leads_reroute_expired`` from cron); the policy where no RoutingRule
# applies: partners_then_reps, partners_only or reps_only.
DIRCO_LEAD_SLA_HOURS = int(os.environ.get("DIRCO_LEAD_SLA_HOURS", "48"))
DIRCO_LEAD_ROUTING_POLICY = os.environ.get("DIRCO_LEAD_ROUTING_POLICY", "partners_then_reps")
# First month (1-12) of the fiscal year; a fiscal year is named after the year it ends in.
DIRCO_FISCAL_YEAR_START_MONTH = int(os.environ.get("DIRCO_FISCAL_YEAR_START_MONTH", "1"))

# Brute force (django-axes): lock the pair (user name, address), never the user alone, so that
# an attacker elsewhere cannot lock a real user out; 5 failures, then 15 minutes.
AXES_ENABLED = os.environ.get("AXES_ENABLED", "1") == "1"
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # the login form's field (it holds the email address)
AXES_USERNAME_CALLABLE = "dirco.accounts.security.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "dirco.accounts.security.axes_lockout_response"
AXES_VERBOSE = False
# Behind a reverse proxy, set the number of proxies so that the client address is the real one.
AXES_CLIENT_IP_CALLABLE = "dirco.web.http.client_ip_address"  # DIRCO_TRUSTED_PROXIES decides

# Logout ends every session and revokes every API token of the user (not only this browser's).
DIRCO_LOGOUT_EVERYWHERE = os.environ.get("DIRCO_LOGOUT_EVERYWHERE", "1") == "1"

# Second factor (django-otp, TOTP + backup codes): optional for everyone; required for the
# roles listed here (comma-separated role names, plus "staff" for admin-site users), e.g.
# DIRCO_OTP_REQUIRED_ROLES=director,partner_admin,staff
DIRCO_OTP_REQUIRED_ROLES = frozenset(
    r.strip() for r in os.environ.get("DIRCO_OTP_REQUIRED_ROLES", "").split(",") if r.strip()
)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "dirco")

# Audit trail (django-simple-history): read-only, the admin cannot revert to an old version.
SIMPLE_HISTORY_REVERT_DISABLED = True
SIMPLE_HISTORY_EDIT = False
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Content Security Policy (django-csp 4): scripts only from our own static files (no inline
# script, no eval); inline styles are allowed because htmx and the SVG charts set them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        # Sharing a social selling post posts to dirco, which records the share and
        # redirects to the network's public share page: form-action covers that redirect.
        "form-action": [
            "'self'",
            "https://www.linkedin.com",
            "https://x.com",
            "https://www.facebook.com",
        ],
        "frame-ancestors": ["'none'"],
    },
}

# Request bodies (files apart: the documents library has its own limit) are at most 512 KB;
# a larger one answers 413 before it is read (dirco.core.middleware).
DATA_UPLOAD_MAX_MEMORY_SIZE = 512 * 1024

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SAMESITE = "Lax"
# Load balancers probe over plain HTTP from inside the network (dirco.core.health).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# Logs: one JSON object a line in production (DIRCO_LOG_FORMAT=json), plain text otherwise;
# both carry the request id (dirco.core.observability).
LOG_FORMAT = os.environ.get("DIRCO_LOG_FORMAT", "json" if PRODUCTION else "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "dirco.core.observability.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "dirco.core.observability.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
# /metrics (Prometheus) answers only to "Authorization: Bearer <this token>"; unset: 404.
DIRCO_METRICS_TOKEN = os.environ.get("DIRCO_METRICS_TOKEN", "")

# Deal registration: a pending registration expires after this many days; names of a
# registered customer and an existing account conflict from this rapidfuzz score (0-100).
DIRCO_REGISTRATION_PENDING_DAYS = int(os.environ.get("DIRCO_REGISTRATION_PENDING_DAYS", "30"))
DIRCO_REGISTRATION_NAME_THRESHOLD = int(os.environ.get("DIRCO_REGISTRATION_NAME_THRESHOLD", "88"))

# API rate limit per API token: "requests/seconds" (DIRCO_API_RATE_LIMIT=600/60 by default;
# 0/60 turns it off). Counted in the cache: set REDIS_URL when several processes serve.
_rate = os.environ.get("DIRCO_API_RATE_LIMIT", "600/60").split("/")
API_RATE_LIMIT = (int(_rate[0]), int(_rate[1]) if len(_rate) > 1 else 60)
# Idempotency-Key answers are kept this long (then pruned by `dirco idempotency_prune`).
API_IDEMPOTENCY_KEEP_HOURS = int(os.environ.get("DIRCO_API_IDEMPOTENCY_KEEP_HOURS", "24"))

# Webhooks: outbound requests refuse private, loopback, link-local and metadata addresses.
# Loopback is allowed only when this is 1 (the tests' receiver listens on 127.0.0.1).
WEBHOOKS_ALLOW_LOOPBACK = os.environ.get("DIRCO_WEBHOOKS_ALLOW_LOOPBACK", "0") == "1"
WEBHOOKS_TIMEOUT_SECONDS = 10
WEBHOOKS_MAX_ATTEMPTS = 6
