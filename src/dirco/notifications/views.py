"""The staff inbox: the in-app notifications of the logged-in user (partner users have theirs
in the portal, at /portal/notifications/)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dirco.notifications.selectors import notification_unread_count, notifications_for_user
from dirco.notifications.services import notification_mark_read
from dirco.web.http import AuthedHttpRequest, staff_required

NOTIFICATIONS_PER_PAGE = 25


@staff_required
def notification_list_view(request: AuthedHttpRequest) -> HttpResponse:
    page = Paginator(notifications_for_user(user=request.user), NOTIFICATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {"page_obj": page, "unread_count": notification_unread_count(user=request.user)}
    return render(request, "notifications/notification_list.html", context)


@staff_required
@require_POST
def notification_read_view(request: AuthedHttpRequest) -> HttpResponse:
    notification_mark_read(user=request.user)
    return redirect("notifications:list")
