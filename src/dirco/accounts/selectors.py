"""Reads on users and their API tokens."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from dirco.accounts.models import ApiToken, User


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    """A user's own tokens, newest first; nobody reads another user's tokens."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def get_api_token_for_user(*, user: User, token_id: int) -> ApiToken:
    try:
        return api_tokens_of(user).get(pk=token_id)
    except (ApiToken.DoesNotExist, ValueError, TypeError):
        raise Http404("No such token.") from None
