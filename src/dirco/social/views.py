"""The staff pages of the social feed: the company feed, a record's conversation, and the
forms they post to (comment, react, follow, digest setting, attachment download). Partner
users have theirs in the portal (dirco.portal.social_views)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dirco.core.errors import ApplicationError
from dirco.social.forms import CommentForm, DigestForm, PostForm, ReactionForm
from dirco.social.models import Attachment, Post
from dirco.social.permissions import (
    get_attachment_for_user,
    get_post_for_user,
    get_record_for_user,
    post_audiences_for,
)
from dirco.social.selectors import (
    FEED_VIEWS,
    feed_unread_count,
    post_list,
    posts_decorate,
    record_is_followed,
)
from dirco.social.services import (
    PostInput,
    comment_create,
    feed_digest_set,
    feed_mark_seen,
    feed_settings_for,
    follow_toggle,
    post_create,
    post_url_for,
    reaction_toggle,
)
from dirco.web.forms import form_errors_from_application_error
from dirco.web.http import AuthedHttpRequest, page_number, staff_required

POSTS_PER_PAGE = 20


def attachment_response(attachment: Attachment) -> FileResponse:
    """The file as a download with the type sniffed when it was accepted (the staff page and
    the portal both stream it so, after their own access check)."""
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def post_form_submit(
    request: HttpRequest, form: PostForm, *, kind: str, record: Model | None
) -> Post | None:
    """Create the post from a bound form; None (with the errors on the form) if refused."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        return post_create(
            author=request.user,  # type: ignore[arg-type]
            data=PostInput(
                body=data["body"],
                audience=data["audience"],
                record_kind=kind,
                record=record,
                tier=data.get("tier"),
                attachments=data.get("attachments") or [],
            ),
        )
    except ApplicationError as exc:
        form_errors_from_application_error(form, exc)
        return None


def feed_page_context(
    request: AuthedHttpRequest, qs: Any, *, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    page = Paginator(qs, POSTS_PER_PAGE).get_page(page_number(request))
    return {
        "page_obj": page,
        "posts": posts_decorate(user=request.user, posts=list(page.object_list)),
        "comment_form": CommentForm(),
        **(extra or {}),
    }


@staff_required
@require_http_methods(["GET", "POST"])
def feed_view(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    audiences = post_audiences_for(user=user, record_kind="")
    form = PostForm(
        request.POST or None, request.FILES or None, audiences=audiences, on_record=False
    )
    if request.method == "POST":
        post = post_form_submit(request, form, kind="", record=None)
        if post is not None:
            messages.success(request, _("Posted."))
            return redirect(post_url_for(user=user, post=post))
    view = request.GET.get("view", "all")
    if view not in FEED_VIEWS:
        view = "all"
    unread = feed_unread_count(user=user)
    q = request.GET.get("q", "")[:200]
    context = feed_page_context(
        request,
        post_list(user=user, view=view, q=q),
        extra={
            "form": form,
            "view": view,
            "q": q,
            "unread": unread,
            "digest_form": DigestForm(
                initial={"digest_daily": feed_settings_for(user).digest_daily}
            ),
        },
    )
    response = render(request, "social/feed.html", context, status=400 if form.errors else 200)
    feed_mark_seen(user=user)
    return response


@staff_required
@require_http_methods(["GET", "POST"])
def record_view(request: AuthedHttpRequest, kind: str, record_id: int) -> HttpResponse:
    user = request.user
    record = get_record_for_user(user=user, kind=kind, record_id=record_id)
    audiences = post_audiences_for(user=user, record_kind=kind)
    form = PostForm(
        request.POST or None, request.FILES or None, audiences=audiences, on_record=True
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
            "record_url": staff_record_url(kind, record.pk),
            "followed": record_is_followed(user=user, kind=kind, record=record),
        },
    )
    return render(request, "social/record.html", context, status=400 if form.errors else 200)


def staff_record_url(kind: str, record_id: int) -> str:
    name = {
        "partner": "partner_detail",
        "deal": "deal_detail",
        "account": "account_detail",
        "plan": "plans:detail",
        "action": "plans:action_detail",
    }[kind]
    return reverse(name, args=[record_id])


def post_comment(request: AuthedHttpRequest, post_id: int) -> HttpResponse:
    """Comment on a post one may see, then back to where it is shown (staff page or portal:
    ``post_url_for``); the portal's view is this one behind its own gate."""
    post = get_post_for_user(user=request.user, post_id=post_id)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The comment was not saved: write something first."))
        return redirect(post_url_for(user=request.user, post=post))
    try:
        comment_create(author=request.user, post=post, body=form.cleaned_data["body"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(post_url_for(user=request.user, post=post))


def post_react(request: AuthedHttpRequest, post_id: int) -> HttpResponse:
    """Toggle one's reaction on a post one may see (the portal's view too, behind its gate)."""
    post = get_post_for_user(user=request.user, post_id=post_id)
    form = ReactionForm(request.POST)
    if form.is_valid():
        reaction_toggle(user=request.user, post=post, kind=form.cleaned_data["kind"])
    return redirect(post_url_for(user=request.user, post=post))


comment_view = staff_required(require_POST(post_comment))
react_view = staff_required(require_POST(post_react))


@staff_required
@require_POST
def follow_view(request: AuthedHttpRequest, kind: str, record_id: int) -> HttpResponse:
    record = get_record_for_user(user=request.user, kind=kind, record_id=record_id)
    try:
        following = follow_toggle(user=request.user, kind=kind, record=record)
    except PermissionDenied:
        raise Http404("This record cannot be followed.") from None
    messages.success(
        request,
        _("You follow %(record)s.") % {"record": record}
        if following
        else _("You no longer follow %(record)s.") % {"record": record},
    )
    return redirect("social:record", kind=kind, record_id=record.pk)


@staff_required
@require_GET
def unread_view(request: AuthedHttpRequest) -> HttpResponse:
    """The feed's unread count beside its menu link, loaded after the page (htmx)."""
    return render(request, "social/_unread.html", {"count": feed_unread_count(user=request.user)})


@staff_required
@require_POST
def digest_view(request: AuthedHttpRequest) -> HttpResponse:
    form = DigestForm(request.POST)
    daily = bool(form.is_valid() and form.cleaned_data["digest_daily"])
    feed_digest_set(user=request.user, daily=daily)
    messages.success(
        request,
        _("The daily digest is on.") if daily else _("The daily digest is off."),
    )
    return redirect("social:feed")


@staff_required
@require_GET
def attachment_view(request: AuthedHttpRequest, attachment_id: int) -> HttpResponse:
    attachment = get_attachment_for_user(user=request.user, attachment_id=attachment_id)
    # A streamed file, not an HttpResponse subclass: staff_required's type wants the latter.
    return cast(HttpResponse, attachment_response(attachment))
