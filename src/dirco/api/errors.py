"""One error format for the whole API.

Every error answer is an RFC 9457 problem document (``Content-Type: application/problem+json``)
whose ``error`` member carries dirco's code, message and field errors::

    {"type": "about:blank", "title": "Bad Request", "status": 400, "detail": "...",
     "error": {"code": "validation_error", "message": "...", "fields": {"amount": ["..."]}}}

``fields`` maps an input field (dotted for nested fields, ``__all__`` when the error is about
the request as a whole) to its messages; it is ``{}`` when no field is to blame.

=====  =====================  ==================================================================
code   status                 when
=====  =====================  ==================================================================
400    ``validation_error``   the input does not parse (schema) or a business rule refused it
                              (``ApplicationError``); nothing was saved
401    ``not_authenticated``  no session and no valid ``Authorization: Bearer <key>``
403    ``forbidden``          the object is visible but the user may not change it
403    ``otp_required``       a session that still owes its second factor (verify or set up)
403    ``csrf_failed``        a session request that changes data came without the CSRF token
403    ``read_only_token``    a read-only API token was used for anything but GET
404    ``not_found``          the object does not exist or the user may not see it (same answer)
409    ``conflict``           the change collides with other data (e.g. a protected relation),
                              or a request with the same Idempotency-Key is still running
412    ``precondition_failed`` ``If-Match`` names a version the object no longer has
422    ``idempotency_key_reused`` the Idempotency-Key was used before with another body
413    ``too_large``          the body is larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (512 KB)
415    ``unsupported_media_type`` a body under another Content-Type than the operation's
                              (``application/json``; ``multipart/form-data`` for uploads)
428    ``precondition_required`` a PATCH or PUT without ``If-Match`` on a versioned object
429    ``throttled``          too many requests (``Retry-After`` says how many seconds to wait)
500    ``server_error``       a fault of ours, logged (``django.request``) with its traceback
=====  =====================  ==================================================================

Answers given before the API runs (an unknown ``/api/`` URL, a body refused by
``dirco.core.middleware``, an error in a middleware) use the same format: see
:func:`api_handler404` and :func:`api_handler500`, installed by ``dirco/urls.py``.

Schema errors and business-rule errors both answer 400, so a client handles one status for
"correct your input".
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.signals import got_request_exception
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.defaults import bad_request, page_not_found, server_error
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from dirco.core.errors import ApplicationError, StaleVersion
from dirco.core.middleware import problem_response

request_logger = logging.getLogger("django.request")


def server_error_message() -> str:
    return _("Something went wrong on our side and it was logged: retry later, or report it.")


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def api_handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler404``: a problem document under ``/api/``, the 404 page elsewhere."""
    if _is_api(request):
        return problem_response(
            status=404, title="Not Found", code="not_found", message=_("Not found.")
        )
    return page_not_found(request, exception or Http404())


def api_handler400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler400``: a problem document under ``/api/`` (e.g. a body too large without a
    Content-Length, refused while Django reads it), the 400 page elsewhere."""
    if _is_api(request):
        if isinstance(exception, RequestDataTooBig):
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
            return problem_response(
                status=413,
                title="Content Too Large",
                code="too_large",
                message=_("The request is too large: send at most %(kb)s KB.")
                % {"kb": limit // 1024},
            )
        return problem_response(
            status=400,
            title="Bad Request",
            code="bad_request",
            message=_("The request could not be read: check its body and headers."),
        )
    return bad_request(request, exception or Exception())


def api_handler500(request: HttpRequest) -> HttpResponse:
    """``handler500``: a problem document under ``/api/``, the 500 page elsewhere."""
    if _is_api(request):
        return problem_response(
            status=500,
            title="Internal Server Error",
            code="server_error",
            message=server_error_message(),
        )
    return server_error(request)


NON_FIELD = "__all__"
# Where ninja found a parameter; not part of the field name a client sent.
PARAM_SOURCES = frozenset({"body", "query", "path", "header", "cookie", "form", "file"})


class CsrfFailed(HttpError):
    def __init__(self) -> None:
        super().__init__(403, "CSRF check failed")


class ReadOnlyToken(HttpError):
    def __init__(self) -> None:
        super().__init__(403, "Read-only token")


class OtpRequired(HttpError):
    def __init__(self) -> None:
        super().__init__(403, "Second factor required")


PROBLEM_JSON = "application/problem+json"


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, list[str]]


class ErrorOut(Schema):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    error: ErrorDetail


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    *,
    status: int,
    code: str,
    message: str,
    fields: dict[str, list[str]] | None = None,
) -> HttpResponse:
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": message,
        "error": {"code": code, "message": message, "fields": fields or {}},
    }
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM_JSON
    return response


def field_name_from_loc(loc: Sequence[Any], *, body_params: frozenset[str]) -> str:
    """("body", "payload", "amount") -> "amount"; ("query", "limit") -> "limit"."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in PARAM_SOURCES:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in body_params:
        parts = parts[1:]
    return ".".join(parts) or NON_FIELD


