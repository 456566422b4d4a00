"""What imports keep: the external IDs of imported records, saved mappings, and import jobs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dirco.core.models import TimeStampedModel


class ImportObject(models.TextChoices):
    DEALS = "deals", _("Deals")
    ACCOUNTS = "accounts", _("Accounts")
    CONTACTS = "contacts", _("Contacts")
    PARTNERS = "partners", _("Partners")
    OBJECTIVES = "objectives", _("Objectives")


class ExternalKey(models.Model):
    """The ID another system gives a record dirco imported (accounts, contacts, partners;
    deals keep theirs on ``Deal.external_id``): re-importing the file updates the record.

    ``namespace`` keeps partners' IDs apart: ``""`` for the company's staff, ``partner:<id>``
    for a partner user's imports (two partners may both have a contact "C-1")."""

    kind = models.CharField(_("object"), max_length=20, choices=ImportObject.choices)
    namespace = models.CharField(_("namespace"), max_length=40, blank=True)
    external_id = models.CharField(_("external ID"), max_length=100)
    object_id = models.PositiveBigIntegerField(_("record"))

    class Meta:
        verbose_name = _("external ID")
        verbose_name_plural = _("external IDs")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "namespace", "external_id"], name="import_external_key_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.external_id}"


class ImportMapping(TimeStampedModel):
    """A saved column mapping (field -> the file's header), for repeat imports of the same
    export. Staff share their mappings; a partner's users share their partner's."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("object"), max_length=20, choices=ImportObject.choices)
    columns = models.JSONField(_("columns"), default=dict)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class ImportJob(TimeStampedModel):
    """One file on its way in: uploaded, checked (a dry run), then imported, in the page's
    request or, for a large file, by the task worker; ``progress`` and ``report`` say where
    it stands and how it ended."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Running")
        CHECKED = "checked", _("Checked")
        DONE = "done", _("Imported")
        REFUSED = "refused", _("Refused")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("object"), max_length=20, choices=ImportObject.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", max_length=255)
    file_name = models.CharField(_("file name"), max_length=255)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    # Read once at upload: the mapping page does not parse the whole file again.
    headers = models.JSONField(_("headers"), default=list)
    preview = models.JSONField(_("first rows"), default=list)
    mapping = models.JSONField(_("mapping"), default=dict)
    valid_only = models.BooleanField(_("import the valid rows only"), default=False)
    create_accounts = models.BooleanField(_("create missing accounts"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.UPLOADED
    )
    dry_run = models.BooleanField(_("dry run"), default=True)
    progress_done = models.PositiveIntegerField(_("rows done"), default=0)
    progress_total = models.PositiveIntegerField(_("rows to do"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    message = models.TextField(_("message"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name}"

    @property
    def busy(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
