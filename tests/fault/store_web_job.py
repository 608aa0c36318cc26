"""A web import job in a process of its own, for the kill tests (run as a script).

Its environment names the data folder (``DSVB_DATA_DIR``: a file SQLite database, the
store, the uploads) and sets ``DSVB_JOBS_INLINE=1``. Commands:

- ``queue KIND SOURCE USER``: migrate, make USER, save SOURCE (an extract folder or a return
  file) as a queued job's upload (as the upload page does); prints the job id.
- ``run``: what the web process's runner does: sweep, claim, run (``jobs.start``).
- ``queue-and-run KIND SOURCE USER``: both, in one process.
- ``upload ZIP``: receive ZIP as a large upload through Django's upload handlers and stage
  it (``uploads.stage_extract``), then print ``staged`` and sleep: a process killed while an
  upload is in hand.
- ``restart``: what a restarted web process does when a page calls ``jobs.kick``; prints the
  jobs, their audit entries and the files left under the upload folder, as JSON; then
  does it again (a second restart) and prints them again.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dsvb.web.settings")
    import django

    django.setup()


def queue(kind: str, source: str, username: str) -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from dsvb.web.imports.models import ImportJob
    from dsvb.web.imports.uploads import EXTRACT_FOLDER

    call_command("migrate", interactive=False, verbosity=0)
    user, _ = get_user_model().objects.get_or_create(
        username=username,
        defaults={"role": "force_analyst"},  # who may import (jobs check)
    )
    job = ImportJob.objects.create(
        kind=kind,
        created_by=user,
        created_by_username=username,
        file_names=[Path(source).name],
        size_bytes=1,
    )
    if kind == "extract":
        shutil.copytree(source, job.upload_dir / EXTRACT_FOLDER)
    else:
        job.upload_dir.mkdir(parents=True)
        shutil.copy(source, job.upload_dir / Path(source).name)
    print(job.pk, flush=True)


def run() -> None:
    from dsvb.web.imports import jobs

    jobs.start()
    print("ran", flush=True)


def upload(zip_path: str) -> None:
    from django.core.management import call_command
    from django.test import RequestFactory

    from dsvb.web.imports import uploads

    call_command("migrate", interactive=False, verbosity=0)
    with open(zip_path, "rb") as f:
        request = RequestFactory().post("/imports/upload/extract/", {"files": f})
    request.upload_handlers = [uploads.TemporaryFileHandler(request)]
    files = request.FILES.getlist("files")
    uploads.stage_extract(files)
    print("staged", flush=True)
    time.sleep(3600)


def queue_and_run(kind: str, source: str, username: str) -> None:
    queue(kind, source, username)
    run()


def restart() -> None:
    from dsvb.web.imports import jobs

    for _ in range(2):
        jobs.kick()
        _show()


def _show() -> None:
    from dsvb.web.audit.models import AuditEvent
    from dsvb.web.imports.models import ImportJob

    root = Path(os.environ["DSVB_DATA_DIR"]) / "uploads"
    out = {
        "jobs": [
            {
                "id": j.pk,
                "status": j.status,
                "outcome": j.outcome,
                "store_import_id": j.store_import_id,
                "summary": j.summary,
                "by": j.created_by_username,
            }
            for j in ImportJob.objects.order_by("pk")
        ],
        "audit": [
            {"action": e.action, "object_id": e.object_id, "actor": e.actor_username}
            for e in AuditEvent.objects.filter(object_type="import_job").order_by("pk")
        ],
        "upload_files": sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
        if root.exists()
        else [],
    }
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    _setup()
    command, *args = sys.argv[1:]
    {
        "queue": queue,
        "run": run,
        "queue-and-run": queue_and_run,
        "upload": upload,
        "restart": restart,
    }[command](*args)
