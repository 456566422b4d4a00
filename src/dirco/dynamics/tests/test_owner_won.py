"""The won revenue by owner and month follows every deal write and agrees with a rebuild."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dirco.conftest import Company
from dirco.dynamics.models import OwnerWonMonth
from dirco.dynamics.owner_won import owner_won_by_month, owner_won_rebuild
from dirco.objectives.services import rollups_rebuild
from dirco.pipeline.models import Deal
from dirco.pipeline.services import deal_update
from dirco.pipeline.tests.factories import DealFactory, stage_named

pytestmark = pytest.mark.django_db


def _table() -> set[tuple[int, dt.date, int, int]]:
    return {
        (r.owner_id, r.month, r.won_count, r.won_cents)
        for r in OwnerWonMonth.objects.all()
        if r.won_count or r.won_cents
    }


def test_kept_on_write_and_equal_to_the_rebuild(company: Company) -> None:
    day = dt.date(2026, 3, 10)
    won = DealFactory(
        owner=company.rep,
        team=company.team,
        amount=Decimal("1234.56"),
        stage=stage_named("Won"),
        close_date=day,
        expected_close_date=day,
    )
    DealFactory(owner=company.rep, team=company.team, amount=Decimal(999))  # open: not counted
    # Created before it closed (the services refuse a close date before the creation).
    Deal.objects.filter(pk=won.pk).update(created_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC))
    won.refresh_from_db()
    rollups_rebuild()  # the bulk writers' path: the rollups' rebuild runs this table's
    march = dt.date(2026, 3, 1)
    assert _table() == {(company.rep.pk, march, 1, 123456)}
    # The services' path: the owner changes, the month moves to the new owner.
    deal_update(deal=won, updated_by=company.director, owner=company.manager)
    assert _table() == {(company.manager.pk, march, 1, 123456)}
    deal_update(deal=won, updated_by=company.director, close_date=dt.date(2026, 4, 2))
    assert _table() == {(company.manager.pk, dt.date(2026, 4, 1), 1, 123456)}
    kept = _table()
    owner_won_rebuild()
    assert _table() == kept
    assert owner_won_by_month(first=march, last=dt.date(2026, 4, 1)) == {
        (company.manager.pk, dt.date(2026, 4, 1)): pytest.approx(1234.56)
    }
