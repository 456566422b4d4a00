from __future__ import annotations

import factory

from dirco.customers.models import Account
from dirco.partners.tests.factories import TerritoryFactory


class AccountFactory(factory.django.DjangoModelFactory[Account]):
    class Meta:
        model = Account

    name = factory.Faker("company")
    domain = factory.Sequence(lambda n: f"customer{n}.example")
    industry = "Manufacturing"
    territory = factory.SubFactory(TerritoryFactory)
