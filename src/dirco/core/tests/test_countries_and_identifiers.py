"""Countries are ISO 3166 codes; legal identifiers pass their scheme where one exists."""

from __future__ import annotations

from typing import Any

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


# Every stored country is a django-countries CountryField of two characters (issue 10) ------


def _country_fields() -> list[tuple[str, str, object]]:
    from django.apps import apps

    return [
        (model._meta.label, field.name, field)
        for model in apps.get_models()
        if model.__module__.startswith("dirco.")
        for field in model._meta.concrete_fields
        if "country" in field.name
    ]


def test_every_stored_country_is_an_iso_code_field() -> None:
    from django_countries.fields import CountryField

    fields = _country_fields()
    found = {(label, name) for label, name, _field in fields}
    assert {
        ("customers.Account", "country"),
        ("partners.Partner", "country"),
        ("leads.Lead", "country"),
        ("leads.TerritoryArea", "country"),
        ("registrations.DealRegistration", "customer_country"),
        ("registrations.PartnerApplication", "country"),
    } <= found
    for label, name, field in fields:
        assert isinstance(field, CountryField), (label, name)
        assert field.max_length == 2, (label, name)  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_the_api_reads_and_writes_two_letter_codes(company: Any) -> None:
    from django.test import Client

    from dirco.accounts.services import api_token_create
    from dirco.customers.tests.factories import AccountFactory

    account = AccountFactory(owner=company.rep, country="DE")
    _token, key = api_token_create(user=company.rep, name="t")
    client = Client(headers={"authorization": f"Bearer {key}"})
    body = client.get(f"/api/v1/accounts/{account.pk}").json()
    assert body["country"] == "DE"
    for bad in ("France", "FRA", "F"):
        response = client.patch(
            f"/api/v1/accounts/{account.pk}",
            data={"country": bad},
            content_type="application/json",
        )
        assert response.status_code == 400, (bad, response.content)
        assert "country" in response.content.decode()
    response = client.patch(
        f"/api/v1/accounts/{account.pk}", data={"country": "ZZ"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "country" in response.json()["error"]["fields"]
    response = client.patch(
        f"/api/v1/accounts/{account.pk}", data={"country": "be"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["country"] == "BE"
    account.refresh_from_db()
    assert account.country == "BE"
    assert str(account.country.name) == "Belgium"


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_existing_codes_valid() -> None:
    """Rows written before the CountryField (lower-case codes included) read back as valid
    ISO codes after ``*_country_iso_code_field``."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [
        ("customers", "0002_initial"),
        ("partners", "0002_add_history"),
        ("leads", "0002_lead_assignment_manual_rule"),
        ("registrations", "0002_decision_fields_from_core"),
    ]
    after = [(app, "0003_country_iso_code_field") for app, _name in before]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        territory = old.get_model("partners", "Territory").objects.create(name="T", code="T1")
        old.get_model("customers", "Account").objects.create(
            name="Lower", country="fr", territory=territory
        )
        old.get_model("leads", "TerritoryArea").objects.create(
            country="de", postcode_prefix="", territory=territory
        )
        executor = MigrationExecutor(connection)
        executor.migrate(after)
    finally:
        # Every app's latest migration, not only the four apps': going back unapplied the
        # migrations of other apps that depend on them (pipeline 0008 on customers 0004).
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    from dirco.customers.models import Account
    from dirco.leads.models import TerritoryArea

    account = Account.objects.get(name="Lower")
    assert account.country == "FR"
    assert country_is_known(str(account.country))
    assert TerritoryArea.objects.get(territory__code="T1").country == "DE"
    assert not MigrationExecutor(connection).migration_plan(
        MigrationExecutor(connection).loader.graph.leaf_nodes()
    ), "the test left a migration unapplied"
