"""The home page (per role), the health check, and the error pages' context."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from dirco.partners.permissions import partners_visible_to
from dirco.pipeline.permissions import deal_can_create, deals_visible_to
from dirco.pipeline.selectors import DealFilters, activity_list_for_user, deal_figures, deal_list
from dirco.web.http import AuthedHttpRequest


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})


@login_required
def home(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    figures = deal_figures(deals=deals_visible_to(user), today=today)
    if user.is_partner_user:
        # Until the partner portal exists, partner users get their own deals here.
        return render(
            request,
            "web/partner_home.html",
            {
                "figures": figures,
                "partners": partners_visible_to(user).select_related("tier"),
                "deals": deal_list(user=user, filters=DealFilters(sort="-created"))[:50],
            },
        )
    end_of_today = timezone.make_aware(dt.datetime.combine(today, dt.time.max))
    activities = activity_list_for_user(user=user)
    month_start = today.replace(day=1)
    next_month = (month_start + dt.timedelta(days=32)).replace(day=1)
    closing = deal_list(
        user=user,
        filters=DealFilters(
            status="open",
            close_from=month_start,
            close_to=next_month - dt.timedelta(days=1),
            sort="close",
        ),
    )
    return render(
        request,
        "web/home.html",
        {
            "figures": figures,
            "activities_due": activities.filter(due_at__lte=end_of_today).count(),
            "activities": activities[:8],
            "closing": closing[:8],
            "month_start": month_start,
            "month_end": next_month - dt.timedelta(days=1),
            "can_create": deal_can_create(user=user),
            "now": timezone.now(),
        },
    )
