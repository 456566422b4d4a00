"""Product lines and stages over the API: everyone reads them, the director alone changes
them (catalog.permissions, the matrix's "catalog"); what is in use is never deleted."""

from __future__ import annotations

import pytest

from dirco.api.tests.clients import AUTH_KINDS, client_for, error_fields, patch_json, post_json
from dirco.catalog.models import ProductLine
from dirco.catalog.tests.factories import ProductLineFactory
from dirco.conftest import Company
from dirco.pipeline.models import Stage
from dirco.pipeline.tests.factories import DealFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(params=AUTH_KINDS)
def auth_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_the_director_adds_renames_and_deletes_a_product_line(
    company: Company, auth_kind: str
) -> None:
    client = client_for(auth_kind, company.director)
    created = post_json(client, "/api/v1/product-lines", {"name": "Cobots", "code": "cobots"})
    assert created.status_code == 201, created.content
    line_id = created.json()["id"]
    renamed = patch_json(client, f"/api/v1/product-lines/{line_id}", {"name": "Cobots+"})
    assert renamed.status_code == 200 and renamed.json() == {
        "id": line_id,
        "name": "Cobots+",
        "code": "cobots",
        "version": 2,
    }
    twice = post_json(client, "/api/v1/product-lines", {"name": "Cobots+", "code": "other"})
    assert twice.status_code == 400 and "name" in error_fields(twice)
    bad_code = post_json(client, "/api/v1/product-lines", {"name": "X", "code": "a b"})
    assert bad_code.status_code == 400 and "code" in error_fields(bad_code)
    assert client.delete(f"/api/v1/product-lines/{line_id}").status_code == 204
    assert not ProductLine.objects.filter(pk=line_id).exists()


def test_a_product_line_in_use_is_not_deleted(company: Company) -> None:
    client = client_for("token", company.director)
    line = ProductLineFactory(name="Used")
    DealFactory(product_line=line, owner=company.rep, team=company.team)
    response = client.delete(f"/api/v1/product-lines/{line.pk}")
    assert response.status_code == 409 and response.json()["error"]["code"] == "conflict"
    assert ProductLine.objects.filter(pk=line.pk).exists()


@pytest.mark.parametrize(
    "who", ["manager", "rep", "marketing", "partner_a_admin", "partner_a_user"]
)
def test_everyone_else_only_reads(company: Company, auth_kind: str, who: str) -> None:
    client = client_for(auth_kind, getattr(company, who))
    line = ProductLineFactory(name="Kept", code="kept")
    stage = Stage.objects.order_by("order").first()
    assert stage is not None
    assert client.get(f"/api/v1/product-lines/{line.pk}").status_code == 200
    assert client.get(f"/api/v1/stages/{stage.pk}").status_code == 200
    refused = [
        post_json(client, "/api/v1/product-lines", {"name": "Mine", "code": "mine"}),
        patch_json(client, f"/api/v1/product-lines/{line.pk}", {"name": "Taken"}),
        client.delete(f"/api/v1/product-lines/{line.pk}"),
        post_json(client, "/api/v1/stages", {"name": "Mine", "order": 900, "probability": 5}),
        patch_json(client, f"/api/v1/stages/{stage.pk}", {"probability": 99}),
        client.delete(f"/api/v1/stages/{stage.pk}"),
    ]
    assert [r.status_code for r in refused] == [403] * 6
    for response in refused:
        error_fields(response)
    line.refresh_from_db()
    assert line.name == "Kept" and not ProductLine.objects.filter(code="mine").exists()
    assert Stage.objects.get(pk=stage.pk).probability == stage.probability
    assert not Stage.objects.filter(name="Mine").exists()


def test_the_director_configures_the_stages(company: Company, auth_kind: str) -> None:
    client = client_for(auth_kind, company.director)
    created = post_json(
        client,
        "/api/v1/stages",
        {"name": "Pilot", "order": 250, "probability": 40, "forecast_category": "best_case"},
    )
    assert created.status_code == 201, created.content
    stage_id = created.json()["id"]
    moved = patch_json(client, f"/api/v1/stages/{stage_id}", {"order": 251, "probability": 45})
    assert moved.status_code == 200
    assert (moved.json()["order"], moved.json()["probability"]) == (251, 45)
    outcome = patch_json(client, f"/api/v1/stages/{stage_id}", {"is_won": True})
    assert outcome.status_code == 400 and "is_won" in error_fields(outcome)
    both = post_json(
        client,
        "/api/v1/stages",
        {"name": "Odd", "order": 260, "probability": 0, "is_won": True, "is_lost": True},
    )
    assert both.status_code == 400
    not_a_number = post_json(
        client, "/api/v1/stages", {"name": "Bool", "order": 270, "probability": False}
    )
    assert not_a_number.status_code == 400 and "probability" in error_fields(not_a_number)
    taken = post_json(client, "/api/v1/stages", {"name": "Pilot 2", "order": 251, "probability": 1})
    assert taken.status_code == 400 and "order" in error_fields(taken)
    assert client.delete(f"/api/v1/stages/{stage_id}").status_code == 204


def test_a_stage_in_use_or_the_last_of_its_outcome_stays(company: Company) -> None:
    client = client_for("token", company.director)
    used = Stage.objects.filter(is_won=False, is_lost=False).order_by("order").first()
    assert used is not None
    DealFactory(stage=used, owner=company.rep, team=company.team)
    assert client.delete(f"/api/v1/stages/{used.pk}").status_code == 409
    won = list(Stage.objects.filter(is_won=True))
    for extra in won[1:]:
        extra.delete()
    last = client.delete(f"/api/v1/stages/{won[0].pk}")
    assert last.status_code == 400 and "won" in last.json()["detail"]
    assert Stage.objects.filter(pk=won[0].pk).exists()
