"""Imports from the browser: upload, progress, report, and the list of imports.

Force analysts upload; the secretariat may read the list and the reports; nobody else.
Reports quote rows of the extract, so each view (and each CSV download) of one is audited.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import PurePath
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from dsvb.web.accounts import policies
from dsvb.web.accounts.decorators import policy_required
from dsvb.web.audit.models import Action
from dsvb.web.audit.pageview import audited_view
from dsvb.web.audit.recorder import client_address, record
from dsvb.web.imports import jobs, uploads
from dsvb.web.imports.forms import ExtractUploadForm, ReturnUploadForm
from dsvb.web.imports.models import ImportJob, Kind
from dsvb.web.spreadsheets import defused

RECENT_JOBS = 50

can_view = policy_required(lambda user, **_: policies.can_view_imports(user))
can_import = policy_required(lambda user, **_: policies.can_import(user))

NOTE_HEADINGS = {
    "normalised": ("Normalised", "Labels read as something else: a typo or a variant name."),
    "garbled": (
        "Unreadable cells",
        "Cells that are not a readable figure. They are kept exactly as published, with no "
        "value; nothing is guessed.",
    ),
    "reconciliation": (
        "Reconciliation differences",
        "Figures that should agree but do not, within this table or with another table of the "
        "same report already in the store, with the figure expected and the figure found. "
        "Published figures are never changed.",
    ),
    "interpreted": (
        "Interpreted",
        "Readings the table does not state explicitly: a period, a denominator or a family "
        "the import supplied, and the tables it was checked against.",
    ),
    "unread": ("Kept but not interpreted", "Published text kept as it is."),
}


# --- list and upload ----------------------------------------------------------------------


@require_GET
@can_view
@audited_view("the imports and the store's log")
def import_list(request: HttpRequest) -> HttpResponse:
    jobs.kick()
    recent = list(ImportJob.objects.all()[:RECENT_JOBS])
    by_import_id = {j.store_import_id: j for j in recent if j.outcome == "imported"}
    store_log = jobs.store_import_log()
    if store_log is not None:
        missing = {e["import_id"] for e in store_log} - set(by_import_id)
        if missing:
            for job in ImportJob.objects.filter(store_import_id__in=missing, outcome="imported"):
                by_import_id[job.store_import_id] = job
        # the store says which web job made an import, whatever the job's own record says
        by_job_id = {
            e["origin"]["job_id"]: e["import_id"]
            for e in store_log
            if e.get("origin") and e["origin"]["job_id"] is not None
        }
        for job in ImportJob.objects.filter(pk__in=set(by_job_id) - {
            j.pk for j in by_import_id.values()
        }):  # fmt: skip
            by_import_id[by_job_id[job.pk]] = job
        for entry in store_log:
            entry["job"] = job = by_import_id.get(entry["import_id"])
            origin = entry.get("origin") or {}
            entry["imported_by"] = origin.get("imported_by") or (
                job.created_by_username if job else ""
            )
            entry["via_command_line"] = origin.get("via") == "command line"
            entry["via_demo"] = origin.get("via") == "demo"
            entry["source_label"] = job.files_label if job else PurePath(entry["source"]).name
            if entry.get("finished_at") is not None:  # stored as UTC without a zone
                entry["finished_at"] = entry["finished_at"].replace(tzinfo=dt.UTC)
            counts = entry.get("row_counts") or {}
            entry["total_rows"] = (
                counts.get("rows", 0) if entry["kind"] == "return" else sum(counts.values())
            )
            entry["total_replaced"] = sum((entry.get("replaced") or {}).values())
    context: dict[str, Any] = {
        "jobs": recent,
        "store_log": store_log,
        "may_import": policies.can_import(request.user),
    }
    if context["may_import"]:
        context["extract_form"] = ExtractUploadForm()
        context["return_form"] = ReturnUploadForm()
        context["max_upload"] = uploads.limit_text()
    return render(request, "imports/list.html", context)


def _upload_view(
    kind: Kind, form_class: type[ExtractUploadForm] | type[ReturnUploadForm], template: str
) -> Callable[[HttpRequest], HttpResponse]:
    @csrf_protect
    def handle(request: HttpRequest) -> HttpResponse:
        if request.method == "POST":
            data, files = request.POST, request.FILES  # reads the body, within the limit
            too_large = bool(getattr(request, "dsvb_upload_too_large", False))
            form = form_class(data, files, too_large=too_large)
            if form.is_valid() and form.staged is not None:
                job = _queue(request, kind, form)
                jobs.start()
                return redirect("imports:job", job_id=job.pk)
            form.discard()
            status = 413 if too_large else 400
        else:
            form = form_class()
            status = 200
        return render(
            request,
            template,
            {"form": form, "max_upload": uploads.limit_text()},
            status=status,
        )

    @csrf_exempt  # checked by handle(), once the size limit is in place
    @require_http_methods(["GET", "POST"])
    @can_import
    def view(request: HttpRequest) -> HttpResponse:
        if request.method == "POST":
            # Before the body is read: stop reading an upload that is too large.
            request.upload_handlers.insert(0, uploads.SizeLimitHandler(request))
        return handle(request)

    return view


def _queue(
    request: HttpRequest, kind: Kind, form: ExtractUploadForm | ReturnUploadForm
) -> ImportJob:
    staged = form.staged
    assert staged is not None
    try:
        with transaction.atomic():
            job = ImportJob.objects.create(
                kind=kind,
                created_by=request.user,
                created_by_username=request.user.get_username(),
                submitted_from=client_address(request),
                created_at=timezone.now(),
                file_names=staged.file_names,
                size_bytes=staged.size,
            )
            staged.adopt(job.upload_dir)
            jobs.say(job, f"Uploaded {', '.join(staged.file_names)}; waiting to start")
            record(
                request,
                Action.IMPORT_STARTED,
                f"Started import job {job.pk}: {job.get_kind_display().lower()} "
                f"({job.files_label})",
                object_type="import_job",
                object_id=job.pk,
                kind=job.kind,
                files=job.file_names,
                size_bytes=job.size_bytes,
            )
    except BaseException:
        form.discard()
        raise
    return job


upload_extract = _upload_view(Kind.EXTRACT, ExtractUploadForm, "imports/upload_extract.html")
upload_return = _upload_view(Kind.RETURN, ReturnUploadForm, "imports/upload_return.html")


# --- progress -----------------------------------------------------------------------------


def _status_payload(job: ImportJob) -> dict[str, Any]:
    local = timezone.localtime
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": job.get_status_display(),
        "finished": job.finished,
        "summary": job.summary,
        "messages": [
            {
                "at": local(m.at).isoformat(),
                "time": local(m.at).strftime("%H:%M:%S"),
                "message": m.message,
            }
            for m in job.messages.all()
        ],
        "report_url": reverse("imports:report", args=[job.pk]) if job.finished else None,
    }


@require_GET
@never_cache
@can_view
@audited_view("an import job")
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    jobs.kick()
    job = get_object_or_404(ImportJob, pk=job_id)
    return render(
        request,
        "imports/job.html",
        {"job": job, "job_messages": list(job.messages.all())},
    )


@require_GET
@never_cache
@can_view
def job_status(request: HttpRequest, job_id: int) -> JsonResponse:
    job = get_object_or_404(ImportJob, pk=job_id)
    return JsonResponse(_status_payload(job))


# --- report -------------------------------------------------------------------------------


def _notes_by_kind(report: dict[str, Any]) -> list[dict[str, Any]]:
    groups = []
    for kind, (heading, hint) in NOTE_HEADINGS.items():
        notes = [n for n in report.get("notes", []) if n["kind"] == kind]
        if notes:
            groups.append({"kind": kind, "heading": heading, "hint": hint, "notes": notes})
    return groups


@require_GET
@never_cache
@can_view
@audited_view("an import report")
def job_report(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=job_id)
    if not job.finished:
        return redirect("imports:job", job_id=job.pk)
    report = job.report or {}
    record(
        request,
        Action.IMPORT_REPORT_VIEWED,
        f"Viewed the report of import job {job.pk} ({job.files_label})",
        object_type="import_job",
        object_id=job.pk,
    )
    row_counts = report.get("row_counts") or {}
    replaced = report.get("replaced") or {}
    counts = [
        {"file": f"{name}.csv", "rows": n, "replaced": replaced.get(name, 0)}
        for name, n in row_counts.items()
    ]
    return render(
        request,
        "imports/report.html",
        {
            "job": job,
            "report": report,
            "problems": report.get("problems") or [],
            "counts": counts,
            "total_rows": sum(row_counts.values()),
            "any_replaced": any(replaced.values()),
            "note_groups": _notes_by_kind(report),
            "has_csv": bool(report.get("problems") or report.get("notes")),
        },
    )


def _cell(value: Any) -> str:
    """A cell of a CSV download, defused so a spreadsheet never reads it as a formula."""
    if value is None:
        return ""
    return defused(str(value))


@require_GET
@never_cache
@can_view
@audited_view("an import report (CSV download)")
def job_report_csv(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=job_id)
    report = job.report or {}
    if not job.finished or not (report.get("problems") or report.get("notes")):
        return redirect("imports:report", job_id=job.pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    writer = csv.writer(response, lineterminator="\r\n")
    response.write("\ufeff")
    if report.get("problems"):
        name = f"import-{job.pk}-problems.csv"
        writer.writerow(["file", "row", "column", "value", "message", "rows_with_this_problem"])
        for p in report["problems"]:
            writer.writerow(
                [_cell(p.get(k)) for k in ("file", "row", "column", "value", "message", "count")]
            )
        rows = len(report["problems"])
    else:
        name = f"import-{job.pk}-notes.csv"
        writer.writerow(["kind", "row", "column", "message", "expected", "found"])
        for n in report["notes"]:
            writer.writerow(
                [_cell(n.get(k)) for k in ("kind", "row", "column", "message", "expected", "found")]
            )
        rows = len(report["notes"])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    record(
        request,
        Action.EXPORTED,
        f"Downloaded the report of import job {job.pk} as CSV ({rows} rows)",
        object_type="import_job",
        object_id=job.pk,
        format="csv",
        rows=rows,
    )
    return response
