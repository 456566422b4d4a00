from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from dirco.catalog.models import ProductLine
from dirco.catalog.tests.factories import ProductLineFactory
from dirco.conftest import Company
from dirco.core.periods import month_add
from dirco.customers.tests.factories import AccountFactory
from dirco.objectives.services import rollups_rebuild
from dirco.pipeline.models import Deal, Stage
from dirco.pipeline.tests.factories import DealFactory


@pytest.fixture
def line(db: None) -> ProductLine:
    return ProductLineFactory(code="core")


@pytest.fixture
def history(company: Company, line: ProductLine) -> list[Deal]:
    """Three years of won deals for rep (North) and other_rep (South), 3 to 1, peaking in
    December; one lost deal and open pipeline; then a rollup rebuild (the factory bypasses
    the services)."""
    won = Stage.objects.get(name="Won")
    lost = Stage.objects.get(name="Lost")
    proposal = Stage.objects.get(name="Proposal")
    account = AccountFactory()
    today = timezone.localdate()
    deals = []
    for back in range(1, 37):
        month = month_add(today.replace(day=1), -back)
        factor = 3 if month.month == 12 else 1
        for owner, team, amount in (
            (company.rep, company.team, 3000),
            (company.other_rep, company.other_team, 1000),
        ):
            deals.append(
                DealFactory(
                    owner=owner,
                    team=team,
                    account=account,
                    product_line=line,
                    stage=won,
                    amount=Decimal(amount * factor),
                    close_date=month + dt.timedelta(days=9),
                    expected_close_date=month + dt.timedelta(days=9),
                    created_at=timezone.make_aware(
                        dt.datetime.combine(month - dt.timedelta(days=30), dt.time(12))
                    ),
                )
            )
    deals.append(
        DealFactory(
            owner=company.rep,
            team=company.team,
            account=account,
            product_line=line,
            stage=lost,
            lost_reason="price",
            amount=Decimal(500),
            close_date=month_add(today.replace(day=1), -2),
            expected_close_date=month_add(today.replace(day=1), -2),
            created_at=timezone.make_aware(dt.datetime(today.year - 3, 1, 1, 12)),
        )
    )
    deals.append(
        DealFactory(
            owner=company.rep,
            team=company.team,
            account=account,
            product_line=line,
            partner=company.partner_a,
            stage=proposal,
            amount=Decimal(10000),
            expected_close_date=today + dt.timedelta(days=1),
        )
    )
    rollups_rebuild()
    return deals
