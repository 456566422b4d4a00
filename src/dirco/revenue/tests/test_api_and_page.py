from __future__ import annotations

import re

import pytest

from dirco.api.tests.clients import AUTH_KINDS, client_for, session_client
from dirco.conftest import Company
from dirco.revenue.tests.test_revenue import _won_history

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", AUTH_KINDS)
def test_forecast_api_allowed_and_forbidden(company: Company, kind: str) -> None:
    _won_history(company, months=30)
    team = f"team:{company.team.pk}"
    ok = client_for(kind, company.manager).get("/api/v1/forecast", {"scope": team, "horizon": 6})
    assert ok.status_code == 200, ok.content
    body = ok.json()
    assert len(body["forecast"]) == 6
    assert set(body["forecast"][0]) == {
        "period",
        "forecast",
        "lower80",
        "upper80",
        "lower95",
        "upper95",
        # The month in progress: what is won so far and the engine's forecast of the month.
        "in_progress",
        "won_so_far",
        "engine_forecast",
    }
    for user in (company.other_manager, company.rep, company.partner_a_user):
        denied = client_for(kind, user).get("/api/v1/forecast", {"scope": team})
        assert denied.status_code == 404
        assert str(company.team.name) not in denied.content.decode()
    partner_a = f"partner:{company.partner_a.pk}"
    assert (
        client_for(kind, company.partner_a_user)
        .get("/api/v1/seasonality", {"scope": partner_a})
        .status_code
        == 200
    )
    leak = client_for(kind, company.partner_b_user).get("/api/v1/seasonality", {"scope": partner_a})
    assert leak.status_code == 404
    assert company.partner_a.name not in leak.content.decode()


def test_forecast_api_bad_input_names_the_field(company: Company) -> None:
    client = session_client(company.director)
    bad_scope = client.get("/api/v1/forecast", {"scope": "galaxy:1"})
    assert bad_scope.status_code == 400
    assert "scope" in bad_scope.json()["error"]["fields"]
    bad_horizon = client.get("/api/v1/forecast", {"scope": "company", "horizon": 99})
    assert bad_horizon.status_code == 400
    assert "horizon" in bad_horizon.json()["error"]["fields"]
    assert client.get("/api/v1/forecast").status_code == 200
    assert client_for("token", company.director).get("/api/v1/forecast").status_code == 200
    from django.test import Client

    assert Client().get("/api/v1/forecast").status_code == 401


def test_forecast_page_scoped_to_the_user(company: Company) -> None:
    _won_history(company, months=30)
    page = session_client(company.director).get("/revenue/forecast/", {"scope": "company"})
    assert page.status_code == 200
    assert b"<svg" in page.content
    rep_page = session_client(company.rep).get("/revenue/forecast/")
    assert rep_page.status_code == 200
    assert (
        session_client(company.rep)
        .get("/revenue/forecast/", {"scope": f"rep:{company.other_rep.pk}"})
        .status_code
        == 404
    )
    models = re.search(r"Models: ([^<]+)</p>", page.content.decode())
    assert models and re.fullmatch(r"[a-z_0-9]+ \(\d+%\)( \+ [a-z_0-9]+ \(\d+%\))*", models[1])
    french = session_client(company.director)
    french.cookies["django_language"] = "fr"
    page_fr = french.get("/revenue/forecast/")
    assert page_fr.status_code == 200
    # The models' weights read as French percentages (a no-break space before the sign).
    models_fr = re.search(r"Modèles\u00a0: ([^<]+)</p>", page_fr.content.decode())
    assert (
        models_fr
        and "\u00a0%)" in models_fr[1]
        and "%)" not in models_fr[1].replace("\u00a0%)", "")
    )


