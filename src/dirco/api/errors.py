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
428    ``precondition_required`` a PATCH or PUT without ``If-Match`` on a versioned object
429    ``throttled``          too many requests (``Retry-After`` says how many seconds to wait)
=====  =====================  ==================================================================

Schema errors and business-rule errors both answer 400, so a client handles one status for
"correct your input".
"""

from __future__ import annotations

from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from dirco.core.errors import ApplicationError, StaleVersion

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
