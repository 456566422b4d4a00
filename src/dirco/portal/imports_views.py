"""The portal's import pages: a partner admin imports its own partner's contacts and deals
with the staff pages' handlers (``dirco.imports.views``), in the portal's frame."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dirco.imports import views as imports
from dirco.portal.http import partner_admin_required
from dirco.portal.views import _render
from dirco.web.http import AuthedHttpRequest


def _portal_render(
    request: AuthedHttpRequest, template: str, context: dict[str, Any], *, section: str = ""
) -> HttpResponse:
    return _render(request, template, context, section=section)


PORTAL = imports.Surface("portal:imports", _portal_render, "portal/base.html")


@partner_admin_required
@require_http_methods(["GET", "POST"])
def import_list_view(request: AuthedHttpRequest) -> HttpResponse:
    return imports.import_list(request, PORTAL)


@partner_admin_required
@require_http_methods(["GET", "POST"])
def import_detail_view(request: AuthedHttpRequest, job_id: int) -> HttpResponse:
    return imports.import_detail(request, job_id, PORTAL)


@partner_admin_required
@require_POST
def import_run_view(request: AuthedHttpRequest, job_id: int) -> HttpResponse:
    return imports.import_run(request, job_id, PORTAL)


@partner_admin_required
@require_GET
def import_progress_view(request: AuthedHttpRequest, job_id: int) -> HttpResponse:
    return imports.import_progress(request, job_id, PORTAL)


@partner_admin_required
@require_GET
def import_errors_view(request: AuthedHttpRequest, job_id: int) -> HttpResponse:
    return imports.import_errors(request, job_id, PORTAL)


@partner_admin_required
@require_POST
def import_mapping_delete_view(request: AuthedHttpRequest, mapping_id: int) -> HttpResponse:
    return imports.import_mapping_remove(request, mapping_id, PORTAL)
