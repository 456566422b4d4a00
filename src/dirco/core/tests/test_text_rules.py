"""Text that is text, in every form: NUL and lone surrogates refused in every text field,
line breaks and control characters in one-line fields, each with an error on the field
(dirco.core.text, the API's rule too). On SQLite and PostgreSQL."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django import forms
from django.test import Client
from django.urls import reverse

import dirco
from dirco.conftest import Company
from dirco.core.text import TextRulesFormMixin, text_problem
from dirco.customers.forms import AccountForm
from dirco.customers.models import Account
from dirco.funds.forms import FundReasonForm
from dirco.partners.tests.factories import TerritoryFactory
from dirco.web.forms import SpamTrapsForm


def _all_form_classes() -> set[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(dirco.__path__, "dirco."):
        name = module.name
        if ".tests" in name or ".migrations" in name or name.endswith(("settings", "wsgi")):
            continue
        if name.rsplit(".", 1)[-1] in {"forms", "views"} or name.endswith("_views"):
            importlib.import_module(name)
    found: set[type[forms.BaseForm]] = set()
    todo: list[type[forms.BaseForm]] = [forms.BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("dirco.") and ".tests" not in sub.__module__:
                found.add(sub)
    return found


def test_every_dirco_form_applies_the_text_rules() -> None:
    classes = _all_form_classes()
    assert len(classes) > 30  # the walk found the forms
    # SpamTrapsForm is a base that each public form mixes with TextRulesFormMixin.
    missing = sorted(
        f"{c.__module__}.{c.__qualname__}"
        for c in classes
        if not issubclass(c, TextRulesFormMixin) and c is not SpamTrapsForm
    )
    assert missing == []


@pytest.mark.parametrize(
    ("value", "single_line", "says"),
    [
        ("Acme\x00", False, "NUL"),
        ("Acme\ud800", False, "surrogate"),
        ("Acme\ud800", True, "surrogate"),
        ("Ac\x1bme", True, "U+001B"),
        ("Ac\x7fme", True, "U+007F"),
        ("Ac\nme", True, "One line only"),
    ],
)
def test_text_problem_names_what_to_fix(value: str, single_line: bool, says: str) -> None:
    problem = text_problem(value, single_line=single_line)
    assert problem is not None and says in problem


def test_long_text_keeps_its_lines_and_tabs() -> None:
    assert text_problem("Line one\r\n\tLine two", single_line=False) is None
    assert text_problem("Société Générale — Zürich 東京 🚀", single_line=True) is None


@pytest.mark.parametrize(
    ("name", "says"),
    [("Acme\x00Corp", "NUL"), ("Acme\x07Corp", "U+0007"), ("Acme\u0085Corp", "U+0085")],
)
def test_the_account_page_refuses_non_text_with_a_field_error(
    company: Company, name: str, says: str
) -> None:
    territory = TerritoryFactory()
    client = Client()
    client.force_login(company.director)
    response = client.post(
        reverse("account_create"),
        {"name": name, "size": Account.Size.SMALL, "country": "FR", "territory": territory.pk},
    )
    assert response.status_code == 200  # the form again, with its errors
    errors = response.context["form"].errors
    assert says in " ".join(errors["name"]), errors
    assert not Account.objects.filter(name__startswith="Acme").exists()


def test_a_lone_surrogate_in_a_form_is_a_field_error(company: Company) -> None:
    """A browser cannot send one (form bodies are UTF-8), but a form built from other input
    (an import, a script) can carry one: the same rule answers."""
    territory = TerritoryFactory()
    form = AccountForm(
        {
            "name": "Acme\udcc0",
            "size": Account.Size.SMALL,
            "country": "FR",
            "territory": territory.pk,
        },
        user=company.director,
        account=None,
    )
    assert not form.is_valid()
    assert "surrogate" in " ".join(form.errors["name"])


def test_a_textarea_takes_lines_but_no_nul() -> None:
    ok = FundReasonForm({"reason": "Line one\r\n\tLine two"})
    refused = FundReasonForm({"reason": "Line\x00two"})
    assert ok.is_valid(), ok.errors
    assert not refused.is_valid()
    assert "NUL" in " ".join(refused.errors["reason"])
