"""``Idempotency-Key`` on every POST of the API, with Stripe's semantics.

- The first request with a key runs; its answer (status, body) is stored, and a retry with
  the same key, the same user and the same request (method, path, query and body) gets that
  answer again, with ``Idempotent-Replayed: true``, without running anything.
- The same key with another request answers 422 ``idempotency_key_reused``.
- While the first request still runs, another with its key answers 409 ``conflict`` (retry
  later): the key's row is inserted before the operation runs, and the unique constraint on
  (user, key) lets exactly one request through, so 50 concurrent POSTs create one object.
- An answer of 5xx (or an exception) is not kept: the client may retry with the same key.
- Keys are kept ``settings.API_IDEMPOTENCY_KEEP_HOURS`` (24 h); an older key counts as new, and
  ``dirco api_idempotency_prune`` (run by ``dirco sweeps``) deletes them.

The key is checked after authentication (the user is part of it), by wrapping each POST
operation of the API in :func:`idempotency_install`; keys longer than 255 characters are a 400.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.operation import Operation

from dirco.api.errors import error_response
from dirco.api.models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
REQUEST_ATTR = "_dirco_idempotency_key"


def _keep() -> dt.timedelta:
    return dt.timedelta(hours=settings.API_IDEMPOTENCY_KEEP_HOURS)


def request_fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in (request.method or "", request.path, request.META.get("QUERY_STRING", "")):
        digest.update(part.encode())
        digest.update(b"\0")
    try:
        digest.update(request.body)
    except RawPostDataException:
        # A multipart upload was parsed already (dirco.api.media_types checks it first), and
        # its files were streamed, not kept as one body: the fields and the files' bytes.
        _form_digest(request, digest)
    return digest.hexdigest()


def _form_digest(request: HttpRequest, digest: Any) -> None:
    for name in sorted(request.POST):
        for value in request.POST.getlist(name):
            digest.update(f"{name}\0{value}\0".encode())
    for name in sorted(request.FILES):
        for upload in request.FILES.getlist(name):
            digest.update(f"{name}\0{upload.name}\0{upload.size}\0".encode())
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)


def _replay(record: IdempotencyKey) -> HttpResponse:
    assert record.status_code is not None
    response = HttpResponse(
        bytes(record.body), status=record.status_code, content_type=record.content_type
    )
    response["Idempotent-Replayed"] = "true"
    return response


def idempotency_begin(api: NinjaAPI, request: HttpRequest) -> HttpResponse | None:
    """Claim the request's key, or answer from it (replay, 409 running, 422 reused)."""
    key = request.headers.get(HEADER, "")
    if not key:
        return None
    if len(key) > MAX_KEY_LENGTH or not key.isprintable():
        return error_response(
            api,
            request,
            status=400,
            code="validation_error",
            message=_("The Idempotency-Key is at most 255 printable characters."),
            fields={HEADER: [_("At most 255 printable characters.")]},
        )
    user = request.auth  # type: ignore[attr-defined]
    fingerprint = request_fingerprint(request)
    for _attempt in range(2):
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    user_id=user.pk, key=key, request_hash=fingerprint
                )
        except IntegrityError:
            existing = IdempotencyKey.objects.filter(user_id=user.pk, key=key).first()
            if existing is None:  # finished with a 5xx and deleted meanwhile: claim it again
                continue
            if existing.created_at < timezone.now() - _keep():
                IdempotencyKey.objects.filter(pk=existing.pk).delete()
                continue
            if existing.request_hash != fingerprint:
                return error_response(
                    api,
                    request,
                    status=422,
                    code="idempotency_key_reused",
                    message=_(
                        "This Idempotency-Key was used with another request: "
                        "use a new key for a new request."
                    ),
                    fields={HEADER: [_("Already used with another request.")]},
                )
            if existing.status_code is None:
                return error_response(
                    api,
                    request,
                    status=409,
                    code="conflict",
                    message=_(
                        "A request with this Idempotency-Key is still running: retry in a moment."
                    ),
                )
            return _replay(existing)
        else:
            setattr(request, REQUEST_ATTR, record)
            return None
    return error_response(  # pragma: no cover - two races in a row
        api, request, status=409, code="conflict", message=_("Retry in a moment.")
    )


def idempotency_finish(request: HttpRequest, response: HttpResponseBase | None) -> None:
    record: IdempotencyKey | None = getattr(request, REQUEST_ATTR, None)
    if record is None:
        return
    if response is None or response.status_code >= 500 or not isinstance(response, HttpResponse):
        IdempotencyKey.objects.filter(pk=record.pk).delete()
        return
    IdempotencyKey.objects.filter(pk=record.pk).update(
        status_code=response.status_code,
        content_type=response.get("Content-Type", ""),
        body=response.content,
    )


def idempotency_prune(*, now: dt.datetime | None = None) -> int:
    """Delete the keys older than the keeping time; returns how many."""
    cutoff = (now or timezone.now()) - _keep()
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def _wrap(api: NinjaAPI, operation: Operation) -> None:
    run_checks: Callable[[HttpRequest], HttpResponse | None] = operation._run_checks
    run: Callable[..., HttpResponseBase] = operation.run

    def checks_then_claim(request: HttpRequest) -> HttpResponse | None:
        return run_checks(request) or idempotency_begin(api, request)

    def run_and_store(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = None
        try:
            response = run(request, *args, **kwargs)
        finally:
            idempotency_finish(request, response)
        return response

    operation._run_checks = checks_then_claim  # type: ignore[method-assign]
    operation.run = run_and_store  # type: ignore[method-assign]


def idempotency_install(api: NinjaAPI) -> None:
    """Make every POST operation of ``api`` honour Idempotency-Key (call once routers are
    added)."""
    # The operations that serve requests are the bound routers' copies (django-ninja >= 1.5).
    for bound in api._get_bound_routers():
        for path_view in bound.path_operations.values():
            for operation in path_view.operations:
                if "POST" in operation.methods:
                    _wrap(api, operation)
