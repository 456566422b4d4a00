"""API: the caller (``/me``) and their API tokens (``/tokens``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from dirco.accounts.api_auth import session_auth
from dirco.accounts.models import ApiToken
from dirco.accounts.selectors import api_tokens_of, get_api_token_for_user
from dirco.accounts.services import api_token_create, api_token_revoke
from dirco.api.auth import request_user
from dirco.api.errors import ErrorOut
from dirco.api.pagination import Page, PageParams, paginate
from dirco.api.schemas import Id, InputSchema, IsoDateTime, Name, Ref, StrictBool

router = Router(tags=["me"])

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class MeOut(Schema):
    id: int
    email: str
    first_name: str
    last_name: str
    role: str
    partner: Ref | None
    language: str
    time_zone: str


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    read_only: bool


class TokenCreatedOut(TokenOut):
    key: str = Field(description="The secret: shown once, store it now.")


class TokenIn(InputSchema):
    name: Name
    expires_at: IsoDateTime | None = None
    read_only: StrictBool = Field(False, description="true: the token may only read (GET).")


@router.get("/me", response={200: MeOut, **ERRORS}, summary="The caller")
def me(request: HttpRequest) -> Any:
    return request_user(request)


@router.get("/tokens", response={200: Page[TokenOut], **ERRORS}, summary="My API tokens")
def token_list(request: HttpRequest, page: Query[PageParams]) -> Any:
    return paginate(
        request, api_tokens_of(request_user(request)), order=("-created_at", "-id"), params=page
    )


@router.post(
    "/tokens",
    auth=session_auth,
    response={201: TokenCreatedOut, **ERRORS},
    summary="Create an API token (logged-in session only)",
)
def token_create(request: HttpRequest, payload: TokenIn) -> Any:
    token, key = api_token_create(
        user=request_user(request),
        name=payload.name,
        expires_at=payload.expires_at,
        read_only=payload.read_only,
    )
    return Status(201, _token_with_key(token, key))


@router.delete("/tokens/{token_id}", response={204: None, **ERRORS}, summary="Revoke an API token")
def token_revoke(request: HttpRequest, token_id: Id) -> Any:
    token = get_api_token_for_user(user=request_user(request), token_id=token_id)
    api_token_revoke(token=token)
    return Status(204, None)


def _token_with_key(token: ApiToken, key: str) -> TokenCreatedOut:
    return TokenCreatedOut(
        id=token.pk,
        name=token.name,
        prefix=token.prefix,
        created_at=token.created_at,
        last_used_at=token.last_used_at,
        expires_at=token.expires_at,
        revoked_at=token.revoked_at,
        read_only=token.read_only,
        key=key,
    )
