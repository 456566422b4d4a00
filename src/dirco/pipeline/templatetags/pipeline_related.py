"""The deals block of the partner and account pages, read where it is shown.

``{% related_work_of partner=partner as work %}`` gives the template the figures, latest
deals and activities of a partner or an account among what the logged-in user may see
(:func:`dirco.pipeline.selectors.related_work`). The pages' views then need nothing from the
pipeline, which sits above partners and customers.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from dirco.pipeline.selectors import RelatedWork, related_work

register = template.Library()


@register.simple_tag(takes_context=True)
def related_work_of(
    context: template.Context, partner: Any = None, account: Any = None
) -> RelatedWork:
    user = context["request"].user
    return related_work(
        user=user,
        partner_id=partner.pk if partner is not None else None,
        account_id=account.pk if account is not None else None,
        today=timezone.localdate(),
    )
