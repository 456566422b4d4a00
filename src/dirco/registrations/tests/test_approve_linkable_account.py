"""The approval form and the linkable-account rule (finding 8 of the security test).

Regression: the detail page pre-filled the account picker with the conflict check's matched
account even when the approver may not link it (another partner sells there), with an empty
label. The approval posted that id back and answered 400 "Select a valid choice" with an
empty-looking field, so a conflicting registration could not be approved in the browser.
Now a matched account that cannot be linked is never put in the picker, the page says why
and that approving creates a new account, the picker offers linkable accounts only, and a
refused id comes back as a clear error with the picker emptied.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from dirco.accounts.models import User
from dirco.catalog.tests.factories import ProductLineFactory
from dirco.conftest import Company
from dirco.customers.models import Account
from dirco.customers.tests.factories import AccountFactory
from dirco.pipeline.tests.factories import DealFactory
from dirco.registrations.models import DealRegistration
from dirco.registrations.permissions import (
    registration_account_link_refusal,
    registration_linkable_accounts,
)
from dirco.registrations.tests.factories import submit

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _hidden_account_value(html: str) -> str:
    match = re.search(r'<input type="hidden" name="account" value="([^"]*)"', html)
    assert match, "the approval form has no account picker"
    return match.group(1)


@pytest.fixture
def sold_by_b(company: Company) -> Account:
    """A customer partner B sells to, owned by the channel manager of partner A."""
    account = AccountFactory(name="Fonderie Martin SAS", domain="fonderie-martin.fr")
    account.owner = company.rep
    account.save()
    DealFactory(account=account, partner=company.partner_b, owner=company.other_rep)
    return account


def _register(company: Company) -> DealRegistration:
    return submit(
        company.partner_a_user,
        product_line=ProductLineFactory(),
        customer_name="Fonderie Martin",
        customer_domain="fonderie-martin.fr",
        customer_legal_identifier="",
    )


def test_an_unlinkable_match_is_said_and_never_prefilled(
    company: Company, sold_by_b: Account
) -> None:
    registration = _register(company)
    client = _client(company.rep)
    url = reverse("registrations:detail", args=[registration.pk])
    html = client.get(url).content.decode()
    assert _hidden_account_value(html) == ""
    assert "The matching account Fonderie Martin SAS cannot be linked: another partner" in html
    assert "Approving creates a new account from the registration." in html

    # The form as the page renders it approves (the bug: 400 here).
    response = client.post(
        reverse("registrations:approve", args=[registration.pk]),
        {"account": _hidden_account_value(html)},
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == DealRegistration.Status.APPROVED
    assert registration.account_id is not None
    assert registration.account_id != sold_by_b.pk
    assert registration.deal is not None
    assert registration.deal.account_id == registration.account_id


def test_a_refused_account_gets_a_clear_error_and_an_empty_picker(
    company: Company, sold_by_b: Account
) -> None:
    registration = _register(company)
    response = _client(company.rep).post(
        reverse("registrations:approve", args=[registration.pk]), {"account": sold_by_b.pk}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "This account cannot be linked: choose one you may edit where no other" in html
    assert _hidden_account_value(html) == ""  # never the refused id again
    registration.refresh_from_db()
    assert registration.status == DealRegistration.Status.PENDING


def test_a_linkable_match_is_prefilled_and_linked(company: Company) -> None:
    account = AccountFactory(name="Fonderie Martin SAS", domain="fonderie-martin.fr")
    account.owner = company.rep
    account.save()
    registration = _register(company)
    client = _client(company.rep)
    html = client.get(reverse("registrations:detail", args=[registration.pk])).content.decode()
    assert _hidden_account_value(html) == str(account.pk)
    assert "data-unlinkable-account" not in html
    response = client.post(
        reverse("registrations:approve", args=[registration.pk]), {"account": account.pk}
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.account_id == account.pk


def test_the_approval_picker_offers_linkable_accounts_only(
    company: Company, sold_by_b: Account
) -> None:
    mine = AccountFactory(name="Fonderie Dupont")
    mine.owner = company.rep
    mine.save()
    registration = _register(company)
    client = _client(company.rep)
    general = client.get(reverse("account_search"), {"q": "Fonderie"}).content.decode()
    assert "Fonderie Martin SAS" in general  # the rep sees it (their own account) ...
    url = reverse("registrations:account_search", args=[registration.pk])
    options = client.get(url, {"q": "Fonderie"}).content.decode()
    assert "Fonderie Dupont" in options
    assert "Fonderie Martin SAS" not in options  # ... but may not link it here
    # The detail page's picker asks that URL, not the general search.
    html = client.get(reverse("registrations:detail", args=[registration.pk])).content.decode()
    assert f'hx-get="{url}"' in html
    # Someone who may not decide gets nothing.
    assert _client(company.other_rep).get(url, {"q": "Fonderie"}).status_code == 404
    assert _client(company.marketing).get(url, {"q": "Fonderie"}).status_code == 404


def test_the_refusal_reason_agrees_with_the_rule(company: Company, sold_by_b: Account) -> None:
    own = AccountFactory(name="Own")
    own.owner = company.rep
    own.save()
    foreign = AccountFactory(name="Foreign", owner=company.other_rep)
    registration = _register(company)
    for user in (company.rep, company.manager, company.director):
        linkable = set(
            registration_linkable_accounts(user=user, registration=registration).values_list(
                "pk", flat=True
            )
        )
        for account in (own, foreign, sold_by_b):
            reason = registration_account_link_refusal(
                user=user, registration=registration, account_id=account.pk
            )
            assert (reason is None) == (account.pk in linkable), (user, account)
    assert "another partner sells" in str(
        registration_account_link_refusal(
            user=company.director, registration=registration, account_id=sold_by_b.pk
        )
    )
    assert registration_account_link_refusal(
        user=company.rep, registration=registration, account_id=foreign.pk
    ) == ("you may not edit this account")