def validation_fields(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for err in errors:
        loc = err.get("loc", ())
        name = field_name_from_loc(loc, body_params=frozenset({"payload"}))
        if err.get("type") == "extra_forbidden":
            message = _("This field cannot be set here.")
        else:
            message = str(err.get("msg", _("Invalid value.")))
        fields.setdefault(name, []).append(message)
    return fields


HTTP_ERROR_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    422: "unprocessable",
    428: "precondition_required",
    429: "throttled",
}


def errors_install(api: NinjaAPI) -> None:
    """Replace ninja's default error answers by the dirco format."""

    def on_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(
            api,
            request,
            status=400,
            code="validation_error",
            message=_("The request is not valid: correct the fields shown."),
            fields=validation_fields(list(exc.errors)),
        )

    def on_application(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(
            api,
            request,
            status=400,
            code="validation_error",
            message=str(exc.message),
            fields={k: [str(m) for m in v] for k, v in exc.fields.items()},
        )

    def on_stale(request: HttpRequest, exc: Any) -> HttpResponse:
        response = error_response(
            api,
            request,
            status=412,
            code="precondition_failed",
            message=str(exc.message),
            fields={k: [str(m) for m in v] for k, v in exc.fields.items()},
        )
        response["ETag"] = f'"{exc.current}"'
        return response

    def on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(api, request, status=404, code="not_found", message=_("Not found."))

    def on_permission(request: HttpRequest, exc: Any) -> HttpResponse:
        message = str(exc) or _("You may not do this.")
        return error_response(api, request, status=403, code="forbidden", message=message)

    def on_authentication(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(
            api,
            request,
            status=401,
            code="not_authenticated",
            message=_("Log in, or send 'Authorization: Bearer <key>' with an API token."),
        )

    def on_otp_required(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(
            api,
            request,
            status=403,
            code="otp_required",
            message=_("Confirm your second factor in the browser first, or use an API token."),
        )

    def on_csrf(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(
            api,
            request,
            status=403,
            code="csrf_failed",
            message=_("Send the CSRF token in the X-CSRFToken header, or use an API token."),
        )

    def on_read_only(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(
            api,
            request,
            status=403,
            code="read_only_token",
            message=_("This API token is read-only: use a read-write token to change data."),
        )

    def on_protected(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(
            api,
            request,
            status=409,
            code="conflict",
            message=_("Other records depend on this one; remove or reassign them first."),
        )

    def on_throttled(request: HttpRequest, exc: Any) -> HttpResponse:
        response = error_response(
            api,
            request,
            status=429,
            code="throttled",
            message=_("Too many requests: wait the seconds given in Retry-After, then retry."),
        )
        if exc.wait:
            response["Retry-After"] = str(int(exc.wait))
        return response

    def on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        code = HTTP_ERROR_CODES.get(exc.status_code, "error")
        return error_response(api, request, status=exc.status_code, code=code, message=str(exc))

    def on_too_large(request: HttpRequest, exc: Any) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
        return error_response(
            api,
            request,
            status=413,
            code="too_large",
            message=_("The request is too large: send at most %(kb)s KB.") % {"kb": limit // 1024},
        )

    def on_server_error(request: HttpRequest, exc: Any) -> HttpResponse:
        # What Django does for an uncaught exception (log it, tell the listeners), with the
        # answer in the API's format.
        request_logger.error(
            "Internal Server Error: %s",
            request.path,
            exc_info=exc,
            extra={"status_code": 500, "request": request},
        )
        got_request_exception.send(sender=None, request=request)
        return error_response(
            api, request, status=500, code="server_error", message=server_error_message()
        )

    api.add_exception_handler(Exception, on_server_error)
    api.add_exception_handler(RequestDataTooBig, on_too_large)
    api.add_exception_handler(ValidationError, on_validation)
    api.add_exception_handler(ApplicationError, on_application)
    api.add_exception_handler(StaleVersion, on_stale)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(PermissionDenied, on_permission)
    api.add_exception_handler(AuthenticationError, on_authentication)
    api.add_exception_handler(CsrfFailed, on_csrf)
    api.add_exception_handler(OtpRequired, on_otp_required)
    api.add_exception_handler(ReadOnlyToken, on_read_only)
    api.add_exception_handler(ProtectedError, on_protected)
    api.add_exception_handler(RestrictedError, on_protected)
    api.add_exception_handler(Throttled, on_throttled)
    api.add_exception_handler(HttpError, on_http_error)


def permission_require(allowed: bool, message: str) -> None:
    """Refuse (403, with ``message``) what the app's permissions module did not allow: the
    endpoints ask ``<thing>_can_<action>(user=..., ...)`` and pass the answer here."""
    if not allowed:
        raise PermissionDenied(message)
