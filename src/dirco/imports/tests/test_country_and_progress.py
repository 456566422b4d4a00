"""Two things an import assumes or shows while it runs: the country of a partner or account
whose file gives none (guessed, else the company's, said in the report and on the page), and
the progress of the write phase, seen from outside the import's transaction."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from dirco.conftest import Company
from dirco.core.countries import CountryFrom, country_guess
from dirco.customers.models import Account
from dirco.imports import services
from dirco.imports.engine import import_run
from dirco.imports.kinds import KINDS
from dirco.imports.models import ImportJob
from dirco.imports.progress import import_job_progress
from dirco.imports.reading import read_table
from dirco.imports.records import AccountKind
from dirco.partners.models import Partner
from dirco.partners.tests.factories import TerritoryFactory

PARTNERS = "Partenaire;Domaine\nAlpha Technik;alpha-technik.de\nBeta Conseil;beta.com\n"


@pytest.mark.parametrize(
    ("domain", "vat", "expected"),
    [
        ("alpha.de", "", ("DE", CountryFrom.DOMAIN)),
        ("shop.co.uk", "", ("GB", CountryFrom.DOMAIN)),
        ("acme.io", "", ("FR", CountryFrom.COMPANY)),  # .io says nothing of a country
        ("acme.com", "", ("FR", CountryFrom.COMPANY)),
        ("acme.com", "BE 0403.170.701", ("BE", CountryFrom.VAT)),
        ("acme.de", "EL094014201", ("GR", CountryFrom.VAT)),
        ("", "552100554", ("FR", CountryFrom.COMPANY)),  # a SIREN names no country
        ("acme.zz", "", ("FR", CountryFrom.COMPANY)),
    ],
)
def test_country_guess(domain: str, vat: str, expected: tuple[str, CountryFrom]) -> None:
    assert country_guess(domain=domain, legal_identifier=vat) == expected


@pytest.mark.django_db
def test_a_partner_file_without_a_country_column_is_imported(
    company: Company, settings: Any
) -> None:
    TerritoryFactory(code="eu", name="Europe")
    table = read_table(PARTNERS.encode())
    report = import_run(KINDS["partners"], table, user=company.director)
    assert report.errors == [] and report.created == 2 and report.written
    assert Partner.objects.get(domain="alpha-technik.de").country == "DE"
    assert Partner.objects.get(domain="beta.com").country == "FR"
    assert report.notes == [
        "No country given: taken from the web domain (1 row).",
        "No country given: FR, the company's country (1 row).",
    ]
    # The company's country is a setting; a matched record keeps its own country.
    settings.DIRCO_COMPANY_COUNTRY = "BE"
    again = import_run(
        KINDS["partners"],
        read_table((PARTNERS + "Gamma;gamma.com\n").encode()),
        user=company.director,
    )
    assert (again.created, again.updated) == (1, 2)
    assert Partner.objects.get(domain="gamma.com").country == "BE"
    assert Partner.objects.get(domain="beta.com").country == "FR"
    assert again.notes == ["No country given: BE, the company's country (1 row)."]


@pytest.mark.django_db
def test_the_page_says_which_country_was_assumed(
    company: Company, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    TerritoryFactory(code="eu", name="Europe")
    client = Client()
    client.force_login(company.director)
    client.post(
        reverse("imports:list"),
        {"kind": "partners", "file": SimpleUploadedFile("p.csv", PARTNERS.encode())},
    )
    job = ImportJob.objects.get()
    detail = reverse("imports:detail", args=[job.pk])
    client.post(detail, {f"map_{k}": v for k, v in job.mapping.items()})
    page = client.get(detail).content.decode()
    assert "FR, the company&#x27;s country (1 row)." in page
    assert "taken from the web domain (1 row)." in page
    # The check wrote nothing.
    assert not Partner.objects.filter(domain__in=["alpha-technik.de", "beta.com"]).exists()


ROWS = 1000


@pytest.mark.django_db(transaction=True)
def test_the_progress_advances_while_the_rows_are_written(
    company: Company, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen from outside the import's transaction (another connection on PostgreSQL, the
    job as a page loaded it before the writes on SQLite), the bar is past the check and
    short of the end while the rows are written, not stuck at the check's figure until the
    commit."""
    settings.MEDIA_ROOT = tmp_path
    TerritoryFactory(code="fr", name="France")
    monkeypatch.setattr(services, "PROGRESS_EVERY_SECONDS", 0)
    text = "Société;Site web\n" + "".join(f"Firm {i};firm{i}.fr\n" for i in range(ROWS))
    job = services.import_job_create(
        user=company.director, kind="accounts", data=text.encode(), file_name="big.csv"
    )
    before_writes = ImportJob.objects.get(pk=job.pk)
    seen: list[int] = []

    def outside_view() -> int:
        if connection.vendor == "postgresql":
            other = connections.create_connection("default")
            try:
                with other.cursor() as cursor:
                    cursor.execute(
                        "SELECT progress_done, progress_total FROM imports_importjob WHERE id = %s",
                        [job.pk],
                    )
                    done, total = cursor.fetchone()
            finally:
                other.close()
            return 100 * done // total
        return import_job_progress(before_writes).percent

    def probe(self: AccountKind) -> None:
        # Every row is written, the transaction not yet committed.
        assert connection.in_atomic_block
        seen.append(outside_view())

    monkeypatch.setattr(AccountKind, "after_write", probe)
    before_writes.status = ImportJob.Status.RUNNING  # as the page saw it: running
    job = services.import_job_start(
        job=job, user=company.director, dry_run=False, check_first=False
    )
    assert job.status == ImportJob.Status.DONE and Account.objects.count() == ROWS
    # Checking is the first half, writing the second: past half, short of the end.
    assert len(seen) == 1 and 50 < seen[0] < 100, seen
    assert import_job_progress(job).percent == 100
    assert not (tmp_path / "imports" / "progress").exists() or not any(
        (tmp_path / "imports" / "progress").iterdir()
    )
