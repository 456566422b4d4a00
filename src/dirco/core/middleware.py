"""Refuse malformed input before any view or query sees it.

- A NUL character in a query-string or form value (PostgreSQL refuses it in text, which used
  to surface as an HTTP 500): 400.
- A body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (uploaded files excepted, they have their
  own limit): 413, from its ``Content-Length``, before it is read.

API paths answer in the API's problem format; pages get a short plain-text answer.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _


def problem_response(*, status: int, title: str, code: str, message: str) -> JsonResponse:
    """A problem document in the API's format (``dirco.api.errors``), for answers given
    before the API runs."""
    return JsonResponse(
        {
            "type": "about:blank",
            "title": title,
            "status": status,
            "detail": message,
            "error": {"code": code, "message": message, "fields": {}},
        },
        status=status,
        content_type="application/problem+json",
    )


class RequestInputGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = self._refusal(request)
        if refusal is None:
            return self.get_response(request)
        status, title, code, message = refusal
        if request.path_info.startswith("/api/"):
            return problem_response(status=status, title=title, code=code, message=message)
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")

    @staticmethod
    def _refusal(request: HttpRequest) -> tuple[int, str, str, str] | None:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        content_type = request.META.get("CONTENT_TYPE", "")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit and not content_type.startswith("multipart/"):
            return (
                413,
                "Content Too Large",
                "too_large",
                _("The request is too large: send at most %(kb)s KB.") % {"kb": limit // 1024},
            )
        if "\x00" in request.META.get("QUERY_STRING", "") or "%00" in request.META.get(
            "QUERY_STRING", ""
        ):
            return (400, "Bad Request", "bad_request", _("The request contains a NUL character."))
        return None
