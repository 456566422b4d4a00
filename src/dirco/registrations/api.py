"""API: deal registrations.

Partners submit, list and read their own registrations and ask for extensions; staff (the
partner's channel manager, their manager, the director) approve, reject and decide extensions
and read the conflicts. A partner never sees conflicts nor who else registered a customer:
``/conflicts`` answers 404 to partner users and ``conflict_count`` is null for them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from dirco.accounts.models import User
from dirco.api.auth import request_user
from dirco.api.errors import ErrorOut
from dirco.api.pagination import Page, PageParams, paginate
from dirco.api.schemas import (
    Country,
    CountryCode,
    DecimalString,
    Id,
    InputSchema,
    IsoDate,
    Name,
    Ref,
    SearchText,
    StrictBool,
    Text,
    choices_schema,
    refs_resolve,
)
from dirco.core.errors import ApplicationError
from dirco.registrations.models import DealRegistration
from dirco.registrations.permissions import (
    get_registration_for_user,
    registration_can_decide,
    registration_can_submit,
    registration_conflicts_may_see,
)
from dirco.registrations.selectors import (
    RegistrationFilters,
    registration_account_choices,
    registration_conflicts_for_user,
    registration_list,
    registration_pending_extension,
    registration_status_for_partner,
)
from dirco.registrations.services import (
    registration_approve,
    registration_extension_decide,
    registration_extension_request,
    registration_reject,
    registration_submit,
)

RegistrationStatusField = Annotated[
    DealRegistration.Status, choices_schema(DealRegistration.Status, "RegistrationStatus")
]
router = Router(tags=["registrations"])

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class RegistrationIn(InputSchema):
    """Only what the partner knows about the deal: no status, partner, owner or approval."""

    customer_name: Name
    customer_domain: str = Field("", max_length=253)
    customer_legal_identifier: str = Field("", max_length=40)
    customer_country: Country
    amount: Decimal = Field(max_digits=14, decimal_places=2)
    currency: str = Field(max_length=3)
    product_line_id: int
    expected_close_date: IsoDate
    confirm_zero_amount: StrictBool = Field(
        False, description="Set to true to register an amount of 0 (refused otherwise)."
    )


class RegistrationOut(Schema):
    id: int
    partner: Ref
    customer_name: str
    customer_domain: str
    customer_legal_identifier: str
    customer_country: CountryCode
    amount: DecimalString
    currency: str
    product_line: Ref
    expected_close_date: dt.date
    status: str
    status_label: str
    rejection_reason: str
    approved_at: dt.datetime | None
    protected_until: dt.datetime | None
    deal_id: int | None
    conflict_count: int | None = Field(None, description="Staff only; null for partner users.")
    created_at: dt.datetime

    @staticmethod
    def resolve_status_label(obj: DealRegistration) -> str:
        return registration_status_for_partner(obj)

    @staticmethod
    def resolve_conflict_count(obj: DealRegistration, context: Any) -> int | None:
        user = request_user(context["request"])
        return obj.conflict_count if registration_conflicts_may_see(user=user) else None


class ConflictOut(Schema):
    kind: str
    object_id: int
    label: str
    matched_on: list[str]
    score: float | None
    account_id: int | None
    partner_id: int | None
    partner_name: str
    status: str
    protected: bool
    protected_until: dt.datetime | None
    owner_name: str


class RegistrationListFilters(Schema):
    status: RegistrationStatusField | None = None
    partner_id: Id | None = None
    q: SearchText = Field("", description="Part of the customer's name or domain.")


class ExtensionIn(InputSchema):
    reason: str = Field(min_length=1, max_length=2000)


class ExtensionOut(Schema):
    id: int
    status: str
    reason: str
    decision_note: str
    created_at: dt.datetime
    decided_at: dt.datetime | None


class ApproveIn(InputSchema):
    account_id: Id | None = Field(
        None, description="Link this existing account; omitted: a new account is created."
    )
    override_conflicts: StrictBool = Field(
        False, description="Approve although another registration protects the customer."
    )


class RejectIn(InputSchema):
    reason: str = Field(max_length=2000)


class ExtensionDecisionIn(InputSchema):
    approve: StrictBool
    note: Text = Field("", max_length=2000)


def _decidable(request: HttpRequest, registration_id: Id) -> tuple[User, DealRegistration]:
    """404 when hidden, 403 when visible but not the caller's decision."""
    user = request_user(request)
    registration = get_registration_for_user(user=user, registration_id=registration_id)
    if not registration_can_decide(user=user, registration=registration):
        raise PermissionDenied(_("You may see this registration but not decide on it."))
    return user, registration


