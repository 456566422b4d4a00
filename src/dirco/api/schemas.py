"""Schema pieces shared by the domain APIs: references to other objects, money as strings."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import BaseModel, BeforeValidator, ConfigDict, model_validator

from dirco.core.errors import ApplicationError


def _decimal_to_str(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


# Money and other exact decimals leave the API as strings ("12500.00"), never as floats.
DecimalString = Annotated[str, BeforeValidator(_decimal_to_str)]


class InputSchema(Schema):
    """Input refuses unknown fields: a field the caller may not set is an error, not ignored."""

    model_config = ConfigDict(extra="forbid")


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
            what = name.replace("_", " ")
            errors[name] = [_("Unknown %(what)s: %(id)s.") % {"what": what, "id": pk}]
        else:
            out[name] = obj
    if errors:
        raise ApplicationError(_("Nothing was saved: correct the fields shown."), fields=errors)
    return out
