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

    What is owed comes from :func:`dirco.accounts.security.session_second_factor_owed`, the
    one function the API's session authentication asks too. The login and logout pages, the
    two-factor pages, static files, the health check and the language switch pass. An API
    call on a session that owes a factor gets a 403 ``otp_required``, whatever headers it
    carries: a bearer header is no way around it (only a valid token is, and the API checks
    that; a script sends its token without the session cookie).
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
            reverse("readyz"),
            reverse("favicon"),
            reverse("set_language"),
            reverse("admin:logout"),
            settings.STATIC_URL or "/static/",
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from dirco.accounts.security import session_second_factor_owed

        user = getattr(request, "user", None)
        if not isinstance(user, User) or not user.is_authenticated:
            return self.get_response(request)
        path = request.path_info
        if path.startswith(self.exempt_prefixes):
            return self.get_response(request)
        target = session_second_factor_owed(request, user)
        if target is None:
            return self.get_response(request)
        if path.startswith("/api/"):
            return otp_required_response()
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        return HttpResponseRedirect(reverse(target) + (f"?{query}" if query else ""))


def otp_required_response() -> JsonResponse:
    """The API's answer to a session that owes its second factor (403, the API's format)."""
    message = _("Confirm your second factor in the browser first, or use an API token.")
    return JsonResponse(
        {
            "type": "about:blank",
            "title": "Forbidden",
            "status": 403,
            "detail": message,
            "error": {"code": "otp_required", "message": message, "fields": {}},
        },
        status=403,
        content_type="application/problem+json",
    )
