"""Running import jobs: one at a time, in a thread of the web process (or inline in tests).

How it works:

- :func:`start` is called after a job is queued. With ``settings.DSVB_JOBS_INLINE`` it runs
  the queue at once, in the caller's thread. Otherwise it wakes this process's runner
  thread (starting one if there is none), which runs queued jobs until none is left.
- :func:`claim_next` decides which job runs next, inside a transaction that locks one
  :class:`~dsvb.web.imports.models.RunnerLock` row: a job is claimed only when no other job
  is running in any process, so imports never overlap (the store has one writer anyway).
- A running job's ``heartbeat_at`` is refreshed every few seconds. A job whose heartbeat
  stopped (its process was stopped or restarted) is *abandoned*: the next claim marks it
  failed, so it does not block the queue for ever. The ingest functions store all or
  nothing, so an abandoned job left nothing half-imported behind.
- The store is opened read-write; while another program holds it (a command-line import,
  a page reading it) the job waits and says so, then fails cleanly if it cannot get it.
- :func:`kick` runs queued jobs that nobody is running (after a restart); the pages call it.
- The uploaded files (records of people) are removed when the job ends; the store holds
  what was imported and the job's report says what was wrong with what was not.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import duckdb
from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from dsvb import store
from dsvb.ingest.extract import ExtractError, ImportReport, import_extract, read_import_log
from dsvb.ingest.returns import (
    GARBLED,
    INTERPRETED,
    NORMALISED,
    RECONCILIATION,
    UNREAD,
    ImportOutcome,
    ReturnError,
    import_return,
)
from dsvb.web.audit.models import Action
from dsvb.web.audit.recorder import record
from dsvb.web.imports.models import ImportJob, JobMessage, Kind, RunnerLock, Status
from dsvb.web.imports.uploads import EXTRACT_FOLDER

log = logging.getLogger(__name__)
T = TypeVar("T")

#: how long a job waits for the store while another program holds it
STORE_WAIT_SECONDS = 120.0
STORE_RETRY_SECONDS = 1.0
#: how often a running job says it is alive, and when silence means it was abandoned
HEARTBEAT_SECONDS = 10.0
ABANDONED_AFTER = timedelta(minutes=2)
#: problems kept in a report (the ingest already lists at most 50 rows per check)
MAX_PROBLEMS = 1000

NOTE_KINDS = (NORMALISED, GARBLED, RECONCILIATION, INTERPRETED, UNREAD)


class StoreUnavailable(Exception):
    """The store could not be opened for writing."""


# --- progress -----------------------------------------------------------------------------


def _persist(write: Callable[[], T], attempts: int = 20) -> T:
    """Do a write, retrying while the database is briefly locked by another writer.

    SQLite refuses a second writer at once in some set-ups (shared-cache databases); a
    runner must not fail an import, or leave a job running, for that.
    """
    for attempt in range(attempts):
        try:
            return write()
        except OperationalError:
            if connection.in_atomic_block or attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def say(job: ImportJob, message: str) -> None:
    """Add a line to the job's progress log (and refresh its heartbeat)."""
    text = message.strip()
    text = text[:1].upper() + text[1:]
    now = timezone.now()

    def write() -> None:
        JobMessage.objects.create(job=job, at=now, message=text[:500])
        ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=now)

    try:
        _persist(write)
    except OperationalError as exc:  # a progress line is not worth failing an import for
        log.warning("progress of import job %s not recorded (%s): %s", job.pk, exc, text)


# --- the queue ----------------------------------------------------------------------------

_lock = threading.Lock()
_worker: threading.Thread | None = None
_pending = False


def start() -> None:
    """Run queued jobs: now (inline) or in this process's runner thread."""
    global _worker, _pending
    if settings.DSVB_JOBS_INLINE:
        drain()
        return
    with _lock:
        _pending = True
        if _worker is None:
            _worker = threading.Thread(target=_work, name="dsvb-import-runner", daemon=True)
            _worker.start()


def _work() -> None:
    global _worker, _pending
    try:
        while True:
            with _lock:
                if not _pending:
                    _worker = None
                    return
                _pending = False
            try:
                drain()
            except Exception:  # the runner must never die silently with jobs queued
                log.exception("the import runner failed")
    finally:
        connection.close()


