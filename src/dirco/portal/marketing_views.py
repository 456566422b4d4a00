"""The portal's marketing: through-channel campaigns (co-branded, to the partner's own
contacts) and social selling (share marketing's posts, see one's own results).

Every record goes through dirco.marketing.permissions: another partner's campaign answers
404; only a partner admin creates, sends or cancels a campaign, or changes the brand, and
only for its own partner (the services check it again, whatever the caller).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dirco.core.errors import ApplicationError
from dirco.marketing.channel import (
    channel_figures,
    partner_audience,
    partner_brand_save,
    partner_campaign_cancel,
    partner_campaign_create,
    partner_campaign_schedule,
)
from dirco.marketing.channel_views import image_data_url, share_cards, share_redirect
from dirco.marketing.cobranding import brand_context, brand_of, html_cobrand, text_cobrand
from dirco.marketing.forms import BrandForm, PartnerCampaignForm, ScheduleForm
from dirco.marketing.models import PartnerBrand, Recipient
from dirco.marketing.permissions import (
    get_partner_campaign_for_user,
    get_partner_template_for_user,
    get_social_post_for_user,
    partner_brand_may_edit,
    partner_campaign_can_send,
    partner_campaign_may_create,
    partner_campaigns_visible_to,
    partner_templates_for,
    share_links_visible_to,
    social_posts_shareable_by,
)
from dirco.marketing.rendering import contact_context, email_render, template_compile
from dirco.marketing.selectors import campaign_figures
from dirco.marketing.social import share_leaderboard
from dirco.partners.models import Partner
from dirco.portal.http import partner_admin_required, partner_required
from dirco.portal.views import _page, _partner_of, _render
from dirco.web.forms import form_errors_from_application_error
from dirco.web.http import AuthedHttpRequest

SECTION = "campaigns"


@partner_required
def campaign_list_view(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    partner = _partner_of(user)
    campaigns = partner_campaigns_visible_to(user).select_related("template", "partner")
    return _render(
        request,
        "portal/campaign_list.html",
        {
            "page": _page(request, campaigns),
            "templates": partner_templates_for(user)[:50],
            "figures": channel_figures(partners=Partner.objects.filter(pk=partner.pk)),
            "audience": partner_audience(partner=partner),
            "can_create": partner_campaign_may_create(user),
            "can_brand": partner_brand_may_edit(user),
        },
        section=SECTION,
    )


@partner_required
def template_preview_view(request: AuthedHttpRequest, template_id: int) -> HttpResponse:
    """An approved template as the partner's contacts would get it (a sample contact)."""
    template = get_partner_template_for_user(user=request.user, template_id=template_id)
    partner = _partner_of(request.user)
    brand = brand_of(partner)
    compiled = template_compile(
        subject=template.subject, html_body=template.html_body, text_body=template.text_body
    )
    values = {**contact_context(None), "unsubscribe_url": "#unsubscribe", **brand_context(brand)}
    preview = email_render(compiled, values)
    html = html_cobrand(preview.html, brand)
    if brand.logo:  # the email embeds it; the preview shows it inline
        html = html.replace("cid:partner-logo@dirco", image_data_url(brand.logo, brand.logo_type))
    return _render(
        request,
        "portal/campaign_template_preview.html",
        {
            "template": template,
            "subject": preview.subject,
            "html": html,
            "text": text_cobrand(preview.text, brand),
            "can_create": partner_campaign_may_create(request.user),
        },
        section=SECTION,
    )


@partner_admin_required
@require_http_methods(["GET", "POST"])
def campaign_create_view(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    if not partner_campaign_may_create(user):
        raise PermissionDenied(_("Only an admin of an active partner may create a campaign."))
    form = PartnerCampaignForm(
        request.POST or None,
        initial={"template": request.GET.get("template")},
        templates=partner_templates_for(user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            campaign = partner_campaign_create(data=form.service_input(), by=user)
        except ApplicationError as exc:
            form_errors_from_application_error(form, exc)
        else:
            messages.success(request, _("Campaign created: check it, then send it."))
            return redirect("portal:campaign_detail", campaign.pk)
    return _render(request, "portal/campaign_form.html", {"form": form}, section=SECTION)


@partner_required
def campaign_detail_view(request: AuthedHttpRequest, campaign_id: int) -> HttpResponse:
    user = request.user
    campaign = get_partner_campaign_for_user(user=user, campaign_id=campaign_id)
    recipients = Recipient.objects.filter(campaign=campaign)
    return _render(
        request,
        "portal/campaign_detail.html",
        {
            "campaign": campaign,
            "figures": campaign_figures(campaign=campaign),
            "page": _page(request, recipients),
            "audience": partner_audience(partner=campaign.partner)
            if campaign.partner is not None
            else None,
            "can_send": partner_campaign_can_send(user=user, campaign=campaign),
            "schedule_form": ScheduleForm(),
        },
        section=SECTION,
    )


@partner_required
@require_POST
def campaign_schedule_view(request: AuthedHttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_partner_campaign_for_user(user=request.user, campaign_id=campaign_id)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid date and time, or leave it empty."))
        return redirect("portal:campaign_detail", campaign.pk)
    try:
        partner_campaign_schedule(
            campaign=campaign, at=form.cleaned_data.get("scheduled_at"), by=request.user
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Campaign scheduled."))
    return redirect("portal:campaign_detail", campaign.pk)


@partner_required
@require_POST
def campaign_cancel_view(request: AuthedHttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_partner_campaign_for_user(user=request.user, campaign_id=campaign_id)
    try:
        partner_campaign_cancel(campaign=campaign, by=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Campaign cancelled."))
    return redirect("portal:campaign_detail", campaign.pk)


@partner_admin_required
@require_http_methods(["GET", "POST"])
def brand_view(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    partner = _partner_of(user)
    brand = PartnerBrand.objects.filter(partner=partner).first()
    initial = (
        {
            "display_name": brand.display_name,
            "signature": brand.signature,
            "reply_to": brand.reply_to,
        }
        if brand
        else None
    )
    form = BrandForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            partner_brand_save(partner=partner, data=form.service_input(), by=user)
        except ApplicationError as exc:
            form_errors_from_application_error(form, exc)
        else:
            messages.success(request, _("Your brand is saved."))
            return redirect("portal:brand")
    return _render(
        request,
        "portal/brand.html",
        {
            "form": form,
            "logo": image_data_url(brand.logo, brand.logo_type) if brand else "",
        },
        section=SECTION,
    )


# --- social selling ------------------------------------------------------------------------------


@partner_required
def social_view(request: AuthedHttpRequest) -> HttpResponse:
    """Posts to share, and the results of this partner's people (its own only)."""
    user = request.user
    links = share_links_visible_to(user)
    return _render(
        request,
        "portal/social.html",
        {
            "cards": share_cards(user, social_posts_shareable_by(user)[:50]),
            "people": share_leaderboard(links=links, by="user"),
            "totals": share_leaderboard(links=links, by="partner"),
        },
        section="social",
    )


@partner_required
@require_POST
def social_share_view(request: AuthedHttpRequest, post_id: int) -> HttpResponse:
    post = get_social_post_for_user(user=request.user, post_id=post_id)
    try:
        return share_redirect(request, post)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("portal:social")
