"""The portal's access gates: partner users only; staff go back to their own home."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.http.response import HttpResponseBase
from django.shortcuts import redirect

from dirco.accounts.permissions import user_is_partner, user_is_partner_admin
from dirco.web.http import AuthedHttpRequest

_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])


def partner_required(view: _View) -> _View:
    """Log in first; staff users are sent to the staff home (the portal is not theirs)."""

    @functools.wraps(view)
    def wrapped(request: AuthedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not user_is_partner(request.user) or request.user.partner_id is None:
            return redirect("home")
        return view(request, *args, **kwargs)

    return cast(_View, login_required(wrapped))


def partner_admin_required(view: _View) -> _View:
    """Partner admins only: a partner user gets 404, as if the page did not exist."""

    @functools.wraps(view)
    def wrapped(request: AuthedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not user_is_partner_admin(request.user):
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return partner_required(cast(_View, wrapped))
