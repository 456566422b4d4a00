"""dirco.web.forms.PlainSelect writes the markup Django's select templates write: compared
here, select by select, including the deal filters' selects as a page shows them."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.utils import translation
from django.utils.safestring import mark_safe

from dirco.conftest import Company
from dirco.pipeline.forms import DealFilterForm
from dirco.pipeline.tests.factories import DealFactory
from dirco.web.forms import PlainSelect

CHOICES: list[tuple[Any, Any]] = [
    ("", "Any"),
    (1, "A & <B> \"quoted\" 'too'"),
    (2, mark_safe("<em>safe</em>")),
    ("2", "the same value again"),
    (None, "none"),
]


@pytest.mark.parametrize("value", [None, "", 1, "2", ["1"], "missing"])
@pytest.mark.parametrize(
    "attrs",
    [None, {"id": "id_x", "aria-invalid": "true", "off": False, "on": True, "q": 'a"<'}],
)
def test_plain_select_matches_django(value: Any, attrs: dict[str, Any] | None) -> None:
    django_made = forms.Select(choices=CHOICES, attrs={"class": "c"}).render("x&", value, attrs)
    made = PlainSelect(choices=CHOICES, attrs={"class": "c"}).render("x&", value, attrs)
    assert made == django_made


def test_plain_select_leaves_groups_to_django() -> None:
    grouped = [("", "Any"), ("Group", [(1, "one"), (2, "two")])]
    assert PlainSelect(choices=grouped).render("g", 2) == forms.Select(choices=grouped).render(
        "g", 2
    )


class DjangoSelects(DealFilterForm):
    """The deal filters with Django's own select, for comparison."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, PlainSelect):
                field.widget = forms.Select(choices=field.widget.choices)
                if isinstance(field, forms.ModelChoiceField | forms.ChoiceField):
                    field.widget.choices = field.choices


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_deal_filters_render_as_with_djangos_select(company: Company, language: str) -> None:
    DealFactory(owner=company.rep, partner=company.partner_a)
    data = {"owner": str(company.rep.pk), "partner": str(company.partner_a.pk), "status": "bad"}
    with translation.override(language):
        for args in ([data], []):
            plain = DealFilterForm(*args, user=company.director)
            django_form = DjangoSelects(*args, user=company.director)
            if args:  # a bound form shows its errors too
                assert not plain.is_valid() and not django_form.is_valid()
            for name in plain.fields:
                made = str(plain[name].as_field_group())
                assert made == str(django_form[name].as_field_group())
            assert "<option" in str(plain["owner"]) and " selected" in str(plain["owner"])
