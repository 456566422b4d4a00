"""Amounts typed the way people write them, in French and English, through a real form."""

from __future__ import annotations

from decimal import Decimal

from django.utils import translation

from dirco.web.forms import AmountField, DircoForm


class _Form(DircoForm):
    amount = AmountField(max_digits=14, decimal_places=2)


def test_french_amounts_are_accepted() -> None:
    with translation.override("fr"):
        for text, value in (("28 000 000,00", "28000000"), ("1 900 000 €", "1900000")):
            form = _Form({"amount": text})
            assert form.is_valid(), form.errors
            assert form.cleaned_data["amount"] == Decimal(value)


def test_nonsense_is_refused_with_an_example() -> None:
    with translation.override("en"):
        form = _Form({"amount": "twelve"})
        assert not form.is_valid()
        assert "1,900,000.00" in form.errors["amount"][0]
        # Too many digits: the DecimalField's own limits still apply.
        assert not _Form({"amount": "1,000,000,000,000,000"}).is_valid()


def test_the_box_shows_the_amount_in_the_users_language() -> None:
    with translation.override("fr"):
        html = str(_Form(initial={"amount": Decimal("28000000")})["amount"])
    assert 'inputmode="decimal"' in html and "28" in html and ",00" in html
