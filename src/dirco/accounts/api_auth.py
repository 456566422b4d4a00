"""Who is calling the API: a bearer API token, or the browser session (with its CSRF token).

A session counts only once its second factor is settled
(:func:`dirco.accounts.security.session_second_factor_owed`, the check every page makes too);
a session that owes one answers 403 ``otp_required``.

The bearer token is tried first so that a script never needs a CSRF token. A session request
that changes data must send the CSRF token (``X-CSRFToken``) like any Django form.
``API_AUTH`` is what the API (assembled in ``dirco.urls``) accepts. These classes live in
accounts, not in ``dirco.api``, so that the API infrastructure imports no app.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from dirco.accounts.models import User
from dirco.accounts.security import session_second_factor_owed
from dirco.accounts.services import api_token_for_key
from dirco.api.errors import CsrfFailed, OtpRequired, ReadOnlyToken
from dirco.api.throttle import rate_limit_check

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TokenAuth(HttpBearer):
    """A live API token. The one place where its scope and its rate limit are enforced: a
    read-only token may only read (403 ``read_only_token`` otherwise), and every token is
    limited to ``settings.API_RATE_LIMIT`` requests (429 with Retry-After)."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        api_token = api_token_for_key(key=token)
        if api_token is None:
            return None
        rate_limit_check(f"token:{api_token.pk}")
        if api_token.read_only and request.method not in SAFE_METHODS:
            raise ReadOnlyToken()
        request.user = api_token.user
        return api_token.user


class SessionAuth(APIKeyCookie):
    """The logged-in Django user. Anonymous answers 401 (not a CSRF 403) so clients learn to log in."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> User | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        assert isinstance(user, User)
        # The same check as every page: a session that owes its second factor acts as nobody
        # (finding 1 of the security test), whatever else the request carries.
        if session_second_factor_owed(request, user) is not None:
            raise OtpRequired()
        if (
            self.csrf
            and not getattr(request, "_ninja_csrf_exempt", False)
            and check_csrf(request) is not None
        ):
            raise CsrfFailed()
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return self(request)


token_auth = TokenAuth()
session_auth = SessionAuth(csrf=True)
API_AUTH = [token_auth, session_auth]
