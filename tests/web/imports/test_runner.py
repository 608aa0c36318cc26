"""The job runner: one import at a time, waiting for the store, abandoned and threaded jobs."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from dsvb import store
from dsvb.ingest.returns import import_return
from dsvb.web.audit.models import Action, AuditEvent
from dsvb.web.imports import jobs
from dsvb.web.imports.models import ImportJob, Status
from tests.web.imports.conftest import (
    DV,
    SEXUAL,
    post_extract,
    post_return,
    snapshot,
    upload,
    zip_folder,
)

HOLD = """
import sys, time
from pathlib import Path
from dsvb.store import writer
with writer.write_lock(Path(sys.argv[1]), what="a test writer"):
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def hold_store(path: Path, seconds: float) -> subprocess.Popen:
    """Another writer (a process of its own) holding the store's write lock."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "holding"
    return process


@pytest.fixture
def existing_store(empty_store: Path) -> Path:
    store.connect(empty_store).close()
    return empty_store


def test_a_job_that_cannot_get_the_store_fails_cleanly(
    analyst: Client, existing_store: Path, monkeypatch
) -> None:
    monkeypatch.setattr(jobs, "STORE_WAIT_SECONDS", 1.0)
    before = snapshot(existing_store)
    holder = hold_store(existing_store, 60)
    try:
        post_return(analyst, upload(DV.name, DV.read_bytes()))
    finally:
        holder.kill()
        holder.wait()
    job = ImportJob.objects.get()
    assert job.status == Status.FAILED
    assert "The store could not be written: another import was writing it" in job.summary
    assert "Nothing was imported" in job.summary
    messages = list(job.messages.values_list("message", flat=True))
    assert any(
        m.startswith("The store is being written by another import (a test writer, process ")
        and "waiting for it (up to 1 seconds" in m
        for m in messages
    ), messages
    assert messages[-1] == "Failed: the store could not be written"
    assert snapshot(existing_store) == before
    assert AuditEvent.objects.filter(action=Action.IMPORT_FAILED).count() == 1
    html = analyst.get(f"/imports/{job.pk}/report/").content.decode()
    assert "The store could not be written" in html


def test_a_job_waits_for_the_store_and_then_runs(analyst: Client, existing_store: Path) -> None:
    holder = hold_store(existing_store, 2)
    try:
        post_return(analyst, upload(DV.name, DV.read_bytes()))
    finally:
        holder.wait()
    job = ImportJob.objects.get()
    assert job.status == Status.SUCCEEDED, job.summary
    messages = list(job.messages.values_list("message", flat=True))
    assert any("being written by another import" in m and "waiting" in m for m in messages)


def _running_job(heartbeat_minutes_ago: float, **fields: object) -> ImportJob:
    at = timezone.now() - timedelta(minutes=heartbeat_minutes_ago)
    return ImportJob.objects.create(
        **fields,
        kind="return",
        created_by_username="elsewhere",
        status=Status.RUNNING,
        file_names=["other.csv"],
        started_at=at,
        heartbeat_at=at,
    )


def test_only_one_import_runs_at_a_time(analyst: Client, empty_store: Path) -> None:
    other = _running_job(0)
    response = post_return(analyst, upload(DV.name, DV.read_bytes()))
    job = ImportJob.objects.exclude(pk=other.pk).get()
    assert response["Location"] == f"/imports/{job.pk}/"
    assert job.status == Status.QUEUED  # waits for the running one
    assert jobs.claim_next() is None
    html = analyst.get(f"/imports/{job.pk}/").content.decode()
    assert "Queued" in html and "Refresh" in html

    # when the other job finishes, the next page view starts the queued one
    ImportJob.objects.filter(pk=other.pk).update(status=Status.SUCCEEDED)
    analyst.get("/imports/")
    job.refresh_from_db()
    assert job.status == Status.SUCCEEDED
    assert len(snapshot(empty_store)["published_returns"]) == 1


def test_queued_jobs_run_oldest_first(analyst: Client, empty_store: Path) -> None:
    other = _running_job(0)
    post_return(analyst, upload(DV.name, DV.read_bytes()))
    post_return(analyst, upload(SEXUAL.name, SEXUAL.read_bytes()))
    ImportJob.objects.filter(pk=other.pk).update(status=Status.FAILED)
    assert jobs.drain() == 2
    first, second = ImportJob.objects.exclude(pk=other.pk).order_by("id")
    assert (first.store_import_id, second.store_import_id) == (1, 2)
    assert first.started_at < second.started_at


def test_an_abandoned_job_is_failed_and_does_not_block_the_queue(
    analyst: Client, empty_store: Path
) -> None:
    stale = _running_job(jobs.ABANDONED_AFTER.total_seconds() / 60 + 1)
    post_return(analyst, upload(DV.name, DV.read_bytes()))
    stale.refresh_from_db()
    assert stale.status == Status.FAILED
    assert "stopped without finishing" in stale.summary
    assert (
        stale.messages.last().message
        == "Stopped without finishing: nothing was stored; marked as failed"
    )
    failed = AuditEvent.objects.get(action=Action.IMPORT_FAILED)
    assert failed.object_id == str(stale.pk) and failed.actor_username == "elsewhere"
    new = ImportJob.objects.exclude(pk=stale.pk).get()
    assert new.status == Status.SUCCEEDED


def test_the_list_shows_jobs_and_every_import_in_the_store(
    analyst: Client, empty_store: Path, extract_folder
) -> None:
    con = store.connect(empty_store)  # an import made from the command line
    try:
        import_return(con, DV)
    finally:
        con.close()
    job = ImportJob.objects.get(
        pk=int(
            post_extract(analyst, upload("web.zip", zip_folder(extract_folder())))["Location"]
            .rstrip("/")
            .split("/")[-1]
        )
    )
    assert job.store_import_id == 2
    html = analyst.get("/imports/").content.decode()
    assert "Recent import jobs" in html and "web.zip" in html
    assert f'href="/imports/{job.pk}/report/"' in html
    assert "Every import in the store" in html
    assert DV.name in html and "Command line" in html
    assert f"Browser, job {job.pk}" in html
    assert f"by {analyst.user.username}</span>" in html  # who imported it, from the store
    assert ">16</td>" in html  # the extract's rows
    assert html.count('<th scope="row" class="govuk-table__header">') >= 3
    # the store says which job made the import, even if the job's own record does not
    ImportJob.objects.filter(pk=job.pk).update(store_import_id=None, outcome="")
    html = analyst.get("/imports/").content.decode()
    assert f"Browser, job {job.pk}" in html and f"by {analyst.user.username}</span>" in html


def test_the_runner_thread_imports_in_the_background(
    transactional_db, client_for, settings, extract_folder, empty_store: Path
) -> None:
    from dsvb.web.accounts.roles import Role

    settings.DSVB_JOBS_INLINE = False
    client = client_for(Role.FORCE_ANALYST)
    # The test database is SQLite in memory with a shared cache, where a reader and the
    # runner's writes can briefly lock each other out (a file database in WAL mode, as in
    # production, or PostgreSQL do not); a poll that meets a lock is simply tried again.
    client.raise_request_exception = False
    response = post_extract(client, upload("background.zip", zip_folder(extract_folder())))
    assert response.status_code == 302
    status_url = response["Location"] + "status/"
    deadline = time.monotonic() + 120
    while True:
        polled = client.get(status_url)
        if polled.status_code == 200:
            data = json.loads(polled.content)
            if data["finished"] or time.monotonic() > deadline:
                break
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert data["status"] == "succeeded", data
    assert data["report_url"]
    assert any(m["message"].startswith("Finished: 16 rows") for m in data["messages"])
    # the thread ends once the queue is empty
    deadline = time.monotonic() + 30
    while jobs._busy_here() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not jobs._busy_here()
    assert snapshot(empty_store)["crimes"]


def test_an_abandoned_job_is_failed_when_someone_looks_at_it(analyst: Client) -> None:
    stale = _running_job(jobs.ABANDONED_AFTER.total_seconds() / 60 + 1)
    html = analyst.get(f"/imports/{stale.pk}/").content.decode()
    assert "Failed" in html and "stopped without finishing" in html
    fresh = _running_job(0)
    analyst.get(f"/imports/{fresh.pk}/")
    fresh.refresh_from_db()
    assert fresh.status == Status.RUNNING  # alive: left alone


def test_a_job_that_fails_after_the_store_took_its_import_says_it_was_stored(
    analyst: Client, empty_store: Path, monkeypatch
) -> None:
    from dsvb.store import writer

    def fail_after_commit(stage: str) -> None:
        if stage == "after-commit":
            raise OSError("the disk went away just after the rename")

    monkeypatch.setattr(writer, "pause", fail_after_commit)
    post_return(analyst, upload(DV.name, DV.read_bytes()))
    job = ImportJob.objects.get()
    assert job.status == Status.SUCCEEDED, job.summary
    assert job.store_import_id == 1 and job.outcome == "imported"
    assert "rebuilt from the store’s import log" in job.summary
    assert len(snapshot(empty_store)["published_returns"]) == 1
    assert AuditEvent.objects.filter(action=Action.IMPORT_SUCCEEDED).count() == 1


def test_a_job_that_fails_before_the_store_took_its_import_says_nothing_was_stored(
    analyst: Client, existing_store: Path, monkeypatch
) -> None:
    from dsvb.store import writer

    def fail_before_commit(stage: str) -> None:
        if stage == "before-commit":
            raise OSError("the disk went away just before the rename")

    monkeypatch.setattr(writer, "pause", fail_before_commit)
    before = snapshot(existing_store)
    post_return(analyst, upload(DV.name, DV.read_bytes()))
    job = ImportJob.objects.get()
    assert job.status == Status.FAILED
    assert job.summary.endswith("nothing of it was stored.")
    assert snapshot(existing_store) == before
    assert writer.leftovers(existing_store) == []


def test_the_sweep_removes_what_no_job_needs_and_keeps_what_one_does(
    analyst: Client, settings, tmp_path: Path
) -> None:
    import os

    from dsvb.web.imports import uploads

    root = Path(settings.UPLOAD_DIR)
    queued = ImportJob.objects.create(kind="return", created_by_username="a", file_names=["q"])
    done = ImportJob.objects.create(
        kind="return", created_by_username="a", file_names=["d"], status=Status.FAILED
    )
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()  # fmt: skip
    files = {
        "queued": root / str(queued.pk) / "q.csv",
        "finished": root / str(done.pk) / "d.csv",
        "orphan-new": root / "90001" / "x.csv",
        "orphan-old": root / "90002" / "x.csv",
        "staging-dead": root / ".staging" / f"{dead}.1.abc" / "extract" / "crimes.csv",
        "staging-alive": root / ".staging" / f"{uploads.process_tag()}.def" / "x.csv",
        "incoming-dead": root / ".incoming" / f"{dead}.1" / "tmp1.upload.zip",
        "incoming-alive": root / ".incoming" / uploads.process_tag() / "tmp2.upload.zip",
        "runner-finished": root / ".runners" / f"{done.pk}.lock",
    }
    for path in files.values():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("case records")
    old = time.time() - uploads.ORPHAN_SECONDS - 60
    os.utime(root / "90002", (old, old))
    jobs.sweep()
    left = {name for name, path in files.items() if path.exists()}
    assert left == {"queued", "orphan-new", "staging-alive", "incoming-alive"}


def _store_for_job(path: Path, job: ImportJob) -> int:
    """The store takes the job's import, as its runner would have just before it died."""
    from dsvb.store import writer

    origin = writer.Origin(job.created_by_username, writer.WEB, job.pk, job.created_at)
    with writer.writing(path, origin) as write:
        outcome = import_return(write.con, DV)
        write.record(outcome.return_id)
    return outcome.return_id


