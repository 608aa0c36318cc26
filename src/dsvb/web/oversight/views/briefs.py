"""Commissioning briefs: written for a borough's session (defaults from the meeting's date
and the latest 12 months of data), changed while a draft, read as HTML, downloaded as PDF
and DOCX, sent (kept as sent from then on) or withdrawn; and the template of sections
B2-B5 per year."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods

from dsvb.oversight.due import past_due
from dsvb.oversight.states import BriefStatus, ReportKind
from dsvb.web.audit.pageview import audited_view, viewed
from dsvb.web.audit.recorder import record
from dsvb.web.oversight import audit, data, guards, papers
from dsvb.web.oversight import models as m
from dsvb.web.oversight.forms import BriefForm, BriefTemplateForm, ConfirmForm, ReasonForm
from dsvb.web.oversight.views._common import move, posted


def _briefs_for(user: Any) -> list[dict]:
    rows = []
    today = timezone.localdate()
    queryset = m.Brief.objects.select_related("session__meeting").prefetch_related("reports")
    for brief in queryset.order_by("session__meeting__date", "session__area_code"):
        if not guards.may_see(user, brief):
            continue
        kinds = {r.kind for r in brief.reports.all()}
        open_ = brief.status == BriefStatus.SENT.value
        rows.append(
            {
                "brief": brief,
                "draft": ReportKind.DRAFT.value in kinds or ReportKind.FINAL.value in kinds,
                "final": ReportKind.FINAL.value in kinds,
                "draft_late": open_ and not kinds and past_due(brief.draft_due, today),
                "final_late": open_
                and ReportKind.FINAL.value not in kinds
                and past_due(brief.final_due, today),
            }
        )
    return rows


@require_GET
@guards.cycle_member
@audited_view("the commissioning briefs and their reports")
def briefs(request: HttpRequest) -> HttpResponse:
    rows = _briefs_for(request.user)
    return render(
        request,
        "oversight/briefs/list.html",
        {
            "rows": rows,
            "overdue": [r for r in rows if r["draft_late"] or r["final_late"]],
            "may_run": guards.can_run_cycle(request.user),
            "sessions_without": m.Session.objects.filter(brief__isnull=True)
            .select_related("meeting")
            .filter(meeting__date__gte=timezone.localdate())
            if guards.can_run_cycle(request.user)
            else [],
        },
    )


@require_http_methods(["GET", "POST"])
@guards.cycle_manage
@audited_view("the form to write a commissioning brief")
def brief_new(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(m.Session.objects.select_related("meeting"), pk=pk)
    viewed(request, session=pk, area=session.area_code)
    if hasattr(session, "brief"):
        return redirect("oversight:brief", pk=session.brief.pk)
    period = data.latest_period(12)
    initial = m.Brief.defaults_for(session.meeting.date)
    if period is not None:
        initial.update(period_start=period[0], period_end=period[1])
    form = BriefForm(posted(request), initial=initial, meeting_date=session.meeting.date)
    if request.method == "POST" and form.is_valid():
        brief = form.save(commit=False)
        brief.session = session
        brief.save()
        record(
            request,
            audit.BRIEF_CHANGED,
            f"Wrote the brief for {session}",
            object_type="brief",
            object_id=brief.pk,
        )
        return redirect("oversight:brief", pk=brief.pk)
    return render(
        request,
        "oversight/home/form.html",
        {"form": form, "title": f"Write the brief for {session}", "back": "oversight:briefs"},
    )


@require_GET
@guards.cycle_member
@audited_view("a commissioning brief")
def brief(request: HttpRequest, pk: int) -> HttpResponse:
    brief = guards.get_item(request, m.Brief, pk)
    viewed(request, area=brief.area_code)
    preparing = ""
    if brief.sent_html:
        html, problem = brief.sent_html, ""
    else:
        try:
            html, problem = papers.to_html(papers.brief_document(brief)), ""
        except papers.Preparing as waiting:
            html, problem, preparing = "", "", str(waiting)
        except ValueError as exc:
            html, problem = "", str(exc)
    may_upload = guards.item_decision(request.user, brief, contribute=True)
    return render(
        request,
        "oversight/briefs/brief.html",
        {
            "brief": brief,
            "html": mark_safe(html),
            "problem": problem,
            "preparing": preparing,
            "reports": [r for r in brief.reports.all() if guards.may_see(request.user, r)],
            "may_run": guards.can_run_cycle(request.user),
            "may_upload": may_upload.allowed,
            "upload_refusal": may_upload.reason,
            "is_draft": brief.status == BriefStatus.DRAFT.value,
            "is_sent": brief.status == BriefStatus.SENT.value,
        },
    )


@require_http_methods(["GET", "POST"])
@guards.cycle_manage
@audited_view("the form to change a commissioning brief")
def brief_edit(request: HttpRequest, pk: int) -> HttpResponse:
    brief = get_object_or_404(m.Brief.objects.select_related("session__meeting"), pk=pk)
    viewed(request, brief=pk, area=brief.area_code)
    if brief.status != BriefStatus.DRAFT.value:
        messages.error(request, f"The brief is {brief.status}: only a draft brief is changed")
        return redirect("oversight:brief", pk=pk)
    form = BriefForm(posted(request), instance=brief, meeting_date=brief.session.meeting.date)
    if request.method == "POST" and form.is_valid():
        form.save()
        record(
            request,
            audit.BRIEF_CHANGED,
            f"Changed the {brief}",
            object_type="brief",
            object_id=brief.pk,
        )
        return redirect("oversight:brief", pk=pk)
    return render(
        request,
        "oversight/home/form.html",
        {"form": form, "title": f"Change the {brief}", "back_url": f"/board/briefs/{pk}/"},
    )


def _document(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    brief = guards.get_item(request, m.Brief, pk)
    stored = brief.sent_pdf if fmt == "pdf" else brief.sent_docx
    if stored:
        content = bytes(stored)
    else:
        try:
            doc = papers.brief_document(brief)
        except papers.Preparing as preparing:
            messages.info(request, str(preparing))
            return redirect("oversight:brief", pk=pk)
        except ValueError as exc:
            raise Http404(str(exc)) from exc
        content = papers.render_document(doc, fmt)
    return papers.download(
        request,
        content,
        name=f"brief-{brief.session.area_name.replace(' ', '-').lower()}-{brief.pk}",
        fmt=fmt,
        object_type="brief",
        object_id=brief.pk,
        summary=f"Downloaded the {brief} as {fmt.upper()}" + (" (as sent)" if stored else ""),
        area=brief.area_code,
    )


@require_GET
@guards.cycle_member
@audited_view("a commissioning brief as PDF")
def brief_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _document(request, pk, "pdf")


@require_GET
@guards.cycle_member
@audited_view("a commissioning brief as DOCX")
def brief_docx(request: HttpRequest, pk: int) -> HttpResponse:
    return _document(request, pk, "docx")


@require_http_methods(["GET", "POST"])
@guards.cycle_manage
@audited_view("the confirmation to send a commissioning brief")
def brief_send(request: HttpRequest, pk: int) -> HttpResponse:
    brief = get_object_or_404(m.Brief.objects.select_related("session__meeting"), pk=pk)
    viewed(request, brief=pk, area=brief.area_code)
    form = ConfirmForm(posted(request), submit="Send the brief")
    if brief.status != BriefStatus.DRAFT.value:
        messages.error(request, f"The brief is {brief.status}: only a draft brief is sent")
        return redirect("oversight:brief", pk=pk)
    if request.method == "POST" and form.is_valid():
        brief.sent_on = timezone.localdate()
        try:
            doc = papers.brief_document(brief)
        except papers.Preparing as preparing:
            messages.info(request, str(preparing))
            return redirect("oversight:brief", pk=pk)
        except ValueError as exc:
            messages.error(request, str(exc))
            return redirect("oversight:brief", pk=pk)
        move(
            request,
            brief,
            BriefStatus.SENT,
            action=audit.BRIEF_SENT,
            summary=f"Sent the {brief}",
            kind="brief",
            sent_pdf=papers.to_pdf(doc),
            sent_docx=papers.to_docx(doc),
            sent_html=papers.to_html(doc),
        )
        return redirect("oversight:brief", pk=pk)
    return render(
        request,
        "oversight/home/confirm.html",
        {
            "form": form,
            "title": f"Send the {brief}",
            "text": f"{brief.session.area_name} will see it, and can upload reports to it. "
            "The brief is kept as sent: later changes to the data do not change it.",
            "back_url": f"/board/briefs/{pk}/",
        },
    )


@require_http_methods(["GET", "POST"])
@guards.cycle_manage
@audited_view("the form to withdraw a commissioning brief")
def brief_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    brief = get_object_or_404(m.Brief.objects.select_related("session__meeting"), pk=pk)
    viewed(request, brief=pk, area=brief.area_code)
    form = ReasonForm(posted(request), submit="Withdraw the brief")
    if request.method == "POST" and form.is_valid():
        move(
            request,
            brief,
            BriefStatus.WITHDRAWN,
            reason=form.cleaned_data["reason"],
            action=audit.BRIEF_CHANGED,
            summary=f"Withdrew the {brief}",
            kind="brief",
        )
        return redirect("oversight:brief", pk=pk)
    return render(
        request,
        "oversight/home/confirm.html",
        {"form": form, "title": f"Withdraw the {brief}", "back_url": f"/board/briefs/{pk}/"},
    )


@require_GET
@guards.cycle_manage
@audited_view("the brief templates")
def brief_templates(request: HttpRequest) -> HttpResponse:
    years = sorted(
        {*m.BriefTemplate.objects.values_list("year", flat=True), timezone.localdate().year},
        reverse=True,
    )
    stored = {t.year: t for t in m.BriefTemplate.objects.all()}
    return render(
        request,
        "oversight/briefs/templates.html",
        {"years": [(y, stored.get(y)) for y in years]},
    )


@require_http_methods(["GET", "POST"])
@guards.cycle_manage
@audited_view("a year's brief template")
def brief_template(request: HttpRequest, year: int) -> HttpResponse:
    if not 2000 <= year <= 2100:
        raise Http404("no such year")
    text, _edited = papers.template_text(year)
    form = BriefTemplateForm(posted(request), initial={"text": text}, year=year)
    if request.method == "POST" and form.is_valid():
        m.BriefTemplate.objects.update_or_create(
            year=year,
            defaults={"text": form.cleaned_data["text"], "updated_by": request.user.username},
        )
        record(
            request,
            audit.BRIEF_CHANGED,
            f"Changed the brief template for {year}",
            object_type="brief_template",
            object_id=year,
        )
        return redirect("oversight:brief-templates")
    return render(
        request,
        "oversight/home/form.html",
        {
            "form": form,
            "title": f"The brief template for {year}",
            "back": "oversight:brief-templates",
            "wide": True,
        },
    )


@require_GET
def document_css(request: HttpRequest) -> HttpResponse:
    """The documents' own stylesheet (``render.stylesheet``), for pages that show a document
    inside the service (a brief, a letter): one stylesheet for the page, the PDF and the
    standalone HTML, served as a file because the pages allow no inline style."""
    from dsvb.oversight import render

    return HttpResponse(render.stylesheet(), content_type="text/css; charset=utf-8")
