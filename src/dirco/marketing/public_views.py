"""The links of a campaign email, reached without logging in: each is authorised by its
signed token alone (dirco.marketing.tracking). A bad token answers 404 and records nothing."""

from __future__ import annotations

import base64
from pathlib import PurePath

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from dirco.marketing import tracking
from dirco.marketing.models import Consent, Recipient, SocialPost
from dirco.marketing.services import (
    consent_confirm,
    recipient_clicked,
    recipient_opened,
    recipient_unsubscribe,
)
from dirco.marketing.social import share_click

# The smallest transparent GIF.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@never_cache
def open_pixel_view(request: HttpRequest, token: str) -> HttpResponse:
    recipient_id = tracking.open_token_read(token)
    if recipient_id is None:
        raise Http404("No such email.")
    recipient_opened(recipient_id=recipient_id)
    return HttpResponse(PIXEL, content_type="image/gif")


@never_cache
def click_view(request: HttpRequest, token: str) -> HttpResponse:
    found = tracking.click_token_read(token)
    if found is None:
        raise Http404("No such link.")
    recipient_id, url = found
    recipient_clicked(recipient_id=recipient_id)
    return HttpResponseRedirect(url)


@csrf_exempt  # RFC 8058: the mail client POSTs without a session; the token authorises
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows one button (link scanners follow GETs: they must not unsubscribe anyone);
    POST, from that button or from the mail client's one-click (List-Unsubscribe-Post),
    unsubscribes at once."""
    recipient_id = tracking.unsubscribe_token_read(token)
    recipient = (
        Recipient.objects.filter(pk=recipient_id).first() if recipient_id is not None else None
    )
    if recipient is None:
        raise Http404("No such email.")
    done = recipient.status == Recipient.Status.UNSUBSCRIBED
    if request.method == "POST":
        recipient_unsubscribe(recipient_id=recipient.pk)
        done = True
    return render(
        request, "marketing/public_unsubscribe.html", {"done": done, "email": recipient.email}
    )


@never_cache
@require_http_methods(["GET", "POST"])
def consent_confirm_view(request: HttpRequest, token: str) -> HttpResponse:
    consent_id = tracking.confirm_token_read(token)
    consent = Consent.objects.filter(pk=consent_id).first() if consent_id is not None else None
    if consent is None:
        raise Http404("No such confirmation.")
    if request.method == "POST":
        consent = consent_confirm(consent_id=consent.pk) or consent
    return render(
        request,
        "marketing/public_confirm.html",
        {
            "done": consent.status == Consent.Status.GRANTED,
            "withdrawn": consent.status == Consent.Status.WITHDRAWN,
        },
    )


@never_cache
def share_view(request: HttpRequest, token: str) -> HttpResponseBase:
    """The short link of a shared post: counts the click and leads to the post's own
    destination (never one taken from the request). To our lead form, it carries the token
    (the lead is attributed to the share) and leaves it in a signed cookie for a later visit."""
    link_id = tracking.share_token_read(token)
    link = share_click(link_id=link_id) if link_id is not None else None
    if link is None:
        raise Http404("No such link.")
    post = link.post
    response: HttpResponse
    if post.link_kind == SocialPost.LinkKind.DOCUMENT:
        document = post.document
        if document is None or not document.is_published or not document.file:
            raise Http404("This document is no longer available.")
        return FileResponse(
            document.file.open("rb"),
            as_attachment=False,
            filename=PurePath(document.file.name).name,
        )
    if post.link_kind == SocialPost.LinkKind.URL and post.url:
        response = HttpResponseRedirect(post.url)
    else:
        response = HttpResponseRedirect(f"{reverse('lead_contact')}?ref={token}")
    response.set_signed_cookie(
        tracking.SHARE_COOKIE,
        token,
        salt=tracking.SHARE_COOKIE,
        max_age=tracking.SHARE_COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response
