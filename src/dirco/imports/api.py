"""API: imports of CSV and XLSX files, the engine of the import pages and of ``dirco import``.

``POST /imports`` takes the file (multipart) with its kind and options, and checks it (a dry
run, the default) or imports it at once. A file of up to ``DIRCO_IMPORT_BACKGROUND_ROWS`` rows
runs in the request: the answer (201) is the finished job with its report. A larger one is
queued for the task worker: the answer is 202 with the job's URL (``Location``), which the
client polls (``status``, ``progress``) until it is finished. ``GET /imports/{id}/errors`` is
the refused rows as CSV, to correct and send again. ``/import-mappings`` lists, saves and
deletes the saved column mappings a job may name. Who may import what is
``imports.permissions``, as on the pages: a partner admin imports only into its own partner.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from dirco.api.auth import request_user
from dirco.api.errors import ErrorOut
from dirco.api.pagination import Page, PageParams, paginate
from dirco.api.schemas import Id, InputSchema, Name, StrictBool, choices_schema
from dirco.core.errors import ApplicationError
from dirco.imports.engine import ImportReport
from dirco.imports.models import ImportJob, ImportMapping, ImportObject
from dirco.imports.permissions import (
    get_import_job_for_user,
    get_import_mapping_for_user,
    import_can_run,
    import_can_use,
    import_jobs_visible_to,
    import_mapping_can_change,
    import_mappings_visible_to,
)
from dirco.imports.progress import import_job_progress
from dirco.imports.reading import MAX_BYTES
from dirco.imports.services import (
    import_job_configure,
    import_job_error_file,
    import_job_start,
    import_job_submit,
    import_mapping_delete,
    import_mapping_for,
    import_mapping_save,
)

router = Router(tags=["imports"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
# The refused rows listed in an answer; the error file has them all.
ERRORS_IN_ANSWER = 1000
MAPPING_MAX = 10_000

ImportKindField = Annotated[ImportObject, choices_schema(ImportObject, "ImportKind")]
ImportStatusField = Annotated[ImportJob.Status, choices_schema(ImportJob.Status, "ImportJobStatus")]


class ImportRowErrorOut(Schema):
    line: int = Field(description="The file's line (the header is line 1).")
    column: str
    message: str


class ImportReportOut(Schema):
    rows: int
    created: int
    updated: int
    accounts_created: int
    skipped: int = Field(description="Rows refused (not written).")
    dry_run: bool
    written: bool
    mapping: dict[str, str] = Field(description="Field -> the file's column, as used.")
    notes: list[str] = Field(description="What the import assumed, e.g. a default country.")
    errors: list[ImportRowErrorOut] = Field(
        description=f"The first {ERRORS_IN_ANSWER} refused rows; the error file has them all."
    )
    errors_total: int


class ImportProgressOut(Schema):
    done: int
    total: int
    percent: int


class ImportJobOut(Schema):
    id: int
    kind: str
    status: str
    file_name: str
    rows: int
    dry_run: bool
    valid_only: bool
    create_accounts: bool
    mapping: dict[str, str]
    progress: ImportProgressOut
    report: ImportReportOut | None
    message: str = Field(description="Why the import failed, when it did.")
    url: str
    errors_url: str | None = Field(description="The refused rows as CSV, when there are some.")
    created_at: dt.datetime
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_progress(obj: ImportJob) -> dict[str, int]:
        progress = import_job_progress(obj)
        return {"done": progress.done, "total": progress.total, "percent": progress.percent}

    @staticmethod
    def resolve_report(obj: ImportJob) -> dict[str, Any] | None:
        if not obj.report:
            return None
        report = ImportReport.from_dict(obj.report)
        return {
            **report.as_dict(),
            "errors": [e.__dict__ for e in report.errors[:ERRORS_IN_ANSWER]],
            "errors_total": len(report.errors),
        }

    @staticmethod
    def resolve_url(obj: ImportJob) -> str:
        return reverse("api:import_detail", kwargs={"job_id": obj.pk})

    @staticmethod
    def resolve_errors_url(obj: ImportJob) -> str | None:
        if not (obj.report or {}).get("errors"):
            return None
        return reverse("api:import_errors", kwargs={"job_id": obj.pk})


class ImportIn(InputSchema):
    kind: ImportKindField
    dry_run: bool = Field(True, description="Check only (the default); false imports.")
    valid_only: bool = Field(
        False, description="Import the valid rows and report the others (default: all or none)."
    )
    mapping: str = Field(
        "",
        max_length=MAPPING_MAX,
        description="The name of a saved mapping, or a JSON object of field to column "
        '({"amount": "Montant HT"}); the rest is guessed from the headers.',
    )
    create_missing: Literal["", "accounts"] = Field(
        "", description="accounts: create the accounts a deals file names that do not exist."
    )


class ImportRunIn(InputSchema):
    dry_run: StrictBool = Field(True, description="Check again, or (false) import.")
    valid_only: StrictBool | None = Field(None, description="Omitted: as the job says.")


class ImportMappingOut(Schema):
    id: int
    name: str
    kind: str
    columns: dict[str, str]
    updated_at: dt.datetime


class ImportMappingIn(InputSchema):
    kind: ImportKindField
    name: Annotated[Name, Field(min_length=1, max_length=100)] = Field(
        description="A name in use for this kind replaces that mapping."
    )
    columns: dict[Name, Name] = Field(
        description='Field -> the file\'s column, e.g. {"amount": "Montant HT"}; the fields '
        "are the kind's own, as in an import job's mapping (an unknown one is an error that "
        "lists them)."
    )


class ImportJobFilters(Schema):
    kind: ImportKindField | None = None
    status: ImportStatusField | None = None


class ImportMappingFilters(Schema):
    kind: ImportKindField | None = None


def _importer(request: HttpRequest) -> Any:
    user = request_user(request)
    if not import_can_use(user=user):
        raise PermissionDenied(_("Your role imports nothing."))
    return user


def _mapping_parse(
    raw: str, *, user: Any, kind: str
) -> tuple[ImportMapping | None, dict[str, str]]:
    """``mapping``: a saved mapping's name, or a JSON object of field to column."""
    raw = raw.strip()
    if not raw:
        return None, {}
    if not raw.startswith("{"):
        return import_mapping_for(user=user, kind=kind, name=raw), {}
    try:
        given = json.loads(raw)
    except ValueError:
        given = None
    if not isinstance(given, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in given.items()
    ):
        raise ApplicationError(
            _("The mapping is not a JSON object of field to column."),
            fields={"mapping": [_('Write it as {"field": "column"}, both as text.')]},
        )
    return None, given


