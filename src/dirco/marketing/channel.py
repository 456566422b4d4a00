"""Through-channel marketing: marketing approves templates for partners, a partner admin
picks one in the portal, dirco co-brands it (dirco.marketing.cobranding) and sends it to the
partner's OWN contacts through the campaigns' sending path (consent and suppression asked by
``sendable_contacts`` as for every campaign); the results roll up to the channel manager.

Writes take the acting user and check it here, whatever the caller (portal page or API).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from dirco.accounts.models import User
from dirco.core.errors import ApplicationError
from dirco.marketing.cobranding import logo_check
from dirco.marketing.consent import sendable_contacts
from dirco.marketing.models import Campaign, EmailTemplate, PartnerBrand, Recipient
from dirco.marketing.permissions import (
    marketing_may_manage,
    partner_brand_may_edit,
    partner_campaign_can_send,
    partner_campaign_may_create,
)
from dirco.marketing.services import campaign_cancel, campaign_schedule
from dirco.partners.models import Contact, Partner

# --- marketing's side: which templates partners may use -------------------------------------


@transaction.atomic
def template_partner_approval_set(
    *, template: EmailTemplate, approved: bool, by: User
) -> EmailTemplate:
    if not marketing_may_manage(by):
        raise PermissionDenied(_("Only marketing approves templates for partners."))
    template = EmailTemplate.objects.select_for_update().get(pk=template.pk)
    template.partner_approved = approved
    template.partner_approved_at = timezone.now() if approved else None
    template.save(update_fields=["partner_approved", "partner_approved_at", "updated_at"])
    return template


# --- the partner's brand ------------------------------------------------------------------------


@dataclass(frozen=True)
class BrandInput:
    display_name: str
    signature: str
    reply_to: str
    logo: bytes | None = None  # None: keep the current one
    logo_remove: bool = False


@transaction.atomic
def partner_brand_save(*, partner: Partner, data: BrandInput, by: User) -> PartnerBrand:
    if not partner_brand_may_edit(by) or by.partner_id != partner.pk:
        raise PermissionDenied(_("Only an admin of this partner may change its brand."))
    brand = PartnerBrand.objects.select_for_update().filter(partner=partner).first()
    brand = brand or PartnerBrand(partner=partner)
    brand.display_name = data.display_name.strip()[:120]
    brand.signature = data.signature.strip()
    brand.reply_to = data.reply_to.strip()
    if data.logo_remove:
        brand.logo, brand.logo_type = None, ""
    elif data.logo is not None:
        brand.logo_type = logo_check(data.logo)
        brand.logo = data.logo
    if len(brand.signature) > 1000:
        raise ApplicationError(
            _("The signature has at most 1000 characters."),
            fields={"signature": [_("The signature has at most 1000 characters.")]},
        )
    try:
        brand.full_clean()
    except Exception as exc:
        raise ApplicationError(
            _("Enter a valid reply-to address, or leave it empty."),
            fields={"reply_to": [_("Enter a valid email address.")]},
        ) from exc
    brand.save()
    return brand


# --- the partner's campaigns ----------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerCampaignInput:
    name: str
    template: EmailTemplate


def _template_check(template: EmailTemplate) -> None:
    if not EmailTemplate.objects.filter(pk=template.pk, partner_approved=True).exists():
        raise ApplicationError(
            _("Choose a template approved for partners."),
            fields={"template": [_("This template is not approved for partners.")]},
        )


@transaction.atomic
def partner_campaign_create(*, data: PartnerCampaignInput, by: User) -> Campaign:
    """A draft campaign of the acting partner admin's own partner (never another's)."""
    if not partner_campaign_may_create(by) or by.partner_id is None:
        raise PermissionDenied(_("Only an admin of an active partner may create a campaign."))
    if not data.name.strip():
        raise ApplicationError(_("Give the campaign a name."), fields={"name": [_("Required.")]})
    _template_check(data.template)
    campaign = Campaign(
        name=data.name.strip(),
        partner_id=by.partner_id,
        segment=None,
        template=data.template,
        created_by=by,
    )
    campaign.full_clean()
    campaign.save()
    return campaign


@transaction.atomic
def partner_campaign_update(
    *, campaign: Campaign, data: PartnerCampaignInput, by: User
) -> Campaign:
    if not partner_campaign_can_send(user=by, campaign=campaign):
        raise PermissionDenied(_("Only an admin of this partner may change its campaign."))
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != Campaign.Status.DRAFT:
        raise ApplicationError(_("Only a draft campaign can be changed."))
    if not data.name.strip():
        raise ApplicationError(_("Give the campaign a name."), fields={"name": [_("Required.")]})
    _template_check(data.template)
    campaign.name = data.name.strip()
    campaign.template = data.template
    campaign.full_clean()
    campaign.save(update_fields=["name", "template", "updated_at"])
    return campaign


def partner_campaign_schedule(*, campaign: Campaign, at: dt.datetime | None, by: User) -> Campaign:
    """Schedule (or send now) the partner's own campaign; its template must still be
    approved (marketing may have withdrawn it since the draft was made)."""
    if not partner_campaign_can_send(user=by, campaign=campaign):
        raise PermissionDenied(_("Only an admin of this partner may send its campaign."))
    _template_check(campaign.template)
    return campaign_schedule(campaign=campaign, at=at, for_partner=True)


def partner_campaign_cancel(*, campaign: Campaign, by: User) -> Campaign:
    if not partner_campaign_can_send(user=by, campaign=campaign) and not marketing_may_manage(by):
        raise PermissionDenied(_("You may not cancel this campaign."))
    return campaign_cancel(campaign=campaign)


def partner_audience(*, partner: Partner) -> dict[str, int]:
    """The partner's own contacts, and how many of them may be emailed today."""
    contacts = Contact.objects.filter(partner=partner)
    return {
        "contacts": contacts.exclude(email="").count(),
        "sendable": sendable_contacts(contacts).count(),
    }


