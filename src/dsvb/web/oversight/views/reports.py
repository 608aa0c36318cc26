"""Borough reports: uploaded against a brief (every version kept), their figures checked as
they arrive, each figure shown beside its sentence; the original downloaded (audited)."""

from __future__ import annotations

from pathlib import PurePath

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from dsvb.oversight import report_check
from dsvb.oversight.document import MEDIA_TYPES
from dsvb.web.audit.pageview import audited_view, viewed
from dsvb.web.audit.recorder import record
from dsvb.web.oversight import audit, guards, papers
from dsvb.web.oversight import models as m
from dsvb.web.oversight.forms import ReportUploadForm
from dsvb.web.oversight.views._common import posted

# how each verdict of the check (report_check.VERDICTS, the one list) is shown
VERDICTS = {
    report_check.CONSISTENT: ("Consistent", "govuk-tag--green"),
    report_check.MATCHES_DATA: ("Matches the data", "govuk-tag--green"),
    report_check.INCONSISTENT: ("Inconsistent", "govuk-tag--red"),
    report_check.DIFFERS_FROM_DATA: ("Differs from the data", "govuk-tag--orange"),
    report_check.UNCHECKED: ("Unchecked", "govuk-tag--grey"),
}
assert set(VERDICTS) == set(report_check.VERDICTS), "a verdict of the check is not shown"


def _safe_name(name: str) -> str:
    base = PurePath(name.replace("\\", "/")).name
    return "".join(c for c in base if c.isalnum() or c in "._- ()")[:200] or "report"


@require_http_methods(["GET", "POST"])
@guards.cycle_member
@audited_view("the form to upload a borough report")
def report_upload(request: HttpRequest, pk: int) -> HttpResponse:
    brief = guards.get_item(request, m.Brief, pk, contribute=True)
    viewed(request, area=brief.area_code)
    form = ReportUploadForm(posted(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        name = _safe_name(upload.name)
        result, error = papers.check(content, name, brief)
        kind = form.cleaned_data["kind"]
        for _attempt in range(3):  # two uploads at once: the later takes the next version
            try:
                with transaction.atomic():
                    report = m.BoroughReport.objects.create(
                        brief=brief,
                        kind=kind,
                        version=m.BoroughReport.next_version(brief, kind),
                        file_name=name,
                        content=content,
                        uploaded_by=request.user.username,
                        check_result=result,
                        check_error=error,
                    )
                break
            except IntegrityError:
                continue
        else:  # pragma: no cover - three collisions in a row
            raise RuntimeError("could not number the upload")
        record(
            request,
            audit.REPORT_UPLOADED,
            f"Uploaded {name} as {brief.session.area_name}'s {kind} report, version "
            f"{report.version}",
            object_type="report",
            object_id=report.pk,
            area=brief.area_code,
            brief=brief.pk,
        )
        return redirect("oversight:report", pk=report.pk)
    return render(
        request,
        "oversight/briefs/upload.html",
        {"form": form, "brief": brief, "max_mb": 20},
    )


@require_GET
@guards.cycle_member
@audited_view("a borough report and the check of its figures")
def report(request: HttpRequest, pk: int) -> HttpResponse:
    report = guards.get_item(
        request, m.BoroughReport, pk, queryset=m.BoroughReport.objects.select_related("brief")
    )
    viewed(request, area=report.brief.area_code)
    result = report.check_result or {}
    rows = []
    for row in result.get("rows", []):
        label, tag = VERDICTS.get(
            row.get("verdict", ""), (row.get("verdict", ""), "govuk-tag--grey")
        )
        rows.append({**row, "verdict_label": label, "verdict_tag": tag})
    counts = [
        (VERDICTS[v][0], VERDICTS[v][1], result.get("verdicts", {}).get(v, 0)) for v in VERDICTS
    ]
    return render(
        request,
        "oversight/reports/report.html",
        {
            "report": report,
            "brief": report.brief,
            "rows": rows,
            "counts": counts,
            "result": result,
            "others": list(report.brief.reports.exclude(pk=report.pk)),
        },
    )


@require_GET
@guards.cycle_member
@audited_view("a borough report's original file")
def report_download(request: HttpRequest, pk: int) -> HttpResponse:
    report = guards.get_item(
        request, m.BoroughReport, pk, queryset=m.BoroughReport.objects.select_related("brief")
    )
    record(
        request,
        audit.DOCUMENT_DOWNLOADED,
        f"Downloaded {report.file_name}, {report.brief.session.area_name}'s {report.kind} "
        f"report version {report.version}",
        object_type="report",
        object_id=report.pk,
        area=report.brief.area_code,
    )
    kind = PurePath(report.file_name).suffix.lower().lstrip(".")
    media_type = MEDIA_TYPES.get(kind, "application/octet-stream")
    response = HttpResponse(bytes(report.content), content_type=media_type)
    response["Content-Disposition"] = f'attachment; filename="{report.file_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
