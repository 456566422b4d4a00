from __future__ import annotations

import factory

from dirco.partners.models import Contact, Partner, Territory, Tier


class TerritoryFactory(factory.django.DjangoModelFactory[Territory]):
    class Meta:
        model = Territory
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Territory {n}")
    code = factory.Sequence(lambda n: f"territory-{n}")


class TierFactory(factory.django.DjangoModelFactory[Tier]):
    class Meta:
        model = Tier
        django_get_or_create = ("rank",)

    name = factory.Sequence(lambda n: f"Tier {n}")
    rank = factory.Sequence(lambda n: n + 1)


class PartnerFactory(factory.django.DjangoModelFactory[Partner]):
    class Meta:
        model = Partner

    name = factory.Faker("company")
    domain = factory.Sequence(lambda n: f"partner{n}.example")
    country = "FR"
    territory = factory.SubFactory(TerritoryFactory)
    tier = factory.SubFactory(TierFactory)
    status = Partner.Status.ACTIVE


class PartnerContactFactory(factory.django.DjangoModelFactory[Contact]):
    class Meta:
        model = Contact

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Faker("email")
    partner = factory.SubFactory(PartnerFactory)
    account = None
