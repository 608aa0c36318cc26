"""Running import jobs: one at a time, in a thread of the web process (or inline in tests).

How it works:

- :func:`start` is called after a job is queued. With ``settings.DSVB_JOBS_INLINE`` it runs
  the queue at once, in the caller's thread. Otherwise it wakes this process's runner
  thread (starting one if there is none), which runs queued jobs until none is left.
- :func:`claim_next` decides which job runs next, inside a transaction that locks one
  :class:`~dsvb.web.imports.models.RunnerLock` row: a job is claimed only when no other job
  is running in any process, so imports never overlap (the store has one writer anyway).
  The claiming process also holds an OS lock on ``UPLOAD_DIR/.runners/<job id>.lock`` for as
  long as it runs the job, so any other process can tell at once whether the runner of a
  *running* job is still alive (the lock is free when its process died).
- A running job whose runner died (its lock is free; or, for a job without a lock file, its
  ``heartbeat_at`` stopped) is *reconciled* by the next claim or :func:`kick`: the store
  records which web job made each import (``import_origin``: its id and when it was made,
  as ids come again after the web database is reset), so the job is marked succeeded, with
  a report rebuilt from the store's import log, when the store holds its import, and failed
  (nothing stored) when it does not. Its outcome always matches the store. :func:`recover`
  does only this, for ``dsvb serve`` at start. A job is ended once: only while it is still
  running, with its audit entry (see :func:`_finish`).
- The store is written through :mod:`dsvb.store.writer` (copy, import, rename), as the
  command line does: while another import writes it the job waits, saying so, up to
  :data:`STORE_WAIT_SECONDS`, then fails cleanly.
- :func:`kick` runs queued jobs that nobody is running (after a restart); the pages call it.
- The uploaded files (records of people) are removed when the job ends, and whatever a
  killed process left (staging folders, Django's temporary upload files, the folders of
  finished jobs, unfinished copies of the store) is swept when the runner starts and on
  :func:`kick` (:func:`sweep`).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import duckdb
from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from dsvb import store
from dsvb.access import Decision
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
from dsvb.store import writer
from dsvb.web.audit.models import Action
from dsvb.web.audit.recorder import job_actor, record, record_as
from dsvb.web.imports import uploads
from dsvb.web.imports.models import ImportJob, JobMessage, Kind, RunnerLock, Status
from dsvb.web.imports.uploads import EXTRACT_FOLDER

log = logging.getLogger(__name__)
T = TypeVar("T")

#: how long a job waits for the store while another program holds it
STORE_WAIT_SECONDS = writer.WAIT_SECONDS
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
    sweep()
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
    """Sweep what killed processes left, and start the runner for jobs nobody is running:
    queued ones, or ones whose runner died (to be reconciled with the store).

    After a restart, queued jobs would otherwise wait for the next upload, and a job whose
    process was stopped would show as running for ever.
    """
    sweep()
    if not settings.DSVB_JOBS_INLINE and _busy_here():
        return
    if ImportJob.objects.filter(status=Status.QUEUED).exists() or any(
        _abandoned(job) for job in ImportJob.objects.filter(status=Status.RUNNING)
    ):
        start()


def sweep() -> None:
    """Remove upload files no queued or running job needs, and unfinished store copies."""
    try:
        active = set(
            ImportJob.objects.filter(status__in=(Status.QUEUED, Status.RUNNING)).values_list(
                "pk", flat=True
            )
        )
        known = set(
            ImportJob.objects.filter(pk__in=uploads.job_folder_ids()).values_list("pk", flat=True)
        )
        uploads.sweep(active, known)
        writer.sweep(Path(settings.DSVB_STORE))
    except Exception:  # tidying must never stop an import or a page
        log.exception("sweeping upload leftovers failed")


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


def recover() -> int:
    """End every running job whose runner died, as the store says it ended; returns how
    many were ended. ``dsvb serve`` can call it at start, so that a job killed with the
    previous server does not show as running until someone opens the imports page."""
    return _persist(_recover)


def _recover() -> int:
    RunnerLock.objects.get_or_create(name="imports")
    with transaction.atomic():
        RunnerLock.objects.select_for_update().get(name="imports")
        return _reconcile_abandoned()


def _reconcile_abandoned() -> int:
    """Reconcile the abandoned running jobs (the caller holds the runner lock row)."""
    n = 0
    for running in ImportJob.objects.filter(status=Status.RUNNING):
        if _abandoned(running):
            try:
                _reconcile(running)
            except Exception:  # the store cannot be read now: try at the next claim
                log.exception("import job %s could not be reconciled yet", running.pk)
            else:
                n += 1
    return n


def _claim() -> ImportJob | None:
    RunnerLock.objects.get_or_create(name="imports")
    with transaction.atomic():
        RunnerLock.objects.select_for_update().get(name="imports")
        now = timezone.now()
        _reconcile_abandoned()
        if ImportJob.objects.filter(status=Status.RUNNING).exists():
            return None
        job = ImportJob.objects.filter(status=Status.QUEUED).order_by("created_at", "id").first()
        if job is None:
            return None
        _hold_runner_lock(job)  # before the claim is committed: never a running job unlocked
        try:
            job.status = Status.RUNNING
            job.started_at = job.heartbeat_at = now
            job.save(update_fields=["status", "started_at", "heartbeat_at"])
        except BaseException:
            _release_runner_lock(job)
            raise
    return job


# --- is a running job's runner alive? -----------------------------------------------------

_held: dict[int, int] = {}  # job id -> descriptor of its runner lock, held by this process


def _runner_lock_path(job: ImportJob) -> Path:
    return Path(settings.UPLOAD_DIR) / uploads.RUNNERS / f"{job.pk}.lock"


def _hold_runner_lock(job: ImportJob) -> None:
    path = _runner_lock_path(job)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BaseException:
        os.close(fd)
        raise
    _held[job.pk] = fd


def _release_runner_lock(job: ImportJob) -> None:
    fd = _held.pop(job.pk, None)
    with contextlib.suppress(FileNotFoundError):
        _runner_lock_path(job).unlink()
    if fd is not None:
        os.close(fd)


def _runner_alive(job: ImportJob) -> bool | None:
    """Whether the process running the job is alive; None when it left no lock to tell."""
    if job.pk in _held:
        return True
    try:
        fd = os.open(_runner_lock_path(job), os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _abandoned(job: ImportJob) -> bool:
    """A running job whose runner is gone: its lock is free, or (no lock) its heartbeat
    stopped."""
    alive = _runner_alive(job)
    if alive is not None:
        return not alive
    return job.heartbeat_at is None or job.heartbeat_at < timezone.now() - ABANDONED_AFTER


def _stored_import(job: ImportJob) -> dict[str, Any] | None:
    """The store's import log entry of the import the job stored, if it stored one."""
    path = Path(settings.DSVB_STORE)
    if not path.exists():
        return None
    con = store.connect(path, read_only=True)
    try:
        import_id = writer.job_import(
            con, job.pk, created_at=job.created_at, started_at=job.started_at
        )
        if import_id is None:
            return None
        for entry in read_import_log(con):
            if entry["import_id"] == import_id:
                return entry
        return None
    finally:
        con.close()