def test_a_job_stored_while_a_page_holds_the_old_store_open_is_reconciled_as_stored(
    db: None,
    existing_store: Path,
) -> None:
    # DuckDB shares one instance per path in a process: a reader opened while a page's
    # reader of the replaced store is open must still see the new one
    page = store.connect(existing_store, read_only=True)
    try:
        job = _running_job(jobs.ABANDONED_AFTER.total_seconds() / 60 + 1)
        import_id = _store_for_job(existing_store, job)
        assert jobs.claim_next() is None
        job.refresh_from_db()
        assert job.status == Status.SUCCEEDED, job.summary
        assert job.store_import_id == import_id
    finally:
        page.close()


def test_a_job_given_the_id_of_an_earlier_job_is_not_taken_for_it(
    db: None, existing_store: Path
) -> None:
    earlier = _running_job(60 * 24)
    earlier.created_at = timezone.now() - timedelta(days=1)
    earlier.save()
    _store_for_job(existing_store, earlier)
    pk = earlier.pk
    ImportJob.objects.all().delete()  # the web database is reset; the store is kept
    later = _running_job(jobs.ABANDONED_AFTER.total_seconds() / 60 + 1, id=pk)
    assert jobs.claim_next() is None
    later.refresh_from_db()
    assert later.status == Status.FAILED  # it stored nothing; job `pk` of before did
    assert later.store_import_id is None
    assert "nothing of it was stored" in later.summary