def kick() -> None:
    """Start the runner for jobs nobody is running: queued ones, or abandoned ones to fail.

    After a restart, queued jobs would otherwise wait for the next upload, and a job whose
    process was stopped would show as running for ever.
    """
    if not settings.DSVB_JOBS_INLINE and _busy_here():
        return
    stale = timezone.now() - ABANDONED_AFTER
    if (
        ImportJob.objects.filter(status=Status.QUEUED).exists()
        or ImportJob.objects.filter(status=Status.RUNNING, heartbeat_at__lt=stale).exists()
    ):
        start()


def _busy_here() -> bool:
    with _lock:
        return _worker is not None


def drain() -> int:
    """Run queued jobs, oldest first, until none can be claimed; returns how many ran."""
    n = 0
    while (job := claim_next()) is not None:
        run(job)
        n += 1
    return n


def claim_next() -> ImportJob | None:
    """The oldest queued job, marked running, if no other job is running; else None."""
    return _persist(_claim)


def _claim() -> ImportJob | None:
    RunnerLock.objects.get_or_create(name="imports")
    with transaction.atomic():
        RunnerLock.objects.select_for_update().get(name="imports")
        now = timezone.now()
        for stale in ImportJob.objects.filter(
            status=Status.RUNNING, heartbeat_at__lt=now - ABANDONED_AFTER
        ):
            _abandon(stale)
        if ImportJob.objects.filter(status=Status.RUNNING).exists():
            return None
        job = ImportJob.objects.filter(status=Status.QUEUED).order_by("created_at", "id").first()
        if job is None:
            return None
        job.status = Status.RUNNING
        job.started_at = job.heartbeat_at = now
        job.save(update_fields=["status", "started_at", "heartbeat_at"])
    return job


def _abandon(job: ImportJob) -> None:
    message = (
        "The import stopped without finishing (the web process running it was stopped or "
        "restarted). Imports store all or nothing, so nothing half-imported was left; the "
        "store’s import log on the imports page shows whether it was stored. Upload it again "
        "to retry."
    )
    say(job, "Stopped without finishing: marked as failed")
    _remove_upload(job)
    _finish(
        job,
        Status.FAILED,
        message,
        {"outcome": "failed", "summary": message, "problems": [], "problem_total": 0},
    )


# --- running one job ----------------------------------------------------------------------


class _Heartbeat:
    """Refreshes a job's heartbeat from a side thread while the job runs."""

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"dsvb-import-{job.pk}-heartbeat")

    def _beat(self) -> None:
        try:
            while not self.stop.wait(HEARTBEAT_SECONDS):
                try:
                    _persist(
                        lambda: ImportJob.objects.filter(
                            pk=self.job.pk, status=Status.RUNNING
                        ).update(heartbeat_at=timezone.now())
                    )
                except OperationalError as exc:  # the next beat will do
                    log.warning("heartbeat of import job %s missed: %s", self.job.pk, exc)
        finally:
            connection.close()

    def __enter__(self) -> _Heartbeat:
        if not settings.DSVB_JOBS_INLINE:
            self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join()


def run(job: ImportJob) -> ImportJob:
    """Run a claimed job to its end: succeeded or failed, never left running."""
    say(job, f"Started: importing {'an extract' if job.kind == Kind.EXTRACT else 'a return'}")
    try:
        with _Heartbeat(job):
            report = _execute(job)
    except StoreUnavailable as exc:
        summary = str(exc)
        say(job, "Failed: the store could not be opened")
        _finish(
            job,
            Status.FAILED,
            summary,
            {"outcome": "failed", "summary": summary, "problems": [], "problem_total": 0},
        )
    except (ExtractError, ReturnError) as exc:
        report = _failure_report(job, exc)
        say(job, f"Failed: {report['problem_total']:,} problem(s) found; nothing was stored")
        _finish(job, Status.FAILED, report["summary"], report)
    except Exception as exc:
        log.exception("import job %s failed", job.pk)
        summary = (
            f"The import failed unexpectedly ({type(exc).__name__}: {exc}). Imports store all "
            "or nothing: the store’s import log on the imports page shows whether it was stored."
        )
        say(job, "Failed: an unexpected error")
        _finish(
            job,
            Status.FAILED,
            summary,
            {"outcome": "failed", "summary": summary, "problems": [], "problem_total": 0},
        )
    else:
        if report["outcome"] == "imported":
            _refresh_pages(job)
        _finish(job, Status.SUCCEEDED, report["summary"], report)
    _remove_upload(job)
    job.refresh_from_db()
    return job


def _remove_upload(job: ImportJob) -> None:
    """The uploaded files hold records of people; once imported (or refused) they go."""
    shutil.rmtree(job.upload_dir, ignore_errors=True)


