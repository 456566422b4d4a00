"""Importing deals: French and English files, every refusal with its line and column, no
duplicate on re-import, nothing written on a dry run or a refused file, and the contract of
``dirco import deals``: the file's monthly won revenue, to the cent, in the rollups."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from dirco.catalog.tests.factories import ProductLineFactory
from dirco.conftest import Company
from dirco.customers.models import Account
from dirco.customers.tests.factories import AccountFactory
from dirco.imports.deals import deals_import, mapping_guess
from dirco.imports.reading import read_table
from dirco.partners.tests.factories import TerritoryFactory
from dirco.pipeline.models import Deal
from dirco.rollups.selectors import monthly_won_revenue
from dirco.rollups.writes import rollups_rebuild
from dirco.scopes import Scope

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _catalogue(company: Company) -> None:
    """A product line and a territory: what a company has before it imports deals."""
    ProductLineFactory(name="Automation")
    TerritoryFactory(code="fr", name="France")


TODAY = dt.date(2026, 6, 15)

FRENCH = (
    "Référence;Affaire;Compte;Montant HT;Devise;Date de clôture;Commercial\n"
    "F-1;Ligne de conditionnement;Acme Industrie;12 500,50;EUR;15/01/2025;{rep}\n"
    "F-2;Maintenance;Acme Industrie;1.200,00;EUR;28/02/2025;\n"
    "F-3;Robot soudure;Bolt SAS;98 000;EUR;03/03/2025;{rep}\n"
)


def _french(company: Company) -> bytes:
    return ("\ufeff" + FRENCH.format(rep=company.rep.email)).encode("utf-8")


def test_a_french_file_with_a_bom_is_read_and_mapped(company: Company) -> None:
    table = read_table(_french(company), name="export.csv")
    assert table.delimiter == ";" and table.encoding == "utf-8-sig"
    mapping = mapping_guess(table.headers)
    assert mapping["amount"] == "Montant HT" and mapping["close_date"] == "Date de clôture"
    assert mapping["external_id"] == "Référence" and mapping["owner"] == "Commercial"
    report = deals_import(table, default_owner=company.director, create_accounts=True, today=TODAY)
    assert report.errors == [] and report.written
    assert (report.created, report.updated, report.accounts_created) == (3, 0, 2)
    deal = Deal.objects.get(external_id="F-1")
    assert deal.amount == Decimal("12500.50") and deal.close_date == dt.date(2025, 1, 15)
    assert deal.stage.is_won and deal.owner == company.rep
    assert Deal.objects.get(external_id="F-2").owner == company.director
    assert Deal.objects.get(external_id="F-2").amount == Decimal("1200.00")


def test_latin1_and_windows1252_files_are_read(company: Company) -> None:
    text = "Compte;Montant;Date de clôture\nCafé Müller;1 000,00;01/02/2025\n"
    for encoding in ("latin-1", "cp1252"):
        table = read_table(text.encode(encoding))
        assert table.headers[2] == "Date de clôture"
        assert table.rows[0][0] == "Café Müller"


def test_an_english_xlsx_file_is_read(company: Company) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["External ID", "Account", "Amount", "Close date", "Owner"])
    sheet.append(["X-1", "Globex", 4999.99, dt.datetime(2025, 4, 30), company.rep.email])
    sheet.append(["X-2", "Globex", "1,250.00", "2025-05-02", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_table(buffer.getvalue(), name="deals.xlsx")
    report = deals_import(table, default_owner=company.director, create_accounts=True, today=TODAY)
    assert report.errors == [] and report.created == 2
    assert Deal.objects.get(external_id="X-1").amount == Decimal("4999.99")
    assert Deal.objects.get(external_id="X-2").amount == Decimal("1250.00")


def test_a_zip_bomb_is_refused_before_parsing() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (300 * 1024 * 1024))
    from dirco.core.errors import ApplicationError

    with pytest.raises(ApplicationError) as exc:
        read_table(buffer.getvalue(), name="bomb.xlsx")
    assert "unpacks to" in exc.value.message


def test_every_bad_row_is_reported_and_nothing_is_written(company: Company) -> None:
    text = (
        "Référence;Compte;Montant;Date de clôture;Commercial;Étape;Partenaire\n"
        "A-1;Acme;abc;15/01/2025;;;\n"
        "A-2;Acme;100;31/02/2025;;;\n"
        "A-3;Acme;100;15/01/2025;nobody@nowhere.test;;\n"
        "A-4;Acme;100;15/01/2027;;;\n"
        "A-5;Acme;100;15/01/2025;;Nowhere;\n"
        "A-6;Acme;100;15/01/2025;;;Unknown Partner\n"
        "A-7;Acme;100;15/01/2025;;;\n"
        "A-7;Acme;100;15/01/2025;;;\n"
        "A-8;;100;15/01/2025;;;\n"
        "A-9;Acme;-5;15/01/2025;;;\n"
    )
    AccountFactory(name="Acme", owner=company.rep)
    before = Deal.objects.count()
    report = deals_import(read_table(text.encode()), default_owner=company.director, today=TODAY)
    found = {(e.line, e.column) for e in report.errors}
    assert found == {
        (2, "Montant"),
        (3, "Date de clôture"),
        (4, "Commercial"),
        (5, "Étape"),
        (6, "Étape"),
        (7, "Partenaire"),
        (9, "Référence"),
        (10, "Compte"),
        (11, "Montant"),
    }, report.errors
    assert not report.written and Deal.objects.count() == before
    # Valid rows only, when asked: A-7 once; the refused rows stay out.
    report = deals_import(
        read_table(text.encode()), default_owner=company.director, valid_only=True, today=TODAY
    )
    assert report.written and report.created == 1
    assert list(
        Deal.objects.filter(external_id__startswith="A-").values_list("external_id", flat=True)
    ) == ["A-7"]


def test_a_dry_run_writes_nothing_and_a_second_import_duplicates_nothing(company: Company) -> None:
    table = read_table(_french(company))
    report = deals_import(
        table, default_owner=company.director, create_accounts=True, dry_run=True, today=TODAY
    )
    assert report.errors == [] and not report.written
    assert not Deal.objects.filter(external_id__startswith="F-").exists()
    assert not Account.objects.filter(name="Bolt SAS").exists()
    deals_import(table, default_owner=company.director, create_accounts=True, today=TODAY)
    changed = _french(company).replace(b"98 000", b"99 000")
    report = deals_import(
        read_table(changed), default_owner=company.director, create_accounts=True, today=TODAY
    )
    assert (report.created, report.updated, report.accounts_created) == (0, 3, 0)
    assert Deal.objects.filter(external_id__startswith="F-").count() == 3
    assert Account.objects.filter(name="Bolt SAS").count() == 1
    assert Deal.objects.get(external_id="F-3").amount == Decimal("99000.00")


def test_the_command_brings_a_history_whose_monthly_won_revenue_is_the_files(
    company: Company, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = ["Compte;Montant HT;Date de clôture"]
    expected: dict[dt.date, Decimal] = defaultdict(Decimal)
    for i in range(120):
        day = dt.date(2024, 1, 1) + dt.timedelta(days=i * 5)
        amount = Decimal(1000 + i * 37) + Decimal(i % 100) / 100
        lines.append(f"Client {i % 7};{str(amount).replace('.', ',')};{day:%d/%m/%Y}")
        expected[day.replace(day=1)] += amount
    path = tmp_path / "history.csv"
    path.write_text("\n".join(lines) + "\n", encoding="cp1252")
    before = dict(_company_won(dt.date(2024, 1, 1), dt.date(2025, 12, 1)))
    call_command("import", "deals", str(path), "--create-missing", "accounts")
    report = json.loads(capsys.readouterr().out)
    assert report["created"] == 120 and report["written"]
    after = dict(_company_won(dt.date(2024, 1, 1), dt.date(2025, 12, 1)))
    for month, amount in expected.items():
        assert after[month] - before.get(month, Decimal(0)) == amount, month
    # The rollups are the rebuild's: the incremental and the rebuilt agree.
    kept = dict(after)
    rollups_rebuild()
    assert dict(_company_won(dt.date(2024, 1, 1), dt.date(2025, 12, 1))) == kept
    # A dry run of a broken file: status 1, the errors in the report, nothing written.
    bad = tmp_path / "bad.csv"
    bad.write_text("Compte;Montant;Date de clôture\nX;douze;01/01/2025\n")
    with pytest.raises(SystemExit) as exit_info:
        call_command("import", "deals", str(bad), "--dry-run")
    assert exit_info.value.code == 1
    out = json.loads(capsys.readouterr().out)
    assert {(e["line"], e["column"]) for e in out["errors"]} == {(2, "Compte"), (2, "Montant")}


def _company_won(first: dt.date, last: dt.date) -> list[tuple[dt.date, Decimal]]:
    return monthly_won_revenue(scope=Scope("company"), first_month=first, last_month=last)
