"""Who a partner admin may see and manage in the portal: the users of its own partner only.

Never staff, never the users of another partner (child partners manage their own users).
The rules live in :mod:`dirco.accounts.permissions`, beside every other role check.
"""

from __future__ import annotations

from dirco.accounts.permissions import (
    get_partner_user_for_admin,
    partner_users_may_manage,
    partner_users_visible_to,
)

__all__ = ["get_partner_user_for_admin", "partner_users_may_manage", "partner_users_visible_to"]
