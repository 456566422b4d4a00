"""Template filters for money and dates, formatted in the active language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone

from dirco.core.l10n import NumberFormat, format_amount
from dirco.core.l10n import month_label as l10n_month_label
from dirco.core.money import company_currency as _company_currency

register = template.Library()


@register.filter
def money(value: Decimal | int | float | None, currency: str = "") -> str:
    """``12 500,00 EUR`` in French, ``12,500.00 EUR`` in English."""
    if value is None or value == "":
        return "—"
    return format_amount(value, currency or _company_currency())


@register.filter
def money_short(value: Decimal | int | float | None, currency: str = "") -> str:
    """Whole units, for totals and cards where cents are noise."""
    return money_short_in(value, currency)


def money_short_in(
    value: Decimal | int | float | None, currency: str = "", numbers: NumberFormat | None = None
) -> str:
    """:func:`money_short` with the active language's formats already looked up (``numbers``,
    for a page of many amounts)."""
    if value is None or value == "":
        return "—"
    return format_amount(
        round(Decimal(value)), currency or _company_currency(), decimals=0, numbers=numbers
    )


@register.filter
def month_label(value: dt.date | None) -> str:
    """``Juin 2026`` / ``June 2026``: the month abbreviation every page uses."""
    return l10n_month_label(value) if value else ""


@register.simple_tag
def company_currency() -> str:
    return _company_currency()


@register.filter
def is_overdue(value: dt.datetime | None) -> bool:
    return value is not None and value < timezone.now()


@register.filter
def days_in_stage(deal: Any, today: dt.date) -> int:
    """Whole days since the deal entered its current stage (0 on the day it moved)."""
    entered: dt.datetime | None = getattr(deal, "stage_entered_at", None)
    if entered is None:
        return 0
    return max((today - timezone.localdate(entered)).days, 0)


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``mapping[key]`` in a template (None when missing)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.inclusion_tag("web/_export_links.html", takes_context=True)
def export_links(context: Any, vcard: bool = False) -> dict[str, Any]:
    """The download links of a list page: the same address and filters as the page (without
    its page number), plus ``export=csv|xlsx`` (and ``vcf`` for contacts)."""
    request = context["request"]
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    links = []
    for fmt, label in (("csv", "CSV"), ("xlsx", "XLSX"), *((("vcf", "vCard"),) if vcard else ())):
        query["export"] = fmt
        links.append({"fmt": fmt, "label": label, "url": f"{request.path}?{query.urlencode()}"})
    return {"links": links}
