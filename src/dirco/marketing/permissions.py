"""Who may see and run direct marketing: the one chokepoint of its pages.

- the director and marketing manage everything: segments, templates, campaigns, consent
  records and the suppression list (matrix object ``campaign``);
- every other role, partners above all, sees nothing of it: every page answers 404 (a
  partner never reaches a staff page anyway, see dirco.web.partner_gate).

Through-channel campaigns (matrix object ``partner_campaign``): a partner's users see their
own partner's campaigns (a partner admin: and its child partners', like every partner
record); only a partner admin creates and sends one, for its own partner, from a template
marketing approved for partners; staff see the campaigns of the partners they see
(``partners_visible_to``: the channel manager, the manager's line, the director, marketing).

Social selling (matrix objects ``social_post`` and ``social_share``): marketing and the
director write and publish posts; each published post reaches its audience (staff, partners
or both); everyone in the audience may share it; share results are read like partner
records (a partner: its own; staff: the partners and people they see).

The public links of an email (open pixel, click redirect, unsubscribe, double opt-in
confirmation) and the short links of shares need no login: each is authorised by its signed
token (dirco.marketing.tracking).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from dirco.accounts.models import User
from dirco.accounts.permissions import (
    user_is_director,
    user_is_marketing,
    user_is_partner,
    user_is_partner_admin,
)
from dirco.marketing.models import Campaign, EmailTemplate, Segment, ShareLink, SocialPost
from dirco.partners.models import Partner
from dirco.partners.permissions import partners_visible_to


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


# --- through-channel campaigns -------------------------------------------------------------


def partner_campaigns_visible_to(user: User) -> QuerySet[Campaign]:
    """The through-channel campaigns of the partners ``user`` sees (never a company one)."""
    qs = Campaign.objects.filter(partner__isnull=False)
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if marketing_may_manage(user):
        return qs
    return qs.filter(partner__in=partners_visible_to(user))


def get_partner_campaign_for_user(*, user: User, campaign_id: int | str) -> Campaign:
    try:
        return (
            partner_campaigns_visible_to(user)
            .select_related("template", "partner")
            .get(pk=campaign_id)
        )
    except (Campaign.DoesNotExist, ValueError, TypeError):
        raise Http404("No such campaign.") from None


def partner_campaign_may_create(user: User) -> bool:
    """A partner admin of an active partner, for its own partner only."""
    if not user_is_partner_admin(user) or user.partner_id is None:
        return False
    return Partner.objects.filter(pk=user.partner_id, status=Partner.Status.ACTIVE).exists()


def partner_campaign_can_send(*, user: User, campaign: Campaign) -> bool:
    """Create, edit, schedule or cancel: the partner admin of the campaign's own partner."""
    return partner_campaign_may_create(user) and campaign.partner_id == user.partner_id


def partner_brand_may_edit(user: User) -> bool:
    return user_is_partner_admin(user) and user.partner_id is not None


def partner_templates_for(user: User) -> QuerySet[EmailTemplate]:
    """The templates a partner's users may pick: those marketing approved for partners."""
    if not user_is_partner(user):
        return EmailTemplate.objects.none()
    return EmailTemplate.objects.filter(partner_approved=True)


def get_partner_template_for_user(*, user: User, template_id: int | str) -> EmailTemplate:
    try:
        return partner_templates_for(user).get(pk=template_id)
    except (EmailTemplate.DoesNotExist, ValueError, TypeError):
        raise Http404("No such template.") from None


# --- social selling ------------------------------------------------------------------------


def social_posts_visible_to(user: User) -> QuerySet[SocialPost]:
    """Published posts addressed to ``user`` (marketing and the director: every post)."""
    if not user.is_authenticated or not user.is_active:
        return SocialPost.objects.none()
    if marketing_may_manage(user):
        return SocialPost.objects.all()
    audience = SocialPost.Audience.PARTNERS if user_is_partner(user) else SocialPost.Audience.STAFF
    return SocialPost.objects.filter(
        Q(audience=SocialPost.Audience.EVERYONE) | Q(audience=audience),
        status=SocialPost.Status.PUBLISHED,
    )


def social_posts_shareable_by(user: User) -> QuerySet[SocialPost]:
    """What ``user`` may share: published posts addressed to them (drafts never)."""
    return social_posts_visible_to(user).filter(status=SocialPost.Status.PUBLISHED)


def get_social_post_for_user(*, user: User, post_id: int | str) -> SocialPost:
    try:
        return social_posts_visible_to(user).select_related("document").get(pk=post_id)
    except (SocialPost.DoesNotExist, ValueError, TypeError):
        raise Http404("No such post.") from None


def get_managed_social_post(*, user: User, post_id: int | str) -> SocialPost:
    """A post to edit or publish: marketing and the director only (404 for anyone else)."""
    marketing_require(user)
    return get_social_post_for_user(user=user, post_id=post_id)


def share_links_visible_to(user: User) -> QuerySet[ShareLink]:
    """Whose share results ``user`` reads: a partner user its own partner's; marketing and
    the director everyone's; a manager or a rep their own and those of the partners they
    see (their line's channel, their own)."""
    qs = ShareLink.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if marketing_may_manage(user):
        return qs
    if user_is_partner(user):
        return qs.filter(partner__in=partners_visible_to(user))
    return qs.filter(Q(user=user) | Q(partner__in=partners_visible_to(user)))
