"""Amounts, compact figures, months and CSV in the user's language (dirco.core.l10n)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from dirco.core.l10n import (
    csv_format,
    currency_matches,
    format_amount,
    format_compact,
    month_abbr,
    month_label,
    parse_amount,
    written_currency,
)


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("fr", "28 000 000,00", "28000000.00"),
        ("fr", "1 900 000 €", "1900000"),
        ("fr", "1\u202f900\u202f000,50\u00a0EUR", "1900000.50"),
        ("fr", "1,5", "1.5"),
        ("fr", "1,200", "1.2"),  # a French comma is a decimal comma
        ("fr", "1.200.000,50", "1200000.50"),
        ("fr", "1200000.00", "1200000.00"),  # plain, as an API or a paste sends it
        ("en", "1,900,000.50", "1900000.50"),
        ("en", "1,200", "1200"),
        ("en", "$ 12.5", "12.5"),
        ("en", "28 000 000,00", "28000000.00"),
        ("en", "-3.25", "-3.25"),
        ("en", "100 usd", "100"),
        ("fr", "CHF 12,5", "12.5"),
    ],
)
def test_parse_amount_reads_what_people_type(lang: str, text: str, expected: str) -> None:
    with translation.override(lang):
        assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize(
    "text",
    # Letters that are no currency are no amount: "12abc" was read as 12, "1,5 mio" as 1.5.
    [
        "",
        "abc",
        "1,2,3",
        "1.2.3,4,5",
        "12,34,567",
        "€",
        "1..2",
        "12abc",
        "1,5 mio",
        "2 k€",
        "XYZ 5",
    ],
)
def test_parse_amount_refuses_nonsense(text: str) -> None:
    for lang in ("fr", "en"):
        with translation.override(lang), pytest.raises(ValueError):
            parse_amount(text)


def test_the_currency_written_around_an_amount_is_read() -> None:
    assert written_currency("1 900 000 €") == "EUR"
    assert written_currency("usd 12") == "USD"
    assert written_currency("$12") == "$"
    assert written_currency("1,900,000.50") is None
    assert currency_matches("$", "CAD") and currency_matches(None, "EUR")
    assert not currency_matches("USD", "EUR") and not currency_matches("$", "EUR")


def test_amounts_and_axes_are_shown_per_language() -> None:
    with translation.override("en"):
        assert format_amount(Decimal("28000000"), "EUR") == "28,000,000.00\u00a0EUR"
        assert format_compact(30_000_000) == "30.0M"
        assert format_compact(45_000) == "45k"
    with translation.override("fr"):
        assert format_amount(Decimal("28000000"), "EUR").startswith("28")
        assert ",00\u00a0EUR" in format_amount(Decimal("28000000"), "EUR")
        assert format_compact(30_000_000).startswith("30,0")


def test_month_abbreviations_never_clash() -> None:
    for lang in ("fr", "en"):
        with translation.override(lang):
            names = [month_abbr(m) for m in range(1, 13)]
            assert len(set(names)) == 12, names
    with translation.override("fr"):
        assert month_abbr(6) != month_abbr(7)
        assert month_label(dt.date(2026, 6, 1)).endswith("2026")


def test_csv_uses_semicolons_in_french() -> None:
    with translation.override("fr"):
        assert csv_format().delimiter == ";" and csv_format().bom
    with translation.override("en"):
        assert csv_format().delimiter == ","
