"""Fixtures of the lead tests: a territory tree with partners of known tiers."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from dirco.catalog.models import ProductLine
from dirco.conftest import Company
from dirco.partners.models import Territory, Tier
from dirco.partners.tests.factories import TerritoryFactory


@dataclass
class Map:
    france: Territory
    ouest: Territory
    sud: Territory
    gold: Tier
    silver: Tier
    bronze: Tier
    product_line: ProductLine


@pytest.fixture
def geo(company: Company) -> Map:
    france = TerritoryFactory(name="France", code="fr")
    ouest = TerritoryFactory(name="Ouest", code="fr-ouest", parent=france)
    sud = TerritoryFactory(name="Sud", code="fr-sud", parent=france)
    gold = Tier.objects.create(name="Gold", rank=30001, lead_weight=5)
    silver = Tier.objects.create(name="Silver", rank=30002, lead_weight=3)
    bronze = Tier.objects.create(name="Bronze", rank=30003, lead_weight=1)
    line = ProductLine.objects.create(name="Robots", code="robots")
    # The company's partners A and B cover the west, A in Gold, B in Bronze.
    for partner, tier in ((company.partner_a, gold), (company.partner_b, bronze)):
        partner.territory = ouest
        partner.tier = tier
        partner.save()
    company.team.territory = ouest
    company.team.save()
    return Map(
        france=france,
        ouest=ouest,
        sud=sud,
        gold=gold,
        silver=silver,
        bronze=bronze,
        product_line=line,
    )
