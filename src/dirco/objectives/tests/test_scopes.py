"""dirco.scopes: one definition of the scopes a deal counts in, read the same way by the
pipeline's change signals, the rollups (kept on write and rebuilt) and the deal filters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.http import Http404

from dirco.catalog.tests.factories import ProductLineFactory
from dirco.conftest import Company
from dirco.core.errors import ApplicationError
from dirco.customers.tests.factories import AccountFactory
from dirco.objectives.services import rollups_rebuild
from dirco.pipeline.models import Deal, Stage
from dirco.pipeline.services import deal_scope_keys
from dirco.pipeline.tests.factories import DealFactory
from dirco.rollups.models import RevenueRollup
from dirco.scopes import Scope, scope_check, scope_labels, scopes_for, scopes_of_deal


def test_scope_parse_and_key_round_trip() -> None:
    for text in ("company", "team:3", "rep:12", "partner:5", "product_line:2"):
        assert Scope.parse(text).key == text
    assert Scope.parse("") == Scope("company")
    for bad in ("team", "team:x", "boss:1", "rep:-1"):
        with pytest.raises(ApplicationError):
            Scope.parse(bad)
    with pytest.raises(ValueError):
        Scope("team")


def test_every_reading_of_a_deals_scopes_agrees(company: Company) -> None:
    """Signal keys, deal filters and rollups count the same deals in the same scopes, a
    deal owned by its partner's channel manager once."""
    company.partner_a.channel_manager = company.rep
    company.partner_a.save(update_fields=["channel_manager"])
    company.partner_b.channel_manager = company.rep
    company.partner_b.save(update_fields=["channel_manager"])
    won = Stage.objects.get(name="Won")
    lines = [ProductLineFactory(code="a"), ProductLineFactory(code="b")]
    account = AccountFactory()
    day = dt.date(2025, 3, 10)
    for i, (owner, team, partner) in enumerate(
        [
            (company.rep, company.team, None),
            (company.rep, company.team, company.partner_a),  # owner is the channel manager
            (company.other_rep, company.other_team, company.partner_b),  # cm is another rep
            (company.other_rep, None, None),
        ]
    ):
        DealFactory(
            owner=owner,
            team=team,
            partner=partner,
            account=account,
            product_line=lines[i % 2],
            stage=won,
            amount=Decimal(1000 * (i + 1)),
            close_date=day,
            expected_close_date=day,
        )
    rollups_rebuild()
    deals = list(Deal.objects.select_related("partner"))
    everything = [
        Scope("company"),
        *(Scope("team", t.pk) for t in (company.team, company.other_team)),
        *(Scope("rep", u.pk) for u in (company.rep, company.other_rep)),
        *(Scope("partner", p.pk) for p in (company.partner_a, company.partner_b)),
        *(Scope("product_line", pl.pk) for pl in lines),
    ]
    for deal in deals:
        by_filter = {s.key for s in everything if Deal.objects.filter(s.deal_filter(), pk=deal.pk)}
        assert deal_scope_keys(deal) == by_filter == {s.key for s in scopes_of_deal(deal)}
    for scope in everything:
        from_deals = Deal.objects.filter(scope.deal_filter()).aggregate(t=Sum("amount_company"))
        from_rollups = RevenueRollup.objects.filter(scope.rollup_filter()).aggregate(
            t=Sum("won_cents")
        )
        assert Decimal(from_rollups["t"] or 0) / 100 == (from_deals["t"] or 0), scope
    # The rep is the channel manager of both partners and owns one partner deal: counted once.
    assert (
        Decimal(
            RevenueRollup.objects.filter(Scope("rep", company.rep.pk).rollup_filter()).aggregate(
                t=Sum("won_cents")
            )["t"]
        )
        == Decimal(1000 + 2000 + 3000) * 100
    )


def test_scope_access_is_decided_for_the_allowed_and_the_forbidden(company: Company) -> None:
    team = Scope("team", company.team.pk)
    scope_check(company.director, team)
    scope_check(company.manager, team)
    for user in (company.other_manager, company.rep, company.partner_a_user):
        with pytest.raises(Http404):
            scope_check(user, team)
    assert Scope("rep", company.rep.pk) in scopes_for(company.manager)
    assert scopes_for(company.rep) == [Scope("rep", company.rep.pk)]
    assert scopes_for(company.partner_a_user) == [Scope("partner", company.partner_a.pk)]
    labels = scope_labels([team, Scope("company")], prefixed=True)
    assert labels[team.key] == f"Team {company.team.name}"
    assert team.label == company.team.name
