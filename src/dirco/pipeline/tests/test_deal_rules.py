"""The deal plausibility rules (pipeline.deal_rules) hold on every path: services, staff
form, API; open deals past their expected date are flagged and filterable."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dirco.api.tests.clients import client_for, error_fields, patch_json, post_json
from dirco.catalog.tests.factories import ProductLineFactory
from dirco.conftest import Company
from dirco.core.errors import ApplicationError
from dirco.customers.tests.factories import AccountFactory
from dirco.pipeline.models import Deal
from dirco.pipeline.selectors import DealFilters, deal_list
from dirco.pipeline.services import deal_create, deal_move_stage, deal_update
from dirco.pipeline.tests.factories import DealFactory, stage_named

pytestmark = pytest.mark.django_db


def _today() -> dt.date:
    return timezone.localdate()


def _fields(company: Company, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": "Line 4 supervision",
        "account": AccountFactory(owner=company.rep),
        "owner": company.rep,
        "product_line": ProductLineFactory(),
        "amount": Decimal("12000"),
        "currency": "EUR",
        "stage": stage_named("Prospecting"),
        "expected_close_date": _today() + dt.timedelta(days=30),
    }
    fields.update(overrides)
    return fields


def test_an_open_deal_expected_in_the_past_is_refused(company: Company) -> None:
    past = _today() - dt.timedelta(days=1)
    with pytest.raises(ApplicationError) as exc:
        deal_create(created_by=company.rep, **_fields(company, expected_close_date=past))
    assert "expected_close_date" in exc.value.fields
    assert not Deal.objects.exists()
    # Today is fine; so is a far-but-sane date; seven years ahead is not.
    deal_create(created_by=company.rep, **_fields(company, expected_close_date=_today()))
    with pytest.raises(ApplicationError) as exc:
        deal_create(
            created_by=company.rep,
            **_fields(company, expected_close_date=_today() + dt.timedelta(days=7 * 366)),
        )
    assert "expected_close_date" in exc.value.fields


def test_a_won_deal_may_have_closed_in_the_past_but_not_in_the_future(company: Company) -> None:
    won = stage_named("Won")
    past = _today() - dt.timedelta(days=200)
    deal = deal_create(
        created_by=company.rep,
        **_fields(company, stage=won, close_date=past, expected_close_date=past),
    )
    assert deal.close_date == past
    with pytest.raises(ApplicationError) as exc:
        deal_update(deal=deal, updated_by=company.rep, close_date=_today() + dt.timedelta(days=3))
    assert "close_date" in exc.value.fields


def test_a_slipped_deal_stays_editable_until_its_date_is_set_again(company: Company) -> None:
    """A deal whose expected date passed can still move on the board and change its amount;
    setting a past date again, or reopening it with one, is refused."""
    slipped = DealFactory(
        owner=company.rep,
        stage=stage_named("Prospecting"),
        expected_close_date=_today() - dt.timedelta(days=10),
    )
    assert slipped.is_overdue
    deal_move_stage(deal=slipped, stage=stage_named("Qualification"), moved_by=company.rep)
    deal_update(deal=slipped, updated_by=company.rep, amount=Decimal("999"))
    with pytest.raises(ApplicationError):
        deal_update(
            deal=slipped,
            updated_by=company.rep,
            expected_close_date=_today() - dt.timedelta(days=5),
        )
    lost = deal_move_stage(deal=slipped, stage=stage_named("Lost"), moved_by=company.rep)
    assert not lost.is_overdue
    with pytest.raises(ApplicationError) as exc:
        deal_move_stage(deal=lost, stage=stage_named("Proposal"), moved_by=company.rep)
    assert "expected_close_date" in exc.value.fields


def test_an_amount_of_zero_needs_a_confirmation(company: Company) -> None:
    with pytest.raises(ApplicationError) as exc:
        deal_create(created_by=company.rep, **_fields(company, amount=Decimal(0)))
    assert "amount" in exc.value.fields
    deal = deal_create(
        created_by=company.rep, confirm_zero_amount=True, **_fields(company, amount=Decimal(0))
    )
    # Once saved at 0, other changes do not ask again; setting 0 on another deal does.
    deal_update(deal=deal, updated_by=company.rep, name="Renamed")
    other = deal_create(created_by=company.rep, **_fields(company))
    with pytest.raises(ApplicationError):
        deal_update(deal=other, updated_by=company.rep, amount=Decimal(0))


def test_the_staff_form_refuses_an_amount_in_another_currency(company: Company) -> None:
    """ "100 USD" typed while the currency says EUR was saved as 100 EUR, "12abc" as 12."""
    client = Client()
    client.force_login(company.rep)
    base = {
        "name": "Currency deal",
        "account": AccountFactory(owner=company.rep).pk,
        "partner": "",
        "owner": company.rep.pk,
        "product_line": ProductLineFactory().pk,
        "currency": "EUR",
        "stage": stage_named("Prospecting").pk,
        "expected_close_date": (_today() + dt.timedelta(days=9)).isoformat(),
        "close_date": "",
        "source": "direct",
        "lost_reason": "",
    }
    response = client.post(reverse("deal_create"), {**base, "amount": "100 USD"})
    assert "written in USD but the currency chosen is EUR" in response.content.decode()
    response = client.post(reverse("deal_create"), {**base, "amount": "12abc"})
    assert "Enter an amount" in response.content.decode()
    assert not Deal.objects.exists()
    response = client.post(reverse("deal_create"), {**base, "amount": "100 USD", "currency": "USD"})
    assert response.status_code == 302
    deal = Deal.objects.get()
    assert (deal.amount, deal.currency) == (Decimal("100"), "USD")


def test_the_staff_form_applies_the_rules(company: Company) -> None:
    client = Client()
    client.force_login(company.rep)
    account = AccountFactory(owner=company.rep)
    line = ProductLineFactory()
    base = {
        "name": "Form deal",
        "account": account.pk,
        "partner": "",
        "owner": company.rep.pk,
        "product_line": line.pk,
        "amount": "12500.00",
        "currency": "EUR",
        "stage": stage_named("Prospecting").pk,
        "expected_close_date": "2019-06-30",
        "close_date": "",
        "source": "direct",
        "lost_reason": "",
    }
    response = client.post(reverse("deal_create"), base)
    assert response.status_code == 200
    assert "close in the past" in response.content.decode()
    zero = {**base, "expected_close_date": (_today() + dt.timedelta(days=9)).isoformat()}
    zero["amount"] = "0"
    response = client.post(reverse("deal_create"), zero)
    assert response.status_code == 200 and not Deal.objects.exists()
    assert "confirm that the amount is 0" in response.content.decode()
    response = client.post(reverse("deal_create"), {**zero, "confirm_zero_amount": "on"})
    assert response.status_code == 302
    assert Deal.objects.get().amount == 0


def test_the_api_applies_the_rules(company: Company) -> None:
    client = client_for("session", company.rep)
    payload = {
        "name": "API deal",
        "account_id": AccountFactory(owner=company.rep).pk,
        "product_line_id": ProductLineFactory().pk,
        "amount": "5000",
        "stage_id": stage_named("Prospecting").pk,
        "expected_close_date": "2019-01-31",
    }
    response = post_json(client, "/api/v1/deals", payload)
    assert response.status_code == 400
    assert "expected_close_date" in error_fields(response)
    response = post_json(
        client, "/api/v1/deals", {**payload, "expected_close_date": str(_today()), "amount": "0"}
    )
    assert response.status_code == 400 and "amount" in error_fields(response)
    for not_a_yes in ("true", 1):  # a JSON boolean only (finding 12 of the security test)
        response = post_json(
            client,
            "/api/v1/deals",
            {
                **payload,
                "expected_close_date": str(_today()),
                "amount": "0",
                "confirm_zero_amount": not_a_yes,
            },
        )
        assert response.status_code == 400, not_a_yes
    response = post_json(
        client,
        "/api/v1/deals",
        {
            **payload,
            "expected_close_date": str(_today()),
            "amount": "0",
            "confirm_zero_amount": True,
        },
    )
    assert response.status_code == 201, response.content
    deal_id = response.json()["id"]
    response = patch_json(client, f"/api/v1/deals/{deal_id}", {"expected_close_date": "2020-01-01"})
    assert response.status_code == 400 and "expected_close_date" in error_fields(response)


def test_overdue_deals_are_flagged_and_filtered(company: Company) -> None:
    overdue = DealFactory(
        name="Slipped",
        owner=company.rep,
        stage=stage_named("Proposal"),
        expected_close_date=_today() - dt.timedelta(days=3),
    )
    DealFactory(name="On time", owner=company.rep, stage=stage_named("Proposal"))
    DealFactory(
        name="Won late",
        owner=company.rep,
        stage=stage_named("Won"),
        expected_close_date=_today() - dt.timedelta(days=30),
        close_date=_today() - dt.timedelta(days=2),
    )
    found = deal_list(user=company.director, filters=DealFilters(status="overdue"))
    assert [d.name for d in found] == ["Slipped"]
    client = Client()
    client.force_login(company.director)
    page = client.get(reverse("deal_list") + "?status=overdue").content.decode()
    assert "Slipped" in page and "On time" not in page and "badge--overdue" in page
    detail = client.get(reverse("deal_detail", args=[overdue.pk])).content.decode()
    assert "badge--overdue" in detail
    api = client_for("session", company.director).get("/api/v1/deals?status=overdue")
    assert [item["name"] for item in api.json()["items"]] == ["Slipped"]