def test_forecast_page_of_a_rep_who_has_left(company: Company) -> None:
    """The director opens a departed rep's scope: the history stays, the page says why
    there is no forecast and prints no forecast total; an active rep's page does."""
    _won_history(company, months=30)
    director = session_client(company.director)
    active = director.get("/revenue/forecast/", {"scope": f"rep:{company.rep.pk}"})
    assert b"has left the company" not in active.content
    assert b"Forecast for the next" in active.content
    company.rep.is_active = False
    company.rep.save(update_fields=["is_active"])
    page = director.get("/revenue/forecast/", {"scope": f"rep:{company.rep.pk}"})
    assert page.status_code == 200
    assert b"has left the company (account deactivated)" in page.content
    assert b"Forecast for the next" not in page.content


def _options(page: str) -> list[str]:
    return re.findall(r'<option value="((?:company|team|rep|partner|product_line)[^"]*)"', page)


def test_the_scope_select_says_the_scope_shown(company: Company) -> None:
    """A departed rep's forecast, reached from the rep's page, is not among the director's
    select options (they list the active people): the select shows it selected, so "Show"
    keeps it (it fell back to the first option, and "Show" with another horizon switched
    to the company)."""
    _won_history(company, months=30)
    company.other_rep.is_active = False
    company.other_rep.save(update_fields=["is_active"])
    director = session_client(company.director)
    key = f"rep:{company.other_rep.pk}"
    page = director.get("/revenue/forecast/", {"scope": key}).content.decode()
    selected = re.findall(r'<option value="([^"]+)" selected>', page)
    assert key in selected
    assert page.count(f'value="{key}"') == 1
    # The form's GET keeps the departed rep with another horizon.
    again = director.get("/revenue/forecast/", {"scope": key, "horizon": "6"}).content.decode()
    assert key in re.findall(r'<option value="([^"]+)" selected>', again)
    assert key not in _options(director.get("/revenue/forecast/").content.decode())
    # A scope already among the options is not added twice.
    team = director.get("/revenue/forecast/", {"scope": f"team:{company.team.pk}"})
    assert team.content.decode().count(f'value="team:{company.team.pk}"') == 1


def test_the_scope_select_offers_every_scope_in_reach_and_no_other(company: Company) -> None:
    """The director picks any team, product line, person or partner; a manager their teams,
    their line and its partners; a rep itself and the partners it manages (a partner user
    is sent to the portal, test_partner_gate). Every option opens (the select's GET), and no option is a scope the
    user may not see (the page would answer 404)."""
    from dirco.scopes import Scope, scope_may_see

    _won_history(company, months=30)
    a, b = f"partner:{company.partner_a.pk}", f"partner:{company.partner_b.pk}"
    rep, other_rep = f"rep:{company.rep.pk}", f"rep:{company.other_rep.pk}"
    manager = f"rep:{company.manager.pk}"
    expected = {
        company.director: {"company", f"team:{company.team.pk}", rep, other_rep, manager, a, b},
        company.manager: {f"team:{company.team.pk}", rep, manager, a},
        company.rep: {rep, a},
    }
    forbidden = {
        company.director: set(),
        company.manager: {"company", f"team:{company.other_team.pk}", other_rep, b},
        company.rep: {"company", other_rep, manager, b},
    }
    for user, keys in expected.items():
        client = session_client(user)
        page = client.get("/revenue/forecast/").content.decode()
        options = _options(page)
        assert keys <= set(options), (user, options)
        assert not forbidden[user] & set(options), (user, options)
        assert len(options) == len(set(options))
        for key in options:
            assert scope_may_see(user=user, scope=Scope.parse(key)), (user, key)
            shown = client.get("/revenue/forecast/", {"scope": key, "horizon": "6"})
            assert shown.status_code == 200, (user, key)
            assert key in re.findall(r'<option value="([^"]+)" selected>', shown.content.decode())
        for key in forbidden[user]:
            assert client.get("/revenue/forecast/", {"scope": key}).status_code == 404
    # Grouped by kind, the partners under their own heading, named without a prefix.
    page = session_client(company.director).get("/revenue/forecast/").content.decode()
    assert '<optgroup label="Partners">' in page
    assert f">{company.partner_a.name}</option>" in page
