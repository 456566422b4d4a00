"""A request body is read only under the media type its operation declares.

An operation whose parameters come from the body (a ninja ``Schema``) takes
``application/json``; one with ``Form``/``File`` parameters (an upload) takes
``multipart/form-data`` (and ``application/x-www-form-urlencoded`` without a file). A body
sent under any other type, or with no type, answers 415 ``unsupported_media_type`` before it
is parsed: text/plain, XML or a form post must not be read as JSON by luck. A request without
a body (``Content-Length: 0``) is not concerned.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.operation import Operation

from dirco.api.errors import error_response

JSON = frozenset({"application/json"})
FORM = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})
UPLOAD = frozenset({"multipart/form-data"})


def _accepted(operation: Operation) -> frozenset[str]:
    sources = {getattr(m, "__ninja_param_source__", "") for m in operation.models}
    if "file" in sources:
        return UPLOAD
    if "form" in sources:
        return FORM
    return JSON


def _has_body(request: HttpRequest) -> bool:
    if request.META.get("HTTP_TRANSFER_ENCODING"):
        return True
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > 0
    except ValueError:
        return True


def media_type_check(
    api: NinjaAPI, request: HttpRequest, accepted: frozenset[str]
) -> HttpResponse | None:
    media_type = (request.content_type or "").lower()
    if media_type in accepted and media_type in FORM:
        # A form type is parsed even without a body (Django reads the multipart boundary
        # first): check it here, so that a bad one is a 400 and not the operation's 500.
        return _form_body_problem(api, request)
    if not _has_body(request):
        return None
    if media_type in accepted:
        return None
    wanted = " or ".join(sorted(accepted))
    return error_response(
        api,
        request,
        status=415,
        code="unsupported_media_type",
        message=_("Send the body with 'Content-Type: %(wanted)s' (this one was %(got)s).")
        % {"wanted": wanted, "got": media_type or _("none")},
        fields={"Content-Type": [_("Use %(wanted)s.") % {"wanted": wanted}]},
    )


def _form_body_problem(api: NinjaAPI, request: HttpRequest) -> HttpResponse | None:
    """A form body that cannot be parsed (a multipart body without its boundary, a broken
    part) answers 400 here rather than a 500 from the parser inside the operation."""
    try:
        request.POST  # noqa: B018 - parsing is the point
    except MultiPartParserError as exc:
        return error_response(
            api,
            request,
            status=400,
            code="bad_request",
            message=_("The form body cannot be read: %(why)s.") % {"why": exc},
            fields={"Content-Type": [_("Send multipart/form-data with its boundary.")]},
        )
    return None


def media_types_install(api: NinjaAPI) -> None:
    """Check the body's media type of every operation that takes one (call once routers are
    added, before ``idempotency_install``: a refused body claims no Idempotency-Key)."""
    for bound in api._get_bound_routers():
        for path_view in bound.path_operations.values():
            for operation in path_view.operations:
                if not set(operation.methods) & {"POST", "PUT", "PATCH", "DELETE"}:
                    continue
                accepted = _accepted(operation)
                run_checks: Callable[[HttpRequest], HttpResponse | None] = operation._run_checks

                def checks_then_media_type(
                    request: HttpRequest,
                    run_checks: Callable[[HttpRequest], HttpResponse | None] = run_checks,
                    accepted: frozenset[str] = accepted,
                ) -> HttpResponse | None:
                    return run_checks(request) or media_type_check(api, request, accepted)

                operation._run_checks = checks_then_media_type  # type: ignore[method-assign]
