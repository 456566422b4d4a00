"""The routing algorithm: eligibility, scores, the weighted draw, round-robin with caps."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from django.utils import timezone

from dirco.accounts.models import User
from dirco.accounts.tests.factories import UserFactory
from dirco.conftest import Company
from dirco.leads.models import (
    Lead,
    LeadAssignment,
    PartnerRoutingProfile,
    RoutingRule,
    TerritoryArea,
)
from dirco.leads.routing import (
    CONVERSION_PRIOR_RATE,
    candidate_draw,
    partner_candidates,
    routing_config_for,
    territory_resolve,
)
from dirco.leads.services import lead_route
from dirco.leads.tests.conftest import Map
from dirco.leads.tests.factories import LeadFactory
from dirco.partners.models import Partner
from dirco.partners.tests.factories import PartnerFactory
from dirco.teams.tests.factories import SalesTeamFactory

pytestmark = pytest.mark.django_db


def test_only_active_partners_of_the_territory_under_capacity_are_eligible(
    company: Company, geo: Map
) -> None:
    broader = PartnerFactory(name="Nationwide", territory=geo.france, tier=geo.silver)
    PartnerFactory(name="Elsewhere", territory=geo.sud, tier=geo.gold)
    PartnerFactory(
        name="Suspended", territory=geo.ouest, tier=geo.gold, status=Partner.Status.SUSPENDED
    )
    full = PartnerFactory(name="Full", territory=geo.ouest, tier=geo.gold)
    PartnerRoutingProfile.objects.create(partner=full, capacity=1)
    LeadFactory(territory=geo.ouest, partner=full, status=Lead.Status.ACCEPTED)
    refusing = PartnerFactory(name="No leads", territory=geo.ouest, tier=geo.gold)
    PartnerRoutingProfile.objects.create(partner=refusing, accepts_leads=False)
    lead = LeadFactory(territory=geo.ouest)

    candidates = partner_candidates(lead=lead, now=timezone.now())

    names = [c.partner.name for c in candidates]
    assert set(names) == {"Alpha Systems", "Beta Integration", "Nationwide"}
    # Gold (5) before Silver on a broader territory (3 x 0.75) before Bronze (1).
    assert names == ["Alpha Systems", "Nationwide", "Beta Integration"]
    fit = {c.partner.name: c.territory_fit for c in candidates}
    assert fit == {"Alpha Systems": 1.0, "Nationwide": 0.75, "Beta Integration": 1.0}
    assert all(c.conversion_rate == CONVERSION_PRIOR_RATE for c in candidates)
    assert broader in [c.partner for c in candidates]


def test_a_partner_of_a_sub_territory_takes_leads_of_the_parent(company: Company, geo: Map) -> None:
    lead = LeadFactory(territory=geo.france)
    candidates = partner_candidates(lead=lead, now=timezone.now())
    assert {c.partner for c in candidates} == {company.partner_a, company.partner_b}
    assert {c.territory_fit for c in candidates} == {0.5}


def test_lead_without_territory_has_no_partner(company: Company, geo: Map) -> None:
    assert partner_candidates(lead=LeadFactory(territory=None), now=timezone.now()) == []


def test_draw_respects_scores_statistically(company: Company, geo: Map) -> None:
    PartnerFactory(name="Silver partner", territory=geo.ouest, tier=geo.silver)
    lead = LeadFactory(territory=geo.ouest)
    candidates = partner_candidates(lead=lead, now=timezone.now())
    rng = random.Random(20240601)
    runs = 9000
    counts = Counter(candidate_draw(candidates, top_k=3, rng=rng).partner.name for _ in range(runs))  # type: ignore[union-attr]
    # Same territory and conversion prior for all: shares are 5:3:1.
    assert counts["Alpha Systems"] / runs == pytest.approx(5 / 9, abs=0.02)
    assert counts["Silver partner"] / runs == pytest.approx(3 / 9, abs=0.02)
    assert counts["Beta Integration"] / runs == pytest.approx(1 / 9, abs=0.02)

    top_two = Counter(
        candidate_draw(candidates, top_k=2, rng=rng).partner.name for _ in range(2000)
    )  # type: ignore[union-attr]
    assert set(top_two) == {"Alpha Systems", "Silver partner"}


def test_draw_is_deterministic_with_a_seed(company: Company, geo: Map) -> None:
    lead = LeadFactory(territory=geo.ouest)
    candidates = partner_candidates(lead=lead, now=timezone.now())
    first = [candidate_draw(candidates, top_k=3, rng=random.Random(7)) for _ in range(5)]
    again = [candidate_draw(candidates, top_k=3, rng=random.Random(7)) for _ in range(5)]
    assert first == again


def test_past_conversion_raises_the_score(company: Company, geo: Map) -> None:
    now = timezone.now()
    for status in (Lead.Status.CONVERTED, Lead.Status.CONVERTED, Lead.Status.CONVERTED):
        old = LeadFactory(territory=geo.ouest, partner=company.partner_b, status=status)
        LeadAssignment.objects.create(
            lead=old,
            partner=company.partner_b,
            rule=LeadAssignment.Rule.PARTNER_SCORE,
            offered_at=now,
            due_at=now,
            outcome=LeadAssignment.Outcome.ACCEPTED,
            responded_at=now,
        )
    lost = LeadFactory(territory=geo.ouest, partner=company.partner_a, status=Lead.Status.LOST)
    LeadAssignment.objects.create(
        lead=lost,
        partner=company.partner_a,
        rule=LeadAssignment.Rule.PARTNER_SCORE,
        offered_at=now,
        due_at=now,
        outcome=LeadAssignment.Outcome.ACCEPTED,
        responded_at=now,
    )
    rates = {
        c.partner.pk: c.conversion_rate
        for c in partner_candidates(lead=LeadFactory(territory=geo.ouest), now=now)
    }
    assert rates[company.partner_b.pk] == pytest.approx((3 + 1) / (3 + 4))
    assert rates[company.partner_a.pk] == pytest.approx((0 + 1) / (1 + 4))


def test_rule_of_the_nearest_territory_applies(company: Company, geo: Map) -> None:
    RoutingRule.objects.create(territory=geo.france, policy=RoutingRule.Policy.REPS_ONLY)
    assert routing_config_for(territory=geo.ouest).policy == RoutingRule.Policy.REPS_ONLY
    RoutingRule.objects.create(
        territory=geo.ouest, policy=RoutingRule.Policy.PARTNERS_ONLY, top_k=1
    )
    config = routing_config_for(territory=geo.ouest)
    assert (config.policy, config.top_k) == (RoutingRule.Policy.PARTNERS_ONLY, 1)
    assert routing_config_for(territory=None).policy == RoutingRule.Policy.PARTNERS_THEN_REPS


def test_reps_round_robin_skips_capped_reps(company: Company, geo: Map) -> None:
    team = SalesTeamFactory(name="West reps", manager=company.manager)
    reps = [UserFactory(role=User.Role.REP) for _ in range(3)]
    team.members.add(*reps)
    RoutingRule.objects.create(
        territory=geo.ouest, policy=RoutingRule.Policy.REPS_ONLY, team=team, rep_cap=2
    )
    for _ in range(2):
        LeadFactory(territory=geo.ouest, rep=reps[1], status=Lead.Status.OFFERED)

    got = []
    for _ in range(5):
        assignment = lead_route(lead=LeadFactory(territory=geo.ouest))
        got.append(assignment.rep if assignment else None)

    assert got == [reps[0], reps[2], reps[0], reps[2], None]


def test_partners_first_then_reps_as_fallback(company: Company, geo: Map) -> None:
    lead = LeadFactory(territory=geo.sud)  # no partner in the south
    team = SalesTeamFactory(name="South reps", manager=company.manager, territory=geo.sud)
    team.members.add(company.other_rep)
    assignment = lead_route(lead=lead, rng=random.Random(1))
    assert assignment is not None
    assert assignment.rep == company.other_rep
    assert assignment.rule == LeadAssignment.Rule.REP_ROUND_ROBIN

    in_west = lead_route(lead=LeadFactory(territory=geo.ouest), rng=random.Random(1))
    assert in_west is not None and in_west.partner in (company.partner_a, company.partner_b)
    assert in_west.score is not None


def test_territory_resolved_from_postcode_then_country(company: Company, geo: Map) -> None:
    TerritoryArea.objects.create(territory=geo.ouest, country="FR", postcode_prefix="44")
    TerritoryArea.objects.create(territory=geo.sud, country="FR", postcode_prefix="4")
    assert territory_resolve(country="fr", postcode="44 000") == geo.ouest
    assert territory_resolve(country="FR", postcode="40100") == geo.sud
    assert territory_resolve(country="FR", postcode="75001") == geo.france  # code "fr"
    assert territory_resolve(country="DE", postcode="10115") is None
