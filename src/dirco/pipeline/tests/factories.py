from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from dirco.accounts.tests.factories import UserFactory
from dirco.catalog.tests.factories import ProductLineFactory
from dirco.customers.tests.factories import AccountFactory
from dirco.pipeline.models import Activity, Deal, Stage


def stage_named(name: str) -> Stage:
    return Stage.objects.get(name=name)


class DealFactory(factory.django.DjangoModelFactory[Deal]):
    """Builds deals directly (not through deal_create): for tests that need data, not rules."""

    class Meta:
        model = Deal

    name = factory.Sequence(lambda n: f"Deal {n}")
    account = factory.SubFactory(AccountFactory)
    owner = factory.SubFactory(UserFactory)
    product_line = factory.SubFactory(ProductLineFactory)
    amount = Decimal("10000.00")
    currency = "EUR"
    amount_company = factory.LazyAttribute(lambda o: o.amount)
    stage = factory.LazyFunction(lambda: stage_named("Qualification"))
    probability = factory.LazyAttribute(lambda o: o.stage.probability)
    forecast_category = factory.LazyAttribute(lambda o: o.stage.forecast_category)
    expected_close_date = factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=30))


class ActivityFactory(factory.django.DjangoModelFactory[Activity]):
    class Meta:
        model = Activity

    kind = Activity.Kind.CALL
    subject = factory.Sequence(lambda n: f"Call {n}")
    owner = factory.SubFactory(UserFactory)
    deal = factory.SubFactory(DealFactory, owner=factory.SelfAttribute("..owner"))
