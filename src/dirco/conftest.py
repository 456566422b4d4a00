"""Fixtures shared by every app's tests: a small company with two partners and every role."""

from __future__ import annotations

import datetime as dt
import importlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from dirco.accounts.models import User
from dirco.accounts.tests.factories import UserFactory
from dirco.core.models import ExchangeRate
from dirco.partners.models import Partner
from dirco.partners.tests.factories import PartnerFactory
from dirco.pipeline.models import Stage
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


# -- browser tests (marked e2e) -------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser() -> Iterator[Any]:
    """Chromium from /usr/bin/chromium through Playwright; each user gets a context of their
    own with :func:`browser_log_in`. Skipped when Chromium is missing, except on CI (env CI
    set) where a missing browser is a failure."""
    if not os.path.exists(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM}: apt-get install -y chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls from the
    # test body are still synchronous and safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def browser_new_page(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


@pytest.fixture
def browser_page(browser: Any) -> Iterator[Any]:
    """One page in a fresh browser context, for a test with a single user."""
    page = browser_new_page(browser)
    try:
        yield page
    finally:
        page.context.close()


def browser_log_in(page: Any, *, base_url: str, email: str, landing: str = "/") -> Any:
    """Log ``email`` in through the login page and wait for ``landing``."""
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}{landing}")
    return page


@pytest.fixture
def stages(transactional_db: None) -> None:
    """The default stages: a transactional test (live_server) flushes what the data
    migration created."""
    migration = importlib.import_module("dirco.pipeline.migrations.0002_default_stages")
    for name, order, probability, category, won, lost in migration.DEFAULT_STAGES:
        Stage.objects.get_or_create(
            name=name,
            defaults={
                "order": order,
                "probability": probability,
                "forecast_category": category,
                "is_won": won,
                "is_lost": lost,
            },
        )
