"""The handover pages: who reaches them, the preview writes nothing, the confirmation moves."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from dirco.accounts.models import User
from dirco.accounts.tests.factories import UserFactory
from dirco.conftest import Company
from dirco.dynamics.models import Handover
from dirco.pipeline.models import Deal
from dirco.pipeline.tests.factories import DealFactory
from dirco.teams.models import Departure

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_pages_for_the_director_and_the_reps_manager_only(company: Company) -> None:
    DealFactory(name="Rep deal", owner=company.rep, team=company.team)
    url = reverse("dynamics:handover", args=[company.rep.pk])
    listing = reverse("dynamics:handovers")
    for allowed in (company.director, company.manager):
        client = _client(allowed)
        assert client.get(listing).status_code == 200
        page = client.get(url)
        assert page.status_code == 200 and "Rep deal" in page.content.decode()
    # The other team's manager does not see the rep's book.
    assert _client(company.other_manager).get(url).status_code == 404
    page = _client(company.other_manager).get(listing).content.decode()
    assert str(company.rep) not in page
    for refused in (company.rep, company.marketing):
        assert _client(refused).get(url).status_code == 403
        assert _client(refused).get(listing).status_code == 403
        assert _client(refused).post(url, {"action": "confirm"}).status_code == 403
    partner = _client(company.partner_a_user)
    # A partner user never reaches a staff page (the partner gate: 404, or home).
    assert partner.get(url).status_code in (302, 404)
    assert partner.get(listing).status_code in (302, 404)
    assert Deal.objects.get(name="Rep deal").owner == company.rep


def test_preview_then_confirm_moves_the_book(company: Company) -> None:
    third = UserFactory(email="rep3@example.test", role=User.Role.REP, reports_to=company.manager)
    company.team.members.add(third)
    big = DealFactory(name="Big", owner=company.rep, team=company.team, amount=Decimal(9000))
    small = DealFactory(name="Small", owner=company.rep, team=company.team, amount=Decimal(1000))
    client = _client(company.manager)
    url = reverse("dynamics:handover", args=[company.rep.pk])
    page = client.get(url, {"to": [third.pk, company.manager.pk]}).content.decode()
    assert f'<option value="{third.pk}" selected>' in page
    form = {
        "to": [third.pk, company.manager.pk],
        f"item-deal-{big.pk}": third.pk,
        f"item-deal-{small.pk}": "",
        f"item-partner-{company.partner_a.pk}": company.manager.pk,
        "reason": "resignation",
        "action": "preview",
    }
    preview = client.post(url, form)
    assert preview.status_code == 200 and 'data-testid="preview"' in preview.content.decode()
    assert Deal.objects.get(pk=big.pk).owner == company.rep
    response = client.post(url, {**form, "action": "confirm"})
    assert response.status_code == 302
    assert Deal.objects.get(pk=big.pk).owner == third
    assert Deal.objects.get(pk=small.pk).owner == company.rep
    company.partner_a.refresh_from_db()
    assert company.partner_a.channel_manager == company.manager
    assert Departure.objects.get(user=company.rep).reason == "resignation"
    listing = client.get(reverse("dynamics:handovers")).content.decode()
    assert "Big" in listing
    csv = client.get(reverse("dynamics:handovers"), {"export": "csv"})
    assert b"Big" in b"".join(csv.streaming_content)  # type: ignore[attr-defined]


def test_a_recipient_outside_the_line_is_refused_with_a_message(company: Company) -> None:
    big = DealFactory(name="Big", owner=company.rep, team=company.team)
    client = _client(company.manager)
    url = reverse("dynamics:handover", args=[company.rep.pk])
    response = client.post(url, {f"item-deal-{big.pk}": company.other_rep.pk, "action": "confirm"})
    assert response.status_code == 400
    assert "choose someone of your line" in response.content.decode()
    assert Deal.objects.get(pk=big.pk).owner == company.rep
    assert not Handover.objects.exists()


def test_synergy_page_for_the_director_and_the_teams_manager(company: Company) -> None:
    url = reverse("dynamics:synergy")
    team = {"team": company.team.pk}
    for allowed in (company.director, company.manager):
        page = _client(allowed).get(url, team)
        assert page.status_code == 200 and 'data-testid="synergy"' in page.content.decode()
        assert "too little data" in page.content.decode()
        export = _client(allowed).get(url, {**team, "export": "xlsx"})
        assert export.status_code == 200
    # The other manager does not reach the North team; their default is their own.
    assert _client(company.other_manager).get(url, team).status_code == 404
    assert "South" in _client(company.other_manager).get(url).content.decode()
    for refused in (company.rep, company.marketing):
        assert _client(refused).get(url, team).status_code == 403
    assert _client(company.partner_a_user).get(url, team).status_code in (302, 404)


def test_manager_effect_page_for_the_director_and_managers_only(company: Company) -> None:
    from django.utils import timezone

    from dirco.core.periods import month_add
    from dirco.teams.models import TeamEvent

    on = month_add(timezone.localdate().replace(day=1), -3)
    TeamEvent.objects.create(team=company.team, user=company.manager, kind="manager_started", on=on)
    url = reverse("dynamics:managers")
    for user in (company.director, company.manager):
        body = _client(user).get(url).content.decode()
        assert 'data-testid="manager-change"' in body and "too little data" in body
    assert (
        'data-testid="manager-change"'
        not in _client(company.other_manager).get(url).content.decode()
    )
    assert _client(company.rep).get(url).status_code == 403
