"""Countries as ISO 3166-1 alpha-2 codes (django-countries), checked the same way everywhere.

Forms offer :func:`country_choices`; services call :func:`country_clean`, so a country typed
into the API, an import or a form is refused with the same message when it is no country.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django_countries import countries

from dirco.core.errors import ApplicationError


def country_choices() -> list[tuple[str, str]]:
    """Every country, by name in the user's language, for a select."""
    return [("", "—"), *((str(c.code), str(c.name)) for c in countries)]


def country_is_known(code: str) -> bool:
    return len(code) == 2 and bool(countries.alpha2(code)) and countries.alpha2(code) == code


def country_clean(value: object, *, field: str = "country", required: bool = True) -> str:
    """The ISO 3166 code in upper case, or an ApplicationError naming ``field``."""
    code = str(value or "").strip().upper()
    if not code and not required:
        return ""
    if not country_is_known(code):
        raise ApplicationError(
            _("“%(code)s” is not a country: choose one from the list (ISO 3166 code, e.g. FR).")
            % {"code": code or "-"},
            fields={field: [_("Choose a country from the list, e.g. FR for France.")]},
        )
    return code


class CountryChoiceField(forms.ChoiceField):
    """A select of every country; a posted code is read in any case ("fr" is FR)."""

    def to_python(self, value: Any) -> str:
        return str(super().to_python(value)).strip().upper()


def country_form_field(*, label: Any, required: bool = True, **kwargs: Any) -> forms.ChoiceField:
    """A select of every country (names in the user's language), giving the ISO code."""
    return CountryChoiceField(label=label, choices=country_choices, required=required, **kwargs)


def company_country() -> str:
    """The company's own country (``DIRCO_COMPANY_COUNTRY``, FR by default)."""
    code = str(getattr(settings, "DIRCO_COMPANY_COUNTRY", "") or "FR").strip().upper()
    return code if country_is_known(code) else "FR"


class CountryFrom(StrEnum):
    """Where :func:`country_guess` found a country."""

    VAT = "vat"
    DOMAIN = "domain"
    COMPANY = "company"


# EU VAT numbers start with the country's code ("FR40303265045"), Greece's with EL.
_VAT = re.compile(r"^([A-Z]{2})[0-9A-Z]{2,13}$")
_VAT_PREFIXES = {"EL": "GR"}
# Country-code top-level domains sold to anyone for their letters, which say nothing of
# where the company is (.io, .co, .ai, .tv, .me ...), and .uk, which is GB.
_GENERIC_CCTLDS = frozenset(
    {"io", "co", "ai", "tv", "me", "ly", "fm", "gg", "cc", "ws", "to", "sh", "ac"}
)
_CCTLD_COUNTRY = {"uk": "GB", "eu": ""}


def country_guess(*, domain: str = "", legal_identifier: str = "") -> tuple[str, CountryFrom]:
    """The country of a company whose record gives none: from its VAT number's prefix, else
    from its web domain's country-code ending (``.de``, ``.co.uk``), else the company's own
    country. Returns the ISO code and where it came from (an import's report says so)."""
    vat = re.sub(r"[\s.\-]", "", legal_identifier or "").upper()
    match = _VAT.match(vat)
    if match:
        code = _VAT_PREFIXES.get(match.group(1), match.group(1))
        if country_is_known(code):
            return code, CountryFrom.VAT
    host = (domain or "").strip().lower().rstrip(".")
    ending = host.rpartition(".")[2] if "." in host else ""
    if len(ending) == 2 and ending not in _GENERIC_CCTLDS:
        code = _CCTLD_COUNTRY.get(ending, ending.upper())
        if code and country_is_known(code):
            return code, CountryFrom.DOMAIN
    return company_country(), CountryFrom.COMPANY
