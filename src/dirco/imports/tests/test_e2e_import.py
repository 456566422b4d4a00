"""Browser test: the director imports a French accounts file: uploads it, fixes the column
the guess missed, sees the dry run's bad row (line, column, message), confirms with the
valid rows only, and gets the refused row as a CSV. Screenshots at 1366 and 360 px go to
$DIRCO_SCREENSHOTS when it is set."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from dirco.catalog.tests.factories import ProductLineFactory
from dirco.conftest import Company, browser_log_in
from dirco.customers.models import Account
from dirco.imports.models import ImportJob
from dirco.partners.tests.factories import TerritoryFactory

pytestmark = pytest.mark.e2e

FRENCH = (
    "Réf;Raison sociale;Site;Taille;Pays\n"
    "A-1;Acme Industrie;acme.fr;50 à 249 salariés;FR\n"
    "A-2;Bolt SAS;bolt.fr;énorme;FR\n"
    "A-3;Société Générale d'Usinage;sgu.fr;;FR\n"
)


def _shot(page: Any, name: str) -> None:
    folder = os.environ.get("DIRCO_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_the_director_imports_a_french_file(
    live_server: Any, company: Company, browser_page: Any, tmp_path: Path
) -> None:
    ProductLineFactory(name="Automation")
    TerritoryFactory(code="fr", name="France")
    path = tmp_path / "comptes.csv"
    path.write_bytes(FRENCH.encode("cp1252"))  # Windows-1252, as Excel saves it in France
    page = browser_page
    browser_log_in(page, base_url=live_server.url, email=company.director.email)

    page.goto(f"{live_server.url}/")
    page.locator("#main-nav a", has_text="Import").click()
    page.select_option("select[name=kind]", "accounts")
    page.set_input_files("input[name=file]", str(path))
    page.get_by_role("button", name="Upload and map").click()
    page.locator("select[name=map_domain]").wait_for()
    _shot(page, "import-mapping-1366")
    # The guess found the name and the size, not "Site": the director maps it.
    assert page.locator("select[name=map_name]").input_value() == "Raison sociale"
    assert page.locator("select[name=map_domain]").input_value() == ""
    assert "Acme Industrie" in page.locator("main").inner_text()  # the first rows
    page.select_option("select[name=map_domain]", "Site")
    page.get_by_role("button", name="Check the file").click()

    errors = page.locator("#import-errors tbody tr")
    errors.first.wait_for()
    assert errors.count() == 1
    assert errors.first.locator("td").nth(0).inner_text() == "3"
    assert errors.first.locator("td").nth(1).inner_text() == "Taille"
    assert "énorme" in errors.first.locator("td").nth(2).inner_text()
    assert page.locator("[data-report=created]").inner_text() == "2"
    assert Account.objects.count() == 0
    page.set_viewport_size({"width": 360, "height": 740})
    _shot(page, "import-check-360")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 361, width
    page.set_viewport_size({"width": 1366, "height": 900})

    page.locator(".import-confirm input[name=valid_only]").check()
    page.get_by_role("button", name="Confirm the import").click()
    page.locator("text=Imported.").wait_for()
    _shot(page, "import-done-1366")
    assert set(Account.objects.values_list("domain", flat=True)) == {"acme.fr", "sgu.fr"}
    assert Account.objects.get(domain="sgu.fr").name == "Société Générale d'Usinage"
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the refused rows (CSV)").click()
    text = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    assert "Bolt SAS" in text and "Acme" not in text


def test_a_partner_admin_imports_its_contacts_in_the_portal(
    live_server: Any, company: Company, browser_page: Any, tmp_path: Path
) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text("Prénom;Nom;E-mail\nLéa;Petit;lea@alpha.example\n", encoding="utf-8-sig")
    page = browser_page
    page.set_viewport_size({"width": 360, "height": 740})
    browser_log_in(
        page, base_url=live_server.url, email=company.partner_a_admin.email, landing="/portal/"
    )
    page.goto(f"{live_server.url}/portal/imports/")
    assert page.locator("select[name=kind] option").all_inner_texts() == ["Contacts", "Deals"]
    page.select_option("select[name=kind]", "contacts")
    page.set_input_files("input[name=file]", str(path))
    page.get_by_role("button", name="Upload and map").click()
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("button", name="Confirm the import").click()
    page.locator("text=Imported.").wait_for()
    _shot(page, "portal-import-done-360")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 361, width
    contact = company.partner_a.contacts.get()
    assert (contact.email, contact.last_name) == ("lea@alpha.example", "Petit")


def test_a_partner_file_without_countries_says_what_was_assumed(
    live_server: Any, company: Company, browser_page: Any, tmp_path: Path
) -> None:
    TerritoryFactory(code="eu", name="Europe")
    path = tmp_path / "partenaires.csv"
    path.write_text(
        "Partenaire;Domaine\nAlpha Technik;alpha-technik.de\nBeta Conseil;beta-conseil.com\n"
    )
    page = browser_page
    browser_log_in(page, base_url=live_server.url, email=company.director.email)
    page.goto(f"{live_server.url}/imports/")
    page.select_option("select[name=kind]", "partners")
    page.set_input_files("input[name=file]", str(path))
    page.get_by_role("button", name="Upload and map").click()
    page.get_by_role("button", name="Check the file").click()
    notes = page.locator("[data-report=notes] li")
    notes.first.wait_for()
    assert [notes.nth(i).inner_text() for i in range(notes.count())] == [
        "No country given: taken from the web domain (1 row).",
        "No country given: FR, the company's country (1 row).",
    ]
    _shot(page, "import-notes-1366")
    page.set_viewport_size({"width": 360, "height": 740})
    _shot(page, "import-notes-360")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 361, width