def _reconcile(job: ImportJob) -> None:
    """End a job whose runner died, as the store says it ended."""
    entry = _stored_import(job)
    if entry is None:
        message = (
            "The import stopped without finishing (the web process running it was stopped or "
            "restarted) and nothing of it was stored: the store is as it was before. Upload "
            "it again to retry."
        )
        if _finish(
            job,
            Status.FAILED,
            message,
            {"outcome": "failed", "summary": message, "problems": [], "problem_total": 0},
        ):
            say(job, "Stopped without finishing: nothing was stored; marked as failed")
    else:
        report = _recovered_report(entry)
        if _finish(job, Status.SUCCEEDED, report["summary"], report):
            say(
                job,
                f"The import was stored as import {entry['import_id']} before the web process "
                "running it stopped; marked as succeeded",
            )
        _forget_state()
    _remove_upload(job)
    _release_runner_lock(job)


def _recovered_report(entry: dict[str, Any]) -> dict[str, Any]:
    counts = entry.get("row_counts") or {}
    if entry["kind"] == "return":
        what = "return"
        detail = ", ".join(f"{v:,} {k}" for k, v in counts.items()) or "no rows"
    else:
        what = "import"
        detail = f"{sum(counts.values()):,} rows from {len(counts)} files"
    summary = (
        f"Imported as {what} {entry['import_id']}: {detail}. (The import was stored but its "
        "job did not finish; this report was rebuilt from the store’s import log.)"
    )
    return {
        "outcome": "imported",
        "summary": summary,
        "import_id": entry["import_id"],
        "content_hash": entry.get("content_hash"),
        "row_counts": counts,
        "replaced": entry.get("replaced") or {},
        "normalised": entry.get("normalised") or [],
        "warnings": entry.get("warnings") or [],
        "recovered": True,
    }


