"""Kept for imports written before :mod:`dirco.scopes` (where scopes are defined)."""

from __future__ import annotations

from dirco.accounts.models import User
from dirco.scopes import (
    SCOPE_KINDS,
    Scope,
    scope_check,
    scope_may_see,
    scopes_for,
)

__all__ = [
    "SCOPE_KINDS",
    "Scope",
    "scope_check_access",
    "scope_label",
    "scope_may_see",
    "scopes_for_user",
]


def scope_label(scope: Scope) -> str:
    return scope.label


def scope_check_access(*, user: User, scope: Scope) -> None:
    scope_check(user, scope)


def scopes_for_user(user: User) -> list[Scope]:
    return scopes_for(user)
