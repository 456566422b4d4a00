"""Money: Decimal amounts with an ISO 4217 currency, converted to the company currency."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

# The currencies dirco accepts; the company currency must be one of them.
CURRENCIES = ["EUR", "USD", "GBP", "CHF", "CAD", "SEK", "NOK", "DKK", "PLN", "JPY", "AUD"]
CURRENCY_CHOICES = [(c, c) for c in CURRENCIES]
CENT = Decimal("0.01")


def company_currency() -> str:
    return str(settings.DIRCO_COMPANY_CURRENCY)


def quantize(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


class RateTable:
    """Rates loaded once, looked up in memory: conversions in loops cost no query."""

    def __init__(self, rows: list[tuple[str, dt.date, Decimal]]) -> None:
        self._by_currency: dict[str, list[tuple[dt.date, Decimal]]] = {}
        for currency, valid_from, rate in rows:
            self._by_currency.setdefault(currency, []).append((valid_from, rate))
        for entries in self._by_currency.values():
            entries.sort()

    @classmethod
    def load(cls) -> RateTable:
        from dirco.core.models import ExchangeRate

        return cls(list(ExchangeRate.objects.values_list("currency", "valid_from", "rate")))

    def rate(self, currency: str, on: dt.date | None = None) -> Decimal:
        if currency == company_currency():
            return Decimal(1)
        entries = self._by_currency.get(currency)
        if not entries:
            raise LookupError(f"No exchange rate for {currency}; add one in the admin.")
        if on is None:
            return entries[-1][1]
        chosen = entries[0][1]
        for valid_from, rate in entries:
            if valid_from <= on:
                chosen = rate
            else:
                break
        return chosen

    def to_company(self, amount: Decimal, currency: str, on: dt.date | None = None) -> Decimal:
        return quantize(amount * self.rate(currency, on))
