"""Planned departures: recorded, costed and cancelled by the director and the person's
manager only; the handover confirms the planned one; the handover shows on the records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dirco.accounts.models import User
from dirco.api.tests.clients import post_json, token_client
from dirco.conftest import Company
from dirco.core.errors import ApplicationError
from dirco.customers.tests.factories import AccountFactory
from dirco.dynamics.departures import departure_plan
from dirco.dynamics.handover import handover_execute
from dirco.pipeline.tests.factories import ActivityFactory, DealFactory
from dirco.teams.models import Departure

pytestmark = pytest.mark.django_db
URL = "/api/v1/planned-departures"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _soon(days: int = 40) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def test_the_manager_records_a_planned_departure_with_its_what_if(company: Company) -> None:
    DealFactory(owner=company.rep, team=company.team, amount=Decimal(4000))
    url = reverse("dynamics:departures")
    manager = _client(company.manager)
    response = manager.post(
        url,
        {"user": company.rep.pk, "left_on": _soon().isoformat(), "reason": "resignation"},
    )
    assert response.status_code == 302
    departure = Departure.objects.get(user=company.rep)
    assert departure.status == Departure.Status.PLANNED and departure.left_on == _soon()
    page = manager.get(url)
    costs = page.context["costs"]
    assert [c.who for c in costs] == [company.rep]
    # The open deal is the orphaned pipeline of the "what if"; the handover link carries
    # the date and the reason.
    assert costs[0].cost.recruiting_cost > 0
    html = page.content.decode()
    assert (
        f"{reverse('dynamics:handover', args=[company.rep.pk])}?left_on={_soon():%Y-%m-%d}" in html
    )
    # Recording again moves the same planned departure (one per person).
    manager.post(url, {"user": company.rep.pk, "left_on": _soon(50).isoformat(), "reason": "other"})
    assert Departure.objects.get(user=company.rep).left_on == _soon(50)
    # The other team's manager neither sees it nor cancels it; the director does.
    other = _client(company.other_manager)
    assert other.get(url).context["costs"] == []
    cancel = reverse("dynamics:departure_cancel", args=[departure.pk])
    assert other.post(cancel).status_code == 404
    assert (
        other.post(
            url, {"user": company.rep.pk, "left_on": _soon().isoformat(), "reason": "other"}
        ).status_code
        == 400
    )
    assert _client(company.director).post(cancel).status_code == 302
    assert not Departure.objects.filter(user=company.rep).exists()


def test_planned_departures_refused_to_reps_marketing_and_partners(company: Company) -> None:
    departure = departure_plan(
        by=company.director, leaver=company.rep, left_on=_soon(), reason="resignation"
    )
    url = reverse("dynamics:departures")
    cancel = reverse("dynamics:departure_cancel", args=[departure.pk])
    for refused in (company.rep, company.marketing):
        assert _client(refused).get(url).status_code == 403
        assert _client(refused).post(cancel).status_code == 403
        client = token_client(refused)
        assert client.get(URL).status_code == 403
        assert client.delete(f"{URL}/{departure.pk}").status_code == 403
        body = {"user_id": company.rep.pk, "left_on": _soon().isoformat(), "reason": "other"}
        assert post_json(client, URL, body).status_code == 403
    assert _client(company.partner_a_user).get(url).status_code in (302, 404)
    assert token_client(company.partner_a_user).get(URL).status_code in (403, 404)
    assert Departure.objects.get(pk=departure.pk).reason == "resignation"


def test_planned_departure_api_and_bad_input(company: Company) -> None:
    client = token_client(company.manager)
    body = {"user_id": company.rep.pk, "left_on": _soon().isoformat(), "reason": "resignation"}
    response = post_json(client, URL, body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["person"]["id"] == company.rep.pk and created["what_if"]["total"] > 0
    assert [d["id"] for d in client.get(URL).json()] == [created["id"]]
    # Someone of another line: 404; a past date: 400 saying what to do.
    other = {**body, "user_id": company.other_rep.pk}
    assert post_json(client, URL, other).status_code == 404
    past = post_json(client, URL, {**body, "left_on": "2000-01-01"})
    assert past.status_code == 400 and "left_on" in past.content.decode()
    with pytest.raises(ApplicationError):
        departure_plan(by=company.manager, leaver=company.rep, left_on=_soon(), reason="bored")
    assert token_client(company.other_manager).delete(f"{URL}/{created['id']}").status_code == 404
    assert client.delete(f"{URL}/{created['id']}").status_code == 204
    assert not Departure.objects.exists()


def test_the_handover_confirms_the_planned_departure_and_shows_on_the_records(
    company: Company,
) -> None:
    planned = departure_plan(
        by=company.manager, leaver=company.rep, left_on=_soon(), reason="resignation"
    )
    account = AccountFactory(owner=company.rep)
    activity = ActivityFactory(owner=company.rep, account=account, subject="Call back")
    handover = handover_execute(
        by=company.manager,
        leaver=company.rep,
        assignments={
            f"account-{account.pk}": company.manager.pk,
            f"activity-{activity.pk}": company.manager.pk,
        },
        departure_reason="resignation",
        departure_on=_soon(),
    )
    confirmed = Departure.objects.get(user=company.rep)
    assert confirmed.pk == planned.pk and confirmed.status == Departure.Status.CONFIRMED
    note = f"handover #{handover.pk}"
    # The account page says who handed it to whom, with a link for the manager ...
    page = (
        _client(company.manager).get(reverse("account_detail", args=[account.pk])).content.decode()
    )
    assert note in page and f"#handover-{handover.pk}" in page
    # ... and so does the new owner's list of activities.
    activities = _client(company.manager).get(reverse("activity_list")).content.decode()
    assert "Call back" in activities and note in activities
    # Who may not see the account does not get the page, nor the note.
    response = _client(company.other_rep).get(reverse("account_detail", args=[account.pk]))
    assert response.status_code in (403, 404) and note not in response.content.decode()
