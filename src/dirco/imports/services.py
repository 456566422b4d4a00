"""Writes of the import pages: saved mappings, and import jobs from upload to report.

A job is uploaded (the file kept, its rows counted), then checked (a dry run) and imported
with the mapping chosen on the page. Both runs go through :func:`import_job_start`: a file
of up to ``DIRCO_IMPORT_BACKGROUND_ROWS`` rows runs in the request; a larger one is queued
for the task worker (``import_job_task``) and the page polls its progress.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import logging
import time
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dirco.accounts.models import User
from dirco.core.errors import ApplicationError
from dirco.core.exports import cell_neutralise
from dirco.imports.engine import ImportReport, import_run, mapping_guess, mapping_resolve
from dirco.imports.kinds import import_kind
from dirco.imports.models import ImportJob, ImportMapping
from dirco.imports.permissions import (
    import_can_run,
    import_mapping_can_change,
    import_mappings_visible_to,
    import_partner_of,
)
from dirco.imports.progress import ProgressChannel
from dirco.imports.reading import Table, cell_text, read_table

PREVIEW_ROWS = 5
# A running job reports its progress at most this often.
PROGRESS_EVERY_SECONDS = 0.5
logger = logging.getLogger("dirco.imports")


def _check_can_run(user: User, kind: str) -> None:
    if not import_can_run(user=user, kind=kind):
        raise ApplicationError(_("You may not import these records."))


@transaction.atomic
def import_mapping_save(
    *, user: User, kind: str, name: str, columns: dict[str, str]
) -> ImportMapping:
    """Save (or replace) the mapping ``name`` of ``kind`` for the user's company (staff) or
    partner; the columns are field -> header, the fields the kind's own."""
    _check_can_run(user, kind)
    name = name.strip()[:100]
    if not name:
        raise ApplicationError(
            _("Give the mapping a name."), fields={"mapping_name": [_("This field is required.")]}
        )
    fields = set(import_kind(kind).synonyms)
    unknown = sorted(set(columns) - fields)
    if unknown:
        raise ApplicationError(
            _("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown)},
            fields={
                "columns": [
                    _("The fields of this kind: %(fields)s.")
                    % {"fields": ", ".join(sorted(fields))}
                ]
            },
        )
    columns = {f: str(h) for f, h in columns.items() if h}
    if not columns:
        raise ApplicationError(
            _("The mapping names no column."),
            fields={"columns": [_("Map at least one field to a column of the file.")]},
        )
    mapping = import_mappings_visible_to(user).filter(kind=kind, name=name).first()
    if mapping is None:
        mapping = ImportMapping(kind=kind, name=name, partner=import_partner_of(user))
    mapping.columns = columns
    mapping.owner = user
    mapping.full_clean()
    mapping.save()
    return mapping


def _job_table(job: ImportJob) -> Table:
    with job.file.open("rb") as handle:
        data = handle.read()
    return read_table(data, name=job.file_name)


@transaction.atomic
def import_job_create(
    *, user: User, kind: str, data: bytes, file_name: str, mapping: ImportMapping | None = None
) -> ImportJob:
    """Keep an uploaded file for import: it must read (CSV or XLSX within the limits) and
    have rows; the mapping starts as the saved one given, over the guess from its headers."""
    _check_can_run(user, kind)
    # The name as the user's system gave it, without what no name holds (NUL, newlines).
    file_name = "".join(c for c in file_name if c.isprintable()).strip()[-255:] or "import.csv"
    table = read_table(data, name=file_name)
    rows = sum(1 for r in table.rows if r)
    if not rows:
        raise ApplicationError(_("The file has no rows under its header line."))
    if mapping is not None and mapping.kind != kind:
        raise ApplicationError(_("This saved mapping is for another kind of records."))
    given = {f: h for f, h in (mapping.columns if mapping else {}).items() if h in table.headers}
    # What the headers say, the saved mapping over it; a required field still missing is
    # for the page to complete (the check refuses it until then).
    chosen = {**mapping_guess(table.headers, import_kind(kind).synonyms), **given}
    job = ImportJob(
        kind=kind,
        user=user,
        partner=import_partner_of(user),
        file_name=file_name[:255],
        rows=rows,
        mapping=chosen or {},
        headers=list(table.headers),
        preview=[
            [cell_text(c) for c in r]
            for r in itertools.islice(filter(None, table.rows), PREVIEW_ROWS)
        ],
    )
    job.file.save(file_name[-100:] or "import.csv", ContentFile(data), save=False)
    job.save()
    return job


def import_job_preview(job: ImportJob) -> tuple[list[str], list[list[str]]]:
    """The file's headers and first rows, as text (kept at upload)."""
    return list(job.headers), list(job.preview)


@transaction.atomic
def import_job_configure(
    *,
    job: ImportJob,
    user: User,
    mapping: dict[str, str],
    valid_only: bool = False,
    create_accounts: bool = False,
) -> ImportJob:
    """Set the job's mapping and options (refused while it runs or once imported)."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.user_id != user.pk:
        raise ApplicationError(_("This import is not yours."))
    if job.busy or job.status == ImportJob.Status.DONE:
        raise ApplicationError(_("This import is running or done: it cannot change."))
    mapping_resolve(import_kind(job.kind), list(job.headers), mapping)
    job.mapping = {f: h for f, h in mapping.items() if h}
    job.valid_only = valid_only
    job.create_accounts = create_accounts and job.kind == "deals"
    job.save(update_fields=["mapping", "valid_only", "create_accounts", "updated_at"])
    return job


def import_job_start(
    *, job: ImportJob, user: User, dry_run: bool, check_first: bool = True
) -> ImportJob:
    """Check (``dry_run``) or import the file: at once for a small file, by the task worker
    for a large one (the job is then QUEUED; the page polls it).

    The pages check a file before they import it (``check_first``); the API and the command
    may import at once, the import then being its own check (all or nothing, or the valid
    rows only, with the same report)."""
    from dirco.imports.tasks import import_job_task

    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        _check_can_run(user, job.kind)
        if job.user_id != user.pk:
            raise ApplicationError(_("This import is not yours."))
        if job.busy:
            raise ApplicationError(_("This import is already running."))
        if job.status == ImportJob.Status.DONE:
            raise ApplicationError(_("This file was imported already: upload it again."))
        if not dry_run and check_first and job.status != ImportJob.Status.CHECKED:
            raise ApplicationError(_("Check the file (dry run) before importing it."))
        job.dry_run = dry_run
        job.progress_done, job.progress_total = 0, job.rows
        background = job.rows > settings.DIRCO_IMPORT_BACKGROUND_ROWS
        job.status = ImportJob.Status.QUEUED if background else ImportJob.Status.RUNNING
        job.save(
            update_fields=["dry_run", "progress_done", "progress_total", "status", "updated_at"]
        )
        if background:
            job_id = job.pk
            transaction.on_commit(lambda: import_job_task.enqueue(job_id=job_id))
            return job
    return import_job_run(job_id=job.pk)


@transaction.atomic
def import_mapping_delete(*, user: User, mapping: ImportMapping) -> None:
    """Delete a saved mapping (the imports that used it keep their own copy of the columns)."""
    if not import_mapping_can_change(user=user, mapping=mapping):
        raise ApplicationError(_("You may not import these records."))
    ImportMapping.objects.filter(pk=mapping.pk).delete()


def import_mapping_for(*, user: User, kind: str, name: str) -> ImportMapping:
    """The saved mapping ``name`` of ``kind`` among those ``user`` shares, or a field error."""
    saved = import_mappings_visible_to(user).filter(kind=kind, name=name.strip()).first()
    if saved is None:
        raise ApplicationError(
            _("No saved mapping of %(kind)s is named “%(name)s”.")
            % {"kind": import_kind(kind).label(), "name": name},
            fields={"mapping": [_("Give the name of a saved mapping, or a JSON object.")]},
        )
    return saved


def import_job_submit(
    *,
    user: User,
    kind: str,
    data: bytes,
    file_name: str,
    saved: ImportMapping | None = None,
    mapping: dict[str, str] | None = None,
    dry_run: bool = True,
    valid_only: bool = False,
    create_accounts: bool = False,
) -> ImportJob:
    """A file from upload to report in one call (the API): kept as a job, mapped (the guess
    from its headers, the ``saved`` mapping over it, then ``mapping``), then checked
    (``dry_run``) or imported at once, in the call for a small file, by the task worker for
    a large one. A file that cannot be mapped is refused and not kept."""
    _check_can_run(user, kind)
    job = import_job_create(user=user, kind=kind, data=data, file_name=file_name, mapping=saved)
    try:
        job = import_job_configure(
            job=job,
            user=user,
            mapping={**job.mapping, **(mapping or {})},
            valid_only=valid_only,
            create_accounts=create_accounts,
        )
    except ApplicationError as exc:
        job.file.delete(save=False)
        job.delete()
        raise ApplicationError(
            exc.message, fields=exc.fields or {"mapping": [exc.message]}
        ) from None
    return import_job_start(job=job, user=user, dry_run=dry_run, check_first=False)


def import_job_run(*, job_id: int) -> ImportJob:
    """Run a started job (in the request, or as the worker's task; a task run again after
    a lost worker starts over: the import is one transaction, so nothing was kept)."""
    job = ImportJob.objects.select_related("user", "partner").get(pk=job_id)
    if job.status not in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING):
        return job
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    # Outside the import's transaction: the bar advances while the rows are written too.
    channel = ProgressChannel(job_id)
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_EVERY_SECONDS:
            return
        last[0] = now
        channel.write(done, total)

    try:
        if not import_can_run(user=job.user, kind=job.kind):
            raise ApplicationError(_("You may not import these records."))
        table = _job_table(job)
        report = import_run(
            import_kind(job.kind),
            table,
            user=job.user,
            default_owner=job.user,
            mapping=job.mapping,
            dry_run=job.dry_run,
            valid_only=job.valid_only,
            create_accounts=job.create_accounts,
            partner=job.partner if import_partner_of(job.user) else None,
            progress=progress,
        )
    except ApplicationError as exc:
        job.status, job.message = ImportJob.Status.FAILED, exc.message
    except Exception:
        # Nothing was written (one transaction); the job must not stay RUNNING for ever.
        logger.exception("import job %s failed", job_id)
        job.status = ImportJob.Status.FAILED
        job.message = _("The import failed unexpectedly: nothing was written. Try again.")
    else:
        job.report = report.as_dict()
        job.message = ""
        if job.dry_run:
            job.status = ImportJob.Status.CHECKED
        else:
            job.status = ImportJob.Status.DONE if report.written else ImportJob.Status.REFUSED
    job.progress_done = job.progress_total
    job.finished_at = timezone.now()
    job.save(
        update_fields=[
            "status",
            "report",
            "message",
            "progress_done",
            "finished_at",
            "updated_at",
        ]
    )
    channel.close()  # after the final save: a reader never falls back to older figures
    return job


def import_job_error_file(job: ImportJob) -> bytes:
    """The refused rows of the job's last run as CSV: the file's own columns and delimiter,
    plus one column saying what is wrong, to correct and import again."""
    report = ImportReport.from_dict(job.report or {})
    table = _job_table(job)
    by_line: dict[int, list[str]] = {}
    for e in report.errors:
        by_line.setdefault(e.line, []).append(f"{e.column}: {e.message}" if e.column else e.message)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=table.delimiter or ",")
    writer.writerow([*[cell_neutralise(h) for h in table.headers], _("Errors")])
    for line in sorted(by_line):
        cells: list[Any] = table.rows[line - 2] if 0 <= line - 2 < len(table.rows) else []
        text = [str(cell_neutralise(str(c) if c is not None else "")) for c in cells]
        writer.writerow([*text, " | ".join(by_line[line])])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def import_jobs_prune(*, now: dt.datetime | None = None) -> int:
    """Delete the jobs (and their uploaded files) older than ``DIRCO_IMPORT_KEEP_DAYS``: a
    file of customer data is not kept longer than its import needs. Returns how many."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.DIRCO_IMPORT_KEEP_DAYS)
    count = 0
    for job in ImportJob.objects.filter(created_at__lt=cutoff).exclude(
        status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]
    ):
        job.file.delete(save=False)
        job.delete()
        count += 1
    return count
