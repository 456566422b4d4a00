"""Ending sessions and API tokens, deactivating users, and the TOTP second factor.

Sessions are found through :class:`~dirco.accounts.models.UserSession` (filled at login and
by :class:`~dirco.accounts.middleware.SessionTrackingMiddleware`), so ending a user's sessions
does not scan the session table, and works with any session engine.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from dirco.accounts.models import ApiToken, User, UserSession
from dirco.accounts.permissions import user_can_deactivate
from dirco.core.errors import ApplicationError

if TYPE_CHECKING:
    from django.contrib.sessions.backends.base import SessionBase
    from django_otp.models import Device

BACKUP_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
BACKUP_DEVICE_NAME = "backup"


# Brute force --------------------------------------------------------------------------------


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The login name django-axes counts failures against: the email, case-insensitively.

    Without this, ``Ann@x.test`` and ``ann@x.test`` would be two lock counters.
    """
    field = settings.AXES_USERNAME_FORM_FIELD
    value = (credentials or {}).get(field) or request.POST.get(field) or ""
    return str(value).strip().lower() or None


def axes_lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None,
    credentials: dict[str, Any] | None,
) -> HttpResponse:
    """The page a locked-out login gets: what happened and how long to wait (HTTP 429)."""
    cool_off = settings.AXES_COOLOFF_TIME
    minutes = int(cool_off.total_seconds() // 60) if cool_off else 0
    return render(
        request,
        "accounts/lockout.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes},
        status=429,
    )


# Sessions and tokens ------------------------------------------------------------------------


def _session_store(session_key: str) -> SessionBase:
    engine = import_module(settings.SESSION_ENGINE)
    store: SessionBase = engine.SessionStore(session_key=session_key)
    return store


def user_session_record(*, user: User, session_key: str) -> None:
    """Remember that ``session_key`` is a session of ``user``."""
    if not session_key:
        return
    UserSession.objects.update_or_create(session_key=session_key, defaults={"user": user})


@transaction.atomic
def user_sessions_end(*, user: User, keep_session_key: str | None = None) -> int:
    """End every session of ``user`` (except ``keep_session_key``); the number ended."""
    rows = UserSession.objects.filter(user=user)
    if keep_session_key:
        rows = rows.exclude(session_key=keep_session_key)
    keys = list(rows.values_list("session_key", flat=True))
    for key in keys:
        _session_store(key).delete()
    rows.delete()
    return len(keys)


@transaction.atomic
def user_api_tokens_revoke(*, user: User) -> int:
    """Revoke every live API token of ``user``; the number revoked."""
    now = timezone.now()
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=now, updated_at=now
    )


@transaction.atomic
def user_sign_out_everywhere(*, user: User) -> None:
    """End every session and revoke every API token of ``user``."""
    user_sessions_end(user=user)
    user_api_tokens_revoke(user=user)


# What ends every session and API token of a user (the one list; dirco.accounts.signals
# connects the model triggers, so whoever makes the change, a page, the admin, a command or a
# service, the credentials issued before no longer speak for the user):
# - a change of CREDENTIAL_FIELDS: the password (a change or a reset), the role, the partner,
#   deactivation (the User model's save);
# - turning two-factor on: an authenticator (TOTP device) becoming confirmed, by the set-up
#   page or any other path. Tokens and sessions made with the password alone must not outlive
#   the second factor; the browser that enrolled keeps its session (``keep_session_key``);
# - logging out when DIRCO_LOGOUT_EVERYWHERE is on, and deactivation (user_deactivate).
CREDENTIAL_FIELDS = ("password", "role", "partner_id", "is_active")


def user_credentials_changed(*, before: dict[str, object], user: User) -> list[str]:
    """The credential fields that differ between ``before`` (the stored row) and ``user``."""
    return [f for f in CREDENTIAL_FIELDS if before.get(f) != getattr(user, f)]


@transaction.atomic
def user_credentials_revoke(*, user: User, keep_session_key: str | None = None) -> None:
    """End every session (but ``keep_session_key``) and revoke every API token of ``user``
    after a password change or reset, a role or partner change, deactivation (finding 4 of
    the security test), or turning two-factor on (the list above ``CREDENTIAL_FIELDS``).

    The browser that changed its own password stays logged in: Django's
    ``update_session_auth_hash`` gives it a new session afterwards.
    """
    user_sessions_end(user=user, keep_session_key=keep_session_key)
    user_api_tokens_revoke(user=user)


# Set on a TOTP device by otp_enrol_confirm: the session that enrolled, kept when the device's
# confirmation ends the user's other sessions (dirco.accounts.signals).
KEEP_SESSION_ATTR = "_dirco_keep_session_key"


def otp_device_turned_on(*, device: TOTPDevice, update_fields: Any = None) -> bool:
    """Whether saving ``device`` turns two-factor on: a confirmed device that is new or was
    not confirmed in the stored row (saves of a confirmed device, such as the counters a
    verification updates, are not)."""
    if not device.confirmed:
        return False
    if update_fields is not None and "confirmed" not in update_fields:
        return False
    if device.pk is None:
        return True
    stored = TOTPDevice.objects.filter(pk=device.pk).values_list("confirmed", flat=True).first()
    return not stored


