"""The import API: the engine of the pages and the command behind POST /api/v1/imports, small
files answered at once, large ones through the task worker (202 and the job's URL), the
refused rows as CSV, saved mappings; the pages' permissions (a partner admin imports only
into its own partner), the forbidden users beside the allowed ones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from dirco.accounts.models import User
from dirco.api.tests.clients import AUTH_KINDS, client_for, error_fields
from dirco.catalog.tests.factories import ProductLineFactory
from dirco.conftest import Company
from dirco.customers.models import Account
from dirco.imports.models import ImportJob, ImportMapping
from dirco.partners.models import Contact
from dirco.partners.tests.factories import TerritoryFactory

pytestmark = pytest.mark.django_db

ACCOUNTS = (
    "Réf;Société;Site web;Taille\n"
    "A-1;Acme Industrie;acme.fr;\n"
    "A-2;Bolt SAS;bolt.fr;énorme\n"
    "A-3;Cogs;cogs.fr;\n"
)
GOOD_ACCOUNTS = ACCOUNTS.replace("énorme", "")


@pytest.fixture(autouse=True)
def _setting(company: Company, settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    ProductLineFactory(name="Automation")
    TerritoryFactory(code="fr", name="France")


@pytest.fixture(params=AUTH_KINDS)
def auth_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _post(client: Client, text: str, kind: str = "accounts", **fields: Any) -> Any:
    data = {
        "kind": kind,
        "file": SimpleUploadedFile("export.csv", text.encode("cp1252"), "text/csv"),
        **{k: str(v).lower() if isinstance(v, bool) else v for k, v in fields.items()},
    }
    return client.post("/api/v1/imports", data)


def test_a_small_file_is_checked_then_imported_in_the_request(
    company: Company, auth_kind: str
) -> None:
    client = client_for(auth_kind, company.director)
    check = _post(client, ACCOUNTS)
    assert check.status_code == 201, check.content
    body = check.json()
    assert check["Location"] == f"/api/v1/imports/{body['id']}" == body["url"]
    assert body["status"] == "checked" and body["dry_run"] is True
    assert body["progress"]["percent"] == 100
    report = body["report"]
    assert (report["rows"], report["created"], report["skipped"]) == (3, 2, 1)
    assert report["errors"] == [
        {"line": 3, "column": "Taille", "message": report["errors"][0]["message"]}
    ]
    assert report["errors_total"] == 1 and report["mapping"]["domain"] == "Site web"
    assert not Account.objects.exists()  # a dry run writes nothing
    # The refused rows, as CSV, to correct and send again.
    errors = client.get(body["errors_url"])
    assert errors.status_code == 200 and errors["Content-Type"].startswith("text/csv")
    text = errors.content.decode("utf-8-sig")
    assert "Bolt SAS" in text and "Acme" not in text
    # All or nothing: the bad row refuses the file; the valid rows only, on request.
    refused = _post(client, ACCOUNTS, dry_run=False)
    assert refused.status_code == 201 and refused.json()["status"] == "refused"
    assert not Account.objects.exists()
    done = _post(client, ACCOUNTS, dry_run=False, valid_only=True)
    assert done.status_code == 201 and done.json()["status"] == "done"
    assert done.json()["report"]["written"] is True
    assert set(Account.objects.values_list("domain", flat=True)) == {"acme.fr", "cogs.fr"}


def test_a_checked_file_is_imported_by_run(company: Company) -> None:
    client = client_for("token", company.rep)
    job = _post(client, GOOD_ACCOUNTS).json()
    assert job["status"] == "checked"
    run = client.post(
        f"/api/v1/imports/{job['id']}/run", {"dry_run": False}, content_type="application/json"
    )
    assert run.status_code == 201 and run.json()["status"] == "done"
    assert Account.objects.filter(owner=company.rep).count() == 3
    again = client.post(
        f"/api/v1/imports/{job['id']}/run", {"dry_run": False}, content_type="application/json"
    )
    assert again.status_code == 400 and "upload it again" in again.json()["detail"]


@override_settings(DIRCO_IMPORT_BACKGROUND_ROWS=2)
def test_a_large_file_is_queued_and_answers_202(
    company: Company, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for("token", company.director)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _post(client, GOOD_ACCOUNTS, dry_run=False)
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "queued" and body["report"] is None
    assert response["Location"] == body["url"] and len(callbacks) == 1
    callbacks[0]()  # the worker (the immediate backend in tests) runs the task
    polled = client.get(body["url"]).json()
    assert polled["status"] == "done" and polled["progress"]["percent"] == 100
    assert polled["report"]["created"] == 3 and Account.objects.count() == 3
    listed = client.get("/api/v1/imports?status=done").json()["items"]
    assert [j["id"] for j in listed] == [body["id"]]


def test_mapping_by_json_or_saved_name_and_its_errors(company: Company) -> None:
    client = client_for("token", company.director)
    renamed = GOOD_ACCOUNTS.replace("Site web", "Web")
    unmapped = _post(client, renamed.replace("Société", "Qui"))
    assert unmapped.status_code == 400 and "mapping" in error_fields(unmapped)
    by_json = _post(client, renamed, mapping=json.dumps({"domain": "Web"}))
    assert by_json.status_code == 201 and by_json.json()["mapping"]["domain"] == "Web"
    ImportMapping.objects.create(kind="accounts", name="CRM export", columns={"domain": "Web"})
    by_name = _post(client, renamed, mapping="CRM export")
    assert by_name.status_code == 201 and by_name.json()["mapping"]["domain"] == "Web"
    for bad in ("Nope", "[1, 2]", '{"domain": 3}', '{"domain": "No such column"}', "{"):
        response = _post(client, renamed, mapping=bad)
        assert response.status_code == 400, bad
        assert "mapping" in error_fields(response), bad
    not_a_file = _post(client, "just one line, no rows\n")
    assert not_a_file.status_code == 400 and "file" in error_fields(not_a_file)
    wrong_kind = _post(client, renamed, kind="widgets")
    assert wrong_kind.status_code == 400 and "kind" in error_fields(wrong_kind)
    # Refused files are not kept.
    assert ImportJob.objects.count() == 2
    mappings = client.get("/api/v1/import-mappings?kind=accounts").json()["items"]
    assert [m["name"] for m in mappings] == ["CRM export"]


CONTACTS = "Nom;Prénom;Email\nMartin;Léa;lea@client.example\n"


def test_a_partner_admin_imports_into_its_own_partner_only(
    company: Company, auth_kind: str
) -> None:
    admin = client_for(auth_kind, company.partner_a_admin)
    response = _post(admin, CONTACTS, kind="contacts", dry_run=False)
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "done"
    contact = Contact.objects.get(email="lea@client.example")
    assert contact.partner == company.partner_a
    # Not accounts, and not for its users without the admin role, nor for marketing.
    assert _post(admin, GOOD_ACCOUNTS).status_code == 403
    for user in (company.partner_a_user, company.partner_b_user, company.marketing):
        client = client_for(auth_kind, user)
        refused = _post(client, CONTACTS, kind="contacts", dry_run=False)
        assert refused.status_code == 403
        error_fields(refused)
        assert client.get("/api/v1/imports").status_code == 403
        assert client.get("/api/v1/import-mappings").status_code == 403
    assert Contact.objects.count() == 1


def test_one_s_imports_are_one_s_own(company: Company) -> None:
    director = client_for("token", company.director)
    job = _post(director, ACCOUNTS).json()
    others: list[User] = [company.rep, company.manager, company.partner_a_admin]
    for user in others:
        client = client_for("token", user)
        assert client.get(f"/api/v1/imports/{job['id']}").status_code == 404
        assert client.get(f"/api/v1/imports/{job['id']}/errors").status_code == 404
        run = client.post(
            f"/api/v1/imports/{job['id']}/run", {"dry_run": True}, content_type="application/json"
        )
        assert run.status_code == 404
        assert client.get("/api/v1/imports").json()["items"] == []
    assert director.get(f"/api/v1/imports/{job['id']}").status_code == 200


def test_an_upload_honours_the_idempotency_key(company: Company) -> None:
    client = client_for("token", company.director)
    first = client.post(
        "/api/v1/imports",
        {"kind": "accounts", "file": SimpleUploadedFile("a.csv", GOOD_ACCOUNTS.encode())},
        headers={"Idempotency-Key": "upload-1"},
    )
    assert first.status_code == 201
    replay = client.post(
        "/api/v1/imports",
        {"kind": "accounts", "file": SimpleUploadedFile("a.csv", GOOD_ACCOUNTS.encode())},
        headers={"Idempotency-Key": "upload-1"},
    )
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == first.json()["id"] and ImportJob.objects.count() == 1
    other = client.post(
        "/api/v1/imports",
        {"kind": "accounts", "file": SimpleUploadedFile("a.csv", ACCOUNTS.encode())},
        headers={"Idempotency-Key": "upload-1"},
    )
    assert other.status_code == 422 and "Idempotency-Key" in error_fields(other)


def _save(client: Client, **body: Any) -> Any:
    return client.post("/api/v1/import-mappings", body, content_type="application/json")


def test_saved_mappings_are_saved_replaced_and_deleted_over_the_api(
    company: Company, auth_kind: str
) -> None:
    """A seller saves a mapping, the same name replaces it, an unknown field is an error
    that lists the kind's fields; deleting needs the right to import its kind, and another
    company's or partner's mapping is not there (404)."""
    rep = client_for(auth_kind, company.rep)
    saved = _save(rep, kind="contacts", name="CRM", columns={"last_name": "Nom"})
    assert saved.status_code == 200, saved.content
    assert saved.json()["columns"] == {"last_name": "Nom"}
    again = _save(rep, kind="contacts", name="CRM", columns={"email": "Courriel"})
    assert again.json()["id"] == saved.json()["id"]
    assert ImportMapping.objects.get().columns == {"email": "Courriel"}
    bad = _save(rep, kind="contacts", name="CRM", columns={"colour": "Couleur"})
    assert bad.status_code == 400 and "last_name" in error_fields(bad)["columns"][0]
    assert ImportMapping.objects.get().columns == {"email": "Courriel"}  # nothing half-written
    assert _save(rep, kind="contacts", name="", columns={"email": "Mail"}).status_code == 400
    empty = _save(rep, kind="contacts", name="Empty", columns={"email": ""})
    assert empty.status_code == 400 and "columns" in error_fields(empty)
    # Deals are the director's to import: a rep may neither save nor delete their mapping.
    amount = {"amount": "Montant"}
    assert _save(rep, kind="deals", name="History", columns=amount).status_code == 403
    director = client_for(auth_kind, company.director)
    deals = _save(director, kind="deals", name="History", columns=amount)
    assert deals.status_code == 200
    assert rep.delete(f"/api/v1/import-mappings/{deals.json()['id']}").status_code == 403
    # A partner's admin neither sees nor deletes the company's; its own are its partner's.
    admin_a = client_for(auth_kind, company.partner_a_admin)
    assert admin_a.delete(f"/api/v1/import-mappings/{saved.json()['id']}").status_code == 404
    own = _save(admin_a, kind="contacts", name="CRM", columns={"last_name": "Nom"})
    assert own.status_code == 200 and own.json()["id"] != saved.json()["id"]
    assert [m["name"] for m in admin_a.get("/api/v1/import-mappings").json()["items"]] == ["CRM"]
    assert rep.delete(f"/api/v1/import-mappings/{own.json()['id']}").status_code == 404
    for user in (company.partner_a_user, company.partner_b_user, company.marketing):
        other = client_for(auth_kind, user)
        assert other.delete(f"/api/v1/import-mappings/{own.json()['id']}").status_code in (
            403,
            404,
        )
        assert _save(other, kind="contacts", name="X", columns={"email": "M"}).status_code == 403
    assert admin_a.delete(f"/api/v1/import-mappings/{own.json()['id']}").status_code == 204
    assert rep.delete(f"/api/v1/import-mappings/{saved.json()['id']}").status_code == 204
    assert rep.delete(f"/api/v1/import-mappings/{saved.json()['id']}").status_code == 404
    assert list(ImportMapping.objects.values_list("name", flat=True)) == ["History"]


def test_the_import_page_lists_the_saved_mappings_and_deletes_one(company: Company) -> None:
    """The page's delete button is a form that works (followed here), shown only where the
    user may delete; the portal's page shows the partner's own mappings only."""
    import re

    from dirco.api.tests.clients import session_client

    ImportMapping.objects.create(kind="contacts", name="CRM contacts", columns={"email": "Mail"})
    deals = ImportMapping.objects.create(kind="deals", name="Old CRM deals", columns={})
    theirs = ImportMapping.objects.create(
        kind="contacts", name="Alpha export", columns={}, partner=company.partner_a
    )
    rep = session_client(company.rep)
    page = rep.get("/imports/").content.decode()
    assert "CRM contacts" in page and "Old CRM deals" in page and "Alpha export" not in page
    actions = re.findall(r'action="(/imports/mappings/\d+/delete/)"', page)
    assert actions == [
        f"/imports/mappings/{ImportMapping.objects.get(name='CRM contacts').pk}/delete/"
    ]
    done = rep.post(actions[0], follow=True)
    assert done.status_code == 200
    assert "Mapping “CRM contacts” deleted." in done.content.decode()
    assert not ImportMapping.objects.filter(name="CRM contacts").exists()
    # The rep may not delete the deals mapping, even by posting to it.
    refused = rep.post(f"/imports/mappings/{deals.pk}/delete/", follow=True)
    assert "You may not import these records." in refused.content.decode()
    assert ImportMapping.objects.filter(pk=deals.pk).exists()
    assert rep.post(f"/imports/mappings/{theirs.pk}/delete/").status_code == 404
    admin = session_client(company.partner_a_admin)
    portal = admin.get("/portal/imports/").content.decode()
    assert "Alpha export" in portal and "Old CRM deals" not in portal
    assert f'action="/portal/imports/mappings/{theirs.pk}/delete/"' in portal
    assert admin.post(f"/portal/imports/mappings/{deals.pk}/delete/").status_code == 404
    assert admin.post(f"/portal/imports/mappings/{theirs.pk}/delete/").status_code == 302
    assert not ImportMapping.objects.filter(pk=theirs.pk).exists()