def _forget_state() -> None:
    from dsvb.web.performance import data

    data.forget_state()


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
    try:
        _run(job)
    finally:
        _remove_upload(job)
        _release_runner_lock(job)  # if still running, another process reconciles it
    job.refresh_from_db()
    return job


def may_run(job: ImportJob) -> Decision:
    """Whether the person who submitted the job may still import, now that it runs (a queued
    job outlives a membership that ends, or an account disabled, in the meantime)."""
    from dsvb.access import permissions
    from dsvb.web.accounts.memberships import decide

    if job.created_by is None:
        return Decision(False, f"{job.created_by_username or 'its submitter'} has no account now")
    return decide(job.created_by, permissions.IMPORT)


def _refuse(job: ImportJob, decision: Decision) -> None:
    """Audit the refusal with its reason (the job as actor), then end the job as failed."""
    summary = f"Refused: {decision.reason}; nothing was imported."
    say(job, f"Refused: {decision.reason}")
    _persist(
        lambda: record_as(
            job_actor("import", job.pk),
            Action.ACCESS_DENIED,
            f"Refused to run import job {job.pk} for {job.created_by_username}: {decision.reason}",
            object_type="import_job",
            object_id=job.pk,
            outcome="refused",
            reason=decision.reason,
            submitted_by=job.created_by_username,
        )
    )
    _finish(
        job,
        Status.FAILED,
        summary,
        {"outcome": "refused", "summary": summary, "problems": [], "problem_total": 0},
    )


def _run(job: ImportJob) -> None:
    decision = may_run(job)
    if not decision:
        _refuse(job, decision)
        return
    say(job, f"Started: importing {'an extract' if job.kind == Kind.EXTRACT else 'a return'}")
    try:
        with _Heartbeat(job):
            report = _execute(job)
    except StoreUnavailable as exc:
        summary = str(exc)
        say(job, "Failed: the store could not be written")
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
        try:
            entry = _stored_import(job)
        except Exception:
            log.exception("the store could not be read to see what job %s stored", job.pk)
            stored = "the store’s import log on the imports page shows whether it was stored"
        else:
            if entry is not None:  # it failed after the store took the import: say so
                report = _recovered_report(entry)
                say(job, f"Stored as import {entry['import_id']}, then an unexpected error")
                _finish(job, Status.SUCCEEDED, report["summary"], report)
                _forget_state()
                return
            stored = "nothing of it was stored"
        summary = f"The import failed unexpectedly ({type(exc).__name__}: {exc}); {stored}."
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


def _remove_upload(job: ImportJob) -> None:
    """The uploaded files hold records of people; once imported (or refused) they go."""
    shutil.rmtree(job.upload_dir, ignore_errors=True)


