"""Company legal identifiers checked where a scheme exists (python-stdnum).

- a French company: SIREN (9 digits) or SIRET (14 digits), both with their Luhn check digit;
- an identifier starting with the VAT prefix of the company's country (FR, DE, EL for
  Greece, GB, ...): that state's VAT number, check digits included;
- anything else is kept as typed (a company number we have no scheme for).

Identifiers are stored compact (no spaces, dots or dashes) so that conflict detection and
search compare like with like.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from stdnum.eu import vat as eu_vat
from stdnum.fr import siren, siret
from stdnum.gb import vat as gb_vat

from dirco.core.errors import ApplicationError

_SEPARATORS = str.maketrans("", "", " .-/")


def _vat_prefix(country: str) -> str | None:
    """The VAT prefix of a country whose VAT numbers we check (Greece writes EL)."""
    code = country.upper()
    if code == "GR":
        return "EL"
    if code == "GB" or code.lower() in eu_vat.MEMBER_STATES:
        return code
    return None


def _is_vat_number(compact: str, country: str) -> bool:
    prefix = _vat_prefix(country)
    return prefix is not None and compact.startswith(prefix)


def legal_identifier_problem(value: str, *, country: object) -> str | None:
    """Why ``value`` is not a valid identifier for a company of ``country`` (a code, or a
    model's django-countries ``Country``); None when it is valid or when no scheme applies."""
    country = str(country or "")
    compact = value.translate(_SEPARATORS).upper()
    if not compact:
        return None
    if _is_vat_number(compact, country):
        valid = gb_vat.is_valid(compact) if country.upper() == "GB" else eu_vat.is_valid(compact)
        if not valid:
            return _(
                "%(value)s is not a valid VAT number: check the digits (e.g. FR40303265045)."
            ) % {"value": value}
        return None
    if country.upper() == "FR":
        if compact.isdigit() and len(compact) == 9:
            return (
                None
                if siren.is_valid(compact)
                else _("%(value)s is not a valid SIREN: its check digit is wrong.")
                % {"value": value}
            )
        if compact.isdigit() and len(compact) == 14:
            return (
                None
                if siret.is_valid(compact)
                else _("%(value)s is not a valid SIRET: its check digit is wrong.")
                % {"value": value}
            )
        return _(
            "A French company is identified by its SIREN (9 digits), its SIRET (14 digits) or "
            "its VAT number (FR and 11 characters)."
        )
    return None


def legal_identifier_clean(
    value: object, *, country: object, field: str = "legal_identifier"
) -> str:
    """The identifier, compact when a scheme applies; an ApplicationError naming ``field``
    when it fails its scheme."""
    country = str(country or "")
    text = str(value or "").strip()
    problem = legal_identifier_problem(text, country=country)
    if problem is not None:
        raise ApplicationError(problem, fields={field: [problem]})
    compact = text.translate(_SEPARATORS).upper()
    if _is_vat_number(compact, country) or (country.upper() == "FR" and compact.isdigit()):
        return compact
    return text
