"""Who may see and run direct marketing: the one chokepoint of its pages.

- the director and marketing manage everything: segments, templates, campaigns, consent
  records and the suppression list (matrix object ``campaign``);
- every other role, partners above all, sees nothing of it: every page answers 404 (a
  partner never reaches a staff page anyway, see dirco.web.partner_gate).

The public links of an email (open pixel, click redirect, unsubscribe, double opt-in
confirmation) need no login: each is authorised by its signed token (dirco.marketing.tracking).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from dirco.accounts.models import User
from dirco.accounts.permissions import user_is_director, user_is_marketing
from dirco.marketing.models import Campaign, EmailTemplate, Segment


def marketing_may_manage(user: User) -> bool:
    return user_is_director(user) or user_is_marketing(user)


def marketing_require(user: User) -> None:
    """404 for whoever may not manage marketing (the pages do not exist for them)."""
    if not marketing_may_manage(user):
        raise Http404("No such page.")


def segments_visible_to(user: User) -> QuerySet[Segment]:
    return Segment.objects.all() if marketing_may_manage(user) else Segment.objects.none()


def get_segment_for_user(*, user: User, segment_id: int | str) -> Segment:
    try:
        return segments_visible_to(user).get(pk=segment_id)
    except (Segment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such segment.") from None


def templates_visible_to(user: User) -> QuerySet[EmailTemplate]:
    if not marketing_may_manage(user):
        return EmailTemplate.objects.none()
    return EmailTemplate.objects.all()


def get_template_for_user(*, user: User, template_id: int | str) -> EmailTemplate:
    try:
        return templates_visible_to(user).get(pk=template_id)
    except (EmailTemplate.DoesNotExist, ValueError, TypeError):
        raise Http404("No such template.") from None


def campaigns_visible_to(user: User) -> QuerySet[Campaign]:
    return Campaign.objects.all() if marketing_may_manage(user) else Campaign.objects.none()


def get_campaign_for_user(*, user: User, campaign_id: int | str) -> Campaign:
    try:
        return campaigns_visible_to(user).select_related("segment", "template").get(pk=campaign_id)
    except (Campaign.DoesNotExist, ValueError, TypeError):
        raise Http404("No such campaign.") from None
