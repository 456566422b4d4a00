"""Partner users: a partner admin invites the users of its own partner.

The invited user gets an unusable password and an email with a one-time link to the portal's
set-password page (Django's password-reset token: it stops working once the password is set).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from dirco.accounts.models import User
from dirco.accounts.permissions import (
    partner_user_can_change_role,
    partner_user_can_edit,
    partner_users_may_manage,
)
from dirco.core.errors import ApplicationError
from dirco.core.versioning import version_bump, version_check


def partner_user_set_password_url(*, user: User) -> str:
    path = reverse(
        "portal:set_password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.DIRCO_BASE_URL.rstrip("/") + path


def partner_user_invitation_send(*, user: User, invited_by: User) -> None:
    """Email the set-password link, in the invited user's language."""
    url = partner_user_set_password_url(user=user)
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = _("%(inviter)s invites you to the %(company)s partner portal") % {
            "inviter": invited_by.get_full_name() or invited_by.email,
            "company": settings.DIRCO_COMPANY_NAME,
        }
        body = _(
            "Hello,\n\n"
            "%(inviter)s (%(partner)s) created your account on the %(company)s partner "
            "portal. Choose your password with this link (it works once):\n\n%(url)s\n\n"
            "Then sign in with your email address, %(email)s.\n"
        ) % {
            "inviter": invited_by.get_full_name() or invited_by.email,
            "partner": user.partner.name if user.partner else "",
            "company": settings.DIRCO_COMPANY_NAME,
            "url": url,
            "email": user.email,
        }
    send_mail(subject, body, None, [user.email])


def partner_user_invite_refused_send(*, email: str, invited_by: User) -> None:
    """Tell the owner of an existing address that someone tried to invite it (no account is
    created, nothing changes)."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("An invitation to the %(company)s partner portal") % {
            "company": settings.DIRCO_COMPANY_NAME
        }
        body = _(
            "Hello,\n\n"
            "A partner administrator tried to invite this address to the %(company)s partner "
            "portal, but it already has an account, so nothing was changed. If you need "
            "access for another company, ask your channel manager.\n"
        ) % {"company": settings.DIRCO_COMPANY_NAME}
    send_mail(subject, body, None, [email])


@transaction.atomic
def partner_user_invite(
    *, invited_by: User, email: str, first_name: str = "", last_name: str = ""
) -> User | None:
    """Create a partner user of the admin's own partner, and email the invitation on commit.

    The answer is the same whether or not the address already has an account: the page may
    not tell a partner admin who else uses dirco (finding 9 of the security test). For an
    address that has an account, nothing is created and its owner is told by email; the
    result is then ``None``.
    """
    if not partner_users_may_manage(user=invited_by):
        raise PermissionDenied(_("Only a partner admin invites users."))
    email = User.objects.normalize_email(email.strip()).lower()
    if not email:
        raise ApplicationError(
            _("Enter the email address to invite."),
            fields={"email": [_("This field is required.")]},
        )
    if User.objects.filter(email__iexact=email).exists():
        transaction.on_commit(
            lambda: partner_user_invite_refused_send(email=email, invited_by=invited_by)
        )
        return None
    user = User.objects.create_user(
        email,
        password=None,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        role=User.Role.PARTNER_USER,
        partner_id=invited_by.partner_id,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    transaction.on_commit(lambda: partner_user_invitation_send(user=user, invited_by=invited_by))
    return user


@transaction.atomic
def partner_user_update(
    *,
    user: User,
    by: User,
    first_name: str | None = None,
    last_name: str | None = None,
    role: str | None = None,
    expected_version: int | None = None,
) -> User:
    """A partner admin renames a user of its partner or makes it an admin or a plain user
    (``None``: unchanged). Never staff, never another partner's user, never its own role."""
    if not partner_user_can_edit(by=by, user=user):
        raise PermissionDenied(_("Only your partner's admin changes its users."))
    user = User.objects.select_for_update().get(pk=user.pk)
    version_check(user, expected_version)
    fields: list[str] = []
    if first_name is not None:
        user.first_name = first_name.strip()
        fields.append("first_name")
    if last_name is not None:
        user.last_name = last_name.strip()
        fields.append("last_name")
    if role is not None and role != user.role:
        if role not in User.PARTNER_ROLES:
            raise ApplicationError(
                _("A partner's user is a partner admin or a partner user."),
                fields={"role": [_("Choose partner_admin or partner_user.")]},
            )
        if not partner_user_can_change_role(by=by, user=user):
            raise ApplicationError(
                _("You may not change your own role: ask another admin of your company."),
                fields={"role": [_("Not your own.")]},
            )
        user.role = role
        fields.append("role")
    if fields:
        version_bump(user)
        user.save(update_fields=[*fields, "version"])
    return user
