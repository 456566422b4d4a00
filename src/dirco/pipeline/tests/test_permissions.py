from __future__ import annotations

import pytest
from django.http import Http404

from dirco.conftest import Company
from dirco.customers.permissions import accounts_visible_to
from dirco.partners.permissions import partners_visible_to
from dirco.partners.tests.factories import PartnerFactory
from dirco.pipeline.permissions import (
    activities_visible_to,
    activity_can_log,
    deal_can_edit,
    deals_visible_to,
    get_deal_for_user,
)
from dirco.pipeline.tests.factories import ActivityFactory, DealFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def deals(company: Company) -> dict[str, object]:
    return {
        "rep_direct": DealFactory(owner=company.rep, team=company.team),
        "rep_partner_a": DealFactory(
            owner=company.rep, team=company.team, partner=company.partner_a
        ),
        "other_direct": DealFactory(owner=company.other_rep, team=company.other_team),
        "other_partner_b": DealFactory(
            owner=company.other_rep, team=company.other_team, partner=company.partner_b
        ),
    }


def _visible(user: object) -> set[int]:
    return set(deals_visible_to(user).values_list("id", flat=True))  # type: ignore[arg-type]


def test_deal_visibility_per_role(company: Company, deals: dict[str, object]) -> None:
    ids = {k: v.pk for k, v in deals.items()}  # type: ignore[attr-defined]
    assert _visible(company.director) == set(ids.values())
    assert _visible(company.marketing) == set(ids.values())
    assert _visible(company.manager) == {ids["rep_direct"], ids["rep_partner_a"]}
    assert _visible(company.other_manager) == {ids["other_direct"], ids["other_partner_b"]}
    assert _visible(company.rep) == {ids["rep_direct"], ids["rep_partner_a"]}
    assert _visible(company.other_rep) == {ids["other_direct"], ids["other_partner_b"]}
    assert _visible(company.partner_a_user) == {ids["rep_partner_a"]}
    assert _visible(company.partner_a_admin) == {ids["rep_partner_a"]}
    assert _visible(company.partner_b_user) == {ids["other_partner_b"]}


def test_rep_sees_deals_of_partners_they_manage_even_when_owned_by_others(
    company: Company,
) -> None:
    deal = DealFactory(owner=company.other_rep, partner=company.partner_a)
    assert deal.pk in _visible(company.rep)
    assert deal.pk not in _visible(company.partner_b_user)


def test_partner_admin_sees_child_partner_deals_but_user_does_not(company: Company) -> None:
    child = PartnerFactory(parent=company.partner_a)
    deal = DealFactory(owner=company.rep, partner=child)
    assert deal.pk in _visible(company.partner_a_admin)
    assert deal.pk not in _visible(company.partner_a_user)


def test_hidden_and_missing_deals_both_404(company: Company, deals: dict[str, object]) -> None:
    hidden = deals["other_direct"]
    with pytest.raises(Http404):
        get_deal_for_user(user=company.partner_a_user, deal_id=hidden.pk)  # type: ignore[attr-defined]
    with pytest.raises(Http404):
        get_deal_for_user(user=company.rep, deal_id=999999)
    with pytest.raises(Http404):
        get_deal_for_user(user=company.rep, deal_id="not-a-number")
    assert get_deal_for_user(user=company.rep, deal_id=deals["rep_direct"].pk)  # type: ignore[attr-defined]


def test_inactive_user_sees_nothing(company: Company, deals: dict[str, object]) -> None:
    company.director.is_active = False
    assert _visible(company.director) == set()


def test_marketing_reads_but_does_not_edit(company: Company, deals: dict[str, object]) -> None:
    deal = deals["rep_direct"]
    assert not deal_can_edit(user=company.marketing, deal=deal)  # type: ignore[arg-type]
    assert deal_can_edit(user=company.manager, deal=deal)  # type: ignore[arg-type]
    assert not deal_can_edit(user=company.other_manager, deal=deal)  # type: ignore[arg-type]


def test_partner_and_account_visibility(company: Company, deals: dict[str, object]) -> None:
    assert set(partners_visible_to(company.partner_a_user)) == {company.partner_a}
    assert set(partners_visible_to(company.partner_b_user)) == {company.partner_b}
    assert set(partners_visible_to(company.rep)) == {company.partner_a}
    assert set(partners_visible_to(company.manager)) == {company.partner_a}
    assert set(partners_visible_to(company.director)) == {company.partner_a, company.partner_b}
    a_accounts = set(accounts_visible_to(company.partner_a_user))
    assert a_accounts == {deals["rep_partner_a"].account}  # type: ignore[attr-defined]
    assert deals["other_partner_b"].account not in a_accounts  # type: ignore[attr-defined]


def test_activity_visibility(company: Company) -> None:
    mine = ActivityFactory(owner=company.rep)
    theirs = ActivityFactory(owner=company.other_rep)
    assert set(activities_visible_to(company.rep)) == {mine}
    assert set(activities_visible_to(company.manager)) == {mine}
    assert set(activities_visible_to(company.other_manager)) == {theirs}
    assert set(activities_visible_to(company.partner_b_user)) == set()


def test_activity_can_log_trusts_only_the_same_users_read(
    company: Company, django_assert_num_queries: object
) -> None:
    """A deal read through get_deal_for_user for a user needs no second query for that user;
    for anyone else the rule is asked again."""
    deal = DealFactory(owner=company.rep)
    seen = get_deal_for_user(user=company.rep, deal_id=deal.pk)
    with django_assert_num_queries(0):  # type: ignore[operator]
        assert activity_can_log(user=company.rep, deal=seen)
    assert not activity_can_log(user=company.other_rep, deal=seen)
    assert activity_can_log(user=company.director, deal=seen)
    assert not activity_can_log(user=company.rep, deal=DealFactory(owner=company.other_rep))
