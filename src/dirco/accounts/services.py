"""Writes on users and their API tokens."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dirco.accounts.models import ApiToken, User
from dirco.core.errors import ApplicationError
from dirco.core.prepared import PreparedQuery

# A token used again within this window keeps its recorded last use: no write per request.
TOKEN_LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
TOKEN_PREFIX_LENGTH = 12


@transaction.atomic
def api_token_create(
    *, user: User, name: str, expires_at: dt.datetime | None = None, read_only: bool = False
) -> tuple[ApiToken, str]:
    """A new token for ``user`` and its key. Only the hash is stored: show the key once."""
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if not name:
        errors["name"] = [_("Name the token after what will use it, e.g. 'CRM sync'.")]
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = [_("The expiry date must be in the future.")]
    if not user.is_active:
        errors["__all__"] = [_("An inactive user cannot create API tokens.")]
    if errors:
        raise ApplicationError(
            _("The token was not created: correct the fields shown."), fields=errors
        )
    key = ApiToken.new_key()
    token = ApiToken(
        user=user,
        name=name,
        prefix=key[:TOKEN_PREFIX_LENGTH],
        key_hash=ApiToken.hash_key(key),
        expires_at=expires_at,
        read_only=read_only,
    )
    token.full_clean()
    token.save()
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token


def api_token_authenticate(*, key: str, now: dt.datetime | None = None) -> User | None:
    """The active user a key belongs to, or None when it is unknown, revoked or expired."""
    token = api_token_for_key(key=key, now=now)
    return None if token is None else token.user


# Every API request looks its token up: compiled once (dirco.core.prepared), this costs a
# tenth of the ORM's compilation of the same query.
_TOKEN_BY_HASH: PreparedQuery[ApiToken] = PreparedQuery(
    lambda key_hash: ApiToken.objects.select_related("user").filter(key_hash=key_hash),
    slots=(str,),
)


def api_token_for_key(*, key: str, now: dt.datetime | None = None) -> ApiToken | None:
    """The live token (with its active user) of a key, or None when it is unknown, revoked,
    expired or its user inactive.

    Records the use, at most once per ``TOKEN_LAST_USED_RESOLUTION``.
    """
    if not key:
        return None
    now = now or timezone.now()
    found = _TOKEN_BY_HASH.run(ApiToken.hash_key(key))  # key_hash is unique: 0 or 1 row
    token: ApiToken | None = found[0] if found else None
    if (
        token is None
        or token.revoked_at is not None
        or (token.expires_at is not None and token.expires_at <= now)
        or not token.user.is_active
    ):
        return None
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


@transaction.atomic
def user_language_set(*, user: User, language: str) -> None:
    """Keep the language the user picked: notifications, e-mails and digests are written in
    ``user.language``, and the menu's switch only set a cookie, so a French reader got them
    in English. A language dirco does not offer changes nothing (Django's switch ignores it
    too)."""
    if language in dict(settings.LANGUAGES) and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
