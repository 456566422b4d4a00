"""The pipeline's HTML pages: each for an allowed and a forbidden user, the board's move,
forms that map service errors onto fields, and constant query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dirco.accounts.models import User
from dirco.catalog.tests.factories import ProductLineFactory
from dirco.conftest import Company
from dirco.customers.tests.factories import AccountFactory
from dirco.pipeline.models import Activity, Deal, StageChange
from dirco.pipeline.tests.factories import ActivityFactory, DealFactory, stage_named

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def htmx_client_for(user: User) -> Client:
    client = Client(headers={"HX-Request": "true"})
    client.force_login(user)
    return client


@pytest.fixture
def rep_deal(company: Company) -> Deal:
    return DealFactory(name="Rep deal", owner=company.rep, team=company.team)


@pytest.fixture
def partner_a_deal(company: Company) -> Deal:
    return DealFactory(name="Alpha deal", owner=company.rep, partner=company.partner_a)


# Deal list ----------------------------------------------------------------------------------


def test_deal_list_shows_own_deals_only(company: Company, rep_deal: Deal) -> None:
    DealFactory(name="Other rep deal", owner=company.other_rep)
    response = client_for(company.rep).get(reverse("deal_list"))
    assert response.status_code == 200
    assert b"Rep deal" in response.content
    assert b"Other rep deal" not in response.content
    response = client_for(company.other_rep).get(reverse("deal_list"))
    assert b"Rep deal" not in response.content


def test_deal_list_requires_login(db: None) -> None:
    response = Client().get(reverse("deal_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_deal_pages_send_partner_users_to_the_portal(company: Company) -> None:
    for name, target in (
        ("deal_list", reverse("portal:deal_list")),
        ("pipeline_board", reverse("portal:deal_list")),
        ("activity_list", reverse("portal:home")),
    ):
        response = client_for(company.partner_a_user).get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"] == target
    # No portal equivalent: as if the page did not exist.
    assert client_for(company.partner_a_user).get(reverse("deal_create")).status_code == 404


def test_deal_list_filters(company: Company) -> None:
    DealFactory(name="Open one", owner=company.rep)
    DealFactory(name="Won one", owner=company.rep, stage=stage_named("Won"))
    client = client_for(company.rep)
    content = client.get(reverse("deal_list"), {"status": "won"}).content
    assert b"Won one" in content and b"Open one" not in content
    content = client.get(reverse("deal_list"), {"q": "open"}).content
    assert b"Open one" in content and b"Won one" not in content
    # A bad value is ignored, not fatal.
    assert client.get(reverse("deal_list"), {"close_from": "nonsense"}).status_code == 200


def test_deal_list_pages_by_fetching_one_row_more(company: Company) -> None:
    DealFactory.create_batch(51, owner=company.rep)
    client = client_for(company.rep)
    first = client.get(reverse("deal_list"))
    assert first.context["has_next"] is True
    assert len(first.context["deals"]) == 50
    second = client.get(reverse("deal_list"), {"page": "2"})
    assert second.context["has_next"] is False
    assert len(second.context["deals"]) == 1


def test_deal_list_htmx_answers_the_results_partial(company: Company, rep_deal: Deal) -> None:
    client = htmx_client_for(company.rep)
    response = client.get(reverse("deal_list"), headers={"HX-Target": "deal-results"})
    assert response.status_code == 200
    assert b'id="deal-results"' in response.content
    assert b"<html" not in response.content


@pytest.mark.parametrize("n", [5, 30])
def test_deal_list_query_count_is_constant(
    company: Company, n: int, django_assert_max_num_queries: object
) -> None:
    line = ProductLineFactory()
    account = AccountFactory()
    for _ in range(n):
        DealFactory(
            owner=company.rep, partner=company.partner_a, product_line=line, account=account
        )
        DealFactory(owner=UserFactoryLike.make(), product_line=line, account=account)
    client = client_for(company.director)
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        assert client.get(reverse("deal_list")).status_code == 200


class UserFactoryLike:
    """Distinct owners so that a missing select_related would cost one query per row."""

    @staticmethod
    def make() -> User:
        from dirco.accounts.tests.factories import UserFactory

        return UserFactory()


# Board --------------------------------------------------------------------------------------


def test_board_shows_open_columns_with_totals(company: Company) -> None:
    DealFactory(name="Qualif deal", owner=company.rep, amount=Decimal("1000"))
    DealFactory(name="Won deal", owner=company.rep, stage=stage_named("Won"))
    response = client_for(company.rep).get(reverse("pipeline_board"))
    assert response.status_code == 200
    names = [c.stage.name for c in response.context["columns"]]
    assert names == ["Prospecting", "Qualification", "Proposal", "Negotiation"]
    qualification = response.context["columns"][1]
    assert qualification.count == 1
    assert qualification.total == Decimal("1000")
    assert b"Qualif deal" in response.content
    assert b"Won deal" not in response.content
    assert b'data-drop-stage="%d"' % stage_named("Lost").pk in response.content


@pytest.mark.parametrize("n", [5, 30])
def test_board_query_count_is_constant(
    company: Company, n: int, django_assert_max_num_queries: object
) -> None:
    for i in range(n):
        DealFactory(
            owner=UserFactoryLike.make(),
            stage=stage_named(["Prospecting", "Qualification", "Proposal"][i % 3]),
        )
    client = client_for(company.director)
    with django_assert_max_num_queries(16):  # type: ignore[operator]
        assert client.get(reverse("pipeline_board")).status_code == 200


def test_board_move_records_a_stage_change_and_answers_the_columns(
    company: Company, rep_deal: Deal
) -> None:
    proposal = stage_named("Proposal")
    response = htmx_client_for(company.rep).post(
        reverse("deal_move", args=[rep_deal.pk]), {"stage": proposal.pk}
    )
    assert response.status_code == 200
    # The two columns, swapped in by id (the whole answer: dirco/pipeline/tests/test_board_move.py).
    assert b'<section id="column-%d"' % proposal.pk in response.content
    assert b'<section id="column-%d"' % stage_named("Qualification").pk in response.content
    assert b'id="board"' not in response.content and b"<html" not in response.content
    rep_deal.refresh_from_db()
    assert rep_deal.stage == proposal
    change = StageChange.objects.get(deal=rep_deal)
    assert change.to_stage == proposal
    assert change.from_stage == stage_named("Qualification")
    assert change.changed_by == company.rep


def test_board_move_without_htmx_redirects_back(company: Company, rep_deal: Deal) -> None:
    response = client_for(company.rep).post(
        reverse("deal_move", args=[rep_deal.pk]),
        {"stage": stage_named("Negotiation").pk, "next": "/pipeline/?owner="},
    )
    assert response.status_code == 302
    assert response["Location"] == "/pipeline/?owner="
    rep_deal.refresh_from_db()
    assert rep_deal.stage.name == "Negotiation"


def test_board_move_to_lost_keeps_the_reason(company: Company, rep_deal: Deal) -> None:
    response = htmx_client_for(company.rep).post(
        reverse("deal_move", args=[rep_deal.pk]),
        {"stage": stage_named("Lost").pk, "lost_reason": "price"},
    )
    assert response.status_code == 200
    rep_deal.refresh_from_db()
    assert rep_deal.stage.is_lost and rep_deal.lost_reason == "price"
    assert rep_deal.close_date == timezone.localdate()


def test_board_move_refuses_unknown_stage(company: Company, rep_deal: Deal) -> None:
    response = htmx_client_for(company.rep).post(
        reverse("deal_move", args=[rep_deal.pk]), {"stage": 999999}
    )
    assert response.status_code == 400
    assert "999999" in response.content.decode()
    assert not StageChange.objects.exists()


def test_board_move_refused_for_a_user_who_may_not_edit(company: Company, rep_deal: Deal) -> None:
    url = reverse("deal_move", args=[rep_deal.pk])
    data = {"stage": stage_named("Proposal").pk}
    # Marketing sees every deal but may not change any.
    response = htmx_client_for(company.marketing).post(url, data)
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/plain")
    assert client_for(company.marketing).post(url, data).status_code == 403
    # Another rep may not even see it.
    assert htmx_client_for(company.other_rep).post(url, data).status_code == 404
    rep_deal.refresh_from_db()
    assert rep_deal.stage.name == "Qualification"
    assert not StageChange.objects.exists()


def test_board_move_requires_post(company: Company, rep_deal: Deal) -> None:
    response = client_for(company.rep).get(reverse("deal_move", args=[rep_deal.pk]))
    assert response.status_code == 405


# Deal page ----------------------------------------------------------------------------------


def test_deal_page_shows_fields_history_and_activities(company: Company) -> None:
    deal = DealFactory(
        owner=company.rep, currency="USD", amount=Decimal("1000"), amount_company=Decimal("900")
    )
    StageChange.objects.create(deal=deal, to_stage=deal.stage, changed_by=company.rep)
    ActivityFactory(deal=deal, owner=company.rep, subject="Call the CFO")
    response = client_for(company.rep).get(reverse("deal_detail", args=[deal.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert deal.name in content
    assert "1,000.00\xa0USD" in content
    assert "900.00\xa0EUR" in content
    assert "Call the CFO" in content
    assert len(response.context["history"]) == 1
    assert response.context["can_edit"] is True


def test_deal_page_is_404_for_users_who_may_not_see_it(
    company: Company, rep_deal: Deal, partner_a_deal: Deal
) -> None:
    assert (
        client_for(company.other_rep).get(reverse("deal_detail", args=[rep_deal.pk])).status_code
        == 404
    )
    # Another partner's deal: the staff URL leads to the portal, whose check answers 404.
    response = client_for(company.partner_b_user).get(
        reverse("deal_detail", args=[partner_a_deal.pk]), follow=True
    )
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert client_for(company.rep).get(reverse("deal_detail", args=[999999])).status_code == 404


def test_partner_user_reads_own_deal_in_the_portal_not_the_staff_page(
    company: Company, partner_a_deal: Deal
) -> None:
    client = client_for(company.partner_a_user)
    response = client.get(reverse("deal_detail", args=[partner_a_deal.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:deal_detail", args=[partner_a_deal.pk])
    assert client.get(response["Location"]).status_code == 200
    assert client.get(reverse("deal_edit", args=[partner_a_deal.pk])).status_code == 404


# Create and edit ----------------------------------------------------------------------------


def _deal_post(
    deal_account_id: int, line_id: int, owner_id: int, **overrides: object
) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Big deal",
        "account": deal_account_id,
        "partner": "",
        "owner": owner_id,
        "product_line": line_id,
        "amount": "12500.00",
        "currency": "USD",
        "stage": stage_named("Prospecting").pk,
        "expected_close_date": (timezone.localdate() + dt.timedelta(days=60)).isoformat(),
        "close_date": "",
        "source": "direct",
        "lost_reason": "",
    }
    data.update(overrides)
    return data


def test_deal_create(company: Company) -> None:
    account = AccountFactory(owner=company.rep)
    line = ProductLineFactory()
    client = client_for(company.rep)
    assert client.get(reverse("deal_create")).status_code == 200
    response = client.post(reverse("deal_create"), _deal_post(account.pk, line.pk, company.rep.pk))
    deal = Deal.objects.get(name="Big deal")
    assert response.status_code == 302
    assert response["Location"] == reverse("deal_detail", args=[deal.pk])
    assert deal.amount_company == Decimal("11250.00")
    assert deal.team == company.team
    assert StageChange.objects.filter(deal=deal, changed_by=company.rep).count() == 1


def test_deal_create_refused_for_marketing(company: Company) -> None:
    assert client_for(company.marketing).get(reverse("deal_create")).status_code == 403


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount": "-5"}, "amount"),
        ({"currency": "XYZ"}, "currency"),
        ({"stage": 999999}, "stage"),
    ],
)
def test_deal_create_bad_input_shows_field_errors_and_saves_nothing(
    company: Company, overrides: dict[str, object], field: str
) -> None:
    account = AccountFactory(owner=company.rep)
    line = ProductLineFactory()
    response = client_for(company.rep).post(
        reverse("deal_create"), _deal_post(account.pk, line.pk, company.rep.pk, **overrides)
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert b"field--error" in response.content
    assert not Deal.objects.exists()
    assert not StageChange.objects.exists()


def test_deal_edit_saves_through_deal_update(company: Company, rep_deal: Deal) -> None:
    client = client_for(company.rep)
    url = reverse("deal_edit", args=[rep_deal.pk])
    assert client.get(url).status_code == 200
    data = _deal_post(
        rep_deal.account_id,
        rep_deal.product_line_id,
        company.rep.pk,
        name="Renamed",
        currency="EUR",
        amount="777.00",
        stage=stage_named("Negotiation").pk,
    )
    response = client.post(url, data)
    assert response.status_code == 302
    rep_deal.refresh_from_db()
    assert rep_deal.name == "Renamed"
    assert rep_deal.amount_company == Decimal("777.00")
    assert rep_deal.stage.name == "Negotiation"
    assert StageChange.objects.filter(deal=rep_deal, to_stage__name="Negotiation").exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount": "-1"}, "amount"),
        ({"currency": "ZZZ"}, "currency"),
        ({"stage": 424242}, "stage"),
        ({"close_date": "2000-01-01", "stage": "Won"}, "close_date"),
        ({"stage": "Lost"}, "lost_reason"),
    ],
)
def test_deal_edit_bad_input_shows_field_errors_and_saves_nothing(
    company: Company, rep_deal: Deal, overrides: dict[str, object], field: str
) -> None:
    if overrides.get("stage") in ("Won", "Lost"):
        overrides = {**overrides, "stage": stage_named(str(overrides["stage"])).pk}
    data = _deal_post(
        rep_deal.account_id, rep_deal.product_line_id, company.rep.pk, name="Changed", **overrides
    )
    response = client_for(company.rep).post(reverse("deal_edit", args=[rep_deal.pk]), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    rep_deal.refresh_from_db()
    assert rep_deal.name == "Rep deal"
    assert rep_deal.stage.name == "Qualification"
    assert not StageChange.objects.exists()


def test_deal_edit_forbidden(company: Company, rep_deal: Deal) -> None:
    url = reverse("deal_edit", args=[rep_deal.pk])
    assert client_for(company.other_rep).get(url).status_code == 404
    assert client_for(company.marketing).get(url).status_code == 403


# Activities ---------------------------------------------------------------------------------


def test_activity_add_on_deal_page_with_htmx(company: Company, rep_deal: Deal) -> None:
    response = htmx_client_for(company.rep).post(
        reverse("deal_activity_create", args=[rep_deal.pk]),
        {"kind": "meeting", "subject": "Demo", "due_at": "2030-01-02T10:00", "notes": ""},
    )
    assert response.status_code == 200
    assert b'id="activities"' in response.content
    assert b"Demo" in response.content
    activity = Activity.objects.get(deal=rep_deal)
    assert activity.owner == company.rep


def test_activity_add_bad_input_shows_errors(company: Company, rep_deal: Deal) -> None:
    response = htmx_client_for(company.rep).post(
        reverse("deal_activity_create", args=[rep_deal.pk]), {"kind": "nope", "subject": ""}
    )
    assert response.status_code == 200
    assert b"errorlist" in response.content
    assert not Activity.objects.exists()


def test_activity_add_forbidden(company: Company, rep_deal: Deal) -> None:
    url = reverse("deal_activity_create", args=[rep_deal.pk])
    data = {"kind": "call", "subject": "Sneaky"}
    assert client_for(company.other_rep).post(url, data).status_code == 404
    # Partner users never reach staff pages (dirco.web.partner_gate).
    assert client_for(company.partner_a_user).post(url, data).status_code == 404
    assert not Activity.objects.exists()


def test_marketing_logs_its_own_activities_on_deals_it_sees(
    company: Company, rep_deal: Deal
) -> None:
    """As through the API (POST /api/v1/activities): whoever sees a deal logs their own
    activities on it; marketing still cannot change the deal."""
    url = reverse("deal_activity_create", args=[rep_deal.pk])
    response = htmx_client_for(company.marketing).post(url, {"kind": "call", "subject": "Event"})
    assert response.status_code == 200
    assert Activity.objects.get().owner == company.marketing


def test_my_activities_lists_open_ones_and_highlights_overdue(company: Company) -> None:
    now = timezone.now()
    ActivityFactory(owner=company.rep, subject="Late call", due_at=now - dt.timedelta(days=2))
    ActivityFactory(owner=company.rep, subject="Next call", due_at=now + dt.timedelta(days=2))
    ActivityFactory(owner=company.rep, subject="Done call", done_at=now)
    ActivityFactory(owner=company.other_rep, subject="Not mine")
    response = client_for(company.rep).get(reverse("activity_list"))
    content = response.content.decode()
    assert response.status_code == 200
    assert content.index("Late call") < content.index("Next call")
    assert "Done call" not in content and "Not mine" not in content
    assert content.count("activity--overdue") == 1


def test_activity_mark_done_with_htmx(company: Company) -> None:
    activity = ActivityFactory(owner=company.rep, subject="Call back")
    response = htmx_client_for(company.rep).post(
        reverse("activity_done", args=[activity.pk]), {"done": "1", "show_target": "1"}
    )
    assert response.status_code == 200
    assert b"activity--done" in response.content
    activity.refresh_from_db()
    assert activity.done_at is not None


def test_activity_mark_done_forbidden(company: Company) -> None:
    activity = ActivityFactory(owner=company.rep)
    assert (
        client_for(company.other_rep).post(reverse("activity_done", args=[activity.pk])).status_code
        == 404
    )
    activity.refresh_from_db()
    assert activity.done_at is None
