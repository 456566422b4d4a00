"""Numbers, amounts, months and CSV in the user's language: the one place that knows how.

Shown: ``format_number``/``format_amount`` (``28 000 000,00 EUR`` in French,
``28,000,000.00 EUR`` in English), ``format_compact`` for chart axes (``30,0 M`` / ``30.0M``),
``month_abbr``/``month_label`` (one abbreviation per month, the same on every page), and
``csv_format`` (French spreadsheets expect ``;`` and a BOM).

Read back: ``parse_amount`` takes what a person types in either language, with spaces,
non-breaking spaces, apostrophes or the other language's separators for grouping, and a
currency sign or code around it (``1 900 000 €``, ``28 000 000,00``, ``1,900,000.50``,
``EUR 12.5``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import formats, numberformat
from django.utils.dates import MONTHS, MONTHS_AP
from django.utils.translation import get_language, pgettext

from dirco.core.money import CURRENCIES

# Grouping characters people type or paste: space, no-break space, narrow no-break space,
# thin space, apostrophes (Swiss style).
_GROUPING = re.compile("[ \u00a0\u202f\u2009'\u2019]")
# A currency written before or after the amount: an ISO code dirco knows, or a sign.
_CURRENCY = re.compile(r"^\s*([A-Za-z]{3}|[€$£¥])|([A-Za-z]{3}|[€$£¥])\s*$")
_SIGNS = {"€": "EUR", "£": "GBP", "¥": "JPY", "$": "$"}


def _currency_of(token: str) -> str | None:
    """The currency a sign or code stands for ("$" for any dollar); None if it is none."""
    if token in _SIGNS:
        return _SIGNS[token]
    return token.upper() if token.upper() in CURRENCIES else None


def written_currency(text: str) -> str | None:
    """The currency written around an amount (``1 900 000 €`` -> ``EUR``, ``$12`` -> ``$``)."""
    for match in _CURRENCY.finditer(str(text).strip()):
        found = _currency_of(match.group(1) or match.group(2))
        if found:
            return found
    return None


def currency_matches(written: str | None, currency: str) -> bool:
    """Whether a currency written in the amount agrees with the amount's currency field."""
    return written is None or written == currency or (written == "$" and currency.endswith("D"))


def decimal_separator() -> str:
    return str(formats.get_format("DECIMAL_SEPARATOR"))


def parse_amount(text: str | Decimal | int | float, *, separator: str | None = None) -> Decimal:
    """The amount ``text`` stands for, read in the active language (or with the decimal
    ``separator`` given: a file's conventions); ValueError if none.

    A lone separator followed by exactly three digits (``1.200`` / ``1,200``) is read as the
    active language's: a decimal separator when it is one, a thousands separator otherwise.
    """
    if isinstance(text, Decimal | int):
        return Decimal(text)
    if isinstance(text, float):
        return Decimal(str(text))
    # Only a known currency code or sign is taken off: "12abc" or "1,5 mio" are no amounts.
    s = _CURRENCY.sub(
        lambda m: "" if _currency_of(m.group(1) or m.group(2)) else m.group(0), str(text).strip()
    ).strip()
    s = _GROUPING.sub("", s)
    sign = ""
    if s[:1] in ("+", "-"):
        sign, s = ("-" if s[0] == "-" else ""), s[1:]
    if not re.fullmatch(r"[0-9]+([.,][0-9]+)*", s):
        raise ValueError(f"not an amount: {text!r}")
    seps = {c for c in s if c in ".,"}
    decimal_sep: str | None = None
    if len(seps) == 2:
        decimal_sep = s[max(s.rfind(","), s.rfind("."))]
        if s.count(decimal_sep) != 1:
            raise ValueError(f"not an amount: {text!r}")
    elif len(seps) == 1:
        sep = seps.pop()
        tail = s[s.rfind(sep) + 1 :]
        if s.count(sep) == 1 and (len(tail) != 3 or sep == (separator or decimal_separator())):
            decimal_sep = sep
    whole, fraction = s.rsplit(decimal_sep, 1) if decimal_sep else (s, "")
    groups = re.split(r"[.,]", whole)
    if len(groups) > 1 and (len(groups[0]) > 3 or any(len(g) != 3 for g in groups[1:])):
        raise ValueError(f"thousands not grouped by three: {text!r}")
    try:
        return Decimal(f"{sign}{''.join(groups)}.{fraction or '0'}")
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {text!r}") from exc


