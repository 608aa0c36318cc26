"""The annual report: the secretariat's texts by theme and the critical success factors,
previewed as the report :func:`dsvb.oversight.annual_report.build_annual_report` makes from
the year's assessments, the agreed findings of the year's sessions, the recommendations and
last year's progress -- under the disclosure-control policy in force, the one it is published
under. Publishing keeps the HTML, PDF and DOCX as published; the public reads those (a draft
is never public: 404)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dsvb.indicators.definitions import ALL_FAMILIES
from dsvb.oversight.states import (
    FindingKind,
    FindingStatus,
    InvalidMove,
    LetterStatus,
    ReportStatus,
)
from dsvb.web.audit.pageview import audited_view, viewed
from dsvb.web.audit.recorder import record
from dsvb.web.oversight import audit, data, guards, papers
from dsvb.web.oversight import models as m
from dsvb.web.oversight.forms_after import AnnualReportForm, AnnualReportNewForm
from dsvb.web.oversight.guards import can_run_cycle, cycle_manage, cycle_view
from dsvb.web.public import policy as public_policy


def themes() -> tuple[tuple[str, str], ...]:
    from dsvb.oversight.annual_report import THEMES

    return THEMES


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


def report_inputs(report: m.AnnualReport, policy: Any) -> Any:
    """Everything the report is made of, from the store and the cycle."""
    from dsvb.oversight import annual_report as ar
    from dsvb.oversight import recommendations as recs

    held = data.data.state()
    if (
        held.first_month is None
        or held.last_month is None
        or report.period_end < held.first_month
        or report.period_start > held.last_month
    ):
        assessments = []
    else:
        assessments = [
            a
            for a in (
                data.assessment(family, report.period_start, report.period_end)
                for family in ALL_FAMILIES
            )
            if a is not None
        ]
    if not assessments:
        raise ValueError(
            f"the store holds no figures for {report.period_start:%-d %B %Y} to "
            f"{report.period_end:%-d %B %Y}: import that year's extract, or change the period"
        )
    # only findings the borough has been sent (its session's letter SENT); each with a
    # figure-free wording for the published report (the letter's text may carry the
    # borough's exact counts, which no disclosure control has passed)
    outcomes: dict[str, dict[str, list[Any]]] = {}
    sessions = m.Session.objects.filter(
        meeting__date__year=report.year, letter__status=LetterStatus.SENT.value
    ).select_related("meeting")
    for session in sessions:
        for f in session.findings.filter(status=FindingStatus.AGREED.value):
            key = "commended" if f.kind == FindingKind.COMMEND.value else "follow_up"
            outcomes.setdefault(session.area_name, {"commended": [], "follow_up": []})[key].append(
                ar.Outcome(f.text, ar.theme_wording(f.theme))
            )
    recommendations = []
    for rec in m.Recommendation.objects.filter(year__in=(report.year, report.year - 1)):
        value = recs.Recommendation(rec.year, rec.number, rec.text, rec.owner, theme=rec.theme)
        for u in rec.updates.order_by("on", "id"):
            try:
                value = value.with_update(
                    recs.Update(u.on, u.text or "(no words)", u.status, "reopened")
                )
            except recs.RecommendationError:
                continue
        recommendations.append(value)
    factors = []
    for block in _paragraphs(report.success_factors):
        title, _, text = block.partition("\n")
        factors.append(ar.SuccessFactor(title.strip(), text.strip()))
    return ar.AnnualReportInputs(
        year=report.year,
        figures=ar.figures_from_assessments(assessments),
        policy=policy,
        findings={
            key: _paragraphs(report.themes.get(key, ""))
            for key, _ in ar.THEMES
            if _paragraphs(report.themes.get(key, ""))
        },
        recommendations=recommendations,
        boroughs=[
            ar.BoroughOutcome(name, tuple(v["commended"]), tuple(v["follow_up"]))
            for name, v in sorted(outcomes.items())
        ],
        success_factors=factors,
    )


def report_document(report: m.AnnualReport) -> Any:
    from dsvb.oversight.annual_report import build_annual_report

    return build_annual_report(report_inputs(report, public_policy.current()))


@cycle_view
@audited_view("the annual reports")
def annual_reports(request: HttpRequest) -> HttpResponse:
    form = AnnualReportNewForm(initial={"year": timezone.localdate().year})
    if request.method == "POST":
        if not can_run_cycle(request.user):
            guards.refuse(request, "only the secretariat starts an annual report")
        form = AnnualReportNewForm(request.POST)
        if form.is_valid():
            year = form.cleaned_data["year"]
            start, end = data.period_of_year(year, 12) or (
                timezone.datetime(year - 1, 12, 1).date(),
                timezone.datetime(year, 11, 30).date(),
            )
            m.AnnualReport.objects.create(year=year, period_start=start, period_end=end)
            record(
                request,
                audit.ANNUAL_REPORT_CHANGED,
                f"Annual report {year} started",
                object_type="annual_report",
                object_id=year,
            )
            return redirect("oversight:annual-report", year=year)
    return render(
        request,
        "oversight/annual/list.html",
        {
            "reports": m.AnnualReport.objects.all(),
            "form": form,
            "can_run": can_run_cycle(request.user),
        },
    )


@cycle_view
@audited_view("an annual report")
def annual_report(request: HttpRequest, year: int) -> HttpResponse:
    report = get_object_or_404(m.AnnualReport, year=year)
    viewed(request, annual_report=year)
    draft = report.status == ReportStatus.DRAFT.value
    initial = {f"theme_{k}": report.themes.get(k, "") for k, _ in themes()}
    initial["success_factors"] = report.success_factors
    initial["period_start"], initial["period_end"] = report.period_start, report.period_end
    form = AnnualReportForm(initial=initial, themes=themes())
    if request.method == "POST":
        if not (can_run_cycle(request.user) and draft):
            guards.refuse(request, "only the secretariat edits a draft annual report")
        form = AnnualReportForm(request.POST, themes=themes())
        if form.is_valid():
            report.themes = {k: form.cleaned_data[f"theme_{k}"] for k in form.theme_keys}
            report.success_factors = form.cleaned_data["success_factors"]
            if form.cleaned_data.get("period_start") and form.cleaned_data.get("period_end"):
                report.period_start = form.cleaned_data["period_start"]
                report.period_end = form.cleaned_data["period_end"]
            report.save()
            record(
                request,
                audit.ANNUAL_REPORT_CHANGED,
                f"Annual report {year}: texts saved",
                object_type="annual_report",
                object_id=year,
            )
            messages.success(request, "The texts are saved")
            return redirect("oversight:annual-report", year=year)
    return render(
        request,
        "oversight/annual/edit.html",
        {
            "report": report,
            "form": form,
            "can_edit": can_run_cycle(request.user) and draft,
            "no_data": data.period_of_year(report.year, 12) is None,
        },
    )


@cycle_view
@audited_view("an annual report's preview")
def annual_preview(request: HttpRequest, year: int) -> HttpResponse:
    report = get_object_or_404(m.AnnualReport, year=year)
    viewed(request, annual_report=year)
    document, problem = None, ""
    if report.status == ReportStatus.PUBLISHED.value:
        document = papers.demote_headings(report.published_html)
    else:
        try:
            document = papers.html_fragment(report_document(report), beneath_heading=True)
        except ValueError as exc:
            problem = str(exc)
    return render(
        request,
        "oversight/annual/preview.html",
        {
            "report": report,
            "document": document,
            "problem": problem,
            "policy": public_policy.current(),
            "can_publish": can_run_cycle(request.user)
            and report.status == ReportStatus.DRAFT.value
            and not problem,
        },
    )


@cycle_view
@audited_view("an annual report's download")
def annual_download(request: HttpRequest, year: int, fmt: str) -> HttpResponse:
    if fmt not in ("pdf", "docx"):
        raise Http404("The annual report is a PDF or a DOCX")
    report = get_object_or_404(m.AnnualReport, year=year)
    kept = report.published_pdf if fmt == "pdf" else report.published_docx
    if report.status == ReportStatus.PUBLISHED.value and kept:
        content = bytes(kept)
    else:
        try:
            content = papers.render_document(report_document(report), fmt)
        except ValueError as exc:
            raise Http404(str(exc)) from exc
    return papers.download(
        request,
        content,
        name=f"annual-report-{year}",
        fmt=fmt,
        object_type="annual_report",
        object_id=year,
        summary=f"Downloaded the annual report {year} ({fmt.upper()})",
    )


@require_POST
@cycle_manage
@audited_view("an annual report being published")
def annual_publish(request: HttpRequest, year: int) -> HttpResponse:
    report = get_object_or_404(m.AnnualReport, year=year)
    if report.status != ReportStatus.DRAFT.value:
        messages.info(request, f"The annual report {year} is already published")
        return redirect("oversight:annual-preview", year=year)
    policy = public_policy.current()
    try:
        from dsvb.oversight.annual_report import build_annual_report

        doc = build_annual_report(report_inputs(report, policy))
        html, pdf, docx = (
            papers.html_fragment(doc),
            papers.render_document(doc, "pdf"),
            papers.render_document(doc, "docx"),
        )
        with transaction.atomic():
            report.move_to(ReportStatus.PUBLISHED)
            report.published_html, report.published_pdf, report.published_docx = html, pdf, docx
            report.published_at = timezone.now()
            report.save()
    except (InvalidMove, ValueError) as exc:
        messages.error(request, str(exc).capitalize())
        return redirect("oversight:annual-preview", year=year)
    record(
        request,
        audit.ANNUAL_REPORT_PUBLISHED,
        f"Annual report {year} published under disclosure-control policy version {policy.version}",
        object_type="annual_report",
        object_id=year,
        policy_version=policy.version,
    )
    messages.success(request, f"The annual report {year} is published")
    return redirect("oversight:annual-preview", year=year)


def _published(year: int) -> m.AnnualReport:
    report = m.AnnualReport.objects.filter(year=year, status=ReportStatus.PUBLISHED.value).first()
    if report is None:
        raise Http404("No published annual report for that year")
    return report


def published(request: HttpRequest, year: int) -> HttpResponse:
    """The published report, for anyone (as published: the stored HTML)."""
    report = _published(year)
    return render(request, "oversight/annual/published.html", {"report": report})


def published_pdf(request: HttpRequest, year: int) -> HttpResponse:
    report = _published(year)
    response = HttpResponse(bytes(report.published_pdf or b""), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="annual-report-{year}.pdf"'
    return response
