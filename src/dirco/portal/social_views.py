"""The portal's feed: the announcements addressed to the partner and the posts on its own
records, and a record's conversation (the partner itself, its deals, its shared joint plans).
Everything goes through ``social.permissions``, as the staff pages and the API do: an
internal note, another partner's record and another partner's words answer 404 or are not
listed."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dirco.portal.http import partner_required
from dirco.portal.views import _render
from dirco.social.forms import DigestForm, PostForm
from dirco.social.models import Post
from dirco.social.permissions import (
    get_attachment_for_user,
    get_record_for_user,
    post_audiences_for,
)
from dirco.social.selectors import FEED_VIEWS, feed_unread_count, post_list
from dirco.social.services import (
    feed_digest_set,
    feed_mark_seen,
    feed_settings_for,
    post_url_for,
)
from dirco.social.views import (
    attachment_response,
    feed_page_context,
    post_comment,
    post_form_submit,
    post_react,
)
from dirco.web.http import AuthedHttpRequest

SECTION = "feed"
PORTAL_VIEWS = ("all", "announcements")


def portal_record_url(kind: str, record_id: int) -> str:
    if kind == "deal":
        return reverse("portal:deal_detail", args=[record_id])
    if kind == "plan":
        return reverse("portal:plan_detail", args=[record_id])
    return reverse("portal:home")


@partner_required
def feed_view(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    view = request.GET.get("view", "all")
    if view not in PORTAL_VIEWS or view not in FEED_VIEWS:
        view = "all"
    unread = feed_unread_count(user=user)
    q = request.GET.get("q", "")[:200]
    context = feed_page_context(
        request,
        post_list(user=user, view=view, q=q),
        extra={
            "view": view,
            "q": q,
            "unread": unread,
            "digest_daily": feed_settings_for(user).digest_daily,
            "partner_conversation": reverse(
                "portal:conversation", args=["partner", user.partner_id]
            ),
        },
    )
    response = _render(request, "portal/feed.html", context, section=SECTION)
    feed_mark_seen(user=user)
    return response


@partner_required
@require_http_methods(["GET", "POST"])
def conversation_view(request: AuthedHttpRequest, kind: str, record_id: int) -> HttpResponse:
    user = request.user
    record = get_record_for_user(user=user, kind=kind, record_id=record_id)
    form = PostForm(
        request.POST or None,
        request.FILES or None,
        audiences=post_audiences_for(user=user, record_kind=kind),
        on_record=True,
    )
    if request.method == "POST":
        post = post_form_submit(request, form, kind=kind, record=record)
        if post is not None:
            messages.success(request, _("Posted."))
            return redirect(post_url_for(user=user, post=post))
    context = feed_page_context(
        request,
        post_list(user=user, record_kind=kind, record=record),
        extra={
            "form": form,
            "kind": kind,
            "kind_label": Post.RecordKind(kind).label,
            "record": record,
            "record_url": portal_record_url(kind, record.pk),
        },
    )
    return _render(
        request,
        "portal/conversation.html",
        context,
        section=SECTION,
        status=400 if form.errors else 200,
    )


# Commenting and reacting are the staff page's views behind the portal's gate.
comment_view = partner_required(require_POST(post_comment))
react_view = partner_required(require_POST(post_react))


@partner_required
@require_POST
def digest_view(request: AuthedHttpRequest) -> HttpResponse:
    form = DigestForm(request.POST)
    daily = bool(form.is_valid() and form.cleaned_data["digest_daily"])
    feed_digest_set(user=request.user, daily=daily)
    messages.success(
        request, _("The daily digest is on.") if daily else _("The daily digest is off.")
    )
    return redirect("portal:feed")


@partner_required
@require_GET
def attachment_view(request: AuthedHttpRequest, attachment_id: int) -> HttpResponse:
    attachment = get_attachment_for_user(user=request.user, attachment_id=attachment_id)
    return cast(HttpResponse, attachment_response(attachment))
