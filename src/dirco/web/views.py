"""The home page (per role), the health check, and the error pages' context."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from dirco.accounts.models import User
from dirco.accounts.permissions import user_is_partner
from dirco.core.health import readiness
from dirco.metrics.glossary import kpi_glossary
from dirco.objectives.charts import attainment_bars_svg, objective_curve_svg
from dirco.objectives.cockpit import home_cockpit
from dirco.partners.permissions import partners_visible_to
from dirco.pipeline.permissions import (
    deal_can_create,
    deal_visibility_cover,
    deals_visible_to,
)
from dirco.pipeline.selectors import (
    DealFilters,
    FigurePeriods,
    activity_list_for_user,
    deal_figures,
    deal_list,
    deals_closing_between,
)
from dirco.web.http import AuthedHttpRequest


def favicon(request: HttpRequest) -> HttpResponse:
    """No icon: an empty answer, cached for a day. dirco's own pages say so in their head
    (``<link rel="icon" href="data:,">``); the admin's pages do not, and a browser asking
    ``/favicon.ico`` for them must not log a 404."""
    response = HttpResponse(status=204)
    response["Cache-Control"] = "public, max-age=86400"
    return response


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers (no database read; see dirco.core.health)."""
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: database, migrations and static manifest; 503 when one check fails."""
    checks = readiness()
    ready = all(c.ok for c in checks)
    response = JsonResponse(
        {
            "status": "ok" if ready else "unavailable",
            "checks": {c.name: {"ok": c.ok, "detail": c.detail} for c in checks},
        },
        status=200 if ready else 503,
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def kpi_glossary_view(request: AuthedHttpRequest) -> HttpResponse:
    """Every KPI with its one definition and period (dirco.metrics.glossary, as the "?" of
    each figure and docs/metrics.md), for staff and partner users alike."""
    back = "portal:home" if user_is_partner(request.user) else "home"
    return render(request, "web/kpi_glossary.html", {"kpis": kpi_glossary(), "back": back})


@login_required
def home(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    if user_is_partner(user) and user.partner_id is not None:
        # The partner portal is the home of partner users (the login lands here first).
        return redirect("portal:home")
    scopes, rest = deal_visibility_cover(user) or (None, None)
    figures = deal_figures(deals=deals_visible_to(user), today=today, scopes=scopes, rest=rest)
    if user_is_partner(user):
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
    month = FigurePeriods.of(today)  # the month of the figures' "Closing this month"
    month_end = month.next_month - dt.timedelta(days=1)
    closing = deals_closing_between(user=user, first=month.month_start, last=month_end)
    return render(
        request,
        "web/home.html",
        {
            "figures": figures,
            "activities_due": activities.filter(due_at__lte=end_of_today).count(),
            "activities": activities[:8],
            "closing": closing[:8],
            "month_start": month.month_start,
            "month_end": month_end,
            "can_create": deal_can_create(user=user),
            "now": timezone.now(),
            **_home_cockpit_context(user=user, today=today),
        },
    )


def _home_cockpit_context(*, user: User, today: dt.date) -> dict[str, Any]:
    """The objectives blocks of the home: curve, teams or reps side by side, top gaps."""
    cockpit = home_cockpit(user=user, today=today)
    if cockpit is None:
        return {"cockpit": None}
    if cockpit["role"] == "director":
        title = _("Attainment to date by team")
    else:
        title = _("Attainment to date by rep")
    return {
        "cockpit": cockpit,
        "cockpit_curve_svg": objective_curve_svg(cockpit["curve"]["rows"], height=260),
        "cockpit_bars_svg": attainment_bars_svg(cockpit["side_by_side"], title=title),
    }
