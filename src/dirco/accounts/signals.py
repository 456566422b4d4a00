"""Login and logout side effects: remember the session, record the login, end every session.

Connected in :meth:`dirco.accounts.apps.AccountsConfig.ready`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import update_last_login
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save, pre_save
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from dirco.accounts.middleware import TRACKED_SESSION_KEY
from dirco.accounts.models import User
from dirco.accounts.security import (
    CREDENTIAL_FIELDS,
    KEEP_SESSION_ATTR,
    OTP_STATE_KEY,
    otp_device_turned_on,
    otp_enabled_for,
    user_credentials_changed,
    user_credentials_revoke,
    user_session_record,
    user_sign_out_everywhere,
)


def on_user_logged_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if not isinstance(user, User):
        return
    # A queryset update: a login is not a change of the user worth a row in the audit trail.
    now = timezone.now()
    User.objects.filter(pk=user.pk).update(last_login=now)
    user.last_login = now
    session = getattr(request, "session", None)
    if session is None:
        return
    if session.session_key is None:
        session.save()
    key = session.session_key or ""
    user_session_record(user=user, session_key=key)
    session[TRACKED_SESSION_KEY] = key
    session[OTP_STATE_KEY] = otp_enabled_for(user)


def on_user_logged_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if isinstance(user, User) and settings.DIRCO_LOGOUT_EVERYWHERE:
        user_sign_out_everywhere(user=user)


def on_user_pre_save(sender: Any, instance: User, update_fields: Any = None, **kwargs: Any) -> None:
    """Note which credential fields this save changes (compared with the stored row)."""
    instance._dirco_credentials_changed = []  # type: ignore[attr-defined]
    if instance.pk is None or kwargs.get("raw"):
        return
    if update_fields is not None and not set(update_fields) & {
        "password",
        "role",
        "partner",
        "partner_id",
        "is_active",
    }:
        return
    before = User.objects.filter(pk=instance.pk).values(*CREDENTIAL_FIELDS).first()
    if before is not None:
        instance._dirco_credentials_changed = user_credentials_changed(  # type: ignore[attr-defined]
            before=before, user=instance
        )


def on_user_post_save(sender: Any, instance: User, created: bool, **kwargs: Any) -> None:
    """Any path that changes a password, a role, a partner or deactivates (pages, the admin,
    commands, services) ends the user's sessions and API tokens: checked on the model so that
    no new path can forget it."""
    if getattr(instance, "_dirco_credentials_changed", None):
        user_credentials_revoke(user=instance)
        instance._dirco_credentials_changed = []  # type: ignore[attr-defined]


def on_totp_pre_save(
    sender: Any, instance: TOTPDevice, update_fields: Any = None, **kwargs: Any
) -> None:
    """Note whether this save turns two-factor on (a device becoming confirmed)."""
    instance._dirco_turned_on = not kwargs.get("raw") and otp_device_turned_on(  # type: ignore[attr-defined]
        device=instance, update_fields=update_fields
    )


def on_totp_post_save(sender: Any, instance: TOTPDevice, **kwargs: Any) -> None:
    """Turning two-factor on, by the set-up page or any other path (the admin), ends the
    user's other sessions and revokes their API tokens (security.CREDENTIAL_FIELDS's list)."""
    if getattr(instance, "_dirco_turned_on", False):
        instance._dirco_turned_on = False  # type: ignore[attr-defined]
        user_credentials_revoke(
            user=instance.user, keep_session_key=getattr(instance, KEEP_SESSION_ATTR, None)
        )


def signals_connect() -> None:
    pre_save.connect(on_user_pre_save, sender=User, dispatch_uid="dirco_user_pre_save")
    post_save.connect(on_user_post_save, sender=User, dispatch_uid="dirco_user_post_save")
    pre_save.connect(on_totp_pre_save, sender=TOTPDevice, dispatch_uid="dirco_totp_pre_save")
    post_save.connect(on_totp_post_save, sender=TOTPDevice, dispatch_uid="dirco_totp_post_save")
    user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
    user_logged_in.connect(on_user_logged_in, dispatch_uid="dirco_user_logged_in")
    user_logged_out.connect(on_user_logged_out, dispatch_uid="dirco_user_logged_out")
