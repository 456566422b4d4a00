"""Login, home per role, language switch, error pages and the health check."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dirco.accounts.models import User
from dirco.conftest import PASSWORD, Company
from dirco.pipeline.tests.factories import ActivityFactory, DealFactory, stage_named
from dirco.rollups.writes import rollups_rebuild

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_healthz_answers_json(db: None) -> None:
    response = Client().get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_login_page_renders_and_logs_in(company: Company) -> None:
    client = Client()
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert b'name="username"' in page.content and b'name="password"' in page.content
    response = client.post(reverse("login"), {"username": "rep@example.test", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_login_with_a_wrong_password_shows_an_error(company: Company) -> None:
    response = Client().post(
        reverse("login"), {"username": "rep@example.test", "password": "wrong-password"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert b"notice--error" in response.content


def test_logout_is_a_post(company: Company) -> None:
    client = client_for(company.rep)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_pages_require_login(db: None) -> None:
    for name in ("home", "deal_list", "pipeline_board", "partner_list", "account_list"):
        response = Client().get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "role", ["director", "manager", "rep", "marketing", "other_rep", "other_manager"]
)
def test_home_renders_for_every_staff_role(company: Company, role: str) -> None:
    response = client_for(getattr(company, role)).get(reverse("home"))
    assert response.status_code == 200
    assert b"Open pipeline" in response.content
    assert b'href="/pipeline/"' in response.content


def test_home_key_figures_follow_the_visible_scope(company: Company) -> None:
    today = timezone.localdate()
    DealFactory(owner=company.rep, amount_company=Decimal("1000"))
    DealFactory(
        owner=company.rep,
        stage=stage_named("Won"),
        close_date=today,
        amount_company=Decimal("500"),
    )
    DealFactory(owner=company.other_rep, amount_company=Decimal("7000"))
    ActivityFactory(owner=company.rep, deal=None, due_at=timezone.now() - dt.timedelta(hours=1))
    rollups_rebuild()  # the factory bypasses the services that keep the rollups
    response = client_for(company.rep).get(reverse("home"))
    figures = response.context["figures"]
    assert figures.open_total == Decimal("1000")
    assert figures.won_month == Decimal("500")
    assert response.context["activities_due"] == 1
    director = client_for(company.director).get(reverse("home")).context["figures"]
    assert director.open_total == Decimal("8000")


def test_navigation_depends_on_the_role(company: Company) -> None:
    staff = client_for(company.rep).get(reverse("home")).content
    assert b'href="/partners/"' in staff and b'href="/deals/"' in staff
    partner = client_for(company.partner_a_user).get(reverse("home")).content
    assert b'href="/partners/"' not in partner and b'href="/deals/"' not in partner
    # Marketing reads the pipeline but may not create deals.
    assert b'href="/deals/new/"' not in client_for(company.marketing).get(reverse("home")).content
    assert b'href="/deals/new/"' in staff


def test_partner_home_lists_only_own_partner_deals(company: Company) -> None:
    DealFactory(name="Alpha deal", owner=company.rep, partner=company.partner_a)
    DealFactory(name="Beta deal", owner=company.other_rep, partner=company.partner_b)
    DealFactory(name="Direct deal", owner=company.rep)
    # Partner users land on the portal home, which lists their open deals.
    response = client_for(company.partner_a_user).get(reverse("home"), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("portal:home")
    assert b"Alpha deal" in response.content
    assert b"Beta deal" not in response.content and b"Direct deal" not in response.content
    other = client_for(company.partner_b_user).get(reverse("home"), follow=True).content
    assert b"Beta deal" in other and b"Alpha deal" not in other


def test_language_switch_renders_french(company: Company) -> None:
    client = Client()
    response = client.post(
        reverse("set_language"), {"language": "fr", "next": reverse("login")}, follow=True
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="fr">' in content
    # Django ships this one in French; dirco's own strings follow with `make messages`.
    assert "Mot de passe" in content
    english = Client().get(reverse("login")).content.decode()
    assert '<html lang="en">' in english and "Password" in english


def test_unknown_page_renders_the_404_page(company: Company) -> None:
    response = client_for(company.rep).get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    anonymous = Client().get("/no-such-page/")
    assert anonymous.status_code == 404


def test_static_assets_are_local(company: Company) -> None:
    content = client_for(company.rep).get(reverse("home")).content.decode()
    assert "django_htmx/htmx-2.min.js" in content
    assert "web/css/dirco.css" in content
    assert "https://" not in content
    assert 'hx-headers=\'{"X-CSRFToken": "' in content


def test_favicon_is_an_empty_answer_for_anyone(company: Company) -> None:
    """The admin's pages name no icon: the browser's /favicon.ico gets 204, not a 404 that
    the console logs (the newcomer walk fails on console errors)."""
    for client in (Client(), client_for(company.partner_a_user), client_for(company.director)):
        response = client.get("/favicon.ico")
        assert response.status_code == 204
        assert "max-age" in response["Cache-Control"]
