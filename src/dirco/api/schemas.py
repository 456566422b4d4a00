"""Schema pieces shared by the domain APIs: references to other objects, money as strings."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, QuerySet, TextChoices
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Strict,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from dirco.core.errors import ApplicationError
from dirco.core.references import unknown_reference
from dirco.core.text import text_problem


def _decimal_to_str(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


# Money and other exact decimals leave the API as strings ("12500.00"), never as floats.
DecimalString = Annotated[str, BeforeValidator(_decimal_to_str)]


# The largest integer the databases store (a signed 64-bit column): a bigger id or filter
# would overflow in the driver (HTTP 500) instead of answering 400.
DB_INT_MAX = 2**63 - 1


# Every id that comes in (path, query or body) is one of these: 1 to DB_INT_MAX, refused
# with 400 otherwise, before any query runs (finding 5 of the security test).
def _not_a_bool(value: Any) -> Any:
    """JSON's true and false are not ids (pydantic would read them as 1 and 0)."""
    if isinstance(value, bool):
        raise ValueError(_("Give a number, not true or false."))
    return value


Id = Annotated[int, BeforeValidator(_not_a_bool), Field(ge=1, le=DB_INT_MAX)]
# Fiscal years the calendar can hold (objectives.fiscal_calendar.fiscal_year_check).
FiscalYear = Annotated[int, Field(ge=2000, le=2100, description="Fiscal year (2000-2100).")]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_only(value: Any) -> Any:
    """Dates and times come as ISO 8601 text: pydantic would otherwise read ``0`` or
    ``"1700000000"`` as a Unix time, which the schema does not document."""
    if isinstance(value, str) and _ISO_DATE.match(value):
        return value
    if isinstance(value, dt.date) or value is None:
        return value
    raise ValueError(_("Write the date as YYYY-MM-DD (ISO 8601)."))


IsoDate = Annotated[dt.date, BeforeValidator(_iso_only)]
IsoDateTime = Annotated[dt.datetime, BeforeValidator(_iso_only)]

# A boolean in a JSON body must be true or false: 0, 1, "yes" or "0" are refused (400), so
# that what the schema documents is what the server accepts (finding 12 of the security test).
StrictBool = Annotated[bool, Strict()]


def choices_schema(choices: type[TextChoices], name: str) -> WithJsonSchema:
    """The schema of a field of ``choices``, inlined under the title ``name``:
    ``Annotated[Lead.Status, choices_schema(Lead.Status, "LeadStatus")]``. Two enums that
    share a class name (``Partner.Status``, ``Lead.Status``) would otherwise share one
    OpenAPI component and document each other's values (see dirco.api.openapi)."""
    schema = {"title": name, "type": "string", "enum": [str(v) for v in choices.values]}
    return WithJsonSchema(schema)


def _single_line(value: str) -> str:
    if problem := text_problem(value, single_line=True):
        raise ValueError(problem)
    return value


def _no_nul(value: str) -> str:
    if problem := text_problem(value, single_line=False):
        raise ValueError(problem)
    return value


# Free text has a size (finding 11 of the security test): a name is one line of at most 200
# characters (a CR or LF in a name breaks the e-mail headers it ends up in); a note or a
# message at most 4,000 characters; a search at most 200.
Name = Annotated[str, Field(max_length=200), AfterValidator(_single_line), AfterValidator(_no_nul)]
Line = Annotated[str, Field(max_length=254), AfterValidator(_single_line), AfterValidator(_no_nul)]
Text = Annotated[str, Field(max_length=4000), AfterValidator(_no_nul)]
Country = Annotated[
    str,
    Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2 code, e.g. FR."),
    AfterValidator(_single_line),
]


def _country_code(value: Any) -> Any:
    """A model's django-countries ``Country`` as its code."""
    return value if value is None or isinstance(value, str) else str(value)


