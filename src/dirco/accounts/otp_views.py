"""Two-factor pages: status, set-up (QR code drawn here as SVG, no network), verify, backup codes.

The services live in :mod:`dirco.accounts.security`; these views parse and render.
"""

from __future__ import annotations

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from dirco.accounts.models import User
from dirco.accounts.security import (
    OTP_STATE_KEY,
    otp_backup_codes_left,
    otp_backup_codes_regenerate,
    otp_disable,
    otp_enabled_for,
    otp_enrol_confirm,
    otp_enrol_start,
    otp_required_for,
    otp_token_verify,
)
from dirco.core.errors import ApplicationError
from dirco.core.text import TextRulesFormMixin


class OtpTokenForm(TextRulesFormMixin, forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return str(settings.LOGIN_REDIRECT_URL)


def _is_verified(request: HttpRequest) -> bool:
    return bool(request.user.is_verified())  # type: ignore[union-attr]


def _codes_page(request: HttpRequest, codes: list[str]) -> HttpResponse:
    response = render(request, "accounts/otp_backup_codes.html", {"codes": codes})
    response["Cache-Control"] = "no-store"
    return response


@login_required
def otp_status_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "accounts/otp_status.html",
        {
            "enabled": otp_enabled_for(user),
            "required": otp_required_for(user),
            "codes_left": otp_backup_codes_left(user=user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def otp_enrol_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if otp_enabled_for(user):
        request.session[OTP_STATE_KEY] = True
        if not _is_verified(request):
            return redirect("otp_verify")
        return redirect("otp_status")
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            # Confirming ends the user's other sessions and revokes their API tokens: those
            # opened with the password alone must not outlive the second factor.
            device, codes = otp_enrol_confirm(
                user=user,
                token=form.cleaned_data["token"],
                keep_session_key=request.session.session_key,
            )
        except ApplicationError as exc:
            form.add_error("token", exc.message)
        else:
            otp_login(request, device)
            request.session[OTP_STATE_KEY] = True
            messages.success(request, _("Two-factor authentication is on."))
            return _codes_page(request, codes)
    device = otp_enrol_start(user=user)
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "accounts/otp_enrol.html",
        {
            "form": form,
            "qr_data_uri": qr.svg_data_uri(scale=5, border=2),
            "secret": _key_grouped(device.bin_key),
            "required": otp_required_for(user),
            "next": _next_url(request),
        },
    )


def _key_grouped(bin_key: bytes) -> str:
    from base64 import b32encode

    text = b32encode(bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if _is_verified(request):
        return redirect(_next_url(request))
    if not otp_enabled_for(user):
        request.session[OTP_STATE_KEY] = False
        return redirect("otp_enrol" if otp_required_for(user) else _next_url(request))
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = otp_token_verify(user=user, token=form.cleaned_data["token"])
        if device is None:
            form.add_error(
                "token",
                _("That code is not right. Type the current code from your app, or a backup code."),
            )
        else:
            otp_login(request, device)
            return redirect(_next_url(request))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request)})


@login_required
@require_POST
def otp_backup_codes_view(request: HttpRequest) -> HttpResponse:
    if not _is_verified(request):
        return redirect("otp_verify")
    return _codes_page(request, otp_backup_codes_regenerate(user=_user(request)))


@login_required
@require_POST
def otp_disable_view(request: HttpRequest) -> HttpResponse:
    if not _is_verified(request):
        return redirect("otp_verify")
    try:
        otp_disable(user=_user(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        request.session[OTP_STATE_KEY] = False
        messages.success(request, _("Two-factor authentication is off."))
    return redirect("otp_status")
