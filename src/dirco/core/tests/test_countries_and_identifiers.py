"""Countries are ISO 3166 codes; legal identifiers pass their scheme where one exists."""

from __future__ import annotations

import pytest

from dirco.core.countries import country_clean, country_is_known
from dirco.core.errors import ApplicationError
from dirco.core.legal_identifiers import legal_identifier_clean, legal_identifier_problem


@pytest.mark.parametrize(
    ("value", "country", "ok"),
    [
        ("732 829 320", "FR", True),  # SIREN
        ("732829321", "FR", False),  # wrong check digit
        ("732 829 320 00074", "FR", True),  # SIRET
        ("73282932000075", "FR", False),
        ("FR40303265045", "FR", True),  # French VAT
        ("FR40303265046", "FR", False),
        ("ACME-42", "FR", False),  # no French scheme looks like this
        ("DE136695976", "DE", True),
        ("DE136695977", "DE", False),
        ("GB980780684", "GB", True),
        ("HRB 12345", "DE", True),  # a German register number: no scheme, kept
        ("46-4768201", "US", True),
        ("", "FR", True),
    ],
)
def test_legal_identifier_schemes(value: str, country: str, ok: bool) -> None:
    assert (legal_identifier_problem(value, country=country) is None) == ok


def test_identifiers_are_stored_compact_when_a_scheme_applies() -> None:
    assert legal_identifier_clean("732 829 320", country="FR") == "732829320"
    assert legal_identifier_clean("fr 40 303 265 045", country="FR") == "FR40303265045"
    assert legal_identifier_clean("HRB 12345", country="DE") == "HRB 12345"


def test_countries_are_iso_codes() -> None:
    assert country_is_known("FR") and country_is_known("GB")
    assert not country_is_known("ZZ") and not country_is_known("France")
    assert country_clean(" fr ") == "FR"
    with pytest.raises(ApplicationError) as exc:
        country_clean("ZZ", field="customer_country")
    assert "customer_country" in exc.value.fields