# --- results, rolled up to the channel manager -------------------------------------------------


@dataclass(frozen=True)
class ChannelFigures:
    """The through-channel results of one partner: ``delivered`` counts emails the server
    took (sent, then opened, clicked, unsubscribed or complained); ``opened`` includes the
    clicks; ``bounced`` includes bounces reported after delivery."""

    partner_id: int
    partner_name: str
    campaigns: int
    sent: int
    opened: int
    clicked: int
    bounced: int
    unsubscribed: int
    complained: int

    @property
    def open_rate(self) -> float | None:
        return self.opened / self.sent if self.sent else None

    @property
    def click_rate(self) -> float | None:
        return self.clicked / self.sent if self.sent else None


def channel_figures(*, partners: QuerySet[Partner]) -> list[ChannelFigures]:
    """Per partner of ``partners`` that ran at least one campaign: the one function behind
    the channel manager's page, the portal and the API."""
    r = "marketing_campaigns__recipients__"
    rows = (
        partners.filter(marketing_campaigns__isnull=False)
        .values("pk", "name")
        .annotate(
            campaigns=Count("marketing_campaigns", distinct=True),
            sent=Count(f"{r}pk", filter=Q(**{f"{r}sent_at__isnull": False})),
            opened=Count(f"{r}pk", filter=Q(**{f"{r}opened_at__isnull": False})),
            clicked=Count(f"{r}pk", filter=Q(**{f"{r}clicked_at__isnull": False})),
            bounced=Count(f"{r}pk", filter=Q(**{f"{r}status": Recipient.Status.BOUNCED})),
            unsubscribed=Count(f"{r}pk", filter=Q(**{f"{r}unsubscribed_at__isnull": False})),
            complained=Count(f"{r}pk", filter=Q(**{f"{r}complained_at__isnull": False})),
        )
        .order_by("name", "pk")
    )
    return [
        ChannelFigures(
            partner_id=row["pk"],
            partner_name=row["name"],
            campaigns=row["campaigns"],
            sent=row["sent"],
            opened=row["opened"],
            clicked=row["clicked"],
            bounced=row["bounced"],
            unsubscribed=row["unsubscribed"],
            complained=row["complained"],
        )
        for row in rows
    ]
