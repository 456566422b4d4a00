"""The impact of a funded activity on the staff page: measured, against the forecast and the
other partners; never on the partner's portal (the control is other partners' revenue)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dirco.conftest import Company
from dirco.core.periods import month_add
from dirco.funds.impact import fund_request_impact
from dirco.funds.services import (
    FundBudgetInput,
    FundRequestInput,
    fund_budget_create,
    fund_request_approve,
    fund_request_submit,
)
from dirco.pipeline.tests.factories import DealFactory, stage_named

START = dt.date(2025, 3, 3)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _won(partner: Any, owner: Any, closed: dt.date, created: dt.date, amount: str) -> None:
    DealFactory(
        partner=partner,
        owner=owner,
        stage=stage_named("Won"),
        close_date=closed,
        expected_close_date=closed,
        amount=Decimal(amount),
        created_at=timezone.make_aware(dt.datetime.combine(created, dt.time(9))),
    )


@time_machine.travel(dt.datetime(2025, 9, 15, 12, tzinfo=dt.UTC), tick=False)
def test_funded_activity_measured_for_staff_only(company: Company) -> None:
    c = company
    month = month_add(START.replace(day=1), -24)
    while month <= dt.date(2025, 8, 1):
        for partner, owner in ((c.partner_a, c.rep), (c.partner_b, c.other_rep)):
            closed = month.replace(day=12)
            _won(partner, owner, closed, closed - dt.timedelta(days=70), "8000")
        month = month_add(month, 1)
    for _ in range(4):  # the funded trade show's deals
        _won(c.partner_a, c.rep, dt.date(2025, 4, 25), dt.date(2025, 3, 12), "6000")
    budget = fund_budget_create(
        created_by=c.director,
        data=FundBudgetInput(
            name="FY25",
            partner=c.partner_a,
            period_start=dt.date(2025, 1, 1),
            period_end=dt.date(2025, 12, 31),
            amount=Decimal("20000"),
        ),
    )
    fund_request = fund_request_submit(
        submitted_by=c.partner_a_user,
        partner=c.partner_a,
        budget=budget,
        data=FundRequestInput(
            activity="Spring trade show",
            expected_result="Leads",
            starts_on=START,
            ends_on=START + dt.timedelta(days=2),
            amount=Decimal("4000"),
        ),
    )
    assert fund_request_impact(fund_request=fund_request) is None  # not approved yet
    fund_request_approve(fund_request=fund_request, approved_by=c.rep)
    fund_request.refresh_from_db()
    impact = fund_request_impact(fund_request=fund_request)
    assert impact is not None
    # The four show deals, and two of the partner's usual deals created in the window (the
    # rule credits them too: the uplift below is the measure of what changed).
    assert impact["deals"] == 6 and Decimal(impact["measured"]) == Decimal("40000")
    assert Decimal(impact["roi"]) == Decimal("9.00")  # (40000 - 4000) / 4000
    uplift = impact["uplift"]
    assert Decimal("20000") <= Decimal(uplift["uplift"]) <= Decimal("28000")
    assert uplift["control"]["dimension"] == "partner"
    staff = Client()
    staff.force_login(c.rep)
    page = staff.get(reverse("funds:request_detail", args=[fund_request.pk])).content.decode()
    assert 'data-testid="mdf-impact"' in page
    partner = Client()
    partner.force_login(c.partner_a_user)
    portal = partner.get(reverse("portal:mdf_request_detail", args=[fund_request.pk]))
    assert portal.status_code == 200 and "mdf-impact" not in portal.content.decode()