@router.post("/registrations", response={201: RegistrationOut, **ERRORS}, summary="Register a deal")
def registration_submit_endpoint(request: HttpRequest, payload: RegistrationIn) -> Any:
    user = request_user(request)
    if not registration_can_submit(user=user):
        raise PermissionDenied(_("Only partner users register deals; staff create them."))
    registration = registration_submit(user=user, data=payload.model_dump())
    return Status(201, get_registration_for_user(user=user, registration_id=registration.pk))


@router.get(
    "/registrations", response={200: Page[RegistrationOut], **ERRORS}, summary="Registrations"
)
def registration_list_endpoint(
    request: HttpRequest, filters: Query[RegistrationListFilters], page: Query[PageParams]
) -> Any:
    qs = registration_list(
        user=request_user(request),
        filters=RegistrationFilters(
            status=filters.status or "", partner_id=filters.partner_id, q=filters.q
        ),
    )
    return paginate(request, qs, order=("-created_at", "-id"), params=page)


@router.get(
    "/registrations/{registration_id}",
    response={200: RegistrationOut, **ERRORS},
    summary="A registration",
)
def registration_detail_endpoint(request: HttpRequest, registration_id: Id) -> Any:
    return get_registration_for_user(user=request_user(request), registration_id=registration_id)


@router.get(
    "/registrations/{registration_id}/conflicts",
    response={200: list[ConflictOut], **ERRORS},
    summary="Conflicts of a registration (staff only)",
)
def registration_conflicts_endpoint(request: HttpRequest, registration_id: Id) -> Any:
    user = request_user(request)
    registration = get_registration_for_user(user=user, registration_id=registration_id)
    if not registration_conflicts_may_see(user=user):
        raise Http404("No such registration.")
    return registration_conflicts_for_user(user=user, registration=registration)


@router.post(
    "/registrations/{registration_id}/extension",
    response={201: ExtensionOut, **ERRORS},
    summary="Ask for a longer protection",
)
def registration_extension_request_endpoint(
    request: HttpRequest, registration_id: Id, payload: ExtensionIn
) -> Any:
    user = request_user(request)
    registration = get_registration_for_user(user=user, registration_id=registration_id)
    extension = registration_extension_request(
        registration=registration, requested_by=user, reason=payload.reason
    )
    return Status(201, extension)


@router.post(
    "/registrations/{registration_id}/approve",
    response={200: RegistrationOut, **ERRORS},
    summary="Approve a registration: the account and the deal are created or linked",
)
def registration_approve_endpoint(
    request: HttpRequest, registration_id: Id, payload: ApproveIn
) -> Any:
    user, registration = _decidable(request, registration_id)
    account = None
    if payload.account_id is not None:
        account = refs_resolve(
            {"account_id": payload.account_id},
            {"account": registration_account_choices(user=user, registration=registration)},
        )["account"]
    registration_approve(
        registration=registration,
        approved_by=user,
        account=account,
        override_conflicts=payload.override_conflicts,
    )
    return get_registration_for_user(user=user, registration_id=registration.pk)


@router.post(
    "/registrations/{registration_id}/reject",
    response={200: RegistrationOut, **ERRORS},
    summary="Reject a registration with a reason the partner will read",
)
def registration_reject_endpoint(
    request: HttpRequest, registration_id: Id, payload: RejectIn
) -> Any:
    user, registration = _decidable(request, registration_id)
    registration_reject(registration=registration, rejected_by=user, reason=payload.reason)
    return get_registration_for_user(user=user, registration_id=registration.pk)


@router.post(
    "/registrations/{registration_id}/extension/decide",
    response={200: ExtensionOut, **ERRORS},
    summary="Grant or decline the pending extension request",
)
def registration_extension_decide_endpoint(
    request: HttpRequest, registration_id: Id, payload: ExtensionDecisionIn
) -> Any:
    user, registration = _decidable(request, registration_id)
    extension = registration_pending_extension(registration=registration)
    if extension is None:
        raise ApplicationError(_("No extension request is waiting for a decision."))
    return registration_extension_decide(
        extension=extension, decided_by=user, approve=payload.approve, note=payload.note
    )
