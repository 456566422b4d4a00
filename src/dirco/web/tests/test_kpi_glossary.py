"""The KPI glossary: one source (dirco.metrics.glossary) for the page, every "?" and the
KPI table of docs/metrics.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from dirco.conftest import Company
from dirco.metrics.glossary import KPI_DEFINITIONS, kpi_glossary
from dirco.web.management.commands.kpi_glossary import docs_with_glossary

DOCS = Path(__file__).resolve().parents[4] / "docs" / "metrics.md"
TEMPLATES = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def test_docs_table_is_the_glossary_module() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert docs_with_glossary(text) == text, "run: dirco kpi_glossary --write docs/metrics.md"
    call_command("kpi_glossary", check=str(DOCS))  # the command agrees


@pytest.mark.parametrize("role", ["director", "rep", "partner_a_user"])
def test_glossary_page_lists_every_kpi_for_staff_and_partners(company: Company, role: str) -> None:
    client = Client()
    client.force_login(getattr(company, role))
    response = client.get(reverse("kpi_glossary"))
    assert response.status_code == 200
    content = response.content.decode()
    for kpi in kpi_glossary():
        assert f'id="kpi-{kpi.key}"' in content
        assert escape(kpi.definition) in content
    back = reverse("portal:home") if role.startswith("partner") else reverse("home")
    assert f'href="{back}"' in content


def test_glossary_page_in_french(company: Company) -> None:
    client = Client()
    client.force_login(company.director)
    client.cookies["django_language"] = "fr"
    content = client.get(reverse("kpi_glossary")).content.decode()
    assert '<html lang="fr">' in content
    with translation.override("fr"):
        name, definition = KPI_DEFINITIONS["attainment_to_date"]
        assert str(name) != "Attainment to date"  # the catalogue translates it
        assert escape(str(name)) in content and escape(str(definition)) in content


def test_every_help_mark_of_the_templates_links_to_an_entry(company: Company) -> None:
    """Each "?" names a KPI of the glossary and links to its entry."""
    used = set()
    for template in TEMPLATES.rglob("*.html"):
        used |= set(re.findall(r'kpi_help "([a-z_]+)"', template.read_text(encoding="utf-8")))
    assert used and used <= set(KPI_DEFINITIONS)
    client = Client()
    client.force_login(company.director)
    content = client.get(reverse("objective_curve"), {"scope": "company"}).content.decode()
    links = re.findall(r'<a class="kpi-help" href="([^"]+)"', content)
    assert links and all(link.startswith(reverse("kpi_glossary") + "#kpi-") for link in links)


def test_favicon_answers_empty_for_anyone(client: Client) -> None:
    """The admin's pages name no icon: the browser's /favicon.ico gets an empty answer, not
    a 404 logged in its console (the newcomer walk fails on console errors)."""
    response = client.get("/favicon.ico")
    assert response.status_code == 204 and response["Cache-Control"].startswith("public")
