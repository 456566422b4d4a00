"""API: product lines (read-only; everyone who records deals or registrations picks one)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from dirco.api.errors import ErrorOut
from dirco.api.pagination import Page, PageParams, paginate
from dirco.api.schemas import Id, SearchText
from dirco.catalog.models import ProductLine

router = Router(tags=["catalog"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class ProductLineOut(Schema):
    id: int
    name: str
    code: str


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
def product_line_detail(request: HttpRequest, product_line_id: Id) -> Any:
    found = ProductLine.objects.filter(pk=product_line_id).first()
    if found is None:
        raise Http404("No such product line.")
    return found