def _job_answer(job: ImportJob) -> Any:
    """201 with the finished job, or 202 while the worker has it."""
    return Status(202 if job.busy else 201, job)


@router.post(
    "/imports",
    response={201: ImportJobOut, 202: ImportJobOut, **ERRORS},
    summary="Import a CSV or XLSX file (a check by default; large files in the background)",
)
def import_create_endpoint(
    request: HttpRequest, payload: Form[ImportIn], file: File[UploadedFile], response: HttpResponse
) -> Any:
    """201: the file ran in the request; the job has its report. 202: it is queued for the
    task worker; poll the job at ``Location`` (``status``, ``progress``) until it is
    ``checked``, ``done``, ``refused`` or ``failed``."""
    user = _importer(request)
    kind = ImportObject(payload.kind).value
    if not import_can_run(user=user, kind=kind):
        raise PermissionDenied(_("You may not import these records."))
    if (file.size or 0) > MAX_BYTES:
        raise ApplicationError(
            _("The file is over %(max)s MB: split it.") % {"max": MAX_BYTES // (1024 * 1024)},
            fields={"file": [_("Too large.")]},
        )
    saved, given = _mapping_parse(payload.mapping, user=user, kind=kind)
    try:
        job = import_job_submit(
            user=user,
            kind=kind,
            data=file.read(),
            file_name=file.name or "import.csv",
            saved=saved,
            mapping=given,
            dry_run=payload.dry_run,
            valid_only=payload.valid_only,
            create_accounts=payload.create_missing == "accounts",
        )
    except ApplicationError as exc:
        # The file or its mapping: say which field to correct.
        raise ApplicationError(exc.message, fields=exc.fields or {"file": [exc.message]}) from None
    job.refresh_from_db()
    response["Location"] = ImportJobOut.resolve_url(job)
    return _job_answer(job)


@router.get("/imports", response={200: Page[ImportJobOut], **ERRORS}, summary="My imports")
def import_list_endpoint(
    request: HttpRequest, filters: Query[ImportJobFilters], page: Query[PageParams]
) -> Any:
    qs = import_jobs_visible_to(_importer(request))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return paginate(request, qs, order=("-created_at", "-id"), params=page)


@router.get(
    "/imports/{job_id}",
    response={200: ImportJobOut, **ERRORS},
    summary="An import: status, progress and report",
    url_name="import_detail",
)
def import_detail_endpoint(request: HttpRequest, job_id: Id) -> Any:
    return get_import_job_for_user(user=_importer(request), job_id=job_id)


@router.post(
    "/imports/{job_id}/run",
    response={201: ImportJobOut, 202: ImportJobOut, **ERRORS},
    summary="Check a kept file again, or import it (after a check, as on the pages)",
)
def import_run_endpoint(
    request: HttpRequest, job_id: Id, payload: ImportRunIn, response: HttpResponse
) -> Any:
    user = _importer(request)
    job = get_import_job_for_user(user=user, job_id=job_id)
    if payload.valid_only is not None:
        job = import_job_configure(
            job=job,
            user=user,
            mapping=job.mapping,
            valid_only=payload.valid_only,
            create_accounts=job.create_accounts,
        )
    job = import_job_start(job=job, user=user, dry_run=payload.dry_run)
    job.refresh_from_db()
    response["Location"] = ImportJobOut.resolve_url(job)
    return _job_answer(job)


@router.get(
    "/imports/{job_id}/errors",
    response={200: None, **ERRORS},
    summary="The refused rows as CSV (the file's columns, plus what is wrong)",
    url_name="import_errors",
    openapi_extra={
        "responses": {
            200: {
                "description": "The refused rows",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    },
)
def import_errors_endpoint(request: HttpRequest, job_id: Id) -> Any:
    job = get_import_job_for_user(user=_importer(request), job_id=job_id)
    if not job.report or not job.report.get("errors"):
        raise Http404("No refused rows.")
    answer = HttpResponse(import_job_error_file(job), content_type="text/csv; charset=utf-8")
    answer["Content-Disposition"] = f'attachment; filename="errors-{job.pk}.csv"'
    return answer


@router.get(
    "/import-mappings",
    response={200: Page[ImportMappingOut], **ERRORS},
    summary="Saved column mappings (the company's, or my partner's)",
)
def import_mapping_list_endpoint(
    request: HttpRequest, filters: Query[ImportMappingFilters], page: Query[PageParams]
) -> Any:
    qs = import_mappings_visible_to(_importer(request))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return paginate(request, qs, order=("name", "id"), params=page)


@router.post(
    "/import-mappings",
    response={200: ImportMappingOut, **ERRORS},
    summary="Save a column mapping (a name in use for the kind replaces that one)",
)
def import_mapping_save_endpoint(request: HttpRequest, payload: ImportMappingIn) -> Any:
    user = _importer(request)
    kind = ImportObject(payload.kind).value
    if not import_can_run(user=user, kind=kind):
        raise PermissionDenied(_("You may not import these records."))
    return import_mapping_save(user=user, kind=kind, name=payload.name, columns=payload.columns)


@router.delete(
    "/import-mappings/{mapping_id}",
    response={204: None, **ERRORS},
    summary="Delete a saved column mapping (the imports that used it keep their columns)",
)
def import_mapping_delete_endpoint(request: HttpRequest, mapping_id: Id) -> Any:
    user = _importer(request)
    mapping = get_import_mapping_for_user(user=user, mapping_id=mapping_id)
    if not import_mapping_can_change(user=user, mapping=mapping):
        raise PermissionDenied(_("You may not import these records."))
    import_mapping_delete(user=user, mapping=mapping)
    return Status(204, None)
