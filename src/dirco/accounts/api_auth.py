"""The API's bearer authentication: ``Authorization: Bearer <key>`` with an API token.

``API_AUTH`` is what the API (assembled in ``dirco.urls``) accepts: the token first, then
the browser session with its CSRF token (:mod:`dirco.api.auth`).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from dirco.accounts.models import User
from dirco.accounts.services import api_token_authenticate
from dirco.api.auth import session_auth


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_authenticate(key=token)
        if user is not None:
            request.user = user
        return user


token_auth = TokenAuth()
API_AUTH = [token_auth, session_auth]
