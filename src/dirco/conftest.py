"""Fixtures shared by every app's tests: a small company with two partners and every role."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import translation

from dirco.accounts.models import User
from dirco.accounts.tests.factories import UserFactory
from dirco.core.models import ExchangeRate
from dirco.partners.models import Partner
from dirco.partners.tests.factories import PartnerFactory
from dirco.teams.models import SalesTeam
from dirco.teams.tests.factories import SalesTeamFactory

PASSWORD = "correct-horse-battery"


@dataclass
class Company:
    director: User
    marketing: User
    manager: User
    other_manager: User
    rep: User
    other_rep: User
    team: SalesTeam
    other_team: SalesTeam
    partner_a: Partner
    partner_b: Partner
    partner_a_admin: User
    partner_a_user: User
    partner_b_user: User


@pytest.fixture
def rates(db: None) -> None:
    ExchangeRate.objects.create(currency="USD", valid_from=dt.date(2000, 1, 1), rate=Decimal("0.9"))
    ExchangeRate.objects.create(
        currency="GBP", valid_from=dt.date(2000, 1, 1), rate=Decimal("1.15")
    )


@pytest.fixture
def company(db: None, rates: None) -> Company:
    director = UserFactory(email="director@example.test", role=User.Role.DIRECTOR)
    marketing = UserFactory(email="marketing@example.test", role=User.Role.MARKETING)
    manager = UserFactory(email="manager@example.test", role=User.Role.MANAGER, reports_to=director)
    other_manager = UserFactory(
        email="manager2@example.test", role=User.Role.MANAGER, reports_to=director
    )
    rep = UserFactory(email="rep@example.test", role=User.Role.REP, reports_to=manager)
    other_rep = UserFactory(email="rep2@example.test", role=User.Role.REP, reports_to=other_manager)
    team = SalesTeamFactory(name="North", manager=manager)
    team.members.add(rep)
    other_team = SalesTeamFactory(name="South", manager=other_manager)
    other_team.members.add(other_rep)
    partner_a = PartnerFactory(name="Alpha Systems", channel_manager=rep)
    partner_b = PartnerFactory(name="Beta Integration", channel_manager=other_rep)
    partner_a_admin = UserFactory(
        email="admin@alpha.test", role=User.Role.PARTNER_ADMIN, partner=partner_a
    )
    partner_a_user = UserFactory(
        email="user@alpha.test", role=User.Role.PARTNER_USER, partner=partner_a
    )
    partner_b_user = UserFactory(
        email="user@beta.test", role=User.Role.PARTNER_USER, partner=partner_b
    )
    return Company(
        director=director,
        marketing=marketing,
        manager=manager,
        other_manager=other_manager,
        rep=rep,
        other_rep=other_rep,
        team=team,
        other_team=other_team,
        partner_a=partner_a,
        partner_b=partner_b,
        partner_a_admin=partner_a_admin,
        partner_a_user=partner_a_user,
        partner_b_user=partner_b_user,
    )


@pytest.fixture(autouse=True)
def _english_by_default() -> Iterator[None]:
    """Each test starts in English: a French page rendered by an earlier test in the same
    worker must not leak its active language into the next test's messages."""
    translation.activate("en")
    yield
    translation.deactivate()
