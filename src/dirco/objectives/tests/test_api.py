from __future__ import annotations

import pytest
from django.utils import timezone

from dirco.api.tests.clients import error_fields, post_json, session_client, token_client
from dirco.conftest import Company
from dirco.objectives.models import Objective
from dirco.objectives.services import objective_create, objective_publish
from dirco.scopes import Scope

YEAR = timezone.localdate().year
URL = "/api/v1/objectives"


def _create(client: object, **body: object) -> object:
    data = {"scope": "company", "fiscal_year": YEAR, "amount": "120000", "split_method": "flat"}
    data.update(body)
    return post_json(client, URL, data)  # type: ignore[arg-type]


def test_director_creates_allocates_and_publishes(company: Company) -> None:
    client = token_client(company.director)
    response = _create(client)
    assert response.status_code == 201, response.json()  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["scope"] == "company" and len(body["months"]) == 12
    allocate = post_json(
        client,
        f"{URL}/{body['id']}/allocate",
        {"method": "manual", "amounts": {f"team:{company.team.pk}": "100000"}},
    )
    assert allocate.status_code == 200, allocate.json()
    assert allocate.json()["remaining"] == "20000.00"
    publish = post_json(client, f"{URL}/{body['id']}/publish", {})
    assert publish.status_code == 400 and "confirm" in error_fields(publish)
    publish = post_json(client, f"{URL}/{body['id']}/publish", {"confirm": True})
    assert publish.status_code == 200 and publish.json()["status"] == "published"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "-5"}, "amount"),
        ({"amount": "lots"}, "amount"),
        ({"split_method": "manual", "percentages": [10] * 12}, "percentages"),
        ({"scope": "rep:999999"}, "rep"),
        ({"fiscal_year": 1850}, "fiscal_year"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(
    company: Company, body: dict[str, object], field: str
) -> None:
    response = _create(session_client(company.director), **body)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert field in error_fields(response)
    assert not Objective.objects.exists()


def test_month_split_that_does_not_sum_to_the_year(company: Company) -> None:
    client = token_client(company.director)
    created = _create(client).json()  # type: ignore[attr-defined]
    response = client.put(
        f"{URL}/{created['id']}/months",
        data={"amounts": {"1": "99999"}},
        content_type="application/json",
    )
    assert response.status_code == 400 and "months" in error_fields(response)
    response = client.put(
        f"{URL}/{created['id']}/months",
        data={"amounts": {"13": "1"}},
        content_type="application/json",
    )
    assert response.status_code == 400 and "months.13" in error_fields(response)


def test_allocation_outside_the_line_and_rep_setting_own(company: Company) -> None:
    team_objective = objective_create(
        user=company.director,
        scope=Scope("team", company.team.pk),
        fiscal_year=YEAR,
        amount="1000",
        split_method="flat",
    )
    client = token_client(company.manager)
    response = post_json(
        client,
        f"{URL}/{team_objective.pk}/allocate",
        {"method": "manual", "amounts": {f"rep:{company.other_rep.pk}": "1000"}},
    )
    assert response.status_code == 400 and "targets" in error_fields(response)
    own = _create(token_client(company.rep), scope=f"rep:{company.rep.pk}")
    assert own.status_code == 400 and "rep" in error_fields(own)  # type: ignore[attr-defined]
    assert Objective.objects.count() == 1


def test_publish_over_the_parent_without_confirm(company: Company) -> None:
    client = token_client(company.director)
    parent = _create(client, amount="100").json()  # type: ignore[attr-defined]
    child = _create(
        client, scope=f"team:{company.team.pk}", amount="150", parent_id=parent["id"]
    ).json()  # type: ignore[attr-defined]
    response = post_json(client, f"{URL}/{child['id']}/publish", {})
    assert response.status_code == 400 and "amount" in error_fields(response)
    assert Objective.objects.get(pk=child["id"]).status == "draft"


def test_reads_are_scoped(company: Company) -> None:
    mine = objective_create(
        user=company.director,
        scope=Scope("rep", company.rep.pk),
        fiscal_year=YEAR,
        amount="1000",
        split_method="flat",
    )
    objective_publish(objective=mine, user=company.director)
    a = objective_create(
        user=company.director,
        scope=Scope("partner", company.partner_a.pk),
        fiscal_year=YEAR,
        amount="1000",
        split_method="flat",
    )
    objective_publish(objective=a, user=company.director)
    assert token_client(company.rep).get(f"{URL}/{mine.pk}").status_code == 200
    assert token_client(company.other_rep).get(f"{URL}/{mine.pk}").status_code == 404
    partner_b = token_client(company.partner_b_user)
    assert partner_b.get(URL).json()["items"] == []
    assert partner_b.get(f"{URL}/{a.pk}").status_code == 404
    assert [o["id"] for o in token_client(company.partner_a_user).get(URL).json()["items"]] == [
        a.pk
    ]
    # Visible but not editable: 403.
    response = token_client(company.rep).delete(f"{URL}/{mine.pk}")
    assert response.status_code == 403


def test_attainment_and_curve_endpoints(company: Company) -> None:
    client = token_client(company.director)
    _create(client)
    response = client.get("/api/v1/attainment", {"scope": "company", "period": f"{YEAR}-Q2"})
    assert response.status_code == 200, response.json()
    assert response.json()["objective_full"] == "30000.00"
    bad = client.get("/api/v1/attainment", {"scope": "company", "period": f"{YEAR}-14"})
    assert bad.status_code == 400 and "period" in error_fields(bad)
    curve = client.get("/api/v1/curve", {"scope": "company", "year": YEAR})
    assert curve.status_code == 200 and len(curve.json()["rows"]) == 12
    hidden = token_client(company.other_rep).get(
        "/api/v1/curve", {"scope": f"rep:{company.rep.pk}"}
    )
    assert hidden.status_code == 404
    board = token_client(company.manager).get("/api/v1/leaderboard", {"kind": "team"})
    assert board.status_code == 200
    assert token_client(company.director).get("/api/v1/gap").status_code == 200
