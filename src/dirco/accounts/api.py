"""API: the caller (``/me``) and their API tokens (``/tokens``)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from dirco.accounts.api_auth import session_auth
from dirco.accounts.models import ApiToken, User
from dirco.accounts.partner_users import partner_user_invite, partner_user_update
from dirco.accounts.permissions import get_partner_user_for_admin, partner_users_visible_to
from dirco.accounts.security import user_deactivate
from dirco.accounts.selectors import api_tokens_of, get_api_token_for_user
from dirco.accounts.services import api_token_create, api_token_revoke
from dirco.api.auth import request_user
from dirco.api.errors import ErrorOut
from dirco.api.pagination import Page, PageParams, paginate
from dirco.api.schemas import (
    Id,
    InputSchema,
    IsoDateTime,
    Line,
    Name,
    Ref,
    StrictBool,
    payload_fields,
)
from dirco.api.versioning import etag_set, if_match_version

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


# The users of one's own partner: a partner admin lists, invites and deactivates them (the
# portal's Users page does the same through the same functions). Everyone else sees none.

partner_users_router = Router(tags=["partner users"])


class PartnerUserOut(Schema):
    id: int
    email: str
    first_name: str
    last_name: str
    role: str
    is_active: bool
    last_login: dt.datetime | None
    version: int = Field(description="Bumped on each change; sent as the ETag.")


class PartnerUserInviteIn(InputSchema):
    email: Line
    first_name: Name = ""
    last_name: Name = ""


PartnerRole = Literal["partner_admin", "partner_user"]


class PartnerUserPatch(InputSchema):
    """What a partner admin changes of its partner's users (only the fields sent)."""

    first_name: Name | None = None
    last_name: Name | None = None
    role: PartnerRole | None = Field(
        None, description="partner_admin or partner_user (never one's own)."
    )


class InvitationOut(Schema):
    email: str
    detail: str


@partner_users_router.get(
    "/partner-users",
    response={200: Page[PartnerUserOut], **ERRORS},
    summary="The users of my partner (partner admins)",
)
def partner_user_list(request: HttpRequest, page: Query[PageParams]) -> Any:
    qs = partner_users_visible_to(request_user(request))
    return paginate(request, qs, order=("email", "id"), params=page)


@partner_users_router.get(
    "/partner-users/{user_id}", response={200: PartnerUserOut, **ERRORS}, summary="A partner user"
)
def partner_user_detail(request: HttpRequest, user_id: Id, response: HttpResponse) -> Any:
    target = get_partner_user_for_admin(user=request_user(request), user_id=user_id)
    etag_set(response, target.version)
    return target


@partner_users_router.post(
    "/partner-users",
    response={202: InvitationOut, **ERRORS},
    summary="Invite a user to my partner (the same answer whether or not the address is known)",
)
def partner_user_invite_endpoint(request: HttpRequest, payload: PartnerUserInviteIn) -> Any:
    partner_user_invite(invited_by=request_user(request), **payload.model_dump())
    email = payload.email.strip().lower()
    return Status(
        202,
        InvitationOut(
            email=email,
            detail=_("Invitation sent: the link lets them choose a password."),
        ),
    )


@partner_users_router.patch(
    "/partner-users/{user_id}",
    response={200: PartnerUserOut, **ERRORS, 412: ErrorOut},
    summary="Rename a user of my partner, or make it an admin or a plain user (If-Match, or 412)",
)
def partner_user_patch(
    request: HttpRequest, user_id: Id, payload: PartnerUserPatch, response: HttpResponse
) -> Any:
    by = request_user(request)
    target = get_partner_user_for_admin(user=by, user_id=user_id)
    fields = payload_fields(payload, User)
    target = partner_user_update(
        user=target, by=by, expected_version=if_match_version(request), **fields
    )
    etag_set(response, target.version)
    return target


@partner_users_router.delete(
    "/partner-users/{user_id}",
    response={204: None, **ERRORS},
    summary="Deactivate a user of my partner (sessions and API tokens end)",
)
def partner_user_deactivate(request: HttpRequest, user_id: Id) -> Any:
    user = request_user(request)
    target = get_partner_user_for_admin(user=user, user_id=user_id)
    user_deactivate(user=target, by=user)
    return Status(204, None)