# A country read from a model (django-countries CountryField gives a Country object).
CountryCode = Annotated[
    str,
    BeforeValidator(_country_code),
    Field(max_length=2, description="ISO 3166-1 alpha-2 code, e.g. FR."),
]
Phone = Annotated[str, Field(max_length=40), AfterValidator(_single_line), AfterValidator(_no_nul)]
SearchText = Annotated[str, Field(max_length=200), AfterValidator(_no_nul)]


def _text_values_problem(value: Any) -> str | None:
    if isinstance(value, str):
        return text_problem(value, single_line=False)
    if isinstance(value, list | tuple):
        for item in value:
            if problem := _text_values_problem(item):
                return problem
    if isinstance(value, dict):
        for item in value.values():
            if problem := _text_values_problem(item):
                return problem
    return None


class InputSchema(Schema):
    """Input refuses unknown fields: a field the caller may not set is an error, not ignored.

    Every string is at most 10,000 characters even where a field says nothing narrower, and
    none, in any field or list, carries a NUL character (PostgreSQL refuses them in text) or a
    lone surrogate (a JSON "\\ud800" escape: not text): an error on that field
    (``dirco.core.text.text_problem``, the forms' rule too). ``Name`` and ``Line`` fields are
    also one line without control characters.
    """

    model_config = ConfigDict(extra="forbid", str_max_length=10_000)

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_non_text(cls, value: Any) -> Any:
        if problem := _text_values_problem(value):
            raise ValueError(problem)
        return value


# References are plain pydantic models, not ninja Schemas: they validate in pydantic-core
# without ninja's per-attribute getter, which matters on list pages of a few hundred rows.


class Ref(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str


class UserRef(BaseModel):
    """A reference whose name is the object's display name (``str(obj)``): users, contacts."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str

    @model_validator(mode="before")
    @classmethod
    def _from_object(cls, value: Any) -> Any:
        if isinstance(value, dict | BaseModel):
            return value
        return {"id": value.pk, "name": str(value)}


def refs_resolve(data: dict[str, Any], scopes: dict[str, QuerySet[Any]]) -> dict[str, Any]:
    """Replace each ``<name>_id`` in ``data`` by the object among ``scopes[name]``.

    ``scopes`` holds what the caller may reference (e.g. ``accounts_visible_to(user)``): an id
    that does not exist and one the caller may not see both get "Unknown ..." on the field
    ``<name>``. Every unknown id is reported at once; ``None`` stays ``None``.
    """
    out = dict(data)
    errors: dict[str, list[str]] = {}
    for name, queryset in scopes.items():
        key = f"{name}_id"
        if key not in out:
            continue
        pk = out.pop(key)
        if pk is None:
            out[name] = None
            continue
        obj = queryset.filter(pk=pk).first()
        if obj is None:
            errors[name] = [unknown_reference(name, pk)]
        else:
            out[name] = obj
    if errors:
        raise ApplicationError(_("Nothing was saved: correct the fields shown."), fields=errors)
    return out


def patch_nulls_refuse(data: dict[str, Any], model: type[Model]) -> dict[str, Any]:
    """Refuse ``null`` for a field the record cannot leave empty (a PATCH sends only what it
    changes; ``null`` there means "empty it", which such a column cannot store): a 400 on
    the field, instead of the database's NOT NULL error (HTTP 500)."""
    errors: dict[str, list[str]] = {}
    for key, value in data.items():
        if value is not None:
            continue
        name = key[:-3] if key.endswith("_id") else key
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if not getattr(field, "null", True):
            errors[name] = [_("This field cannot be empty: leave it out to keep its value.")]
    if errors:
        raise ApplicationError(_("Nothing was saved: correct the fields shown."), fields=errors)
    return data


def payload_fields(payload: Schema, model: type[Model]) -> dict[str, Any]:
    """What a create or a PATCH body sets: the fields sent (unset ones left out), with
    ``null`` refused where ``model``'s column cannot be empty (:func:`patch_nulls_refuse`).
    Ids stay ids: the caller resolves them among what the user may reference."""
    return patch_nulls_refuse(payload.model_dump(exclude_unset=True), model)
