"""Account list and account page, for allowed and forbidden users."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dirco.accounts.models import User
from dirco.accounts.tests.factories import UserFactory
from dirco.conftest import Company
from dirco.customers.models import Account
from dirco.customers.tests.factories import AccountFactory
from dirco.partners.models import Contact
from dirco.pipeline.tests.factories import DealFactory

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_account_list_shows_visible_accounts(company: Company) -> None:
    AccountFactory(name="Mine Ltd", owner=company.rep)
    AccountFactory(name="Theirs Ltd", owner=company.other_rep)
    content = client_for(company.rep).get(reverse("account_list")).content
    assert b"Mine Ltd" in content and b"Theirs Ltd" not in content
    content = client_for(company.director).get(reverse("account_list")).content
    assert b"Mine Ltd" in content and b"Theirs Ltd" in content


def test_account_list_filters(company: Company) -> None:
    AccountFactory(name="Steel SA", industry="Steel", size=Account.Size.LARGE, domain="steel.fr")
    AccountFactory(name="Bakery", industry="Food", size=Account.Size.MICRO)
    client = client_for(company.director)
    content = client.get(reverse("account_list"), {"industry": "Steel"}).content
    assert b"Steel SA" in content and b"Bakery" not in content
    content = client.get(reverse("account_list"), {"size": "micro"}).content
    assert b"Bakery" in content and b"Steel SA" not in content
    content = client.get(reverse("account_list"), {"q": "steel.fr"}).content
    assert b"Steel SA" in content and b"Bakery" not in content


@pytest.mark.parametrize("n", [5, 30])
def test_account_list_query_count_is_constant(
    company: Company, n: int, django_assert_max_num_queries: object
) -> None:
    for _ in range(n):
        AccountFactory(owner=UserFactory())
    client = client_for(company.director)
    with django_assert_max_num_queries(10):  # type: ignore[operator]
        assert client.get(reverse("account_list")).status_code == 200


def test_account_page(company: Company) -> None:
    account = AccountFactory(name="Acme", owner=company.rep)
    Contact.objects.create(first_name="Grace", last_name="Hopper", account=account)
    DealFactory(name="Acme renewal", account=account, owner=company.rep)
    response = client_for(company.rep).get(reverse("account_detail", args=[account.pk]))
    assert response.status_code == 200
    assert b"Grace" in response.content and b"Acme renewal" in response.content
    assert response.context["work"].figures.deal_count == 1


def test_account_page_is_404_for_users_who_may_not_see_it(company: Company) -> None:
    account = AccountFactory(name="Alpha customer")
    DealFactory(account=account, owner=company.rep, partner=company.partner_a)
    url = reverse("account_detail", args=[account.pk])
    assert client_for(company.partner_b_user).get(url).status_code == 404
    assert client_for(company.other_rep).get(url).status_code == 404
    # Partner users never reach staff pages, not even for an account they sell to.
    assert client_for(company.partner_a_user).get(url).status_code == 404
    assert client_for(company.rep).get(url).status_code == 200


def test_account_list_is_404_for_partner_users(company: Company) -> None:
    assert client_for(company.partner_a_user).get(reverse("account_list")).status_code == 404


def test_account_edit(company: Company) -> None:
    account = AccountFactory(name="Acme", owner=company.rep)
    url = reverse("account_edit", args=[account.pk])
    client = client_for(company.rep)
    assert client.get(url).status_code == 200
    data = {
        "name": "Acme Group",
        "domain": "acme.example",
        "legal_identifier": "",
        "industry": "Steel",
        "size": "large",
        "country": "FR",
        "territory": account.territory_id,
        "owner": company.rep.pk,
    }
    assert client.post(url, data).status_code == 302
    account.refresh_from_db()
    assert account.name == "Acme Group" and account.country == "FR"
    bad = client.post(url, {**data, "name": ""})
    assert bad.status_code == 200 and "name" in bad.context["form"].errors


def test_account_edit_forbidden(company: Company) -> None:
    account = AccountFactory(owner=company.rep)
    url = reverse("account_edit", args=[account.pk])
    assert client_for(company.other_rep).get(url).status_code == 404
    assert client_for(company.partner_a_user).get(url).status_code == 404
