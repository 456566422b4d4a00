"""Countries are ISO 3166 codes and legal identifiers pass their scheme on every write path:
accounts, partners, registrations, partner applications; a partner cannot send the same
registration twice while the first is under review."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dirco.conftest import Company
from dirco.core.errors import ApplicationError
from dirco.customers.models import Account
from dirco.customers.services import account_create, account_update
from dirco.customers.tests.factories import AccountFactory
from dirco.partners.services import partner_create
from dirco.registrations.lifecycle import application_submit
from dirco.registrations.models import DealRegistration, PartnerApplication
from dirco.registrations.services import registration_reject
from dirco.registrations.tests.factories import submit


@pytest.mark.django_db
def test_accounts_and_partners_refuse_bad_countries_and_identifiers(company: Company) -> None:
    territory = company.partner_a.territory
    with pytest.raises(ApplicationError) as exc:
        account_create(created_by=company.director, name="Zed", country="ZZ", territory=territory)
    assert "country" in exc.value.fields
    with pytest.raises(ApplicationError) as exc:
        account_create(
            created_by=company.director,
            name="Zed",
            country="FR",
            territory=territory,
            legal_identifier="123456789",
        )
    assert "legal_identifier" in exc.value.fields
    assert not Account.objects.filter(name="Zed").exists()
    account = account_create(
        created_by=company.director,
        name="Zed",
        country="fr",
        territory=territory,
        legal_identifier="732 829 320",
    )
    assert (account.country, account.legal_identifier) == ("FR", "732829320")
    # An old account with a free-text identifier stays editable for other fields.
    Account.objects.filter(pk=account.pk).update(legal_identifier="legacy 42")
    account.refresh_from_db()
    account_update(account=account, updated_by=company.director, name="Zed Group")
    with pytest.raises(ApplicationError):
        account_update(account=account, updated_by=company.director, legal_identifier="legacy 43")
    with pytest.raises(ApplicationError) as exc:
        partner_create(
            created_by=company.director,
            name="Nowhere Ltd",
            country="ZZ",
            territory=territory,
            channel_manager=company.rep,
        )
    assert "country" in exc.value.fields


@pytest.mark.django_db
def test_registrations_and_applications_check_country_and_identifier(company: Company) -> None:
    with pytest.raises(ApplicationError) as exc:
        submit(company.partner_a_user, customer_country="ZZ")
    assert "customer_country" in exc.value.fields
    with pytest.raises(ApplicationError) as exc:
        submit(company.partner_a_user, customer_legal_identifier="123 456 789")
    assert "customer_legal_identifier" in exc.value.fields
    assert not DealRegistration.objects.exists()
    data = {
        "company_name": "Nord Automatismes",
        "legal_identifier": "732829321",
        "country": "FR",
        "contact_first_name": "Ana",
        "contact_last_name": "Lopez",
        "contact_email": "ana@nord.example",
    }
    with pytest.raises(ApplicationError) as exc:
        application_submit(data=data, ip=None)
    assert "legal_identifier" in exc.value.fields
    with pytest.raises(ApplicationError) as exc:
        application_submit(data={**data, "legal_identifier": "", "country": "XX"}, ip=None)
    assert "country" in exc.value.fields
    assert not PartnerApplication.objects.exists()


@pytest.mark.django_db
def test_staff_forms_offer_countries_by_name(company: Company) -> None:
    client = Client()
    client.force_login(company.director)
    account = AccountFactory(owner=company.rep)
    page = client.get(reverse("account_edit", args=[account.pk])).content.decode()
    assert '<option value="FR"' in page and '<option value="DE"' in page


@pytest.mark.django_db
def test_a_duplicate_of_an_own_pending_registration_is_refused(company: Company) -> None:
    first = submit(company.partner_a_user)
    line = first.product_line
    with pytest.raises(ApplicationError) as exc:
        submit(company.partner_a_user, customer_name="ACME Industries", product_line=line)
    assert "already registered" in exc.value.message
    assert "customer_name" in exc.value.fields
    assert DealRegistration.objects.count() == 1
    # Another partner may register the same customer (a conflict, not a duplicate); so may the
    # same partner for another product line, or once the first one is decided.
    submit(company.partner_b_user, product_line=line)
    submit(company.partner_a_user)
    registration_reject(registration=first, rejected_by=company.director, reason="Too early")
    submit(company.partner_a_user, product_line=line)
    assert DealRegistration.objects.count() == 4


@pytest.mark.django_db
def test_a_zero_amount_registration_needs_a_confirmation(company: Company) -> None:
    """Like a deal: 0 EUR is refused until the partner says it is really 0 (the portal's
    checkbox, the API's ``confirm_zero_amount``); nothing is created before."""
    import datetime as dt
    import json

    from django.utils import timezone

    from dirco.accounts.services import api_token_create
    from dirco.catalog.tests.factories import ProductLineFactory

    line = ProductLineFactory(name="Vision")
    close = (timezone.localdate() + dt.timedelta(days=40)).isoformat()
    with pytest.raises(ApplicationError) as exc:
        submit(company.partner_a_user, amount=0)
    assert "confirm that the amount is 0" in exc.value.fields["amount"][0]
    assert not DealRegistration.objects.exists()

    browser = Client()
    browser.force_login(company.partner_a_admin)
    form = {
        "customer_name": "Zero Industries",
        "customer_country": "FR",
        "amount": "0",
        "currency": "EUR",
        "product_line": line.pk,
        "expected_close_date": close,
    }
    url = reverse("portal:registration_create")
    refused = browser.post(url, form)
    assert refused.status_code in (200, 400)
    assert "confirm that the amount is 0" in refused.content.decode()
    assert 'name="confirm_zero_amount"' in refused.content.decode()
    assert not DealRegistration.objects.exists()
    sent = browser.post(url, {**form, "confirm_zero_amount": "on"})
    assert sent.status_code == 302, sent.content.decode()[:500]
    assert DealRegistration.objects.get(customer_name="Zero Industries").amount == 0

    _token, key = api_token_create(user=company.partner_a_user, name="t")
    api = Client(headers={"authorization": f"Bearer {key}"})
    body = {
        "customer_name": "Nil Robotics",
        "customer_country": "FR",
        "amount": "0",
        "currency": "EUR",
        "product_line_id": line.pk,
        "expected_close_date": close,
    }
    response = api.post("/api/v1/registrations", json.dumps(body), content_type="application/json")
    assert response.status_code == 400, response.content
    assert "amount" in response.json()["error"]["fields"]
    for not_a_yes in (0, "true", None):
        response = api.post(
            "/api/v1/registrations",
            json.dumps({**body, "confirm_zero_amount": not_a_yes}),
            content_type="application/json",
        )
        assert response.status_code == 400, (not_a_yes, response.content)
    assert not DealRegistration.objects.filter(customer_name="Nil Robotics").exists()
    response = api.post(
        "/api/v1/registrations",
        json.dumps({**body, "confirm_zero_amount": True}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    # Any other amount needs nothing.
    submit(
        company.partner_a_user, amount=1, customer_name="One Euro SA", customer_legal_identifier=""
    )


@pytest.mark.django_db
def test_a_registration_amount_in_another_currency_is_refused() -> None:
    """ "1500 USD" typed while the currency says EUR was registered as 1,500 EUR."""
    from dirco.catalog.tests.factories import ProductLineFactory
    from dirco.registrations.forms import RegistrationForm

    data = {
        "customer_name": "Forges de l'Est",
        "customer_country": "FR",
        "amount": "1500 USD",
        "currency": "EUR",
        "product_line": ProductLineFactory().pk,
        "expected_close_date": "2030-01-31",
    }
    form = RegistrationForm(data=data)
    assert not form.is_valid()
    assert "written in USD" in form.errors["amount"][0]
    assert not RegistrationForm(data={**data, "amount": "1500abc"}).is_valid()
    form = RegistrationForm(data={**data, "currency": "USD"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == 1500
