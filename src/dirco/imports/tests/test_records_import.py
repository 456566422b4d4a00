"""Importing accounts, contacts, partners and objectives: one engine, their services, the
same error report, and no duplicate on re-import (external ID, else email or domain)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from dirco.catalog.tests.factories import ProductLineFactory
from dirco.conftest import Company
from dirco.customers.models import Account
from dirco.customers.tests.factories import AccountFactory
from dirco.imports.engine import import_run
from dirco.imports.kinds import KINDS
from dirco.imports.models import ExternalKey, ImportMapping
from dirco.imports.permissions import import_can_run, import_partner_of
from dirco.imports.reading import read_table
from dirco.objectives.models import Objective
from dirco.partners.models import Contact, Partner
from dirco.partners.tests.factories import TerritoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _catalogue(company: Company) -> None:
    ProductLineFactory(name="Automation")
    TerritoryFactory(code="fr", name="France")


def _run(kind: str, text: str, user, **kw):  # type: ignore[no-untyped-def]
    return import_run(KINDS[kind], read_table(text.encode("utf-8")), user=user, **kw)


ACCOUNTS = (
    "Réf;Raison sociale;Domaine;Secteur;Taille;Pays;Commercial\n"
    "A-1;Acme Industrie;acme.fr;Usinage;50 à 249 salariés;FR;{rep}\n"
    "A-2;Bolt SAS;bolt.fr;;;;\n"
)


def test_accounts_import_upserts_by_external_id_then_domain(company: Company) -> None:
    text = ACCOUNTS.format(rep=company.rep.email)
    report = _run("accounts", text, company.director)
    assert report.errors == [] and report.written
    assert (report.created, report.updated) == (2, 0)
    acme = Account.objects.get(domain="acme.fr")
    assert acme.owner == company.rep and acme.industry == "Usinage" and acme.size == "medium"
    assert ExternalKey.objects.filter(
        kind="accounts", external_id="A-1", object_id=acme.pk
    ).exists()
    # Twice: nothing new; the name changed in the source system follows its external ID.
    again = _run("accounts", text.replace("Acme Industrie", "Acme Group"), company.director)
    assert (again.created, again.updated) == (0, 2)
    assert Account.objects.count() == 2 and Account.objects.get(pk=acme.pk).name == "Acme Group"
    # Without an external ID, the domain finds the account.
    by_domain = _run("accounts", "Name,Domain,Industry\nBolt,bolt.fr,Robots\n", company.director)
    assert (by_domain.created, by_domain.updated) == (0, 1)
    assert Account.objects.get(domain="bolt.fr").industry == "Robots"


def test_a_bad_row_refuses_the_file_unless_valid_only(company: Company) -> None:
    text = (
        "Nom;Domaine;Taille;Pays;Commercial\n"
        "Acme;acme.fr;énorme;FR;\n"
        "Bolt;bolt.fr;;ZZ;\n"
        "Cogs;cogs.fr;;;personne@example.test\n"
        "Dyna;dyna.fr;;;\n"
    )
    report = _run("accounts", text, company.director)
    # The engine's checks (size, owner) and the service's (country) in one report.
    assert [(e.line, e.column) for e in report.errors] == [
        (2, "Taille"),
        (3, "Pays"),
        (4, "Commercial"),
    ]
    assert not report.written and Account.objects.count() == 0
    dry = _run("accounts", text, company.director, dry_run=True)
    assert dry.errors == report.errors and dry.created == 1 and Account.objects.count() == 0
    valid = _run("accounts", text, company.director, valid_only=True)
    assert valid.written and valid.created == 1 and valid.skipped == 3
    assert list(Account.objects.values_list("name", flat=True)) == ["Dyna"]


def test_a_rep_updates_only_its_own_accounts(company: Company) -> None:
    AccountFactory(name="Theirs", domain="theirs.fr", owner=company.other_rep)
    mine = AccountFactory(name="Mine", domain="mine.fr", owner=company.rep)
    report = _run(
        "accounts", "Nom,Domaine,Secteur\nMine,mine.fr,X\nTheirs,theirs.fr,Y\n", company.rep
    )
    # "Theirs" is not visible to the rep: a new account is created, the other one untouched.
    assert report.errors == [] and (report.created, report.updated) == (1, 1)
    assert Account.objects.get(pk=mine.pk).industry == "X"
    assert Account.objects.filter(domain="theirs.fr").count() == 2
    assert Account.objects.get(domain="theirs.fr", owner=company.other_rep).industry != "Y"


def test_partners_import_by_domain_and_french_choices(company: Company) -> None:
    text = (
        "Partenaire;Domaine;Pays;Type;Responsable partenaire;Partenaire depuis\n"
        f"Gamma Conseil;gamma.fr;FR;Intégrateur;{company.rep.email};15/03/2024\n"
    )
    report = _run("partners", text, company.director)
    assert report.errors == [] and report.created == 1
    gamma = Partner.objects.get(domain="gamma.fr")
    assert gamma.channel_manager == company.rep and gamma.joined_on == dt.date(2024, 3, 15)
    assert _run("partners", text, company.director).updated == 1
    assert Partner.objects.filter(domain="gamma.fr").count() == 1


def test_contacts_import_by_email_and_duplicates_in_the_file(company: Company) -> None:
    acme = AccountFactory(name="Acme", domain="acme.fr", owner=company.rep)
    text = (
        "Prénom;Nom;E-mail;Fonction;Partenaire;Compte\n"
        "Anne;Martin;anne@acme.fr;Acheteuse;;Acme\n"
        "Paul;Durand;paul@alpha.fr;;Alpha Systems;\n"
        "Anne;Martin;ANNE@acme.fr;;;Acme\n"
        "Zoé;Sans;zoe@x.fr;;;\n"
    )
    report = _run("contacts", text, company.rep)
    assert [(e.line, e.column) for e in report.errors] == [(4, "E-mail"), (5, "Partenaire")]
    assert "line 2" in report.errors[0].message and Contact.objects.count() == 0
    ok = _run("contacts", "\n".join(text.splitlines()[:3]) + "\n", company.rep)
    assert ok.errors == [] and ok.created == 2
    assert Contact.objects.get(email="anne@acme.fr").account == acme
    again = _run(
        "contacts", "Nom complet,Email,Compte\nAnne Dupont,anne@acme.fr,Acme\n", company.rep
    )
    assert (again.created, again.updated) == (0, 1)
    assert Contact.objects.get(email="anne@acme.fr").last_name == "Dupont"


def test_a_partner_admin_imports_only_its_own_partners_contacts(company: Company) -> None:
    admin = company.partner_a_admin
    assert import_can_run(user=admin, kind="contacts") and import_can_run(user=admin, kind="deals")
    assert not import_can_run(user=admin, kind="accounts")
    assert not import_can_run(user=company.partner_a_user, kind="contacts")
    assert not import_can_run(user=company.partner_b_user, kind="contacts")
    theirs = Contact.objects.create(
        first_name="B", last_name="Other", email="same@x.fr", partner=company.partner_b
    )
    text = (
        "ID;Prénom;Nom;Email;Partenaire\n"
        "C-1;Léa;Petit;same@x.fr;\n"
        "C-2;Max;Roux;max@x.fr;Beta Integration\n"
    )
    kw = {"partner": import_partner_of(admin)}
    refused = _run("contacts", text, admin, **kw)
    assert [(e.line, e.column) for e in refused.errors] == [(3, "Partenaire")]
    report = _run("contacts", text.replace("Beta Integration", ""), admin, **kw)
    assert report.errors == [] and report.created == 2
    # Another partner's contact with the same email is neither matched nor changed.
    assert Contact.objects.get(pk=theirs.pk).last_name == "Other"
    assert set(Contact.objects.filter(email="same@x.fr").values_list("partner", flat=True)) == {
        company.partner_a.pk,
        company.partner_b.pk,
    }
    # Staff's "C-1" is another record: the partner's external IDs live apart.
    staff = _run(
        "contacts",
        "ID;Prénom;Nom;Email;Partenaire\nC-1;Ann;Staff;s@x.fr;Beta Integration\n",
        company.director,
    )
    assert staff.created == 1 and Contact.objects.get(email="max@x.fr").partner == company.partner_a


def test_objectives_import_by_scope_and_year(company: Company) -> None:
    year = dt.date.today().year
    text = (
        f"Périmètre;Nom;Exercice;Objectif\n"
        f"entreprise;;{year};1 200 000,00\n"
        f"équipe;North;{year};600 000\n"
        f"commercial;{company.rep.email};{year};300 000\n"
    )
    report = _run("objectives", text, company.director)
    assert report.errors == [] and report.created == 3
    company_objective = Objective.objects.get(scope_key="company", fiscal_year=year)
    assert company_objective.amount == Decimal("1200000.00")
    again = _run("objectives", text.replace("600 000", "650 000"), company.director)
    assert (again.created, again.updated) == (0, 3)
    assert Objective.objects.get(scope_key=f"team:{company.team.pk}").amount == Decimal("650000")
    # A manager may not set the company's objective: the service refuses that row.
    refused = _run("objectives", text, company.manager)
    assert refused.errors and refused.errors[0].line == 2 and not refused.written


def test_the_command_imports_other_objects_and_uses_a_saved_mapping(
    company: Company, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "partners.csv"
    path.write_text("Société,Web,Pays\nDelta,delta.fr,FR\n", encoding="utf-8")
    ImportMapping.objects.create(
        name="CRM export",
        kind="partners",
        columns={"name": "Société", "domain": "Web", "country": "Pays"},
    )
    call_command("import", "partners", str(path), "--mapping", "CRM export")
    out = json.loads(capsys.readouterr().out)
    assert out["kind"] == "partners" and out["created"] == 1
    assert Partner.objects.get(domain="delta.fr").name == "Delta"
    with pytest.raises(CommandError, match="Nope"):
        call_command("import", "partners", str(path), "--mapping", '{"domain": "Nope"}')


def test_a_partner_admin_imports_only_its_own_partners_deals(company: Company) -> None:
    from dirco.imports.deals import deals_import
    from dirco.pipeline.models import Deal
    from dirco.pipeline.tests.factories import DealFactory

    admin = company.partner_a_admin
    ours = AccountFactory(name="Ours", owner=company.rep)
    DealFactory(account=ours, partner=company.partner_a, owner=company.rep)  # visible to A
    theirs = DealFactory(partner=company.partner_b, owner=company.other_rep, external_id="X-9")
    text = (
        "Référence;Compte;Montant;Date de clôture;Partenaire\n"
        "P-1;Ours;1 000,00;15/01/2025;\n"
        "P-2;Ours;2 000,00;16/01/2025;Beta Integration\n"
        "X-9;Ours;3 000,00;17/01/2025;\n"
        f"P-4;{theirs.account.name};4 000,00;18/01/2025;\n"
    )
    table = read_table(text.encode())
    kw = {"default_owner": admin, "user": admin, "partner": import_partner_of(admin)}
    report = deals_import(table, valid_only=True, **kw)
    # Another partner's name, deal and account are unknown to it, whatever the file says.
    assert [(e.line, e.column) for e in report.errors] == [
        (3, "Partenaire"),
        (4, "Référence"),
        (5, "Compte"),
    ]
    deal = Deal.objects.get(external_id="P-1")
    assert deal.partner == company.partner_a and deal.owner == company.rep
    assert Deal.objects.get(pk=theirs.pk).amount != Decimal("3000.00")