def _finish(job: ImportJob, status: Status, summary: str, report: dict[str, Any]) -> None:
    """End the job and audit its end, together (both or neither, so audited exactly once)."""
    job.status = status
    job.finished_at = timezone.now()
    job.summary = summary[:500]
    job.report = report
    job.outcome = report.get("outcome", "") if status == Status.SUCCEEDED else ""
    job.store_import_id = report.get("import_id")
    what = f"{job.get_kind_display().lower()} ({job.files_label})"
    details: dict[str, Any] = {
        "kind": job.kind,
        "files": job.file_names,
        "submitted_from": job.submitted_from,
        "user": job.created_by,
        "username": job.created_by_username,
        "object_type": "import_job",
        "object_id": job.pk,
    }
    if status == Status.SUCCEEDED:
        action = Action.IMPORT_SUCCEEDED
        text = f"Import job {job.pk} succeeded: {what}" + (
            " was already imported" if job.outcome == "already_imported" else ""
        )
        details |= {"outcome": job.outcome, "store_import_id": job.store_import_id}
    else:
        action = Action.IMPORT_FAILED
        text = f"Import job {job.pk} failed: {what}"
        details["problems"] = report.get("problem_total", 0)

    def write() -> None:
        with transaction.atomic():
            job.save(update_fields=[*_END_FIELDS])
            record(None, action, text, **details)

    _persist(write)


_END_FIELDS = ("status", "finished_at", "summary", "report", "outcome", "store_import_id")


def _refresh_pages(job: ImportJob) -> None:
    """Make the pages show the new data at once: forget the store's version, warm results."""
    from dsvb.web.performance import data

    data.forget_state()
    say(job, "Preparing the performance pages for the new data")
    try:
        n = data.warm()
    except Exception as exc:  # the import stands; the pages compute on first view instead
        log.warning("warming results after import job %s failed: %s", job.pk, exc)
        say(job, "The performance pages will be prepared when they are first opened")
    else:
        say(job, "The performance pages are ready" if n else "The performance pages are up to date")


def open_store(job: ImportJob, wait: float | None = None) -> duckdb.DuckDBPyConnection:
    """The store, read-write, waiting while another program holds it."""
    path = Path(settings.DSVB_STORE)
    wait = STORE_WAIT_SECONDS if wait is None else wait
    deadline = time.monotonic() + wait
    told = False
    while True:
        try:
            return store.connect(path)
        except store.NotAStoreError as exc:
            log.error("DSVB_STORE cannot be read: %s", exc)
            raise StoreUnavailable(
                "The data store cannot be read: the file the service is configured to use is "
                "not a dsvb store. Nothing was imported and the file was not changed; the "
                "service team must point DSVB_STORE at the store."
            ) from exc
        except (duckdb.IOException, duckdb.ConnectionException) as exc:
            text = str(exc).lower()
            if "lock" not in text and "different configuration" not in text:
                raise
            if time.monotonic() >= deadline:
                raise StoreUnavailable(
                    f"The store could not be opened for writing: another program was using it "
                    f"for {wait:.0f} seconds (for example an import from the command line). "
                    "Nothing was imported. Upload the file again when that has finished."
                ) from exc
            if not told:
                say(
                    job,
                    "The store is in use by another program; waiting for it "
                    f"(up to {wait:.0f} seconds)",
                )
                told = True
            time.sleep(STORE_RETRY_SECONDS)


def _execute(job: ImportJob) -> dict[str, Any]:
    say(job, "Opening the store")
    con = open_store(job)
    try:
        if job.kind == Kind.EXTRACT:
            folder = job.upload_dir / EXTRACT_FOLDER
            result = import_extract(con, folder, progress=lambda message: say(job, message))
            return _extract_report(job, result)
        (path,) = [p for p in job.upload_dir.iterdir() if p.is_file()]
        say(job, f"Reading {path.name}")
        outcome = import_return(con, path)
        return _return_report(job, outcome)
    finally:
        con.close()


# --- reports ------------------------------------------------------------------------------