def _finish(job: ImportJob, status: Status, summary: str, report: dict[str, Any]) -> bool:
    """End the job and audit its end, together (both or neither, so audited exactly once).

    Only a job still running is ended, in one conditional update: when two processes end
    the same job (its runner, and another that took it for abandoned and reconciled it),
    the first one's outcome and audit entry stand and the second changes nothing. Returns
    whether this call ended it.
    """
    finished_at = timezone.now()
    outcome = report.get("outcome", "") if status == Status.SUCCEEDED else ""
    fields = {
        "status": status,
        "finished_at": finished_at,
        "summary": summary[:500],
        "report": report,
        "outcome": outcome,
        "store_import_id": report.get("import_id"),
    }
    assert set(fields) == set(_END_FIELDS)
    for name, value in fields.items():
        setattr(job, name, value)
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

    def write() -> bool:
        with transaction.atomic():
            ended = ImportJob.objects.filter(pk=job.pk, status=Status.RUNNING).update(**fields)
            if ended:
                record(None, action, text, **details)
            return bool(ended)

    ended = _persist(write)
    if not ended:
        log.warning("import job %s had already been ended by another process", job.pk)
        job.refresh_from_db()
    return ended


_END_FIELDS = ("status", "finished_at", "summary", "report", "outcome", "store_import_id")


def _refresh_pages(job: ImportJob) -> None:
    """Make the pages show the new data at once, and prepare them: the results, the
    assessments and the main pages are computed now, not on their first view."""
    from dsvb.web.performance import data
    from dsvb.web.performance.prepare import prepare

    data.forget_state()
    say(job, "Preparing the performance pages for the new data")
    try:
        n = prepare() if settings.DSVB_PREPARE_PAGES else data.warm()
    except Exception as exc:  # the import stands; the pages compute on first view instead
        log.warning("warming results after import job %s failed: %s", job.pk, exc)
        say(job, "The performance pages will be prepared when they are first opened")
    else:
        say(job, "The performance pages are ready" if n else "The performance pages are up to date")


@contextlib.contextmanager
def writing_store(job: ImportJob) -> Iterator[writer.StoreWrite]:
    """The store, to write the job's import to (a copy, renamed over the store when the
    import is recorded), waiting while another import writes it."""
    origin = writer.Origin(job.created_by_username, writer.WEB, job.pk, job.created_at)
    wait = STORE_WAIT_SECONDS
    try:
        with writer.writing(
            Path(settings.DSVB_STORE), origin, wait=wait, progress=lambda m: say(job, m)
        ) as write:
            yield write
    except store.NotAStoreError as exc:
        log.error("DSVB_STORE cannot be read: %s", exc)
        raise StoreUnavailable(
            "The data store cannot be read: the file the service is configured to use is "
            "not a dsvb store. Nothing was imported and the file was not changed; the "
            "service team must point DSVB_STORE at the store."
        ) from exc
    except writer.StoreAccessError as exc:
        log.error("the store cannot be written: %s", exc)
        raise StoreUnavailable(
            "The data store could not be written (its folder or files cannot be opened or "
            "made by the service; the service log names the file and the reason). Nothing "
            "was imported and the store was not changed; the service team must check the "
            "store folder's permissions and free space."
        ) from exc
    except writer.StoreBusy as exc:
        raise StoreUnavailable(
            f"The store could not be written: another import was writing it for {wait:.0f} "
            "seconds (for example an import from the command line). Nothing was imported. "
            "Upload the file again when that has finished."
        ) from exc


def _execute(job: ImportJob) -> dict[str, Any]:
    say(job, "Opening the store")
    with writing_store(job) as write:
        if job.kind == Kind.EXTRACT:
            folder = job.upload_dir / EXTRACT_FOLDER
            result = import_extract(write.con, folder, progress=lambda message: say(job, message))
            if result.status == "imported":
                write.record(result.import_id)
            return _extract_report(job, result)
        (path,) = [p for p in job.upload_dir.iterdir() if p.is_file()]
        say(job, f"Reading {path.name}")
        outcome = import_return(write.con, path)
        if outcome.status == "imported":
            write.record(outcome.return_id)
        return _return_report(job, outcome)


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
    """Every import the store holds (web and command line), each with who made it
    (``origin``: None for imports made before dsvb recorded it), or None if it can't be
    read now."""
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
            entries = read_import_log(con)
            origins = writer.import_origins(con)
        except duckdb.Error as exc:
            log.warning("the store's import log cannot be read: %s", exc)
            return None
        finally:
            con.close()
        for entry in entries:
            entry["origin"] = origins.get(entry["import_id"])
        return entries
