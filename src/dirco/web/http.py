"""What every HTML view of the staff interface shares: the request type and the access gate."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django_htmx.middleware import HtmxDetails

from dirco.accounts.models import User
from dirco.accounts.permissions import user_is_partner

_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])


class AuthedHttpRequest(HttpRequest):
    """A request that went through login_required and django-htmx's middleware."""

    user: User  # type: ignore[assignment]
    htmx: HtmxDetails


def staff_required(view: _View) -> _View:
    """Log in first; partner users go to their own home until the partner portal exists."""

    @functools.wraps(view)
    def wrapped(request: AuthedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if user_is_partner(request.user):
            return redirect("home")
        return view(request, *args, **kwargs)

    return cast(_View, login_required(wrapped))


def client_ip(request: HttpRequest) -> str:
    """The caller's address. REMOTE_ADDR only: a client can forge X-Forwarded-For to dodge a
    rate limit. Behind a proxy, the proxy must set REMOTE_ADDR (gunicorn
    --forwarded-allow-ips, or a middleware in front of the view)."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def rate_limit_hit(request: HttpRequest, *, scope: str, limit: int, window: int) -> bool:
    """Count one attempt of ``scope`` from the caller's address; True once the address is over
    ``limit`` attempts within ``window`` seconds (the public forms' rate limit)."""
    key = f"dirco:{scope}:{client_ip(request)}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count > limit


# The deepest page an offset list serves: beyond it the offset would overflow the database's
# integer (HTTP 500 on a tampered ?page=, finding 5 of the security test).
MAX_PAGE = 10_000


def page_number(request: HttpRequest, *, name: str = "page") -> int:
    """``?page=`` as a page number from 1 to ``MAX_PAGE`` (anything else reads as 1)."""
    raw = request.GET.get(name, "1")
    if not raw.isdigit() or len(raw) > 6:
        return 1
    return min(max(1, int(raw)), MAX_PAGE)
