"""What every HTML view of the staff interface shares: the request type and the access gate."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_htmx.middleware import HtmxDetails

from dirco.accounts.models import User

_View = TypeVar("_View", bound=Callable[..., HttpResponse])


class AuthedHttpRequest(HttpRequest):
    """A request that went through login_required and django-htmx's middleware."""

    user: User  # type: ignore[assignment]
    htmx: HtmxDetails


def staff_required(view: _View) -> _View:
    """Log in first; partner users go to their own home until the partner portal exists."""

    @functools.wraps(view)
    def wrapped(request: AuthedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_partner_user:
            return redirect("home")
        return view(request, *args, **kwargs)

    return cast(_View, login_required(wrapped))


# The deepest page an offset list serves: beyond it the offset would overflow the database's
# integer (HTTP 500 on a tampered ?page=, finding 5 of the security test).
MAX_PAGE = 10_000


def page_number(request: HttpRequest, *, name: str = "page") -> int:
    """``?page=`` as a page number from 1 to ``MAX_PAGE`` (anything else reads as 1)."""
    raw = request.GET.get(name, "1")
    if not raw.isdigit() or len(raw) > 6:
        return 1
    return min(max(1, int(raw)), MAX_PAGE)
