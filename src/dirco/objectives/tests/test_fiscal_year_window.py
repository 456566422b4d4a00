"""Objectives are set for the running fiscal year, the one before and the next two only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from dirco.conftest import Company
from dirco.core.errors import ApplicationError
from dirco.objectives.fiscal_calendar import fiscal_year_of
from dirco.objectives.models import Objective
from dirco.objectives.services import objective_create
from dirco.scopes import Scope

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("offset", "ok"), [(-7, False), (-2, False), (-1, True), (0, True), (2, True), (3, False)]
)
def test_objective_fiscal_year_must_be_near_the_running_one(
    company: Company, offset: int, ok: bool
) -> None:
    year = fiscal_year_of(timezone.localdate()) + offset
    if ok:
        objective_create(
            user=company.director, scope=Scope("company"), fiscal_year=year, amount="100000"
        )
        assert Objective.objects.filter(fiscal_year=year).exists()
        return
    with pytest.raises(ApplicationError) as exc:
        objective_create(
            user=company.director, scope=Scope("company"), fiscal_year=year, amount=Decimal(1)
        )
    assert "fiscal_year" in exc.value.fields
    assert str(year) in exc.value.message
    assert not Objective.objects.exists()
