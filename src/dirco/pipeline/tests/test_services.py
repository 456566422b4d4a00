from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from dirco.catalog.tests.factories import ProductLineFactory
from dirco.conftest import Company
from dirco.core.errors import ApplicationError
from dirco.customers.models import Account
from dirco.customers.tests.factories import AccountFactory
from dirco.pipeline.models import Deal, Stage, StageChange
from dirco.pipeline.selectors import deal_totals, pipeline_board
from dirco.pipeline.services import (
    deal_create,
    deal_move_stage,
    deal_refs_resolve,
    deal_update,
)
from dirco.pipeline.tests.factories import DealFactory, stage_named

pytestmark = pytest.mark.django_db


def _deal_fields(company: Company, **over: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "name": "Line 4 retrofit",
        "account": AccountFactory(),
        "owner": company.rep,
        "product_line": ProductLineFactory(),
        "amount": Decimal("12000.00"),
        "currency": "EUR",
        "stage": stage_named("Qualification"),
        "expected_close_date": timezone.localdate() + dt.timedelta(days=40),
    }
    fields.update(over)
    return fields


def test_deal_create_sets_stage_fields_team_and_history(company: Company) -> None:
    deal = deal_create(created_by=company.rep, **_deal_fields(company))
    assert deal.probability == 20
    assert deal.forecast_category == "pipeline"
    assert deal.team == company.team
    assert deal.amount_company == Decimal("12000.00")
    history = list(StageChange.objects.filter(deal=deal))
    assert [(h.from_stage, h.to_stage.name) for h in history] == [(None, "Qualification")]


def test_deal_create_converts_foreign_currency(company: Company) -> None:
    deal = deal_create(
        created_by=company.rep, **_deal_fields(company, amount=Decimal("1000"), currency="USD")
    )
    assert deal.amount_company == Decimal("900.00")


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"amount": Decimal("-5")}, "amount"),
        ({"currency": "XXX"}, "currency"),
        (
            {
                "stage": "Won",
                "close_date": timezone.localdate() + dt.timedelta(days=3),
            },
            "close_date",
        ),
    ],
)
def test_deal_create_rejects_bad_input_and_saves_nothing(
    company: Company, override: dict[str, object], field: str
) -> None:
    if override.get("stage") == "Won":
        override = {**override, "stage": stage_named("Won")}
    with pytest.raises(ApplicationError) as err:
        deal_create(created_by=company.rep, **_deal_fields(company, **override))
    assert field in err.value.fields
    assert Deal.objects.count() == 0
    assert StageChange.objects.count() == 0


def test_deal_refs_resolve_names_unknown_stage() -> None:
    with pytest.raises(ApplicationError) as err:
        deal_refs_resolve({"stage_id": 987654})
    assert "stage" in err.value.fields


def test_deal_create_refuses_fields_outside_the_whitelist(company: Company) -> None:
    with pytest.raises(ApplicationError):
        deal_create(created_by=company.rep, **_deal_fields(company, amount_company=Decimal(1)))


def test_deal_move_stage_records_history_and_closes(company: Company) -> None:
    deal = deal_create(created_by=company.rep, **_deal_fields(company))
    won = stage_named("Won")
    deal_move_stage(deal=deal, stage=won, moved_by=company.manager)
    deal.refresh_from_db()
    assert deal.stage == won
    assert deal.close_date == timezone.localdate()
    assert deal.forecast_category == "closed"
    last = StageChange.objects.filter(deal=deal).order_by("-id").first()
    assert last is not None
    assert (last.from_stage.name, last.to_stage.name, last.changed_by) == (
        "Qualification",
        "Won",
        company.manager,
    )
    # Reopening clears the close date.
    deal_move_stage(deal=deal, stage=stage_named("Proposal"), moved_by=company.rep)
    deal.refresh_from_db()
    assert deal.close_date is None
    assert StageChange.objects.filter(deal=deal).count() == 3


def test_deal_move_to_lost_keeps_a_reason(company: Company) -> None:
    deal = deal_create(created_by=company.rep, **_deal_fields(company))
    deal_move_stage(deal=deal, stage=stage_named("Lost"), moved_by=company.rep, lost_reason="price")
    deal.refresh_from_db()
    assert deal.lost_reason == "price"


def test_deal_update_failure_leaves_the_stored_deal_unchanged(company: Company) -> None:
    deal = deal_create(created_by=company.rep, **_deal_fields(company))
    with pytest.raises(ApplicationError):
        deal_update(deal=deal, updated_by=company.rep, amount=Decimal("-1"), name="changed")
    deal.refresh_from_db()
    assert deal.name == "Line 4 retrofit"
    assert deal.amount == Decimal("12000.00")


def test_deal_move_checks_what_changed_not_what_the_row_holds(company: Company) -> None:
    """A move validates its new stage but neither re-reads the deal's unchanged relations
    (they exist: the row holds them) nor re-checks constraints on unchanged columns."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    deal = deal_create(created_by=company.rep, **_deal_fields(company))
    with CaptureQueriesContext(connection) as ctx:
        deal_move_stage(deal=deal, stage=stage_named("Proposal"), moved_by=company.rep)
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    for table in ("customers_account", "catalog_productline", "teams_salesteam", "_check"):
        assert table not in sql, table
    deal.refresh_from_db()
    assert deal.stage.name == "Proposal"


def test_deal_update_still_checks_changed_fields(company: Company) -> None:
    deal = deal_create(created_by=company.rep, **_deal_fields(company))
    gone = AccountFactory()
    gone_pk = gone.pk
    gone.delete()
    with pytest.raises(ApplicationError) as refused:
        deal_update(deal=deal, updated_by=company.rep, account=Account(pk=gone_pk))
    assert "account" in refused.value.fields
    with pytest.raises(ApplicationError) as refused:
        deal_update(deal=deal, updated_by=company.rep, name="")
    assert "name" in refused.value.fields
    with pytest.raises(ApplicationError):
        deal_update(deal=deal, updated_by=company.rep, amount=Decimal("-5"))
    deal.refresh_from_db()
    assert (deal.name, deal.amount) == ("Line 4 retrofit", Decimal("12000.00"))


def test_mixed_currency_totals_sum_in_company_currency(company: Company) -> None:
    for amount, currency in [("1000", "EUR"), ("1000", "USD"), ("1000", "GBP")]:
        deal_create(
            created_by=company.rep,
            **_deal_fields(company, amount=Decimal(amount), currency=currency),
        )
    totals = deal_totals(deals=Deal.objects.all())
    assert totals["total"] == Decimal("3050.00")


def test_pipeline_board_query_count_is_constant(
    company: Company, django_assert_max_num_queries: object
) -> None:
    def count_queries(n: int) -> int:
        DealFactory.create_batch(n, owner=company.rep)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            columns = pipeline_board(user=company.rep)
            for column in columns:
                for deal in column.deals:  # what a card shows (pipeline_board.board_card)
                    _ = (deal.account.name, str(deal.owner), deal.stage_id, deal.amount)
        return len(ctx.captured_queries)

    assert count_queries(3) == count_queries(30)
    open_stages = Stage.objects.filter(is_won=False, is_lost=False).count()
    assert count_queries(1) <= open_stages + 4
