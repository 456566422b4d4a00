"""Staff pages of through-channel marketing and social selling.

- the channel manager's page: the through-channel results per partner of the partners the
  user sees (``partners_visible_to``: the channel manager, the manager's line, the director,
  marketing), and each partner campaign's figures;
- marketing's approval of templates for partners, and its social posts (write, publish);
- every staff member's page of posts to share, and the share leaderboard (per partner).
"""

from __future__ import annotations

import base64
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dirco.core.errors import ApplicationError
from dirco.marketing.channel import channel_figures, template_partner_approval_set
from dirco.marketing.forms import ShareForm, SocialPostForm, TemplateApprovalForm
from dirco.marketing.models import Recipient, SocialPost
from dirco.marketing.permissions import (
    campaigns_visible_to,
    get_managed_social_post,
    get_partner_campaign_for_user,
    get_social_post_for_user,
    get_template_for_user,
    marketing_may_manage,
    marketing_require,
    partner_campaigns_visible_to,
    share_links_visible_to,
    social_posts_shareable_by,
    social_posts_visible_to,
)
from dirco.marketing.selectors import campaign_figures
from dirco.marketing.social import (
    share_leaderboard,
    share_record,
    social_post_publish,
    social_post_save,
)
from dirco.partners.permissions import partners_visible_to
from dirco.web.forms import form_errors_from_application_error
from dirco.web.http import AuthedHttpRequest, page_number, staff_required


def image_data_url(data: bytes | memoryview | None, mime: str) -> str:
    """An uploaded image shown inline (no public file route to secure)."""
    if not data:
        return ""
    return f"data:{mime};base64,{base64.b64encode(bytes(data)).decode()}"


# --- through-channel: the channel manager's view ---------------------------------------------


@staff_required
def channel_overview_view(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    campaigns = partner_campaigns_visible_to(user).select_related("partner", "template")
    return render(
        request,
        "marketing/channel_overview.html",
        {
            "rows": channel_figures(partners=partners_visible_to(user)),
            "page_obj": Paginator(campaigns, 25).get_page(page_number(request)),
        },
    )


@staff_required
def channel_campaign_view(request: AuthedHttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_partner_campaign_for_user(user=request.user, campaign_id=campaign_id)
    recipients = Recipient.objects.filter(campaign=campaign)
    return render(
        request,
        "marketing/channel_campaign.html",
        {
            "campaign": campaign,
            "figures": campaign_figures(campaign=campaign),
            "page_obj": Paginator(recipients, 50).get_page(page_number(request)),
        },
    )


@staff_required
@require_POST
def template_partner_approval_view(request: AuthedHttpRequest, template_id: int) -> HttpResponse:
    marketing_require(request.user)
    template = get_template_for_user(user=request.user, template_id=template_id)
    form = TemplateApprovalForm(request.POST)
    form.is_valid()
    approved = bool(form.cleaned_data.get("approved"))
    template_partner_approval_set(template=template, approved=approved, by=request.user)
    if approved:
        messages.success(request, _("Partners may now use this template."))
    else:
        messages.success(request, _("Partners may no longer use this template."))
    return redirect("marketing:template_edit", template.pk)


# --- social selling -----------------------------------------------------------------------------


@staff_required
def social_post_list_view(request: AuthedHttpRequest) -> HttpResponse:
    """Marketing's posts (drafts included): write, publish, archive."""
    marketing_require(request.user)
    posts = social_posts_visible_to(request.user).select_related("campaign")
    return render(
        request,
        "marketing/social_post_list.html",
        {"page_obj": Paginator(posts, 25).get_page(page_number(request))},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def social_post_edit_view(request: AuthedHttpRequest, post_id: int | None = None) -> HttpResponse:
    marketing_require(request.user)
    post = get_managed_social_post(user=request.user, post_id=post_id) if post_id else None
    form = SocialPostForm(
        request.POST or None,
        request.FILES or None,
        initial=SocialPostForm.initial_from(post) if post else None,
        campaigns=campaigns_visible_to(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            post = social_post_save(post=post, data=form.service_input(), by=request.user)
        except ApplicationError as exc:
            form_errors_from_application_error(form, exc)
        else:
            messages.success(request, _("Post saved."))
            return redirect("marketing:social_post_edit", post.pk)
    return render(
        request,
        "marketing/social_post_form.html",
        {
            "form": form,
            "post": post,
            "image": image_data_url(post.image, post.image_type) if post else "",
        },
    )


@staff_required
@require_POST
def social_post_publish_view(request: AuthedHttpRequest, post_id: int) -> HttpResponse:
    post = get_managed_social_post(user=request.user, post_id=post_id)
    publish = request.POST.get("action") != "archive"
    social_post_publish(post=post, by=request.user, publish=publish)
    messages.success(request, _("Post published.") if publish else _("Post archived."))
    return redirect("marketing:social_post_edit", post.pk)


def share_cards(user: Any, posts: Any) -> list[dict[str, Any]]:
    """What a share page shows of each post (the portal's page shows the same)."""
    return [
        {
            "post": post,
            "image": image_data_url(post.image, post.image_type),
            "form": ShareForm(),
        }
        for post in posts
    ]


@staff_required
def social_share_list_view(request: AuthedHttpRequest) -> HttpResponse:
    """Posts to share (those addressed to staff) and one's own results."""
    user = request.user
    posts = social_posts_shareable_by(user)[:50]
    own = share_links_visible_to(user).filter(user=user)
    return render(
        request,
        "marketing/social_share_list.html",
        {
            "cards": share_cards(user, posts),
            "mine": share_leaderboard(links=own, by="user"),
            "can_manage": marketing_may_manage(user),
        },
    )


def share_redirect(request: AuthedHttpRequest, post: SocialPost) -> HttpResponse:
    """Record the share and send the sharer to the network's share page (staff and portal)."""
    form = ShareForm(request.POST)
    if not form.is_valid():
        raise ApplicationError(_("Choose LinkedIn, X or Facebook."))
    _share, url = share_record(post=post, user=request.user, network=form.cleaned_data["network"])
    return HttpResponseRedirect(url)


@staff_required
@require_POST
def social_share_view(request: AuthedHttpRequest, post_id: int) -> HttpResponse:
    post = get_social_post_for_user(user=request.user, post_id=post_id)
    try:
        return share_redirect(request, post)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("marketing:social_share_list")


@staff_required
def social_leaderboard_view(request: AuthedHttpRequest) -> HttpResponse:
    """Shares, clicks and leads per partner (and per campaign), of the links one may see."""
    links = share_links_visible_to(request.user)
    return render(
        request,
        "marketing/social_leaderboard.html",
        {
            "partners": share_leaderboard(links=links, by="partner"),
            "campaigns": share_leaderboard(links=links, by="campaign"),
            "people": share_leaderboard(links=links, by="user")[:20],
        },
    )
