"""The staff navigation's optional entries of the partner programme (the navigation lives in
dirco.web, which imports no app: it loads this library instead)."""

from __future__ import annotations

from typing import Any

from django import template

from dirco.accounts.permissions import user_is_partner, user_manages_people
from dirco.marketing.permissions import marketing_may_manage
from dirco.registrations.permissions import application_can_review, tier_review_may_run
from dirco.webhooks.permissions import webhooks_can_manage

register = template.Library()


@register.simple_tag
def nav_flags(user: Any) -> dict[str, bool]:
    """Which optional entries of the staff navigation this user gets."""
    if not getattr(user, "is_authenticated", False) or user_is_partner(user):
        return {
            "applications": False,
            "tier_review": False,
            "webhooks": False,
            "team_dynamics": False,
            "marketing": False,
        }
    return {
        "applications": application_can_review(user=user),
        "tier_review": tier_review_may_run(user=user),
        "webhooks": webhooks_can_manage(user),
        # dirco.dynamics.permissions.dynamics_can_view asks the same predicate.
        "team_dynamics": user_manages_people(user),
        "marketing": marketing_may_manage(user),
    }
