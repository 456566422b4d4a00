"""API: customer accounts. Reads go through customers.permissions, writes through services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from dirco.api.auth import request_user
from dirco.api.errors import ErrorOut
from dirco.api.pagination import Page, PageParams, paginate
from dirco.api.schemas import (
    Id,
    InputSchema,
    Line,
    Name,
    Ref,
    SearchText,
    UserRef,
    patch_nulls_refuse,
    refs_resolve,
)
from dirco.customers.models import Account
from dirco.customers.permissions import (
    account_can_create,
    account_can_edit,
    accounts_visible_to,
    get_account_for_user,
)
from dirco.customers.services import account_create, account_update
from dirco.partners.models import Territory
from dirco.teams.selectors import users_assignable_by

router = Router(tags=["accounts"])

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class AccountOut(Schema):
    id: int
    name: str
    domain: str
    legal_identifier: str
    industry: str
    size: str
    country: str
    territory: Ref
    owner: UserRef | None
    created_at: dt.datetime
    updated_at: dt.datetime


class AccountFilters(Schema):
    q: SearchText = Field("", description="Part of the name or web domain.")
    owner: Id | None = Field(None, description="Owner (user) id.")
    territory: Id | None = Field(None, description="Territory id.")


class AccountPatch(InputSchema):
    name: Name | None = None
    domain: Line | None = None
    legal_identifier: Line | None = None
    industry: Line | None = None
    size: Account.Size | None = None
    country: Line | None = None
    territory_id: Id | None = None
    owner_id: Id | None = Field(
        None, description="A user in your line (the director: any staff user)."
    )


class AccountIn(AccountPatch):
    name: Name  # type: ignore[assignment]
    territory_id: Id  # type: ignore[assignment]


def _account_refs(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    return refs_resolve(
        data,
        {
            "territory": Territory.objects.all(),
            "owner": users_assignable_by(request_user(request)),
        },
    )


@router.get("/accounts", response={200: Page[AccountOut], **ERRORS}, summary="Customer accounts")
def account_list(
    request: HttpRequest, filters: Query[AccountFilters], page: Query[PageParams]
) -> Any:
    qs = accounts_visible_to(request_user(request)).select_related("territory", "owner")
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(domain__icontains=filters.q))
    if filters.owner is not None:
        qs = qs.filter(owner_id=filters.owner)
    if filters.territory is not None:
        qs = qs.filter(territory_id=filters.territory)
    return paginate(request, qs, order=("name", "id"), params=page)


@router.get("/accounts/{account_id}", response={200: AccountOut, **ERRORS}, summary="An account")
def account_detail(request: HttpRequest, account_id: Id) -> Any:
    return get_account_for_user(user=request_user(request), account_id=account_id)


@router.post("/accounts", response={201: AccountOut, **ERRORS}, summary="Create an account")
def account_create_endpoint(request: HttpRequest, payload: AccountIn) -> Any:
    user = request_user(request)
    if not account_can_create(user=user):
        raise PermissionDenied(_("You may not create accounts."))
    fields = _account_refs(
        request, patch_nulls_refuse(payload.model_dump(exclude_unset=True), Account)
    )
    account = account_create(created_by=user, **fields)
    return Status(201, get_account_for_user(user=user, account_id=account.pk))


@router.patch(
    "/accounts/{account_id}", response={200: AccountOut, **ERRORS}, summary="Change an account"
)
def account_update_endpoint(request: HttpRequest, account_id: Id, payload: AccountPatch) -> Any:
    user = request_user(request)
    account = get_account_for_user(user=user, account_id=account_id)
    if not account_can_edit(user=user, account=account):
        raise PermissionDenied(_("You may not change this account."))
    fields = _account_refs(
        request, patch_nulls_refuse(payload.model_dump(exclude_unset=True), Account)
    )
    account = account_update(account=account, updated_by=user, **fields)
    return get_account_for_user(user=user, account_id=account.pk)