@transaction.atomic
def user_deactivate(*, user: User, by: User) -> User:
    """Deactivate ``user``: no more login, and every session and API token ends now."""
    if not user_can_deactivate(by=by, user=user):
        if by.pk == user.pk:
            raise ApplicationError(_("You cannot deactivate yourself: ask an administrator."))
        raise ApplicationError(_("You may not deactivate this user."))
    if user.is_active:
        user.is_active = False
        user._history_user = by  # type: ignore[attr-defined]  # read by django-simple-history
        user.save(update_fields=["is_active"])
    user_sign_out_everywhere(user=user)
    return user


# Second factor (TOTP and backup codes) ------------------------------------------------------


def otp_required_for(user: User | AnonymousUser) -> bool:
    """Whether the settings require a second factor of this user (DIRCO_OTP_REQUIRED_ROLES)."""
    if not isinstance(user, User):
        return False
    roles: frozenset[str] = settings.DIRCO_OTP_REQUIRED_ROLES
    return user.role in roles or ("staff" in roles and (user.is_staff or user.is_superuser))


def otp_enabled_for(user: User) -> bool:
    return bool(user_has_device(user, confirmed=True))


# The session key recording whether the user had a confirmed second-factor device when this
# session began (so a device added elsewhere later does not lock an open session out).
OTP_STATE_KEY = "dirco_otp_enabled"


def session_second_factor_owed(request: HttpRequest, user: User) -> str | None:
    """What a logged-in session still owes before it may act as ``user``: ``"otp_verify"``
    (a code), ``"otp_enrol"`` (setting a device up, when DIRCO_OTP_REQUIRED_ROLES asks for
    one), or ``None`` when nothing is owed.

    The one answer for every interface: the page middleware
    (:class:`~dirco.accounts.middleware.OtpRequiredMiddleware`) and the API's session
    authentication (:class:`~dirco.api.auth.SessionAuth`) both ask it, whatever headers the
    request carries (finding 1 of the security test: a bearer header used to skip it).
    Whether the factor passed is recorded in the session by django-otp's ``login`` (the
    verified device), read back here through ``user.is_verified()``.
    """
    if user.is_verified():  # type: ignore[attr-defined]  # set by django-otp's middleware
        return None
    session = request.session
    enabled = session.get(OTP_STATE_KEY)
    if enabled is None:  # a session from before two-factor existed
        enabled = otp_enabled_for(user)
        session[OTP_STATE_KEY] = enabled
    if enabled:
        return "otp_verify"
    if otp_required_for(user):
        return "otp_enrol"
    return None


@transaction.atomic
def otp_enrol_start(*, user: User) -> TOTPDevice:
    """The user's pending (unconfirmed) authenticator, created if needed."""
    if otp_enabled_for(user):
        raise ApplicationError(_("Two-factor authentication is already on for your account."))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def _token_clean(token: str) -> str:
    return "".join(token.split()).replace("-", "").lower()


@transaction.atomic
def otp_enrol_confirm(
    *, user: User, token: str, keep_session_key: str | None = None
) -> tuple[TOTPDevice, list[str]]:
    """Confirm the pending authenticator with a code from the app; returns new backup codes.

    Confirming it ends every other session and revokes every API token of the user (the
    device's save triggers it, see ``CREDENTIAL_FIELDS``); ``keep_session_key``, the
    enrolling browser's session, stays.
    """
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("-id")
        .first()
    )
    if device is None:
        raise ApplicationError(_("Start the set-up again: no authenticator is waiting."))
    if not device.verify_token(_token_clean(token)):
        raise ApplicationError(
            _("That code is not right. Check the time on your phone and type the current code."),
            fields={"token": [_("Wrong or expired code.")]},
        )
    device.confirmed = True
    setattr(device, KEEP_SESSION_ATTR, keep_session_key)
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    transaction.on_commit(lambda: otp_enrolled_notify(user=user))
    return device, otp_backup_codes_regenerate(user=user)


def otp_enrolled_notify(*, user: User) -> None:
    """Tell the account's address that two-factor was turned on. Whoever holds the password
    enrols first (docs/security.md, design points): this is how the real owner learns of an
    enrolment they did not make."""
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = _("Two-factor authentication is on for your dirco account")
        body = _(
            "Hello,\n\nTwo-factor authentication was just turned on for %(email)s. If you did "
            "not do this, someone else knows your password: tell your administrator now, who "
            "can deactivate the account and reset it.\n"
        ) % {"email": user.email}
    send_mail(subject, body, None, [user.email])


@transaction.atomic
def otp_backup_codes_regenerate(*, user: User) -> list[str]:
    """New single-use backup codes (the old ones stop working). Show them once."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _i in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def otp_backup_codes_left(*, user: User) -> int:
    count: int = StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
    return count


@transaction.atomic
def otp_token_verify(*, user: User, token: str) -> Device | None:
    """The confirmed device that accepts ``token`` (an app code or a backup code), or None.

    Devices throttle repeated failures themselves (django-otp's ThrottlingMixin).
    """
    token = _token_clean(token)
    if not token:
        return None
    for device in devices_for_user(user, confirmed=True, for_verify=True):
        if device.verify_token(token):
            return device  # type: ignore[no-any-return]
    return None


@transaction.atomic
def otp_disable(*, user: User) -> None:
    """Remove every second-factor device of ``user``."""
    if otp_required_for(user):
        raise ApplicationError(_("Two-factor authentication is required for your role."))
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
