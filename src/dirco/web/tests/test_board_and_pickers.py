"""The board's defaults and move answer, and the account picker (server side)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dirco.accounts.models import User
from dirco.conftest import Company
from dirco.customers.models import Account
from dirco.customers.tests.factories import AccountFactory
from dirco.pipeline.models import StageChange
from dirco.pipeline.tests.factories import DealFactory, stage_named

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_reps_board_opens_on_their_own_deals(company: Company) -> None:
    DealFactory(name="Mine", owner=company.rep, stage=stage_named("Qualification"))
    DealFactory(name="Not mine", owner=company.director, stage=stage_named("Qualification"))
    client = client_for(company.rep)
    page = client.get(reverse("pipeline_board")).content.decode()
    assert "Mine" in page and "Not mine" not in page
    # "Anyone" (owner="") is a choice, kept as chosen; the director sees every deal.
    director = client_for(company.director).get(reverse("pipeline_board")).content.decode()
    assert "Mine" in director and "Not mine" in director


def test_cards_say_days_in_stage_and_overdue(company: Company) -> None:
    entered = timezone.now() - dt.timedelta(days=12)
    DealFactory(
        name="Late one",
        owner=company.rep,
        stage=stage_named("Proposal"),
        expected_close_date=timezone.localdate() - dt.timedelta(days=3),
        stage_entered_at=entered,
    )
    page = client_for(company.rep).get(reverse("pipeline_board")).content.decode()
    assert "12 days in stage" in page
    assert "deal-card--overdue" in page and "Overdue" in page


def test_a_move_answers_the_board_and_the_undo_data(company: Company) -> None:
    qualification, proposal = stage_named("Qualification"), stage_named("Proposal")
    deal = DealFactory(name="Move me", owner=company.rep, stage=qualification)
    client = client_for(company.rep)
    url = reverse("deal_move", args=[deal.pk])
    response = client.post(url, {"stage": proposal.pk}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    moved = json.loads(response["HX-Trigger"])["dirco:deal-moved"]
    assert moved["message"] == "Moved Move me to Proposal."
    assert moved["undo_stage"] == qualification.pk and moved["url"] == url
    # Undo is the same move back, recorded like any other.
    client.post(url, {"stage": moved["undo_stage"]}, headers={"HX-Request": "true"})
    deal.refresh_from_db()
    assert deal.stage_id == qualification.pk
    assert StageChange.objects.filter(deal=deal).count() >= 2
    # Someone who may not edit the deal gets nothing to undo.
    refused = client_for(company.other_rep).post(
        url, {"stage": proposal.pk}, headers={"HX-Request": "true"}
    )
    assert refused.status_code == 404 and "HX-Trigger" not in refused


def test_account_search_is_access_checked(company: Company) -> None:
    mine = AccountFactory(name="Zephyr Mine SA", owner=company.rep)
    theirs = AccountFactory(name="Zephyr Theirs SA", owner=company.other_rep)
    DealFactory(account=mine, owner=company.rep)
    DealFactory(account=theirs, owner=company.other_rep)
    url = reverse("account_search")
    page = client_for(company.rep).get(url, {"q": "zephyr"}).content.decode()
    assert "Zephyr Mine SA" in page and "Zephyr Theirs SA" not in page
    both = client_for(company.director).get(url, {"q": "zephyr"}).content.decode()
    assert "Zephyr Mine SA" in both and "Zephyr Theirs SA" in both
    assert client_for(company.partner_a_user).get(url, {"q": "zephyr"}).status_code == 404
    # Empty query: a hint, not 800 accounts.
    assert 'role="option"' not in client_for(company.director).get(url).content.decode()


def test_the_deal_form_takes_an_account_id_it_may_see_only(company: Company) -> None:
    theirs = AccountFactory(name="Hidden SA", owner=company.other_rep)
    DealFactory(account=theirs, owner=company.other_rep)
    page = client_for(company.rep).get(reverse("deal_create")).content.decode()
    assert "<option" not in page.split('name="account"')[1][:400]  # no 800-option select
    assert "data-autocomplete" in page and reverse("account_create") in page
    response = client_for(company.rep).post(
        reverse("deal_create"),
        {
            "name": "Sneaky",
            "account": theirs.pk,
            "owner": company.rep.pk,
            "amount": "1000",
            "currency": "EUR",
            "stage": stage_named("Qualification").pk,
            "expected_close_date": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
            "source": "direct",
        },
    )
    assert response.status_code == 200 and "account" in response.context["form"].errors


def test_new_account_comes_back_to_the_deal_form(company: Company) -> None:
    client = client_for(company.rep)
    territory = AccountFactory().territory
    response = client.post(
        reverse("account_create") + "?next=/deals/new/",
        {
            "name": "Brand New SAS",
            "size": Account.Size.choices[0][0],
            "country": "FR",
            "territory": territory.pk,
            "next": "/deals/new/",
        },
    )
    account = Account.objects.get(name="Brand New SAS")
    assert response.status_code == 302
    assert response["Location"] == f"/deals/new/?account={account.pk}"
    form = client.get(response["Location"]).content.decode()
    assert 'value="Brand New SAS"' in form
    # Marketing may not create accounts; an outside "next" is ignored.
    assert client_for(company.marketing).get(reverse("account_create")).status_code == 403
    evil = client.post(
        reverse("account_create"),
        {
            "name": "Other SAS",
            "size": Account.Size.choices[0][0],
            "country": "FR",
            "territory": territory.pk,
            "next": "//evil.example/",
        },
    )
    assert evil["Location"].startswith("/accounts/")
