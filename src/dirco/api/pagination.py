"""Keyset pagination for every list: ``?limit=50&after=<cursor>`` -> ``{"items", "next"}``.

No ``COUNT(*)`` and no ``OFFSET``: a page fetches ``limit + 1`` rows after the cursor, which
encodes the sort key of the last row shown. Each page costs the same at row 50 or row 1M,
and a row inserted meanwhile neither repeats nor hides another.

Every order must end with a unique key (``id``) and use non-null values; a nullable sort key
is wrapped in ``Coalesce`` and annotated before paginating.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from django.core.exceptions import EmptyResultSet
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Field as DjangoField
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema

from dirco.api.schemas import DB_INT_MAX
from dirco.core.errors import ApplicationError
from dirco.core.prepared import PreparedQuery, PreparedShapes

# The sorts of the lists of named records (partners, accounts), newest or by name; each ends
# with the id, as keyset pagination needs.
LIST_SORTS: dict[str, tuple[str, str]] = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
}

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

M = TypeVar("M", bound=Model)
T = TypeVar("T")


class PageParams(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Rows per page (1-200).")
    after: str = Field(
        "", max_length=400, description="The cursor from the previous page's `next` link."
    )


class Page(Schema, Generic[T]):
    items: list[T]
    next: str | None = Field(None, description="The next page's URL, or null on the last page.")


def cursor_encode(values: Sequence[Any]) -> str:
    raw = json.dumps([None if v is None else str(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def cursor_decode(cursor: str, *, size: int) -> list[str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        values = None
    if (
        not isinstance(values, list)
        or len(values) != size
        or not all(isinstance(v, str) for v in values)
    ):
        raise ApplicationError(
            _("This cursor is not valid; follow the 'next' link of a previous page."),
            fields={"after": [_("Not a cursor from this list.")]},
        )
    return values


def _order_field(queryset: QuerySet[Any, Any], key: str) -> DjangoField[Any, Any]:
    """The model field (or annotation's output field) a sort key reads."""
    name = key.lstrip("-")
    annotation = queryset.query.annotations.get(name)
    if annotation is not None:
        field: DjangoField[Any, Any] = annotation.output_field
        return field
    model: Any = queryset.model
    parts = "id" if name == "pk" else name
    *path, last = parts.split("__")
    for part in path:
        model = model._meta.get_field(part).related_model
    found: DjangoField[Any, Any] = model._meta.get_field(last)
    return found


def cursor_values_typed(
    queryset: QuerySet[Any, Any], order: Sequence[str], values: Sequence[str]
) -> list[Any]:
    """The cursor's values as the typed values of their sort keys (int, date, datetime, ...),
    checked before any query runs: a tampered but well-formed cursor (a date that is not
    one, an integer beyond 64 bits, a NUL character) answers 400, never 500 (finding 5 of
    the security test)."""
    typed: list[Any] = []
    for key, value in zip(order, values, strict=True):
        field = _order_field(queryset, key)
        try:
            if "\x00" in value:
                raise DjangoValidationError("NUL")
            python = field.to_python(value)
            if isinstance(python, int) and not -DB_INT_MAX - 1 <= python <= DB_INT_MAX:
                raise DjangoValidationError("out of range")
            if python is None:
                raise DjangoValidationError("null")
        except (DjangoValidationError, ValueError, TypeError, OverflowError):
            raise ApplicationError(
                _("This cursor is not valid; follow the 'next' link of a previous page."),
                fields={"after": [_("Not a cursor from this list.")]},
            ) from None
        typed.append(python)
    return typed


def _after_condition(order: Sequence[str], values: Sequence[Any]) -> Q:
    """Rows strictly after ``values`` in ``order``: (k1 > v1) | (k1 = v1 & k2 > v2) | ..."""
    condition = Q()
    equal = Q()
    for key, value in zip(order, values, strict=True):
        name = key.lstrip("-")
        lookup = "lt" if key.startswith("-") else "gt"
        condition |= equal & Q(**{f"{name}__{lookup}": value})
        equal &= Q(**{name: value})
    first = order[0]
    # A redundant bound on the first key lets the database start the index range at the cursor
    # instead of scanning from the top and filtering (SQLite plans an OR poorly otherwise).
    bound = Q(**{f"{first.lstrip('-')}__{'lte' if first.startswith('-') else 'gte'}": values[0]})
    return bound & condition


def _next_url(request: HttpRequest, cursor: str) -> str:
    params = request.GET.copy()
    params["after"] = cursor
    query = urlencode(sorted(params.lists()), doseq=True)
    return request.build_absolute_uri(f"{request.path}?{query}")


def paginate(
    request: HttpRequest,
    queryset: QuerySet[M, Any],
    *,
    order: Sequence[str],
    params: PageParams,
    rows_queryset: QuerySet[M, Any] | None = None,
) -> dict[str, Any]:
    """One page of ``queryset`` sorted by ``order`` (field names, ``-`` for descending).

    ``queryset`` may be a ``.values()`` queryset whose rows hold every ``order`` key. With
    ``rows_queryset`` (a ``.values()`` queryset holding ``id``), ``queryset`` only chooses
    and orders the ids of the page, and the rows come from ``rows_queryset``.
    """
    qs = queryset.order_by(*order)
    if params.after:
        raw = cursor_decode(params.after, size=len(order))
        qs = qs.filter(_after_condition(order, cursor_values_typed(qs, order, raw)))
    if rows_queryset is not None:
        # Sort and cut on the bare table first (an index often covers it), then join only
        # the rows of the page: joining before an unindexed sort joins every visible row.
        ids = list(qs.values_list("pk", flat=True)[: params.limit + 1])
        by_id = {row["id"]: row for row in rows_queryset.filter(pk__in=ids).order_by()}
        rows = [by_id[pk] for pk in ids]
    else:
        rows = list(qs[: params.limit + 1])
    next_url = None
    if len(rows) > params.limit:
        rows = rows[: params.limit]
        last = rows[-1]
        next_url = _next_url(request, cursor_encode([_sort_value(last, key) for key in order]))
    return {"items": rows, "next": next_url}


def _sort_value(row: Model | dict[str, Any], key: str) -> Any:
    name = key.lstrip("-")
    if isinstance(row, dict):  # a .values() queryset
        value: Any = row[name]
    else:
        value = row
        for part in name.split("__"):
            value = getattr(value, part)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


class PartsRows:
    """The rows :func:`paginate_parts` reads: ``rows()`` (a ``.values()`` queryset holding
    ``id`` and every sort key) filtered to the parts' pages, compiled once per shape of page
    (sort, size, number of parts: dirco.core.prepared) instead of on every request."""

    def __init__(self, rows: Callable[[], QuerySet[Any, Any]]) -> None:
        self.rows = rows
        self._prepared = PreparedShapes(limit=128)

    def read(
        self, order: Sequence[str], size: int, fragments: Sequence[tuple[str, Sequence[Any]]]
    ) -> list[dict[str, Any]]:
        """The first ``size`` rows in ``order`` whose id one of ``fragments`` selects."""

        def build(*subqueries: Any) -> QuerySet[Any, Any]:
            condition = Q()
            for subquery in subqueries:
                condition |= Q(pk__in=subquery)
            return self.rows().filter(condition).order_by(*order)[:size]

        prepared = self._prepared.get(
            (tuple(order), size, len(fragments)),
            lambda: PreparedQuery(build, fragments=len(fragments)),
        )
        return prepared.run(fragments=fragments)


class _BranchPages:
    """The SQL of one branch's page (``base.filter(name=<id>)`` sorted, ``size`` ids), compiled
    once per (model, lookup, sort, size) when ``base`` is a bare table and there is no cursor:
    the first page of an unfiltered list, the one most requests ask for."""

    def __init__(self) -> None:
        self._prepared = PreparedShapes(limit=256)

    def sql(
        self,
        base: QuerySet[Any, Any],
        equality: tuple[str, int] | None,
        order: Sequence[str],
        size: int,
    ) -> tuple[str, list[Any]]:
        """The page of ``base`` (a bare table), or of its rows where ``name = id``."""
        name = None if equality is None else equality[0]

        def build(*pk: int) -> QuerySet[Any, Any]:
            table = base if name is None else base.filter(**{name: pk[0]})
            return table.order_by(*order).values("pk")[:size]

        prepared = self._prepared.get(
            (base.model, name, tuple(order), size),
            lambda: PreparedQuery(build, slots=() if name is None else (int,)),
        )
        return prepared.sql_with_params(*(() if equality is None else (equality[1],)))


_BRANCH_PAGES = _BranchPages()


def _bare(base: QuerySet[Any, Any]) -> bool:
    """Whether ``base`` is its whole table, as the default manager gives it."""
    query = base.query
    return not (
        query.where
        or query.annotations
        or query.is_sliced
        or query.distinct
        or query.extra
        or query.combinator
        or query.select_related
    )


def _int_equality(branch: Q) -> tuple[str, int] | None:
    """``(name, id)`` when ``branch`` is ``Q(name=id)``, else None."""
    if branch.negated or len(branch.children) != 1:
        return None
    child = branch.children[0]
    if isinstance(child, tuple) and "__" not in child[0] and type(child[1]) is int:
        return child[0], child[1]
    return None


def paginate_parts(
    request: HttpRequest,
    base: QuerySet[M, Any],
    branches: Sequence[Q] | None,
    *,
    order: Sequence[str],
    params: PageParams,
    rows: PartsRows,
) -> dict[str, Any]:
    """:func:`paginate` over the union of ``base.filter(branch)`` for each of ``branches``
    (conditions whose OR is the list, e.g. a rep's own deals and each of their partners' deals;
    None: all of ``base``), in one query.

    ``WHERE id IN (branch 1's page) OR id IN (branch 2's page) ... ORDER BY ... LIMIT``: each
    branch's page (``limit + 1`` ids after the cursor) is read sorted from an index, and only
    those few rows are sorted together. An ``OR`` of the branches' conditions would make the
    database sort every visible row instead (a rep's 70,000 deals at 1M). ``rows`` gives the
    rows' columns.
    """
    cursor_values = None
    if params.after:
        raw = cursor_decode(params.after, size=len(order))
        cursor_values = cursor_values_typed(base, order, raw)
    size = params.limit + 1
    # A bare table's first page: each branch's SQL is compiled once per shape, not per request.
    prepared = cursor_values is None and _bare(base)
    fragments: list[tuple[str, Sequence[Any]]] = []
    if prepared and branches is None:
        fragments.append(_BRANCH_PAGES.sql(base, None, order, size))
        branches = []
    for branch in [Q()] if branches is None else branches:
        equality = _int_equality(branch) if prepared else None
        if equality is not None:
            fragments.append(_BRANCH_PAGES.sql(base, equality, order, size))
            continue
        qs = base.filter(branch).order_by(*order)
        if cursor_values is not None:
            qs = qs.filter(_after_condition(order, cursor_values))
        try:
            fragments.append(qs.values("pk")[:size].query.sql_with_params())
        except EmptyResultSet:  # e.g. Deal.objects.none(): no row in this branch
            continue
    page = rows.read(order, size, fragments) if fragments else []
    next_url = None
    if len(page) > params.limit:
        page = page[: params.limit]
        last = page[-1]
        next_url = _next_url(request, cursor_encode([_sort_value(last, key) for key in order]))
    return {"items": page, "next": next_url}
