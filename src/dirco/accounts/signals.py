"""Login and logout side effects: remember the session, record the login, end every session.

Connected in :meth:`dirco.accounts.apps.AccountsConfig.ready`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import update_last_login
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.http import HttpRequest
from django.utils import timezone

from dirco.accounts.middleware import OTP_STATE_KEY, TRACKED_SESSION_KEY
from dirco.accounts.models import User
from dirco.accounts.security import otp_enabled_for, user_session_record, user_sign_out_everywhere


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


def signals_connect() -> None:
    user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
    user_logged_in.connect(on_user_logged_in, dispatch_uid="dirco_user_logged_in")
    user_logged_out.connect(on_user_logged_out, dispatch_uid="dirco_user_logged_out")
