"""The user's API tokens page (``/security/tokens/``): create (key shown once) and revoke.

The same services as the API (``api_token_create``, ``api_token_revoke``) and the same
selectors (a user sees and revokes only their own tokens).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from dirco.accounts.models import User
from dirco.accounts.selectors import api_tokens_of, get_api_token_for_user
from dirco.accounts.services import api_token_create, api_token_revoke
from dirco.core.errors import ApplicationError
from dirco.core.text import TextRulesFormMixin


class ApiTokenForm(TextRulesFormMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    days = forms.IntegerField(
        label=gettext_lazy("Expires after (days)"),
        min_value=1,
        max_value=3650,
        initial=90,
        required=False,
        help_text=gettext_lazy("Leave empty for a token that does not expire."),
    )
    read_only = forms.BooleanField(
        label=gettext_lazy("Read-only (may only read, never change data)"), required=False
    )


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
@require_http_methods(["GET", "POST"])
def api_token_list_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["days"]
        try:
            _token, new_key = api_token_create(
                user=user,
                name=form.cleaned_data["name"],
                expires_at=timezone.now() + dt.timedelta(days=days) if days else None,
                read_only=form.cleaned_data["read_only"],
            )
        except ApplicationError as exc:
            for name, errors in exc.fields.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            form = ApiTokenForm()
    response = render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "tokens": api_tokens_of(user), "new_key": new_key, "now": timezone.now()},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def api_token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_api_token_for_user(user=_user(request), token_id=token_id)
    api_token_revoke(token=token)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api_tokens")
