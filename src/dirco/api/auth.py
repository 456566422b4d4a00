"""Who is calling: the browser session (with its CSRF token), and the caller of an endpoint.

The bearer API token is an accounts concept (:mod:`dirco.accounts.api_auth`); the API is
assembled with both in ``dirco.urls``, the token tried first so that a script never needs a
CSRF token. A session request that changes data must send the CSRF token (``X-CSRFToken``)
like any Django form. This module knows no app: the user type is only named for mypy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie
from ninja.utils import check_csrf

from dirco.api.errors import CsrfFailed

if TYPE_CHECKING:
    from dirco.accounts.models import User


class SessionAuth(APIKeyCookie):
    """The logged-in Django user. Anonymous answers 401 (not a CSRF 403) so clients learn to log in."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> User | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if (
            self.csrf
            and not getattr(request, "_ninja_csrf_exempt", False)
            and check_csrf(request) is not None
        ):
            raise CsrfFailed()
        return cast("User", user)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return self(request)


session_auth = SessionAuth(csrf=True)


def request_user(request: HttpRequest) -> User:
    """The authenticated caller of an endpoint (set by one of the API's auth classes)."""
    user = getattr(request, "auth", None)
    if user is None or not getattr(user, "is_authenticated", False):  # pragma: no cover
        # ninja refuses before the endpoint runs.
        raise RuntimeError("request_user() called on an endpoint without authentication.")
    return cast("User", user)