def test_a_job_is_ended_once_when_two_processes_end_it(db: None, existing_store: Path) -> None:
    job = _running_job(0)
    seen_by_other = ImportJob.objects.get(pk=job.pk)  # another process's view, still running
    report = {"outcome": "imported", "summary": "Imported", "import_id": 1}
    assert jobs._finish(job, Status.SUCCEEDED, "Imported", report) is True
    failed = {"outcome": "failed", "summary": "x", "problems": [], "problem_total": 0}
    assert jobs._finish(seen_by_other, Status.FAILED, "Stopped", failed) is False
    job.refresh_from_db()
    assert (job.status, job.store_import_id) == (Status.SUCCEEDED, 1)
    assert seen_by_other.status == Status.SUCCEEDED  # it now shows what stands
    ended = AuditEvent.objects.filter(object_id=str(job.pk))
    assert [e.action for e in ended] == [Action.IMPORT_SUCCEEDED]


def test_recover_ends_abandoned_jobs_as_the_store_says_and_leaves_live_ones(
    db: None,
    existing_store: Path,
) -> None:
    stored = _running_job(jobs.ABANDONED_AFTER.total_seconds() / 60 + 1)
    _store_for_job(existing_store, stored)
    lost = _running_job(jobs.ABANDONED_AFTER.total_seconds() / 60 + 1)
    alive = _running_job(0)
    assert jobs.recover() == 2
    statuses = {j.pk: j.status for j in ImportJob.objects.all()}
    assert statuses == {
        stored.pk: Status.SUCCEEDED,
        lost.pk: Status.FAILED,
        alive.pk: Status.RUNNING,
    }
    assert jobs.recover() == 0


def test_a_job_whose_store_cannot_be_locked_fails_saying_what_to_check(
    analyst: Client, existing_store: Path
) -> None:
    from dsvb.store import writer

    before = snapshot(existing_store)
    lock = writer.lock_path(existing_store)
    lock.unlink(missing_ok=True)
    lock.mkdir()
    post_return(analyst, upload(DV.name, DV.read_bytes()))
    job = ImportJob.objects.get()
    assert job.status == Status.FAILED
    assert "could not be written" in job.summary and "permissions" in job.summary
    assert "another import" not in job.summary
    assert snapshot(existing_store) == before
