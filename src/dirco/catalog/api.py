"""API: product lines. Everyone reads them (a deal, a registration or a lead names one); the
director changes them (``catalog.permissions``)."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from dirco.api.auth import request_user
from dirco.api.errors import ErrorOut
from dirco.api.pagination import Page, PageParams, paginate
from dirco.api.schemas import Id, InputSchema, Name, SearchText, payload_fields
from dirco.api.versioning import etag_set, if_match_version
from dirco.catalog.models import ProductLine
from dirco.catalog.services import product_line_create, product_line_delete, product_line_update

router = Router(tags=["catalog"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class ProductLineOut(Schema):
    id: int
    name: str
    code: str
    version: int = Field(description="Bumped on each change; sent as the ETag.")


LineName = Annotated[Name, Field(min_length=1, max_length=120)]
LineCode = Annotated[
    str,
    Field(
        min_length=1,
        max_length=40,
        pattern=r"^[-a-zA-Z0-9_]+$",
        description="Letters, digits, - and _ (used in URLs and files).",
    ),
]


class ProductLineIn(InputSchema):
    name: LineName
    code: LineCode


class ProductLinePatch(InputSchema):
    name: LineName | None = None
    code: LineCode | None = None


class ProductLineFilters(Schema):
    q: SearchText = Field("", description="Part of the name or code.")


@router.get(
    "/product-lines", response={200: Page[ProductLineOut], **ERRORS}, summary="Product lines"
)
def product_line_list(
    request: HttpRequest, filters: Query[ProductLineFilters], page: Query[PageParams]
) -> Any:
    qs = ProductLine.objects.all()
    if filters.q:
        qs = qs.filter(name__icontains=filters.q) | qs.filter(code__icontains=filters.q)
    return paginate(request, qs, order=("name", "id"), params=page)


@router.get(
    "/product-lines/{product_line_id}",
    response={200: ProductLineOut, **ERRORS},
    summary="A product line",
)
def product_line_detail(request: HttpRequest, product_line_id: Id, response: HttpResponse) -> Any:
    line = _line(product_line_id)
    etag_set(response, line.version)
    return line


def _line(product_line_id: int) -> ProductLine:
    found = ProductLine.objects.filter(pk=product_line_id).first()
    if found is None:
        raise Http404("No such product line.")
    return found


@router.post(
    "/product-lines",
    response={201: ProductLineOut, **ERRORS},
    summary="Add a product line (director)",
)
def product_line_create_endpoint(request: HttpRequest, payload: ProductLineIn) -> Any:
    line = product_line_create(created_by=request_user(request), **payload.model_dump())
    return Status(201, line)


@router.patch(
    "/product-lines/{product_line_id}",
    response={200: ProductLineOut, **ERRORS, 412: ErrorOut},
    summary="Rename a product line or change its code (director; If-Match, or 412)",
)
def product_line_update_endpoint(
    request: HttpRequest, product_line_id: Id, payload: ProductLinePatch, response: HttpResponse
) -> Any:
    line = product_line_update(
        product_line=_line(product_line_id),
        updated_by=request_user(request),
        expected_version=if_match_version(request),
        **payload_fields(payload, ProductLine),
    )
    etag_set(response, line.version)
    return line


@router.delete(
    "/product-lines/{product_line_id}",
    response={204: None, 409: ErrorOut, **ERRORS},
    summary="Delete a product line nothing uses (director; 409 when in use)",
)
def product_line_delete_endpoint(request: HttpRequest, product_line_id: Id) -> Any:
    product_line_delete(product_line=_line(product_line_id), deleted_by=request_user(request))
    return Status(204, None)
