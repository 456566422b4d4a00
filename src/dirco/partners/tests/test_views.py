"""Partner list and partner page, for allowed and forbidden users."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dirco.accounts.models import User
from dirco.accounts.tests.factories import UserFactory
from dirco.conftest import Company
from dirco.partners.models import Partner
from dirco.partners.tests.factories import PartnerContactFactory, PartnerFactory, TierFactory
from dirco.pipeline.tests.factories import ActivityFactory, DealFactory, stage_named

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_partner_list_shows_visible_partners(company: Company) -> None:
    response = client_for(company.rep).get(reverse("partner_list"))
    assert response.status_code == 200
    assert b"Alpha Systems" in response.content
    assert b"Beta Integration" not in response.content
    everything = client_for(company.director).get(reverse("partner_list")).content
    assert b"Alpha Systems" in everything and b"Beta Integration" in everything


def test_partner_list_search_filter_sort(company: Company) -> None:
    gold = TierFactory(name="Gold", rank=100)
    PartnerFactory(
        name="Gamma Gold", tier=gold, status=Partner.Status.ONBOARDING, domain="gamma.io"
    )
    client = client_for(company.director)
    content = client.get(reverse("partner_list"), {"q": "gamma.io"}).content
    assert b"Gamma Gold" in content and b"Alpha Systems" not in content
    content = client.get(reverse("partner_list"), {"tier": gold.pk}).content
    assert b"Gamma Gold" in content and b"Alpha Systems" not in content
    content = client.get(reverse("partner_list"), {"status": "onboarding"}).content
    assert b"Gamma Gold" in content and b"Beta Integration" not in content
    territory = company.partner_a.territory_id
    content = client.get(reverse("partner_list"), {"territory": territory}).content
    assert b"Alpha Systems" in content and b"Gamma Gold" not in content
    page = client.get(reverse("partner_list"), {"sort": "-name"})
    names = [p.name for p in page.context["page_obj"]]
    assert names == sorted(names, reverse=True)


def test_partner_list_paginates(company: Company) -> None:
    PartnerFactory.create_batch(30)
    response = client_for(company.director).get(reverse("partner_list"), {"page": "2"})
    assert response.status_code == 200
    assert response.context["page_obj"].number == 2
    assert len(response.context["page_obj"]) == 32 - 25


@pytest.mark.parametrize("n", [5, 30])
def test_partner_list_query_count_is_constant(
    company: Company, n: int, django_assert_max_num_queries: object
) -> None:
    for _ in range(n):
        PartnerFactory(channel_manager=UserFactory())
    client = client_for(company.director)
    with django_assert_max_num_queries(10):  # type: ignore[operator]
        assert client.get(reverse("partner_list")).status_code == 200


def test_partner_list_redirects_partner_users(company: Company) -> None:
    response = client_for(company.partner_a_user).get(reverse("partner_list"))
    assert response.status_code == 302


def test_partner_page_shows_figures_contacts_deals_activities(company: Company) -> None:
    PartnerContactFactory(partner=company.partner_a, first_name="Ada", last_name="Lovelace")
    won = DealFactory(owner=company.rep, partner=company.partner_a, stage=stage_named("Won"))
    won.close_date = won.created_at.date()
    won.save()
    DealFactory(owner=company.rep, partner=company.partner_a, stage=stage_named("Lost"))
    DealFactory(name="Alpha open deal", owner=company.rep, partner=company.partner_a)
    ActivityFactory(owner=company.rep, deal=None, partner=company.partner_a, subject="QBR")
    response = client_for(company.rep).get(reverse("partner_detail", args=[company.partner_a.pk]))
    assert response.status_code == 200
    figures = response.context["work"].figures
    assert figures.deal_count == 3
    assert figures.win_rate == 50
    assert figures.won_12_months == won.amount_company
    content = response.content.decode()
    assert "Ada" in content and "Alpha open deal" in content and "QBR" in content
    assert f"/deals/?partner={company.partner_a.pk}" in content


def test_partner_page_is_404_for_users_who_may_not_see_it(company: Company) -> None:
    url = reverse("partner_detail", args=[company.partner_a.pk])
    assert client_for(company.partner_b_user).get(url).status_code == 404
    assert client_for(company.other_rep).get(url).status_code == 404
    assert client_for(company.rep).get(reverse("partner_detail", args=[999999])).status_code == 404
    # Partner users see their own company in the portal, not on the staff page.
    response = client_for(company.partner_a_user).get(url)
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")


def _partner_post(partner: Partner, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": partner.name,
        "legal_identifier": "",
        "domain": partner.domain,
        "country": "FR",
        "kind": partner.kind,
        "territory": partner.territory_id,
        "tier": partner.tier_id,
        "status": partner.status,
        "channel_manager": partner.channel_manager_id or "",
        "joined_on": "",
    }
    data.update(overrides)
    return data


def test_partner_edit_by_its_channel_manager(company: Company) -> None:
    partner = company.partner_a
    client = client_for(company.rep)
    url = reverse("partner_edit", args=[partner.pk])
    page = client.get(url)
    assert page.status_code == 200
    # Tier and status are the director's call: not even offered to a rep.
    assert "tier" not in page.context["form"].fields
    response = client.post(url, _partner_post(partner, name="Alpha Systems SAS"))
    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.name == "Alpha Systems SAS"


def test_partner_edit_bad_input_saves_nothing(company: Company) -> None:
    partner = company.partner_a
    url = reverse("partner_edit", args=[partner.pk])
    response = client_for(company.director).post(
        url, _partner_post(partner, name="", country="FRA")
    )
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    partner.refresh_from_db()
    assert partner.name == "Alpha Systems"


def test_partner_edit_forbidden(company: Company) -> None:
    url = reverse("partner_edit", args=[company.partner_a.pk])
    assert client_for(company.other_rep).get(url).status_code == 404
    assert client_for(company.marketing).get(url).status_code == 403
    assert client_for(company.partner_a_admin).get(url).status_code == 404
