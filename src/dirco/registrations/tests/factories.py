from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from dirco.accounts.models import User
from dirco.catalog.models import ProductLine
from dirco.catalog.tests.factories import ProductLineFactory
from dirco.registrations.models import DealRegistration
from dirco.registrations.services import registration_submit


def registration_data(product_line: ProductLine | None = None, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "customer_name": "Acme Industries SAS",
        "customer_domain": "https://www.acme-industries.fr/contact",
        "customer_legal_identifier": "732 829 320",
        "customer_country": "fr",
        "amount": Decimal("25000.00"),
        "currency": "EUR",
        "product_line": product_line or ProductLineFactory(),
        "expected_close_date": timezone.localdate() + dt.timedelta(days=60),
    }
    data.update(overrides)
    return data


def submit(user: User, **overrides: Any) -> DealRegistration:
    return registration_submit(user=user, data=registration_data(**overrides))
