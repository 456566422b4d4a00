"""API: deals, their stages and history, and activities.

Reads go through pipeline.permissions / pipeline.selectors, writes through pipeline.services.
Ids in the input are resolved among what the caller may reference: an account, partner or
owner the caller may not see is answered like one that does not exist ("Unknown ...").
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal, cast

from django.core.exceptions import PermissionDenied
from django.db.models import DateTimeField, Model, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import BaseModel, ConfigDict, Strict, field_serializer
from pydantic_core import to_json

from dirco.accounts.models import User
from dirco.api.auth import request_user
from dirco.api.errors import ErrorOut, permission_require
from dirco.api.pagination import Page, PageParams, PartsRows, paginate, paginate_parts
from dirco.api.schemas import (
    DecimalString,
    Id,
    InputSchema,
    IsoDate,
    IsoDateTime,
    Name,
    Ref,
    SearchText,
    StrictBool,
    Text,
    UserRef,
    choices_schema,
    payload_fields,
    refs_resolve,
)
from dirco.api.versioning import etag_set, if_match_version
from dirco.catalog.models import ProductLine
from dirco.core.money import company_currency
from dirco.customers.models import Account
from dirco.customers.permissions import accounts_visible_to, contacts_visible_to
from dirco.partners.models import Partner
from dirco.partners.permissions import partners_visible_to
from dirco.pipeline.models import Activity, Deal, ForecastCategory, Stage
from dirco.pipeline.permissions import (
    activity_can_edit,
    activity_can_log,
    deal_can_create,
    deal_can_delete,
    deal_can_edit,
    deals_visible_to,
    get_activity_for_user,
    get_deal_for_user,
)
from dirco.pipeline.selectors import (
    DEAL_SORTS,
    DealFilters,
    activity_list_for_user,
    deal_history,
    deal_list_parts,
)
from dirco.pipeline.services import (
    ActivityFields,
    DealFields,
    activity_complete,
    activity_create,
    activity_update,
    deal_create,
    deal_delete,
    deal_move_stage,
    deal_update,
    stage_create,
    stage_delete,
    stage_update,
)
from dirco.teams.permissions import users_assignable_by

DealSourceField = Annotated[Deal.Source, choices_schema(Deal.Source, "DealSource")]
router = Router(tags=["pipeline"])

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
DealSort = Literal["close", "-close", "amount", "-amount", "name", "-name", "created", "-created"]


class StageOut(Schema):
    id: int
    name: str
    order: int
    probability: int
    forecast_category: str
    is_won: bool
    is_lost: bool
    version: int = Field(description="Bumped on each change; sent as the ETag.")


def _iso_datetime(value: dt.datetime) -> str:
    """The format of Django's JSON encoder, so a deal reads the same in the list (serialised
    by pydantic) and in the detail (serialised by ninja through Django's encoder)."""
    text = value.isoformat()
    if value.microsecond:
        text = text[:23] + text[26:]
    if text.endswith("+00:00"):
        text = text.removesuffix("+00:00") + "Z"
    return text


# A plain pydantic model (not a ninja Schema). The deal list writes its rows directly, in the
# same shape (_deal_row_out); the docstring is the schema's description.
class DealOut(BaseModel):
    """A deal, as the list and the detail return it."""

    model_config = ConfigDict(from_attributes=True)

    @field_serializer("created_at", "updated_at")
    def _datetime_out(self, value: dt.datetime) -> str:
        return _iso_datetime(value)

    id: int
    name: str
    account: Ref
    partner: Ref | None
    owner: UserRef
    stage: Ref
    product_line: Ref
    team_id: int | None
    amount: DecimalString = Field(description="Decimal as a string, in `currency`.")
    currency: str
    amount_company: DecimalString = Field(description="In the company currency.")
    probability: int
    forecast_category: str
    expected_close_date: dt.date
    close_date: dt.date | None
    source: str
    lost_reason: str
    version: int = Field(description="Bumped on each change; sent as the ETag.")
    created_at: dt.datetime
    updated_at: dt.datetime


class DealListFilters(Schema):
    q: SearchText = Field("", description="Part of the deal or account name.")
    stage_id: Id | None = None
    owner_id: Id | None = None
    partner_id: Id | None = None
    account_id: Id | None = None
    team_id: Id | None = None
    product_line_id: Id | None = None
    source: DealSourceField | None = None
    status: Literal["", "open", "overdue", "won", "lost"] = Field(
        "", description="overdue: open deals whose expected close date has passed."
    )
    close_from: IsoDate | None = Field(None, description="Expected close date on or after.")
    close_to: IsoDate | None = Field(None, description="Expected close date on or before.")
    sort: DealSort = "-close"


class DealPatch(InputSchema):
    """Every field is optional; ``owner_id`` must be a user in your line (a rep: themselves)."""

    name: Name | None = None
    account_id: Id | None = None
    partner_id: Id | None = None
    owner_id: Id | None = None
    product_line_id: Id | None = None
    amount: Decimal | None = Field(None, max_digits=14, decimal_places=2)
    currency: str | None = Field(None, max_length=3)
    stage_id: Id | None = None
    probability: int | None = Field(None, ge=0, le=100)
    forecast_category: ForecastCategory | None = None
    expected_close_date: IsoDate | None = None
    close_date: IsoDate | None = None
    source: DealSourceField | None = None
    lost_reason: Deal.LostReason | Literal[""] | None = None
    confirm_zero_amount: StrictBool = Field(
        False, description="Set to true to save an amount of 0 (refused otherwise)."
    )


class DealIn(DealPatch):
    name: Name  # type: ignore[assignment]
    account_id: Id  # type: ignore[assignment]
    product_line_id: Id  # type: ignore[assignment]
    amount: Decimal = Field(max_digits=14, decimal_places=2)  # type: ignore[assignment]
    stage_id: Id  # type: ignore[assignment]
    expected_close_date: IsoDate  # type: ignore[assignment]


class StageMoveIn(InputSchema):
    stage_id: int
    lost_reason: Deal.LostReason | Literal[""] = ""


class StageChangeOut(Schema):
    id: int
    from_stage: Ref | None
    to_stage: Ref
    changed_at: dt.datetime
    changed_by: UserRef | None


# The deal's own columns a list row shows; the names of what it points to come from
# DEAL_ROW_NAMES.
DEAL_ROW_FIELDS = (
    *(
        name
        for name in DealOut.model_fields
        if name not in ("account", "partner", "owner", "stage", "product_line")
    ),
    "account_id",
    "partner_id",
    "owner_id",
    "stage_id",
    "product_line_id",
)


def _column_of(model: type[Model], foreign_key: str, column: str) -> Subquery:
    """``column`` of the ``model`` row ``foreign_key`` names (at most one: by primary key)."""
    rows = model._default_manager.filter(pk=OuterRef(foreign_key)).order_by().values(column)
    return Subquery(rows)


def _deal_row_names() -> dict[str, Subquery]:
    """The names a list row shows, each read by a subquery of the select list
    (``(SELECT name FROM customers_account WHERE id = account_id)``), not by joins: with five
    joins around the page's ``id IN (...)``, PostgreSQL spent 3.4 ms (8-9 ms before a vacuum)
    planning the query for 0.3 ms running it at 1M deals (it weighs every join order against
    every index of the deals); the subqueries plan in 0.2 ms and run once per row of the page
    (docs/architecture.md, "Pagination at scale")."""
    return {
        "account_name": _column_of(Account, "account_id", "name"),
        "partner_name": _column_of(Partner, "partner_id", "name"),
        "owner_first_name": _column_of(User, "owner_id", "first_name"),
        "owner_last_name": _column_of(User, "owner_id", "last_name"),
        "owner_email": _column_of(User, "owner_id", "email"),
        "stage_name": _column_of(Stage, "stage_id", "name"),
        "product_line_name": _column_of(ProductLine, "product_line_id", "name"),
    }


def _ref(row: dict[str, Any], name: str) -> dict[str, Any] | None:
    pk = row[f"{name}_id"]
    return None if pk is None else {"id": pk, "name": row[f"{name}_name"]}


def _deal_row_out(row: dict[str, Any]) -> dict[str, Any]:
    """A row of DEAL_ROWS as DealOut serialises it, field for field (the list writes it
    without validating it again: ``test_deal_list_rows_read_like_deal_out``)."""
    owner_name = f"{row['owner_first_name']} {row['owner_last_name']}".strip()
    close_date = row["close_date"]
    return {
        "id": row["id"],
        "name": row["name"],
        "account": _ref(row, "account"),
        "partner": _ref(row, "partner"),
        # Same as User.__str__: the full name, or the email when there is none.
        "owner": {"id": row["owner_id"], "name": owner_name or row["owner_email"]},
        "stage": _ref(row, "stage"),
        "product_line": _ref(row, "product_line"),
        "team_id": row["team_id"],
        "amount": str(row["amount"]),
        "currency": row["currency"],
        "amount_company": str(row["amount_company"]),
        "probability": row["probability"],
        "forecast_category": row["forecast_category"],
        "expected_close_date": row["expected_close_date"].isoformat(),
        "close_date": None if close_date is None else close_date.isoformat(),
        "source": row["source"],
        "lost_reason": row["lost_reason"],
        "version": row["version"],
        "created_at": _iso_datetime(row["created_at"]),
        "updated_at": _iso_datetime(row["updated_at"]),
    }


# The list's rows, compiled once per page shape (dirco.api.pagination.PartsRows).
DEAL_ROWS = PartsRows(lambda: Deal.objects.values(*DEAL_ROW_FIELDS, **_deal_row_names()))


def _deal_fields(user: User, data: dict[str, Any]) -> DealFields:
    """The payload typed as deal_create/deal_update take it (the deal form builds the same):
    pydantic has typed each value (``amount`` a Decimal), and each id becomes the record
    among those the caller may reference."""
    fields = refs_resolve(
        data,
        {
            "account": accounts_visible_to(user),
            "partner": partners_visible_to(user),
            "owner": users_assignable_by(user),
            "product_line": ProductLine.objects.all(),
            "stage": Stage.objects.all(),
        },
    )
    return cast(DealFields, fields)


def _deal_editable(request: HttpRequest, deal_id: Id) -> tuple[User, Deal]:
    """The deal if the caller may change it: 404 when hidden, 403 when only visible."""
    user = request_user(request)
    deal = get_deal_for_user(user=user, deal_id=deal_id)
    permission_require(
        deal_can_edit(user=user, deal=deal), _("You may see this deal but not change it.")
    )
    return user, deal


@router.get("/stages", response={200: Page[StageOut], **ERRORS}, summary="Pipeline stages")
def stage_list(request: HttpRequest, page: Query[PageParams]) -> Any:
    return paginate(request, Stage.objects.all(), order=("order", "id"), params=page)


# Strict: JSON's true and false are not numbers (pydantic would read them as 1 and 0).
Probability = Annotated[int, Strict(), Field(ge=0, le=100, description="Percent, 0-100.")]
StageOrder = Annotated[int, Strict(), Field(ge=0, le=32767, description="Place in the pipeline.")]


class StageIn(InputSchema):
    name: Annotated[Name, Field(min_length=1, max_length=80)]
    order: StageOrder
    probability: Probability
    forecast_category: ForecastCategory = ForecastCategory.PIPELINE
    is_won: StrictBool = False
    is_lost: StrictBool = False


class StagePatch(InputSchema):
    """Only the fields sent; a stage's outcome (won, lost, open) never changes."""

    name: Annotated[Name, Field(min_length=1, max_length=80)] | None = None
    order: StageOrder | None = None
    probability: Probability | None = None
    forecast_category: ForecastCategory | None = None


def _stage(stage_id: int) -> Stage:
    found = Stage.objects.filter(pk=stage_id).first()
    if found is None:
        raise Http404("No such stage.")
    return found


@router.get("/stages/{stage_id}", response={200: StageOut, **ERRORS}, summary="A stage")
def stage_detail(request: HttpRequest, stage_id: Id, response: HttpResponse) -> Any:
    stage = _stage(stage_id)
    etag_set(response, stage.version)
    return stage


@router.post(
    "/stages", response={201: StageOut, **ERRORS}, summary="Add a pipeline stage (director)"
)
def stage_create_endpoint(request: HttpRequest, payload: StageIn) -> Any:
    return Status(201, stage_create(created_by=request_user(request), **payload.model_dump()))


@router.patch(
    "/stages/{stage_id}",
    response={200: StageOut, **ERRORS, 412: ErrorOut},
    summary="Rename or reorder a stage, or change what deals entering it take (director; "
    "If-Match, or 412)",
)
def stage_update_endpoint(
    request: HttpRequest, stage_id: Id, payload: StagePatch, response: HttpResponse
) -> Any:
    stage = stage_update(
        stage=_stage(stage_id),
        updated_by=request_user(request),
        expected_version=if_match_version(request),
        changes=payload_fields(payload, Stage),
    )
    etag_set(response, stage.version)
    return stage


@router.delete(
    "/stages/{stage_id}",
    response={204: None, 409: ErrorOut, **ERRORS},
    summary="Delete a stage no deal went through (director)",
)
def stage_delete_endpoint(request: HttpRequest, stage_id: Id) -> Any:
    stage_delete(stage=_stage(stage_id), deleted_by=request_user(request))
    return Status(204, None)


@router.get("/deals", response={200: Page[DealOut], **ERRORS}, summary="Deals")
def deal_list_endpoint(
    request: HttpRequest, filters: Query[DealListFilters], page: Query[PageParams]
) -> Any:
    criteria = filters.model_dump()
    criteria["source"] = criteria["source"] or ""
    base, branches = deal_list_parts(user=request_user(request), filters=DealFilters(**criteria))
    # Ids first, branch by branch of the visibility rule (each read from an index), then the
    # page's rows as dicts, not model instances: no sort of every visible deal, no ORM objects.
    result = paginate_parts(
        request,
        base,
        branches,
        order=DEAL_SORTS[filters.sort],
        params=page,
        rows=DEAL_ROWS,
    )
    result["items"] = [_deal_row_out(row) for row in result["items"]]
    # The rows are already DealOut's JSON values: pydantic-core writes them without validating
    # them again (validating 50 rows cost as much as reading them).
    return HttpResponse(to_json(result), content_type="application/json")


@router.get("/deals/{deal_id}", response={200: DealOut, **ERRORS}, summary="A deal")
def deal_detail(request: HttpRequest, deal_id: Id, response: HttpResponse) -> Any:
    deal = get_deal_for_user(user=request_user(request), deal_id=deal_id)
    etag_set(response, deal.version)
    return deal


@router.post("/deals", response={201: DealOut, **ERRORS}, summary="Create a deal")
def deal_create_endpoint(request: HttpRequest, payload: DealIn) -> Any:
    user = request_user(request)
    permission_require(
        deal_can_create(user=user), _("You may not create deals; partners register them instead.")
    )
    data = payload_fields(payload, Deal)
    data.setdefault("owner_id", user.pk)
    data.setdefault("currency", company_currency())
    confirm_zero = bool(data.pop("confirm_zero_amount", False))
    deal = deal_create(
        created_by=user, confirm_zero_amount=confirm_zero, **_deal_fields(user, data)
    )
    return Status(201, get_deal_for_user(user=user, deal_id=deal.pk))


@router.patch(
    "/deals/{deal_id}",
    response={200: DealOut, **ERRORS, 412: ErrorOut},
    summary="Change a deal (If-Match: the ETag read, or 412)",
)
def deal_update_endpoint(
    request: HttpRequest, deal_id: Id, payload: DealPatch, response: HttpResponse
) -> Any:
    user, deal = _deal_editable(request, deal_id)
    data = payload_fields(payload, Deal)
    confirm_zero = bool(data.pop("confirm_zero_amount", False))
    fields = _deal_fields(user, data)
    deal = deal_update(
        deal=deal,
        updated_by=user,
        confirm_zero_amount=confirm_zero,
        expected_version=if_match_version(request),
        **fields,
    )
    etag_set(response, deal.version)
    return get_deal_for_user(user=user, deal_id=deal.pk)


@router.delete("/deals/{deal_id}", response={204: None, **ERRORS}, summary="Delete a deal")
def deal_delete_endpoint(request: HttpRequest, deal_id: Id) -> Any:
    user = request_user(request)
    deal = get_deal_for_user(user=user, deal_id=deal_id)
    permission_require(
        deal_can_delete(user=user, deal=deal), _("You may see this deal but not delete it.")
    )
    deal_delete(deal=deal)
    return Status(204, None)


@router.post(
    "/deals/{deal_id}/stage",
    response={200: DealOut, **ERRORS, 412: ErrorOut},
    summary="Move a deal to a stage (If-Match honoured)",
)
def deal_move_stage_endpoint(request: HttpRequest, deal_id: Id, payload: StageMoveIn) -> Any:
    user, deal = _deal_editable(request, deal_id)
    stage = refs_resolve({"stage_id": payload.stage_id}, {"stage": Stage.objects.all()})["stage"]
    deal_move_stage(
        deal=deal,
        stage=stage,
        moved_by=user,
        lost_reason=payload.lost_reason,
        expected_version=if_match_version(request),
    )
    return get_deal_for_user(user=user, deal_id=deal.pk)


@router.get(
    "/deals/{deal_id}/history",
    response={200: Page[StageChangeOut], **ERRORS},
    summary="A deal's stage changes, oldest first",
)
def deal_history_endpoint(request: HttpRequest, deal_id: Id, page: Query[PageParams]) -> Any:
    deal = get_deal_for_user(user=request_user(request), deal_id=deal_id)
    return paginate(request, deal_history(deal=deal), order=("changed_at", "id"), params=page)


# Activities: calls, meetings, emails and tasks.


class ContactRef(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj)


class ActivityOut(Schema):
    id: int
    kind: str
    subject: str
    notes: str
    owner: UserRef
    due_at: dt.datetime | None
    done_at: dt.datetime | None
    deal: Ref | None
    partner: Ref | None
    contact: ContactRef | None
    account: Ref | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int = Field(description="Bumped on each change; sent as the ETag.")


class ActivityFilters(Schema):
    include_done: bool = Field(False, description="Also list the activities already done.")
    kind: Literal["call", "meeting", "email", "task"] | None = None
    deal_id: Id | None = None
    partner_id: Id | None = None
    account_id: Id | None = None
    contact_id: Id | None = None


class ActivityIn(InputSchema):
    """Link the activity to at least one of a deal, a partner, a contact or an account."""

    kind: Literal["call", "meeting", "email", "task"]
    subject: Name
    notes: Text = ""
    due_at: IsoDateTime | None = None
    deal_id: Id | None = None
    partner_id: Id | None = None
    contact_id: Id | None = None
    account_id: Id | None = None


class ActivityPatch(InputSchema):
    kind: Literal["call", "meeting", "email", "task"] | None = None
    subject: Name | None = None
    notes: Text | None = None
    due_at: IsoDateTime | None = None


class ActivityCompleteIn(InputSchema):
    done: StrictBool = Field(True, description="false reopens the activity.")


# Open activities without a due date come after those with one.
NO_DUE_DATE = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


def _activities_by_due(qs: QuerySet[Activity]) -> QuerySet[Activity]:
    return qs.select_related("owner").annotate(
        due_sort=Coalesce("due_at", Value(NO_DUE_DATE), output_field=DateTimeField())
    )


@router.get("/activities", response={200: Page[ActivityOut], **ERRORS}, summary="My activities")
def activity_list(
    request: HttpRequest, filters: Query[ActivityFilters], page: Query[PageParams]
) -> Any:
    qs = activity_list_for_user(user=request_user(request), include_done=filters.include_done)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    for name in ("deal_id", "partner_id", "account_id", "contact_id"):
        value = getattr(filters, name)
        if value is not None:
            qs = qs.filter(**{name: value})
    return paginate(request, _activities_by_due(qs), order=("due_sort", "id"), params=page)


@router.get(
    "/activities/{activity_id}", response={200: ActivityOut, **ERRORS}, summary="An activity"
)
def activity_detail(request: HttpRequest, activity_id: Id, response: HttpResponse) -> Any:
    activity = get_activity_for_user(user=request_user(request), activity_id=activity_id)
    etag_set(response, activity.version)
    return activity


@router.post("/activities", response={201: ActivityOut, **ERRORS}, summary="Log an activity")
def activity_create_endpoint(request: HttpRequest, payload: ActivityIn) -> Any:
    user = request_user(request)
    fields = cast(
        ActivityFields,
        refs_resolve(
            payload_fields(payload, Activity),
            {
                "deal": deals_visible_to(user),
                "partner": partners_visible_to(user),
                "contact": contacts_visible_to(user),
                "account": accounts_visible_to(user),
            },
        ),
    )
    deal = fields.get("deal")
    if deal is not None and not activity_can_log(user=user, deal=deal):  # pragma: no cover
        raise PermissionDenied(_("You may not log activities on this deal."))
    activity = activity_create(owner=user, **fields)
    return Status(201, get_activity_for_user(user=user, activity_id=activity.pk))


@router.patch(
    "/activities/{activity_id}",
    response={200: ActivityOut, **ERRORS, 412: ErrorOut},
    summary="Change an activity (its owner or their manager; If-Match: the ETag read, or 412)",
)
def activity_update_endpoint(
    request: HttpRequest, activity_id: Id, payload: ActivityPatch, response: HttpResponse
) -> Any:
    user = request_user(request)
    activity = get_activity_for_user(user=user, activity_id=activity_id)
    if not activity_can_edit(user=user, activity=activity):
        raise PermissionDenied(_("Only the owner or their manager can change this activity."))
    data = payload_fields(payload, Activity)
    activity = activity_update(
        activity=activity,
        expected_version=if_match_version(request),
        **cast(ActivityFields, data),
    )
    etag_set(response, activity.version)
    return get_activity_for_user(user=user, activity_id=activity.pk)


@router.post(
    "/activities/{activity_id}/complete",
    response={200: ActivityOut, **ERRORS},
    summary="Mark an activity done (or not done)",
)
def activity_complete_endpoint(
    request: HttpRequest, activity_id: Id, payload: ActivityCompleteIn
) -> Any:
    user = request_user(request)
    activity = get_activity_for_user(user=user, activity_id=activity_id)
    permission_require(
        activity_can_edit(user=user, activity=activity),
        _("Only the owner or their manager can complete this activity."),
    )
    return activity_complete(activity=activity, done=payload.done)
