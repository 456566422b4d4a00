"""The handover API: the director and the rep's manager preview and hand over; others cannot."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dirco.api.tests.clients import error_fields, post_json, token_client
from dirco.conftest import Company
from dirco.dynamics.models import Handover
from dirco.pipeline.models import Deal
from dirco.pipeline.tests.factories import DealFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/handovers"


def test_preview_and_handover_by_the_manager(company: Company) -> None:
    deal = DealFactory(name="Open", owner=company.rep, team=company.team, amount=Decimal(500))
    client = token_client(company.manager)
    response = client.get(f"{URL}/preview", {"leaver": company.rep.pk, "to": company.manager.pk})
    assert response.status_code == 200
    items = {(i["kind"], i["id"]): i for i in response.json()["items"]}
    assert items[("deal", deal.pk)]["to_user_id"] == company.manager.pk
    assert items[("deal", deal.pk)]["amount"] == "500.00"
    response = post_json(
        client,
        URL,
        {
            "leaver_id": company.rep.pk,
            "items": [{"kind": "deal", "id": deal.pk, "to_user_id": company.manager.pk}],
            "departure_reason": "retirement",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["departure_reason"] == "retirement"
    assert [(i["kind"], i["to_user"]["id"]) for i in body["items"]] == [
        ("deal", company.manager.pk)
    ]
    assert Deal.objects.get(pk=deal.pk).owner == company.manager
    listing = client.get(URL).json()
    assert [h["id"] for h in listing] == [body["id"]]
    assert token_client(company.other_manager).get(URL).json() == []


def test_refused_callers_change_nothing(company: Company) -> None:
    deal = DealFactory(owner=company.rep, team=company.team)
    body = {
        "leaver_id": company.rep.pk,
        "items": [{"kind": "deal", "id": deal.pk, "to_user_id": company.other_rep.pk}],
    }
    # The other team's manager: the rep is not in their line (404).
    other = token_client(company.other_manager)
    assert other.get(f"{URL}/preview", {"leaver": company.rep.pk}).status_code == 404
    assert post_json(other, URL, body).status_code == 404
    for user in (company.rep, company.other_rep, company.marketing, company.partner_a_admin):
        client = token_client(user)
        assert client.get(URL).status_code in (403, 404)
        assert client.get(f"{URL}/preview", {"leaver": company.rep.pk}).status_code in (403, 404)
        assert post_json(client, URL, body).status_code in (403, 404)
    # The manager may not hand to the other team's rep: a field error, nothing moved.
    response = post_json(token_client(company.manager), URL, body)
    assert response.status_code == 400 and "recipients" in error_fields(response)
    assert Deal.objects.get(pk=deal.pk).owner == company.rep
    assert not Handover.objects.exists()


def test_team_synergy_for_the_teams_manager_only(company: Company) -> None:
    response = token_client(company.manager).get("/api/v1/team-synergy", {"team": company.team.pk})
    assert response.status_code == 200
    months = response.json()["months"]
    assert len(months) == 24 and months[-1]["index"] is None
    assert months[-1]["reason"]
    refused = token_client(company.other_manager).get(
        "/api/v1/team-synergy", {"team": company.team.pk}
    )
    assert refused.status_code == 404
    for user in (company.rep, company.partner_a_user):
        response = token_client(user).get("/api/v1/team-synergy", {"team": company.team.pk})
        assert response.status_code in (403, 404)


def test_team_turnover_lists_the_departures_of_the_line(company: Company) -> None:
    from django.utils import timezone

    from dirco.teams.models import Departure

    Departure.objects.create(user=company.rep, left_on=timezone.localdate(), reason="dismissal")
    body = token_client(company.manager).get("/api/v1/team-turnover").json()
    assert [d["person"] for d in body["departures"]] == [str(company.rep)]
    assert body["departures"][0]["recruiting_cost"] == 15000
    assert (
        token_client(company.other_manager).get("/api/v1/team-turnover").json()["departures"] == []
    )
    assert token_client(company.rep).get("/api/v1/team-turnover").status_code == 403


def test_team_managers_for_the_director_and_managers(company: Company) -> None:
    from django.utils import timezone

    from dirco.core.periods import month_add
    from dirco.teams.models import TeamEvent

    on = month_add(timezone.localdate().replace(day=1), -3)
    TeamEvent.objects.create(team=company.team, user=company.manager, kind="manager_started", on=on)
    [row] = token_client(company.director).get("/api/v1/team-managers").json()
    assert row["manager"] == str(company.manager) and row["effect"] is None
    assert token_client(company.other_manager).get("/api/v1/team-managers").json() == []
    assert token_client(company.rep).get("/api/v1/team-managers").status_code == 403
