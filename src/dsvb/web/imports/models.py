"""Import jobs: an upload of an extract or a published return, imported in the background.

A job is created when an upload has passed its checks (size, file names, UTF-8) and its
files are saved under ``settings.UPLOAD_DIR/<job id>/``. The runner (``jobs.py``) takes
queued jobs one at a time, writes progress messages as it goes and ends the job as
*succeeded* or *failed* with a report (JSON) that the report page shows.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone


class Kind(models.TextChoices):
    EXTRACT = "extract", "Extract"
    RETURN = "return", "Published return"


class Status(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


FINISHED = (Status.SUCCEEDED, Status.FAILED)

#: GOV.UK tag colour for each status (the words carry the meaning; colour only repeats it)
TAG_CLASSES = {
    Status.QUEUED: "govuk-tag--grey",
    Status.RUNNING: "govuk-tag--blue",
    Status.SUCCEEDED: "govuk-tag--green",
    Status.FAILED: "govuk-tag--red",
}


class ImportJob(models.Model):
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_jobs",
    )
    created_by_username = models.CharField(max_length=150)
    submitted_from = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    file_names = models.JSONField(default=list, help_text="The names of the files uploaded")
    size_bytes = models.BigIntegerField(default=0)
    outcome = models.CharField(
        max_length=20, blank=True, help_text="imported or already_imported, when it succeeded"
    )
    store_import_id = models.IntegerField(
        null=True, blank=True, help_text="The import id in the store's import log"
    )
    summary = models.CharField(max_length=500, blank=True)
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "import job"

    def __str__(self) -> str:
        return f"Import job {self.pk} ({self.get_kind_display().lower()}, {self.status})"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def tag_class(self) -> str:
        return TAG_CLASSES.get(Status(self.status), "govuk-tag--grey")

    @property
    def upload_dir(self) -> Path:
        return Path(settings.UPLOAD_DIR) / str(self.pk)

    @property
    def files_label(self) -> str:
        return ", ".join(self.file_names)


class JobMessage(models.Model):
    """One line of a job's progress log."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="messages")
    at = models.DateTimeField(default=timezone.now)
    message = models.CharField(max_length=500)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%H:%M:%S} {self.message}"


class RunnerLock(models.Model):
    """A single row that the runner locks while it decides which job runs next.

    ``SELECT ... FOR UPDATE`` on this row serialises the decision on PostgreSQL; on SQLite
    the write transaction itself does (only one writer at a time).
    """

    name = models.CharField(max_length=32, unique=True)

    def __str__(self) -> str:
        return self.name
