"""API: deals, stages, history and activities, for allowed and forbidden users."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from dirco.api.tests.clients import AUTH_KINDS, client_for, error_fields, patch_json, post_json
from dirco.catalog.tests.factories import ProductLineFactory
from dirco.conftest import Company
from dirco.customers.models import Account
from dirco.customers.tests.factories import AccountFactory
from dirco.pipeline.models import Activity, Deal, Stage, StageChange
from dirco.pipeline.tests.factories import ActivityFactory, DealFactory, stage_named

pytestmark = pytest.mark.django_db


@pytest.fixture(params=AUTH_KINDS)
def auth_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def deals(company: Company) -> dict[str, Deal]:
    return {
        "rep": DealFactory(owner=company.rep, team=company.team, name="North direct"),
        "other_rep": DealFactory(owner=company.other_rep, team=company.other_team, name="South"),
        "partner_a": DealFactory(owner=company.rep, partner=company.partner_a, name="Via Alpha"),
        "partner_b": DealFactory(
            owner=company.other_rep, partner=company.partner_b, name="Via Beta"
        ),
    }


def _ids(client: Client, url: str = "/api/v1/deals?limit=200") -> set[int]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return {d["id"] for d in response.json()["items"]}


def _create_payload(account: Account, **extra: Any) -> dict[str, Any]:
    return {
        "name": "New deal",
        "account_id": account.pk,
        "product_line_id": ProductLineFactory().pk,
        "amount": "12500.00",
        "currency": "USD",
        "stage_id": stage_named("Qualification").pk,
        "expected_close_date": (dt.date.today() + dt.timedelta(days=60)).isoformat(),
        **extra,
    }


# Reads: who sees what.


@pytest.mark.parametrize(
    ("who", "visible", "hidden"),
    [
        ("rep", {"rep", "partner_a"}, {"other_rep", "partner_b"}),
        ("other_rep", {"other_rep", "partner_b"}, {"rep", "partner_a"}),
        ("manager", {"rep", "partner_a"}, {"other_rep", "partner_b"}),
        ("other_manager", {"other_rep", "partner_b"}, {"rep", "partner_a"}),
        ("partner_a_user", {"partner_a"}, {"rep", "other_rep", "partner_b"}),
        ("partner_b_user", {"partner_b"}, {"rep", "other_rep", "partner_a"}),
        ("director", {"rep", "other_rep", "partner_a", "partner_b"}, set()),
    ],
)
def test_deal_list_and_detail_show_only_visible_deals(
    company: Company,
    deals: dict[str, Deal],
    auth_kind: str,
    who: str,
    visible: set[str],
    hidden: set[str],
) -> None:
    client = client_for(auth_kind, getattr(company, who))
    assert _ids(client) == {deals[k].pk for k in visible}
    for key in visible:
        assert client.get(f"/api/v1/deals/{deals[key].pk}").status_code == 200
    for key in hidden:
        assert client.get(f"/api/v1/deals/{deals[key].pk}").status_code == 404
        assert client.get(f"/api/v1/deals/{deals[key].pk}/history").status_code == 404


def test_deal_output_shape_money_as_strings(company: Company, deals: dict[str, Deal]) -> None:
    deal = deals["partner_a"]
    body = client_for("session", company.rep).get(f"/api/v1/deals/{deal.pk}").json()
    assert body["amount"] == "10000.00" and body["amount_company"] == "10000.00"
    assert body["account"] == {"id": deal.account_id, "name": deal.account.name}
    assert body["partner"] == {"id": company.partner_a.pk, "name": "Alpha Systems"}
    assert body["owner"] == {"id": company.rep.pk, "name": str(company.rep)}
    assert body["stage"]["name"] == "Qualification"
    for key in (
        "currency", "probability", "forecast_category", "expected_close_date", "close_date",
        "source", "lost_reason", "created_at", "updated_at",
    ):  # fmt: skip
        assert key in body


def test_deal_list_costs_a_constant_number_of_queries(
    company: Company, django_assert_max_num_queries: Any
) -> None:
    client = client_for("token", company.rep)
    DealFactory.create_batch(3, owner=company.rep, partner=company.partner_a)
    with django_assert_max_num_queries(6) as small:
        client.get("/api/v1/deals")
    DealFactory.create_batch(40, owner=company.rep, partner=company.partner_a)
    with django_assert_max_num_queries(len(small.captured_queries)):
        body = client.get("/api/v1/deals").json()
    assert len(body["items"]) == 43


def test_deal_list_filters(company: Company, deals: dict[str, Deal]) -> None:
    won = DealFactory(owner=company.rep, stage=stage_named("Won"), name="Closed big one")
    client = client_for("session", company.director)
    assert _ids(client, "/api/v1/deals?status=won") == {won.pk}
    assert _ids(client, "/api/v1/deals?q=alpha") == {deals["partner_a"].pk}
    assert _ids(client, f"/api/v1/deals?partner_id={company.partner_b.pk}") == {
        deals["partner_b"].pk
    }
    assert _ids(client, f"/api/v1/deals?owner_id={company.other_rep.pk}&status=open") == {
        deals["other_rep"].pk,
        deals["partner_b"].pk,
    }
    response = client.get("/api/v1/deals?status=maybe")
    assert response.status_code == 400 and "status" in error_fields(response)


def test_stage_list(company: Company, auth_kind: str) -> None:
    body = client_for(auth_kind, company.partner_b_user).get("/api/v1/stages").json()
    assert [s["name"] for s in body["items"]] == list(
        Stage.objects.order_by("order").values_list("name", flat=True)
    )


# Writes.


def test_rep_creates_a_deal_they_own(company: Company, auth_kind: str) -> None:
    account = AccountFactory(owner=company.rep)
    response = post_json(
        client_for(auth_kind, company.rep), "/api/v1/deals", _create_payload(account)
    )
    assert response.status_code == 201, response.content
    body = response.json()
    deal = Deal.objects.get(pk=body["id"])
    assert deal.owner == company.rep and deal.team == company.team
    assert body["amount"] == "12500.00" and body["currency"] == "USD"
    assert body["amount_company"] == "11250.00"  # USD at 0.9
    assert StageChange.objects.filter(deal=deal, from_stage=None).count() == 1


@pytest.mark.parametrize("who", ["partner_a_user", "partner_a_admin", "marketing"])
def test_partner_users_and_marketing_cannot_create_deals(company: Company, who: str) -> None:
    account = AccountFactory(owner=company.rep)
    response = post_json(
        client_for("token", getattr(company, who)), "/api/v1/deals", _create_payload(account)
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert not Deal.objects.exists()


def test_owner_must_be_in_the_callers_line(company: Company) -> None:
    account = AccountFactory(owner=company.rep)
    payload = _create_payload(account, owner_id=company.other_rep.pk)
    response = post_json(client_for("session", company.rep), "/api/v1/deals", payload)
    assert response.status_code == 400 and "owner" in error_fields(response)
    response = post_json(client_for("session", company.manager), "/api/v1/deals", payload)
    assert response.status_code == 400 and "owner" in error_fields(response)
    assert not Deal.objects.exists()
    payload["owner_id"] = company.rep.pk
    response = post_json(client_for("session", company.manager), "/api/v1/deals", payload)
    assert response.status_code == 201
    assert response.json()["owner"]["id"] == company.rep.pk


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "-5.00"}, "amount"),
        ({"amount": "12.345"}, "amount"),
        ({"amount": "lots"}, "amount"),
        ({"currency": "XXX"}, "currency"),
        ({"close_date": "2099-01-01", "stage_id": "WON"}, "close_date"),
        ({"stage_id": 999999}, "stage"),
        ({"account_id": 999999}, "account"),
        ({"account_id": "OTHER"}, "account"),
        ({"partner_id": "PARTNER_B"}, "partner"),
        ({"product_line_id": 999999}, "product_line"),
        ({"probability": 140}, "probability"),
        ({"amount_company": "1.00"}, "amount_company"),
        ({"id": 5}, "id"),
        ({"created_at": "2020-01-01T00:00:00Z"}, "created_at"),
        ({"team_id": 1}, "team_id"),
        ({"expected_close_date": "soon"}, "expected_close_date"),
    ],
)
def test_bad_input_answers_field_errors_and_saves_nothing(
    company: Company, change: dict[str, Any], field: str
) -> None:
    account = AccountFactory(owner=company.rep)
    other = AccountFactory(owner=company.other_rep)
    resolved = dict(change)
    for key, value in change.items():
        if value == "WON":
            resolved[key] = stage_named("Won").pk
        elif value == "OTHER":
            resolved[key] = other.pk
        elif value == "PARTNER_B":
            resolved[key] = company.partner_b.pk
    before = (Deal.objects.count(), StageChange.objects.count())
    response = post_json(
        client_for("session", company.rep), "/api/v1/deals", _create_payload(account, **resolved)
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "validation_error"
    assert field in error_fields(response)
    assert (Deal.objects.count(), StageChange.objects.count()) == before


def test_patch_changes_only_given_fields(company: Company, deals: dict[str, Deal]) -> None:
    deal = deals["rep"]
    response = patch_json(
        client_for("token", company.rep), f"/api/v1/deals/{deal.pk}", {"amount": "20000.00"}
    )
    assert response.status_code == 200, response.content
    deal.refresh_from_db()
    assert deal.amount == Decimal("20000.00") and deal.name == "North direct"


def test_patch_hidden_deal_is_404_and_visible_readonly_is_403(
    company: Company, deals: dict[str, Deal]
) -> None:
    deal = deals["rep"]
    for who, status in (("other_rep", 404), ("other_manager", 404), ("marketing", 403)):
        client = client_for("session", getattr(company, who))
        response = patch_json(client, f"/api/v1/deals/{deal.pk}", {"name": "Mine now"})
        assert response.status_code == status, who
        assert client.delete(f"/api/v1/deals/{deal.pk}").status_code == status
        assert (
            post_json(
                client, f"/api/v1/deals/{deal.pk}/stage", {"stage_id": stage_named("Won").pk}
            ).status_code
            == status
        )
    deal.refresh_from_db()
    assert deal.name == "North direct" and deal.stage.name == "Qualification"


def test_partner_b_user_cannot_touch_partner_a_deal(
    company: Company, deals: dict[str, Deal]
) -> None:
    client = client_for("token", company.partner_b_user)
    deal = deals["partner_a"]
    assert patch_json(client, f"/api/v1/deals/{deal.pk}", {"name": "x"}).status_code == 404
    assert client.delete(f"/api/v1/deals/{deal.pk}").status_code == 404


def test_patch_refuses_mass_assignment(company: Company, deals: dict[str, Deal]) -> None:
    deal = deals["rep"]
    client = client_for("session", company.rep)
    for payload in ({"amount_company": "1.00"}, {"owner_id": company.other_rep.pk}):
        response = patch_json(client, f"/api/v1/deals/{deal.pk}", payload)
        assert response.status_code == 400
    deal.refresh_from_db()
    assert deal.owner == company.rep and deal.amount_company == Decimal("10000.00")


def test_move_stage_and_read_history(company: Company, deals: dict[str, Deal]) -> None:
    deal = deals["rep"]
    StageChange.objects.create(deal=deal, to_stage=deal.stage)
    client = client_for("session", company.manager)
    response = post_json(
        client, f"/api/v1/deals/{deal.pk}/stage", {"stage_id": stage_named("Won").pk}
    )
    assert response.status_code == 200, response.content
    assert response.json()["stage"]["name"] == "Won"
    assert response.json()["close_date"] == dt.date.today().isoformat()
    history = client.get(f"/api/v1/deals/{deal.pk}/history").json()["items"]
    assert [h["to_stage"]["name"] for h in history] == ["Qualification", "Won"]
    assert history[1]["changed_by"]["id"] == company.manager.pk
    response = post_json(client, f"/api/v1/deals/{deal.pk}/stage", {"stage_id": 999999})
    assert response.status_code == 400 and "stage" in error_fields(response)


def test_delete_deal(company: Company, deals: dict[str, Deal], auth_kind: str) -> None:
    deal = deals["rep"]
    response = client_for(auth_kind, company.rep).delete(f"/api/v1/deals/{deal.pk}")
    assert response.status_code == 204
    assert not Deal.objects.filter(pk=deal.pk).exists()


def test_revoked_token_loses_access_to_deals(company: Company, deals: dict[str, Deal]) -> None:
    client = client_for("token", company.rep)
    assert client.get("/api/v1/deals").status_code == 200
    token_id = client_for("session", company.rep).get("/api/v1/tokens").json()["items"][0]["id"]
    assert (
        client_for("session", company.rep).delete(f"/api/v1/tokens/{token_id}").status_code == 204
    )
    assert client.get("/api/v1/deals").status_code == 401
    assert client.get(f"/api/v1/deals/{deals['rep'].pk}").status_code == 401


# Activities.


def test_activity_list_shows_own_open_activities(company: Company, auth_kind: str) -> None:
    mine = ActivityFactory(owner=company.rep, due_at=None)
    soon = ActivityFactory(owner=company.rep, due_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    ActivityFactory(owner=company.rep, done_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    ActivityFactory(owner=company.other_rep)
    client = client_for(auth_kind, company.rep)
    items = client.get("/api/v1/activities").json()["items"]
    assert [a["id"] for a in items] == [soon.pk, mine.pk]  # undated last
    all_items = client.get("/api/v1/activities?include_done=true").json()["items"]
    assert len(all_items) == 3


def test_activity_list_filters_by_kind_and_link(company: Company) -> None:
    deal = DealFactory(owner=company.rep)
    on_deal = ActivityFactory(owner=company.rep, deal=deal, kind=Activity.Kind.CALL)
    email = ActivityFactory(owner=company.rep, deal=deal, kind=Activity.Kind.EMAIL)
    ActivityFactory(owner=company.rep, partner=company.partner_a, kind=Activity.Kind.CALL)
    hidden = ActivityFactory(owner=company.other_rep, deal=deal, kind=Activity.Kind.CALL)
    client = client_for("token", company.rep)

    def ids(query: str) -> set[int]:
        response = client.get(f"/api/v1/activities?{query}")
        assert response.status_code == 200, response.content
        return {a["id"] for a in response.json()["items"]}

    assert ids(f"deal_id={deal.pk}") == {on_deal.pk, email.pk}
    assert ids(f"deal_id={deal.pk}&kind=call") == {on_deal.pk}
    assert hidden.pk not in ids(f"deal_id={deal.pk}")  # the filter narrows, never widens
    assert len(ids(f"partner_id={company.partner_a.pk}")) == 1
    assert client.get("/api/v1/activities?kind=fax").status_code == 400


def test_activity_create_on_visible_deal_only(company: Company, deals: dict[str, Deal]) -> None:
    client = client_for("session", company.rep)
    payload = {"kind": "call", "subject": "Follow up", "deal_id": deals["rep"].pk}
    response = post_json(client, "/api/v1/activities", payload)
    assert response.status_code == 201, response.content
    assert response.json()["owner"]["id"] == company.rep.pk
    payload["deal_id"] = deals["other_rep"].pk
    response = post_json(client, "/api/v1/activities", payload)
    assert response.status_code == 400 and "deal" in error_fields(response)
    response = post_json(client, "/api/v1/activities", {"kind": "call", "subject": "x"})
    assert response.status_code == 400 and "deal" in error_fields(response)
    assert Activity.objects.count() == 1


def test_activity_complete_by_owner_not_by_others(company: Company) -> None:
    activity = ActivityFactory(owner=company.rep)
    url = f"/api/v1/activities/{activity.pk}/complete"
    assert post_json(client_for("token", company.other_rep), url, {}).status_code == 404
    assert post_json(client_for("token", company.partner_b_user), url, {}).status_code == 404
    response = post_json(client_for("token", company.rep), url, {})
    assert response.status_code == 200 and response.json()["done_at"] is not None
    response = post_json(client_for("session", company.manager), url, {"done": False})
    assert response.status_code == 200 and response.json()["done_at"] is None


def test_list_rows_match_the_detail(company: Company, deals: dict[str, Deal]) -> None:
    """The list builds rows from .values(), the detail from the model: both must agree."""
    client = client_for("session", company.director)
    for row in client.get("/api/v1/deals").json()["items"]:
        assert row == client.get(f"/api/v1/deals/{row['id']}").json()