def _extract_report(job: ImportJob, result: ImportReport) -> dict[str, Any]:
    if result.status == "already_imported":
        summary = (
            f"This extract was already imported (import {result.import_id} in the store); "
            "nothing changed."
        )
        say(job, f"Already imported as import {result.import_id}: nothing changed")
    else:
        total = sum(result.row_counts.values())
        summary = (
            f"Imported as import {result.import_id}: {total:,} rows from "
            f"{len(result.row_counts)} files."
        )
        say(job, f"Finished: {total:,} rows stored as import {result.import_id}")
    return {
        "outcome": result.status,
        "summary": summary,
        "import_id": result.import_id,
        "content_hash": result.content_hash,
        "row_counts": result.row_counts,
        "replaced": result.replaced,
        "normalised": result.normalised,
        "warnings": result.warnings,
        "seconds": round(result.seconds, 1),
    }


def _return_report(job: ImportJob, outcome: ImportOutcome) -> dict[str, Any]:
    ret = outcome.published_return
    report: dict[str, Any] = {
        "outcome": outcome.status,
        "import_id": outcome.return_id,
        "content_hash": outcome.content_hash,
        "cells": outcome.cells,
        "note_count": outcome.notes,
        "notes": [],
        "warnings": list(outcome.warnings),
    }
    if outcome.status == "already_imported":
        how = (
            ", the same table in a file whose line endings, byte-order mark or quoting differ"
            if outcome.matched_by == "content"
            else ""
        )
        report["summary"] = (
            f"This return was already imported (return {outcome.return_id} in the store{how}); "
            "nothing changed."
        )
        say(job, f"Already imported as return {outcome.return_id}: nothing changed")
        return report
    assert ret is not None
    rows = {c.row_number for c in ret.cells}
    report.update(
        {
            "summary": (
                f"Imported as return {outcome.return_id}: {outcome.cells:,} cells in "
                f"{len(rows):,} rows, {outcome.notes:,} notes."
            ),
            "return": {
                "source_name": ret.source_name,
                "layout": ret.layout,
                "title": ret.title,
                "period_label": ret.period_label,
                "period_start": ret.period_start.isoformat() if ret.period_start else None,
                "period_end": ret.period_end.isoformat() if ret.period_end else None,
                "report": ret.report,
                "rows": len(rows),
                "garbled_cells": sum(c.status == GARBLED for c in ret.cells),
            },
            "notes": [
                {
                    "kind": n.kind,
                    "row": n.row_number,
                    "column": n.column_name,
                    "message": n.message,
                    "expected": n.expected,
                    "found": n.found,
                }
                for n in ret.notes
            ],
        }
    )
    counts = {k: len(ret.notes_of(k)) for k in NOTE_KINDS if ret.notes_of(k)}
    detail = ", ".join(f"{n} {k}" for k, n in counts.items()) or "no notes"
    say(job, f"Finished: stored as return {outcome.return_id} ({detail})")
    return report


def _failure_report(job: ImportJob, exc: ExtractError | ReturnError) -> dict[str, Any]:
    if isinstance(exc, ExtractError):
        problems = [asdict(p) for p in exc.problems[:MAX_PROBLEMS]]
        total = exc.total
        what = "extract"
    else:
        text = str(exc)
        message = text.split(": ", 1)[1] if text.startswith(exc.source) and ": " in text else text
        problems = [
            {
                "file": exc.source,
                "message": message,
                "row": exc.row,
                "column": exc.column,
                "value": None,
                "count": 1,
            }
        ]
        total = 1
        what = "return"
    summary = (
        f"The {what} was not imported: {total:,} problem{'s' if total != 1 else ''} "
        "found. Nothing was stored."
    )
    return {
        "outcome": "failed",
        "summary": summary,
        "problems": problems,
        "problem_total": total,
    }


# --- the store's import log ---------------------------------------------------------------


def store_import_log(wait: float = 2.0) -> list[dict[str, Any]] | None:
    """Every import the store holds (web and command line), or None if it can't be read now."""
    path = Path(settings.DSVB_STORE)
    if not path.exists():
        return []
    deadline = time.monotonic() + wait
    while True:
        try:
            con = store.connect(path, read_only=True)
        except store.NotAStoreError as exc:
            log.error("DSVB_STORE cannot be read: %s", exc)
            return None
        except (duckdb.IOException, duckdb.ConnectionException) as exc:
            text = str(exc).lower()
            if ("lock" not in text and "different configuration" not in text) or (
                time.monotonic() >= deadline
            ):
                log.info("the store's import log cannot be read now: %s", exc)
                return None
            time.sleep(0.2)
            continue
        try:
            return read_import_log(con)
        except duckdb.Error as exc:
            log.warning("the store's import log cannot be read: %s", exc)
            return None
        finally:
            con.close()
