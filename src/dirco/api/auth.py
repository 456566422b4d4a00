"""The caller of an API endpoint.

How callers authenticate is an accounts concern (:mod:`dirco.accounts.api_auth`: a bearer
API token, or the browser session with its CSRF token and settled second factor); the API is
assembled with both in ``dirco.urls``. This module knows no app: the user type is only named
for mypy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.http import HttpRequest

if TYPE_CHECKING:
    from dirco.accounts.models import User


def request_user(request: HttpRequest) -> User:
    """The authenticated caller of an endpoint (set by one of the API's auth classes)."""
    user = getattr(request, "auth", None)
    if user is None or not getattr(user, "is_authenticated", False):  # pragma: no cover
        # ninja refuses before the endpoint runs.
        raise RuntimeError("request_user() called on an endpoint without authentication.")
    return cast("User", user)
