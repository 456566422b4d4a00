from __future__ import annotations

from decimal import Decimal

import factory

from dirco.catalog.models import Product, ProductLine


class ProductLineFactory(factory.django.DjangoModelFactory[ProductLine]):
    class Meta:
        model = ProductLine
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Line {n}")
    code = factory.Sequence(lambda n: f"line-{n}")


class ProductFactory(factory.django.DjangoModelFactory[Product]):
    class Meta:
        model = Product

    line = factory.SubFactory(ProductLineFactory)
    name = factory.Sequence(lambda n: f"Product {n}")
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    price = Decimal("1000.00")
