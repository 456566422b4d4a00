"""Portal writes. Inviting a partner user is an accounts service (dirco.accounts.partner_users);
the names stay importable from here for older callers."""

from __future__ import annotations

from dirco.accounts.partner_users import (
    partner_user_invitation_send,
    partner_user_invite,
    partner_user_invite_refused_send,
    partner_user_set_password_url,
)

__all__ = [
    "partner_user_invitation_send",
    "partner_user_invite",
    "partner_user_invite_refused_send",
    "partner_user_set_password_url",
]
