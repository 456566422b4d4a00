"""Reads of the portal home: attainment of the partner's objective and its tier progress.

Everything comes from the domain selectors (objectives, registrations' tier review, pipeline),
called with the partner user so that their own access checks apply.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dirco.accounts.models import User
from dirco.objectives.fiscal_calendar import fiscal_year_of
from dirco.objectives.selectors import attainment_for
from dirco.partners.models import Partner
from dirco.registrations.partner_figures import TierProgress, tier_progress
from dirco.scopes import Scope


def partner_tier_progress(*, partner: Partner, today: dt.date) -> TierProgress:
    """The partner's tier progress (registrations.partner_figures, as on the partner list)."""
    return tier_progress(partners=[partner], today=today)[partner.pk]


def partner_attainment(*, user: User, partner: Partner, today: dt.date) -> dict[str, Any]:
    """The partner's objective for this fiscal year and where it stands (objectives app)."""
    return attainment_for(
        scope=Scope("partner", partner.pk), period=fiscal_year_of(today), user=user, today=today
    )
