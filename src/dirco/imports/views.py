"""The import pages: upload a CSV or XLSX file, fix the guessed mapping, check (a dry run
listing every bad row), then import; a large file runs in the background with a progress
bar. Thin: services and permissions do the work. The staff pages are here; the portal's
(a partner admin's, into its own partner) are the same handlers under the portal's frame
(``dirco.portal.imports_views``), hence the ``Surface`` each handler is given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dirco.core.errors import ApplicationError
from dirco.core.text import TextRulesFormMixin
from dirco.imports.engine import ImportReport
from dirco.imports.kinds import import_kind
from dirco.imports.models import ImportJob, ImportObject
from dirco.imports.permissions import (
    get_import_job_for_user,
    get_import_mapping_for_user,
    import_can_use,
    import_jobs_visible_to,
    import_kinds_for,
    import_mapping_can_change,
    import_mappings_visible_to,
)
from dirco.imports.progress import import_job_progress
from dirco.imports.reading import MAX_BYTES
from dirco.imports.services import (
    import_job_configure,
    import_job_create,
    import_job_error_file,
    import_job_preview,
    import_job_start,
    import_mapping_delete,
    import_mapping_save,
)
from dirco.web.http import AuthedHttpRequest, staff_required

ERRORS_SHOWN = 500


@dataclass(frozen=True)
class Surface:
    """Where the pages are shown: the URL namespace and how a page is rendered."""

    namespace: str
    render: Callable[..., HttpResponse]
    base: str


def _staff_render(
    request: AuthedHttpRequest, template: str, context: dict[str, Any], **_kw: Any
) -> HttpResponse:
    return render(request, template, context)


STAFF = Surface("imports", _staff_render, "web/base.html")


class UploadForm(TextRulesFormMixin, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Records"))
    file = forms.FileField(
        label=gettext_lazy("File (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )
    mapping = forms.ChoiceField(label=gettext_lazy("Saved mapping"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(ImportObject.choices)
        kind, mapping = self.fields["kind"], self.fields["mapping"]
        assert isinstance(kind, forms.ChoiceField) and isinstance(mapping, forms.ChoiceField)
        kind.choices = [(k, labels[k]) for k in import_kinds_for(user)]
        saved = import_mappings_visible_to(user)
        mapping.choices = [("", _("Guess from the headers"))] + [
            (str(m.pk), f"{m.name} ({labels.get(m.kind, m.kind)})") for m in saved
        ]


def _allowed(request: AuthedHttpRequest) -> None:
    if not import_can_use(user=request.user):
        raise Http404("No imports here.")


def import_list(request: AuthedHttpRequest, surface: Surface) -> HttpResponse:
    _allowed(request)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        saved = None
        if form.cleaned_data["mapping"]:
            saved = import_mappings_visible_to(request.user).get(pk=form.cleaned_data["mapping"])
        try:
            if upload.size > MAX_BYTES:
                raise ApplicationError(
                    _("The file is over %(max)s MB: split it.")
                    % {"max": MAX_BYTES // (1024 * 1024)}
                )
            job = import_job_create(
                user=request.user,
                kind=form.cleaned_data["kind"],
                data=upload.read(),
                file_name=upload.name or "import.csv",
                mapping=saved,
            )
        except ApplicationError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect(f"{surface.namespace}:detail", job_id=job.pk)
    jobs = import_jobs_visible_to(request.user).select_related("user")[:20]
    mappings = [
        (m, import_mapping_can_change(user=request.user, mapping=m))
        for m in import_mappings_visible_to(request.user)
        .select_related("owner")
        .order_by("kind", "name", "id")
    ]
    return surface.render(
        request,
        "imports/import_list.html",
        {
            "form": form,
            "jobs": jobs,
            "mappings": mappings,
            "ns": surface.namespace,
            "base": surface.base,
        },
        section="imports",
    )


def import_mapping_remove(
    request: AuthedHttpRequest, mapping_id: int, surface: Surface
) -> HttpResponse:
    """Delete a saved mapping (from the list of the import page)."""
    _allowed(request)
    mapping = get_import_mapping_for_user(user=request.user, mapping_id=mapping_id)
    try:
        import_mapping_delete(user=request.user, mapping=mapping)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Mapping “%(name)s” deleted.") % {"name": mapping.name})
    return redirect(f"{surface.namespace}:list")


def _mapping_rows(job: ImportJob, headers: list[str]) -> list[dict[str, Any]]:
    kind = import_kind(job.kind)
    required = {f for group in kind.required for f in group}
    return [
        {
            "field": name,
            "label": label,
            "column": job.mapping.get(name, ""),
            "required": name in required,
        }
        for name, label in kind.field_labels().items()
    ]


def _context(job: ImportJob, surface: Surface) -> dict[str, Any]:
    headers, preview = import_job_preview(job)
    report = ImportReport.from_dict(job.report) if job.report else None
    return {
        "job": job,
        "ns": surface.namespace,
        "base": surface.base,
        "headers": headers,
        "preview": preview,
        "fields": _mapping_rows(job, headers),
        "report": report,
        "errors": report.errors[:ERRORS_SHOWN] if report else [],
        "errors_more": max(0, len(report.errors) - ERRORS_SHOWN) if report else 0,
        "kind_label": import_kind(job.kind).label(),
        "progress": import_job_progress(job),
    }


def import_detail(request: AuthedHttpRequest, job_id: int, surface: Surface) -> HttpResponse:
    """The job: its mapping (editable), preview, last check's report; POST saves the mapping
    and options and checks the file (a dry run)."""
    _allowed(request)
    job = get_import_job_for_user(user=request.user, job_id=job_id)
    if request.method == "POST":
        mapping = {f: request.POST.get(f"map_{f}", "") for f in import_kind(job.kind).synonyms}
        try:
            job = import_job_configure(
                job=job,
                user=request.user,
                mapping=mapping,
                valid_only=request.POST.get("valid_only") == "on",
                create_accounts=request.POST.get("create_accounts") == "on",
            )
            name = request.POST.get("mapping_name", "").strip()
            if name:
                import_mapping_save(
                    user=request.user, kind=job.kind, name=name, columns=job.mapping
                )
                messages.success(request, _("Mapping “%(name)s” saved.") % {"name": name})
            job = import_job_start(job=job, user=request.user, dry_run=True)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect(f"{surface.namespace}:detail", job_id=job.pk)
    return surface.render(
        request, "imports/import_detail.html", _context(job, surface), section="imports"
    )


def import_run(request: AuthedHttpRequest, job_id: int, surface: Surface) -> HttpResponse:
    """Confirm: import the checked file (all or nothing, or the valid rows only)."""
    _allowed(request)
    job = get_import_job_for_user(user=request.user, job_id=job_id)
    try:
        job = import_job_configure(
            job=job,
            user=request.user,
            mapping=job.mapping,
            valid_only=request.POST.get("valid_only") == "on",
            create_accounts=job.create_accounts,
        )
        # The options were checked with the file: configuring again keeps it CHECKED.
        job = import_job_start(job=job, user=request.user, dry_run=False)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(f"{surface.namespace}:detail", job_id=job.pk)


def import_progress(request: AuthedHttpRequest, job_id: int, surface: Surface) -> HttpResponse:
    """The progress bar (polled by the page while the job runs); once it has finished, the
    page is reloaded to show the report."""
    _allowed(request)
    job = get_import_job_for_user(user=request.user, job_id=job_id)
    response = render(
        request,
        "imports/_progress.html",
        {"job": job, "ns": surface.namespace, "progress": import_job_progress(job)},
    )
    if not job.busy and getattr(request, "htmx", False):
        response["HX-Refresh"] = "true"
    return response


def import_errors(request: AuthedHttpRequest, job_id: int, surface: Surface) -> HttpResponse:
    """The refused rows as CSV, with what is wrong with each, to correct and import again."""
    _allowed(request)
    job = get_import_job_for_user(user=request.user, job_id=job_id)
    if not job.report or not job.report.get("errors"):
        raise Http404("No refused rows.")
    response = HttpResponse(import_job_error_file(job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="errors-{job.pk}.csv"'
    return response


@staff_required
@require_http_methods(["GET", "POST"])
def import_list_view(request: AuthedHttpRequest) -> HttpResponse:
    return import_list(request, STAFF)


@staff_required
@require_POST
def import_mapping_delete_view(request: AuthedHttpRequest, mapping_id: int) -> HttpResponse:
    return import_mapping_remove(request, mapping_id, STAFF)


@staff_required
@require_http_methods(["GET", "POST"])
def import_detail_view(request: AuthedHttpRequest, job_id: int) -> HttpResponse:
    return import_detail(request, job_id, STAFF)


@staff_required
@require_POST
def import_run_view(request: AuthedHttpRequest, job_id: int) -> HttpResponse:
    return import_run(request, job_id, STAFF)


@staff_required
@require_GET
def import_progress_view(request: AuthedHttpRequest, job_id: int) -> HttpResponse:
    return import_progress(request, job_id, STAFF)


@staff_required
@require_GET
def import_errors_view(request: AuthedHttpRequest, job_id: int) -> HttpResponse:
    return import_errors(request, job_id, STAFF)
