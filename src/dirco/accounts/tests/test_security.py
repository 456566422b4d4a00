"""Lockout, passwords, sessions and tokens, deactivation, two-factor, headers, deploy check."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from dirco.accounts.models import ApiToken, User, UserSession
from dirco.accounts.security import (
    otp_backup_codes_regenerate,
    user_deactivate,
    user_sign_out_everywhere,
)
from dirco.accounts.services import api_token_create
from dirco.conftest import PASSWORD, Company
from dirco.core.errors import ApplicationError

LOGIN = "/login/"


def _login(client: Client, email: str, password: str, address: str = "10.0.0.1") -> int:
    response = client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=address)
    return response.status_code


def _bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


# Lockout -----------------------------------------------------------------------------------


def test_login_with_right_password_redirects(company: Company) -> None:
    assert _login(Client(), company.rep.email, PASSWORD) == 302


def test_five_failures_lock_the_user_from_that_address_only(company: Company) -> None:
    attacker = Client()
    for _i in range(4):
        assert _login(attacker, company.rep.email, "wrong-password", "10.6.6.6") == 200
    assert _login(attacker, company.rep.email, "wrong-password", "10.6.6.6") == 429
    locked = attacker.post(
        LOGIN, {"username": company.rep.email, "password": PASSWORD}, REMOTE_ADDR="10.6.6.6"
    )
    assert locked.status_code == 429
    assert "Too many attempts" in locked.content.decode()
    assert "Wait 15 minutes" in locked.content.decode()
    # Case changes do not buy the attacker more attempts.
    assert _login(Client(), company.rep.email.upper(), PASSWORD, "10.6.6.6") == 429
    # The real user, elsewhere, still logs in; another user from that address too.
    assert _login(Client(), company.rep.email, PASSWORD, "10.0.0.9") == 302
    assert _login(Client(), company.manager.email, PASSWORD, "10.6.6.6") == 302


def test_lockout_ends_after_the_cool_off(company: Company) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        for _i in range(5):
            _login(Client(), company.rep.email, "wrong-password", "10.6.6.6")
        assert _login(Client(), company.rep.email, PASSWORD, "10.6.6.6") == 429
        clock.shift(dt.timedelta(minutes=16))
        assert _login(Client(), company.rep.email, PASSWORD, "10.6.6.6") == 302


def test_four_failures_then_success_resets_the_counter(company: Company) -> None:
    for _i in range(4):
        _login(Client(), company.rep.email, "wrong-password")
    assert _login(Client(), company.rep.email, PASSWORD) == 302
    for _i in range(4):
        _login(Client(), company.rep.email, "wrong-password")
    assert _login(Client(), company.rep.email, PASSWORD) == 302


# Passwords ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["Xq9#vT2mLp", "password1234", "123456789012", "ann.martin.sales"],
)
def test_password_validators_refuse(password: str) -> None:
    user = User(email="ann.martin.sales@example.test", first_name="Ann", last_name="Martin")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_password_validators_accept_a_long_unusual_password() -> None:
    validate_password("tidal-copper-lantern-88", User(email="ann@example.test"))


# Sessions and tokens -----------------------------------------------------------------------


def test_login_rotates_the_session_key(company: Company) -> None:
    client = Client()
    session = client.session
    session["before_login"] = True
    session.save()
    key_before = session.session_key
    client.cookies["sessionid"] = key_before
    assert _login(client, company.rep.email, PASSWORD) == 302
    key_after = client.cookies["sessionid"].value
    assert key_after != key_before
    assert not Session.objects.filter(session_key=key_before).exists()
    assert UserSession.objects.filter(user=company.rep, session_key=key_after).exists()


def test_deactivation_ends_sessions_and_tokens(company: Company) -> None:
    rep = company.rep
    browser, phone = Client(), Client()
    browser.force_login(rep)
    phone.force_login(rep)
    _token, key = api_token_create(user=rep, name="CRM sync")
    assert browser.get("/").status_code == 200
    assert Client().get("/api/v1/me", **_bearer(key)).status_code == 200
    assert UserSession.objects.filter(user=rep).count() == 2

    user_deactivate(user=rep, by=company.director)

    rep.refresh_from_db()
    assert not rep.is_active
    for client in (browser, phone):
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert Client().get("/api/v1/me", **_bearer(key)).status_code == 401
    assert not ApiToken.objects.filter(user=rep, revoked_at__isnull=True).exists()
    assert not UserSession.objects.filter(user=rep).exists()
    assert _login(Client(), rep.email, PASSWORD) == 200  # the form refuses an inactive user


def test_deactivation_is_refused_to_whoever_may_not(company: Company) -> None:
    with pytest.raises(ApplicationError):
        user_deactivate(user=company.other_rep, by=company.rep)
    with pytest.raises(ApplicationError):
        user_deactivate(user=company.partner_b_user, by=company.partner_a_admin)
    with pytest.raises(ApplicationError):
        user_deactivate(user=company.director, by=company.director)
    user_deactivate(user=company.partner_a_user, by=company.partner_a_admin)
    company.partner_a_user.refresh_from_db()
    assert not company.partner_a_user.is_active


def test_admin_action_deactivates(company: Company) -> None:
    admin = User.objects.create_superuser("root@example.test", PASSWORD)
    _token, key = api_token_create(user=company.rep, name="script")
    client = Client()
    client.force_login(admin)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "deactivate", "_selected_action": [company.rep.pk, company.other_rep.pk]},
    )
    assert response.status_code == 302
    assert not User.objects.filter(pk__in=[company.rep.pk, company.other_rep.pk], is_active=True)
    assert Client().get("/api/v1/me", **_bearer(key)).status_code == 401


def test_logout_ends_every_session_and_token(company: Company) -> None:
    laptop, phone = Client(), Client()
    laptop.force_login(company.rep)
    phone.force_login(company.rep)
    _token, key = api_token_create(user=company.rep, name="script")
    assert laptop.post(reverse("logout")).status_code == 302
    assert phone.get("/").status_code == 302
    assert Client().get("/api/v1/me", **_bearer(key)).status_code == 401
    assert not UserSession.objects.filter(user=company.rep).exists()
    # Others are untouched.
    other = Client()
    other.force_login(company.manager)
    laptop.force_login(company.rep)
    laptop.post(reverse("logout"))
    assert other.get("/").status_code == 200


@override_settings(DIRCO_LOGOUT_EVERYWHERE=False)
def test_logout_can_end_only_this_session(company: Company) -> None:
    laptop, phone = Client(), Client()
    laptop.force_login(company.rep)
    phone.force_login(company.rep)
    laptop.post(reverse("logout"))
    assert phone.get("/").status_code == 200


def test_sign_out_everywhere_finds_sessions_whose_key_changed(company: Company) -> None:
    client = Client()
    client.force_login(company.rep)
    session = client.session
    session.cycle_key()  # what a password change does
    session.save()
    client.cookies["sessionid"] = session.session_key
    assert client.get("/").status_code == 200  # the middleware records the new key
    user_sign_out_everywhere(user=company.rep)
    assert client.get("/").status_code == 302


def test_login_does_not_write_user_history(company: Company) -> None:
    rows = company.rep.history.count()
    assert _login(Client(), company.rep.email, PASSWORD) == 302
    company.rep.refresh_from_db()
    assert company.rep.last_login is not None
    assert company.rep.history.count() == rows


# Two-factor --------------------------------------------------------------------------------


def _totp(device: TOTPDevice) -> str:
    return (
        f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"
    )


def _enrol(client: Client, user: User) -> tuple[TOTPDevice, list[str]]:
    page = client.get(reverse("otp_enrol"))
    assert page.status_code == 200
    assert b"data:image/svg+xml" in page.content
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("otp_enrol"), {"token": _totp(device)})
    assert response.status_code == 200
    codes = list(response.context["codes"])
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed
    return device, codes


def test_enrol_then_each_login_asks_for_a_code(company: Company) -> None:
    rep = company.rep
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)) as clock:
        first = Client()
        first.force_login(rep)
        device, codes = _enrol(first, rep)
        assert first.get("/").status_code == 200  # enrolling verified this session

        second = Client()
        assert _login(second, rep.email, PASSWORD) == 302
        response = second.get("/deals/")
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("otp_verify"))
        wrong = second.post(reverse("otp_verify"), {"token": "000000"})
        assert wrong.status_code == 200
        assert second.get("/").status_code == 302
        clock.shift(dt.timedelta(seconds=60))  # a new time step: the code is not a replay
        ok = second.post(reverse("otp_verify"), {"token": _totp(device), "next": "/deals/"})
        assert ok.status_code == 302
        assert ok["Location"] == "/deals/"
        assert second.get("/").status_code == 200

        third = Client()
        _login(third, rep.email, PASSWORD)
        assert third.post(reverse("otp_verify"), {"token": codes[0]}).status_code == 302
        assert third.get("/").status_code == 200
        assert not StaticToken.objects.filter(token=codes[0]).exists()  # single use


def test_enrolling_ends_the_other_sessions(company: Company) -> None:
    other = Client()
    other.force_login(company.rep)
    first = Client()
    first.force_login(company.rep)
    _enrol(first, company.rep)
    assert other.get("/").status_code == 302


def test_a_wrong_code_does_not_confirm_enrolment(company: Company) -> None:
    client = Client()
    client.force_login(company.rep)
    client.get(reverse("otp_enrol"))
    response = client.post(reverse("otp_enrol"), {"token": "123456"})
    assert response.status_code == 200
    assert response.context["form"].errors["token"]
    assert not TOTPDevice.objects.filter(user=company.rep, confirmed=True).exists()


@override_settings(DIRCO_OTP_REQUIRED_ROLES=frozenset({"director"}))
def test_required_role_must_enrol_before_anything_else(company: Company) -> None:
    director = Client()
    director.force_login(company.director)
    response = director.get("/deals/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("otp_enrol"))
    api = director.get("/api/v1/me")
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "otp_required"
    assert director.get("/healthz").status_code == 200
    # A bearer token is a separate credential and is not gated.
    _token, key = api_token_create(user=company.director, name="script")
    assert Client().get("/api/v1/me", **_bearer(key)).status_code == 200
    # Other roles are not concerned.
    rep = Client()
    rep.force_login(company.rep)
    assert rep.get("/").status_code == 200
    # After set-up the director gets through, and cannot turn it off.
    _enrol(director, company.director)
    assert director.get("/").status_code == 200
    director.post(reverse("otp_disable"))
    assert TOTPDevice.objects.filter(user=company.director, confirmed=True).exists()


def test_disable_and_new_backup_codes_need_a_verified_session(company: Company) -> None:
    client = Client()
    client.force_login(company.rep)
    _enrol(client, company.rep)
    fresh = client.post(reverse("otp_backup_codes"))
    assert fresh.status_code == 200
    assert len(fresh.context["codes"]) == 10
    assert StaticToken.objects.filter(device__user=company.rep).count() == 10
    assert client.post(reverse("otp_disable")).status_code == 302
    assert not TOTPDevice.objects.filter(user=company.rep).exists()
    assert client.get(reverse("otp_status")).status_code == 200


def test_backup_codes_replace_the_old_ones(company: Company) -> None:
    old = otp_backup_codes_regenerate(user=company.rep)
    new = otp_backup_codes_regenerate(user=company.rep)
    assert not StaticToken.objects.filter(token__in=set(old) - set(new)).exists()


# Headers and deploy check ------------------------------------------------------------------


def test_security_headers_on_pages(company: Company) -> None:
    client = Client()
    client.force_login(company.rep)
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert "img-src 'self' data:" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_login_page_has_no_inline_script() -> None:
    content = Client().get(LOGIN).content.decode()
    assert "<script>" not in content
    assert " onclick=" not in content and " onchange=" not in content


def test_deploy_check_passes_with_production_settings(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DIRCO_", "PYTEST")) and key != "DEBUG"
    }
    env.update(
        {
            "DIRCO_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(48)[:50],
            "ALLOWED_HOSTS": "dirco.example.com",
            "DIRCO_HOME": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "dirco.settings",
        }
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.core.management import call_command; "
            "call_command('check', deploy=True, fail_level='WARNING')",
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_test_client_login_works_when_given_a_request(company: Company) -> None:
    """django-axes needs the request: tests use force_login, or login(request=...)."""
    from django.http import HttpRequest

    request = HttpRequest()
    request.META["REMOTE_ADDR"] = "127.0.0.1"
    client = Client()
    assert client.login(request=request, username=company.rep.email, password=PASSWORD)
    assert client.get("/").status_code == 200
