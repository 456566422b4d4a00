"""Countries as ISO 3166-1 alpha-2 codes (django-countries), checked the same way everywhere.

Forms offer :func:`country_choices`; services call :func:`country_clean`, so a country typed
into the API, an import or a form is refused with the same message when it is no country.
"""

from __future__ import annotations

from typing import Any

from django import forms
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
