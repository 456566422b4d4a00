"""The import pages: upload, mapping fixed on the page, the dry run's bad rows, confirm; the
error file of the refused rows; large files through the task worker with a progress bar;
saved mappings; and the portal's pages, where a partner admin imports into its own partner
only (the forbidden users beside the allowed one)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from dirco.catalog.tests.factories import ProductLineFactory
from dirco.conftest import Company
from dirco.customers.models import Account
from dirco.imports.models import ImportJob, ImportMapping
from dirco.imports.progress import import_job_progress
from dirco.partners.models import Contact
from dirco.partners.tests.factories import TerritoryFactory

pytestmark = pytest.mark.django_db

ACCOUNTS = (
    "Réf;Société;Site;Taille\n"
    "A-1;Acme Industrie;acme.fr;\n"
    "A-2;Bolt SAS;bolt.fr;énorme\n"
    "A-3;Cogs;cogs.fr;\n"
)


@pytest.fixture(autouse=True)
def _catalogue(company: Company) -> None:
    ProductLineFactory(name="Automation")
    TerritoryFactory(code="fr", name="France")


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _upload(client: Client, url: str, kind: str, text: str, **extra: str) -> Any:
    data = {"kind": kind, "file": SimpleUploadedFile("export.csv", text.encode("cp1252")), **extra}
    return client.post(url, data)


def _mapping_post(job: ImportJob, **fields: str) -> dict[str, str]:
    data = {f"map_{k}": v for k, v in job.mapping.items()}
    data.update({f"map_{k}": v for k, v in fields.items()})
    return data


def test_upload_fix_the_mapping_see_the_bad_rows_and_confirm(company: Company) -> None:
    client = _client(company.director)
    assert client.get(reverse("imports:list")).status_code == 200
    response = _upload(client, reverse("imports:list"), "accounts", ACCOUNTS)
    job = ImportJob.objects.get()
    assert response.url == reverse("imports:detail", args=[job.pk])
    # "Site" is not a header the engine knows: the domain is not mapped yet.
    assert job.mapping == {"external_id": "Réf", "name": "Société", "size": "Taille"}
    page = client.get(response.url).content.decode()
    assert "Acme Industrie" in page and 'name="map_domain"' in page
    client.post(
        reverse("imports:detail", args=[job.pk]),
        {**_mapping_post(job, domain="Site"), "mapping_name": "CRM"},
    )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED and job.mapping["domain"] == "Site"
    assert ImportMapping.objects.get(name="CRM").columns["domain"] == "Site"
    assert [(e["line"], e["column"]) for e in job.report["errors"]] == [(3, "Taille")]
    assert Account.objects.count() == 0  # the check wrote nothing
    page = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "énorme" in page and 'id="import-errors"' in page
    # All or nothing: refused.
    client.post(reverse("imports:run", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.REFUSED and Account.objects.count() == 0
    # Checked again, then the valid rows only, and the refused row as a CSV to correct.
    client.post(reverse("imports:detail", args=[job.pk]), _mapping_post(job))
    client.post(reverse("imports:run", args=[job.pk]), {"valid_only": "on"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.report["created"] == 2
    assert set(Account.objects.values_list("domain", flat=True)) == {"acme.fr", "cogs.fr"}
    errors = client.get(reverse("imports:errors", args=[job.pk]))
    rows = list(csv.reader(io.StringIO(errors.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Réf", "Société", "Site", "Taille"] and len(rows) == 2
    assert rows[1][:2] == ["A-2", "Bolt SAS"] and "Taille" in rows[1][4]
    # Done: the job cannot run again.
    client.post(reverse("imports:run", args=[job.pk]), {"valid_only": "on"})
    assert Account.objects.count() == 2


def test_a_saved_mapping_is_used_on_upload(company: Company) -> None:
    ImportMapping.objects.create(
        name="CRM", kind="accounts", columns={"name": "Société", "domain": "Site"}
    )
    client = _client(company.rep)
    saved = ImportMapping.objects.get()
    _upload(client, reverse("imports:list"), "accounts", ACCOUNTS, mapping=str(saved.pk))
    assert ImportJob.objects.get().mapping["domain"] == "Site"


@override_settings(DIRCO_IMPORT_BACKGROUND_ROWS=2)
def test_a_large_file_runs_in_the_background_with_progress(
    company: Company, django_capture_on_commit_callbacks: Any
) -> None:
    client = _client(company.director)
    _upload(client, reverse("imports:list"), "accounts", ACCOUNTS.replace("énorme", ""))
    job = ImportJob.objects.get()
    detail = reverse("imports:detail", args=[job.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(detail, _mapping_post(job, domain="Site"))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.QUEUED and len(callbacks) == 1
    progress = client.get(reverse("imports:progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in progress.content.decode()
    assert "HX-Refresh" not in progress
    callbacks[0]()  # the worker (the immediate backend in tests) runs the task
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED and import_job_progress(job).percent == 100
    done = client.get(reverse("imports:progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:run", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and Account.objects.count() == 3


def test_who_may_use_the_import_pages(company: Company) -> None:
    assert _client(company.marketing).get(reverse("imports:list")).status_code == 404
    # A partner admin is sent to its own pages; its jobs are its own.
    admin = _client(company.partner_a_admin)
    assert admin.get(reverse("imports:list")).status_code == 404  # staff paths are not theirs
    assert admin.get(reverse("portal:imports:list")).status_code == 200
    assert _client(company.partner_a_user).get(reverse("portal:imports:list")).status_code == 404
    assert _client(company.director).get(reverse("portal:imports:list")).status_code == 302
    _upload(_client(company.rep), reverse("imports:list"), "accounts", ACCOUNTS)
    theirs = ImportJob.objects.get()
    assert (
        _client(company.manager).get(reverse("imports:detail", args=[theirs.pk])).status_code == 404
    )
    # A rep does not import deals (the director's history import).
    response = _upload(_client(company.rep), reverse("imports:list"), "deals", ACCOUNTS)
    assert response.status_code == 200 and ImportJob.objects.count() == 1


def test_a_partner_admin_imports_contacts_into_its_own_partner(company: Company) -> None:
    client = _client(company.partner_a_admin)
    text = (
        "Prénom;Nom;Email;Partenaire\nLéa;Petit;lea@alpha.fr;\nMax;Roux;max@x.fr;Beta Integration\n"
    )
    url = reverse("portal:imports:list")
    # Accounts are not theirs to import: the choice is not offered.
    assert _upload(client, url, "accounts", text).status_code == 200
    assert not ImportJob.objects.exists()
    response = _upload(client, url, "contacts", text)
    job = ImportJob.objects.get()
    assert job.partner == company.partner_a
    assert response.url == reverse("portal:imports:detail", args=[job.pk])
    client.post(reverse("portal:imports:detail", args=[job.pk]), _mapping_post(job))
    job.refresh_from_db()
    assert [(e["line"], e["column"]) for e in job.report["errors"]] == [(3, "Partenaire")]
    client.post(reverse("portal:imports:run", args=[job.pk]), {"valid_only": "on"})
    assert list(Contact.objects.values_list("email", "partner")) == [
        ("lea@alpha.fr", company.partner_a.pk)
    ]
    # Another partner's admin sees none of it.
    other = company.partner_b_user
    other.role = other.Role.PARTNER_ADMIN
    other.save()
    forbidden = _client(other).get(reverse("portal:imports:detail", args=[job.pk]))
    assert forbidden.status_code == 404
    assert _client(other).get(reverse("portal:imports:errors", args=[job.pk])).status_code == 404


def test_an_xlsx_file_without_a_required_column_is_mapped_on_the_page(company: Company) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Firm", "Web", "Secteur"])
    sheet.append(["Acme", "acme.fr", "Robots"])
    data = io.BytesIO()
    book.save(data)
    client = _client(company.director)
    upload = SimpleUploadedFile("accounts.xlsx", data.getvalue())
    client.post(reverse("imports:list"), {"kind": "accounts", "file": upload})
    job = ImportJob.objects.get()
    assert job.mapping == {"industry": "Secteur"}  # neither name nor domain recognised
    detail = reverse("imports:detail", args=[job.pk])
    page = client.post(detail, _mapping_post(job), follow=True).content.decode()
    assert "No column found for: name / domain" in page
    client.post(detail, _mapping_post(job, name="Firm", domain="Web"))
    client.post(reverse("imports:run", args=[job.pk]))
    assert Account.objects.get(domain="acme.fr").industry == "Robots"


def test_old_jobs_and_their_files_are_pruned_and_a_crash_fails_the_job(company: Company) -> None:
    import datetime as dt

    from django.utils import timezone

    from dirco.imports.services import import_job_run, import_jobs_prune

    client = _client(company.director)
    _upload(client, reverse("imports:list"), "accounts", ACCOUNTS)
    job = ImportJob.objects.get()
    storage, name = job.file.storage, job.file.name
    assert storage.exists(name)
    # A broken file under a running job: the job fails, it does not stay running.
    storage.delete(name)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    failed = import_job_run(job_id=job.pk)
    assert failed.status == ImportJob.Status.FAILED and failed.message
    _upload(client, reverse("imports:list"), "accounts", ACCOUNTS)
    recent = ImportJob.objects.latest("pk")
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
    assert import_jobs_prune() == 1
    assert list(ImportJob.objects.all()) == [recent] and storage.exists(recent.file.name)
