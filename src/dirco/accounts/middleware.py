"""Request-level security: session tracking and the second-factor gate."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from dirco.accounts.models import User

# The session key last recorded in UserSession; differs after Django cycles the key.
TRACKED_SESSION_KEY = "dirco_tracked_session"
# Whether the user had a confirmed second-factor device when this session began.
OTP_STATE_KEY = "dirco_otp_enabled"


class SessionTrackingMiddleware:
    """Record a logged-in session under its user once per session key.

    Logins are recorded by a ``user_logged_in`` receiver; this catches the keys Django changes
    afterwards (``cycle_key`` on a password change) and sessions older than the table.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if (
            session is not None
            and session.session_key
            and SESSION_KEY in session
            and session.get(TRACKED_SESSION_KEY) != session.session_key
            and isinstance(request.user, User)
            and request.user.is_authenticated
        ):
            from dirco.accounts.security import user_session_record

            user_session_record(user=request.user, session_key=session.session_key)
            session[TRACKED_SESSION_KEY] = session.session_key
        return self.get_response(request)


class OtpRequiredMiddleware:
    """Send a logged-in user who owes a second factor to the verify (or set-up) page.

    Owed when the user turned two-factor on (then every session must be verified), or when
    ``DIRCO_OTP_REQUIRED_ROLES`` names their role. The login and logout pages, the two-factor
    pages, static files, the health check, the language switch and API calls with a bearer
    token pass; other API calls get a 403 in the API's error format.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @cached_property
    def exempt_prefixes(self) -> tuple[str, ...]:
        return (
            reverse("login"),
            reverse("logout"),
            reverse("otp_verify"),
            reverse("otp_enrol"),
            reverse("healthz"),
            reverse("set_language"),
            reverse("admin:logout"),
            settings.STATIC_URL or "/static/",
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if not isinstance(user, User) or not user.is_authenticated:
            return self.get_response(request)
        path = request.path_info
        if path.startswith(self.exempt_prefixes):
            return self.get_response(request)
        is_api = path.startswith("/api/")
        if is_api and request.headers.get("Authorization", "").lower().startswith("bearer "):
            return self.get_response(request)
        if user.is_verified():  # type: ignore[attr-defined]  # set by django-otp's middleware
            return self.get_response(request)
        target = self._target(request, user)
        if target is None:
            return self.get_response(request)
        if is_api:
            return JsonResponse(
                {
                    "error": {
                        "code": "otp_required",
                        "message": _(
                            "Confirm your second factor in the browser first, or use an API token."
                        ),
                        "fields": {},
                    }
                },
                status=403,
            )
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        return HttpResponseRedirect(reverse(target) + (f"?{query}" if query else ""))

    @staticmethod
    def _target(request: HttpRequest, user: User) -> str | None:
        from dirco.accounts.security import otp_enabled_for, otp_required_for

        enabled = request.session.get(OTP_STATE_KEY)
        if enabled is None:  # a session from before two-factor existed
            enabled = otp_enabled_for(user)
            request.session[OTP_STATE_KEY] = enabled
        if enabled:
            return "otp_verify"
        if otp_required_for(user):
            return "otp_enrol"
        return None
