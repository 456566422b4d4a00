"""What every HTML view of the staff interface shares: the request type and the access gate."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.conf import settings
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


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in settings.DIRCO_TRUSTED_PROXIES)


def client_ip(request: HttpRequest) -> str:
    """The caller's address, for rate limits, lockouts (django-axes) and logs.

    REMOTE_ADDR, unless it is one of the trusted proxies (``DIRCO_TRUSTED_PROXIES``): then the
    X-Forwarded-For list is read from the right, skipping the trusted hops, and the first
    address not trusted is the client. A client's own X-Forwarded-For is ignored when it
    reaches dirco directly, so it cannot forge its address to dodge a limit."""
    remote = str(request.META.get("REMOTE_ADDR") or "unknown")
    if not settings.DIRCO_TRUSTED_PROXIES or not _trusted(remote):
        return remote
    hops = [h.strip() for h in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    for hop in reversed([h for h in hops if h]):
        if not _trusted(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote  # a garbled header: fall back to the proxy's address
    return remote


def client_ip_address(request: HttpRequest) -> str | None:
    """:func:`client_ip` when it is an IP address, else None (no REMOTE_ADDR, as in a test
    client's login or behind a Unix socket): django-axes stores it in an IP address column,
    which PostgreSQL checks."""
    ip = client_ip(request)
    try:
        return str(ipaddress.ip_address(ip))
    except ValueError:
        return None


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
