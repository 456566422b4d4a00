"""An activity's due date must be plausible (pipeline.activity_rules): the deal page's form
and the API refuse the same dates with the same error, and nothing is saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dirco.api.tests.clients import error_fields, post_json, token_client
from dirco.conftest import Company
from dirco.pipeline.activity_rules import activity_due_window, activity_plausibility_errors
from dirco.pipeline.models import Activity, Deal
from dirco.pipeline.tests.factories import DealFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(company: Company) -> Deal:
    return DealFactory(name="Rep deal", owner=company.rep, team=company.team)


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


def _implausible() -> list[dt.date]:
    earliest, latest = activity_due_window(timezone.localdate())
    return [
        dt.date(2019, 3, 4),
        earliest - dt.timedelta(days=1),
        latest + dt.timedelta(days=1),
        dt.date(timezone.localdate().year + 6, 1, 1),
    ]


def test_the_window_is_a_year_back_and_five_years_ahead() -> None:
    today = dt.date(2026, 12, 5)
    assert activity_due_window(today) == (dt.date(2025, 12, 5), dt.date(2031, 12, 5))
    assert activity_due_window(dt.date(2028, 2, 29)) == (dt.date(2027, 2, 28), dt.date(2033, 2, 28))
    assert activity_plausibility_errors(due_at=None, today=today) == {}
    for day in (dt.date(2025, 12, 5), today, dt.date(2031, 12, 5)):
        assert activity_plausibility_errors(due_at=_at(day), today=today) == {}
    errors = activity_plausibility_errors(due_at=_at(dt.date(2019, 1, 1)), today=today)
    assert "too far in the past" in errors["due_at"][0]
    errors = activity_plausibility_errors(due_at=_at(dt.date(2032, 1, 1)), today=today)
    assert "too far ahead" in errors["due_at"][0]


@pytest.mark.parametrize("index", range(4))
def test_the_form_and_the_api_refuse_the_same_dates(
    company: Company, deal: Deal, index: int
) -> None:
    day = _implausible()[index]
    browser = Client(headers={"HX-Request": "true"})
    browser.force_login(company.rep)
    page = browser.post(
        reverse("deal_activity_create", args=[deal.pk]),
        {"kind": "task", "subject": "Send the offer", "due_at": f"{day.isoformat()}T10:00"},
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "errorlist" in html
    assert "The due date" in html
    response = post_json(
        token_client(company.rep),
        "/api/v1/activities",
        {
            "kind": "task",
            "subject": "Send the offer",
            "deal_id": deal.pk,
            "due_at": _at(day).isoformat(),
        },
    )
    assert response.status_code == 400, response.content
    message = error_fields(response)["due_at"][0]
    assert message in html.replace("&#x27;", "'")
    assert not Activity.objects.exists()


def test_plausible_dates_and_none_are_saved(company: Company, deal: Deal) -> None:
    today = timezone.localdate()
    earliest, latest = activity_due_window(today)
    client = token_client(company.rep)
    for due in (_at(earliest), _at(today), _at(latest), None):
        body = {"kind": "call", "subject": "Call back", "deal_id": deal.pk}
        if due is not None:
            body["due_at"] = due.isoformat()
        response = post_json(client, "/api/v1/activities", body)
        assert response.status_code == 201, response.content
    assert Activity.objects.filter(deal=deal).count() == 4