@dataclass(frozen=True)
class NumberFormat:
    """The active language's separators and grouping, looked up once: a page that formats
    many numbers (the board's cards) keeps one instead of Django looking them up per value."""

    decimal_separator: str
    grouping: Any
    thousand_separator: str

    @classmethod
    def active(cls) -> NumberFormat:
        language = get_language()
        return cls(
            formats.get_format("DECIMAL_SEPARATOR", language, use_l10n=True),
            formats.get_format("NUMBER_GROUPING", language, use_l10n=True),
            formats.get_format("THOUSAND_SEPARATOR", language, use_l10n=True),
        )

    def number(self, value: Decimal | int | float, *, decimals: int = 0) -> str:
        """What ``formats.number_format(..., use_l10n=True, force_grouping=True)`` writes."""
        return numberformat.format(
            Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals)),
            self.decimal_separator,
            decimals,
            self.grouping,
            self.thousand_separator,
            force_grouping=True,
            use_l10n=True,
        )


def format_number(
    value: Decimal | int | float, *, decimals: int = 0, numbers: NumberFormat | None = None
) -> str:
    """Grouped digits in the active language (``28 000 000,00`` / ``28,000,000.00``);
    ``numbers``: the active language's formats, when the caller has looked them up."""
    return (numbers or NumberFormat.active()).number(value, decimals=decimals)


def format_amount(
    value: Decimal | int | float,
    currency: str,
    *,
    decimals: int = 2,
    numbers: NumberFormat | None = None,
) -> str:
    return f"{format_number(value, decimals=decimals, numbers=numbers)}\u00a0{currency}"


def format_compact(value: float | Decimal | int) -> str:
    """Short axis labels: ``30.0M``, ``45k`` in English; ``30,0 M``, ``45 k`` in French."""
    number = float(value)
    magnitude = abs(number)
    if magnitude >= 1e6:
        shown = format_number(Decimal(str(round(number / 1e6, 1))), decimals=1)
        return pgettext("compact amount, millions", "%(number)sM") % {"number": shown}
    if magnitude >= 1e3:
        shown = format_number(round(number / 1e3))
        return pgettext("compact amount, thousands", "%(number)sk") % {"number": shown}
    return format_number(round(number))


def month_abbr(month: int) -> str:
    """One abbreviation per month, the same everywhere (``Jan.``, ``June`` / ``janv.``,
    ``juin``, ``juil.``): the AP style, which Django translates without clashes."""
    name = str(MONTHS_AP[month])
    return name[:1].upper() + name[1:]


def month_name(month: int) -> str:
    """The month's full name, for sentences (``November`` / ``Novembre``)."""
    name = str(MONTHS[month])
    return name[:1].upper() + name[1:]


def month_label(day: dt.date, *, short_year: bool = False) -> str:
    year = f"{day:%y}" if short_year else f"{day:%Y}"
    return f"{month_abbr(day.month)} {year}"


@dataclass(frozen=True)
class CsvFormat:
    delimiter: str
    bom: bool


def csv_format() -> CsvFormat:
    """``;`` where the decimal separator is a comma (French spreadsheets read ``,`` as the
    decimal point), ``,`` otherwise; a BOM always, so that accents survive."""
    language = (get_language() or "en").split("-")[0]
    comma_decimal = decimal_separator() == "," or language == "fr"
    return CsvFormat(delimiter=";" if comma_decimal else ",", bom=True)


def format_date(day: dt.date) -> str:
    """The one date format of every screen: the language's short date (``30/11/2026``)."""
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def format_datetime(moment: dt.datetime) -> str:
    """A moment in the user's time zone, in the language's short date and time format."""
    from django.utils import timezone

    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
