"""The letter to a borough commander after its session: drafted (date, addressee,
signatories), previewed from the agreed findings (:func:`dsvb.oversight.letters.build_letter`),
downloaded as PDF or DOCX, and sent -- kept as sent, with the follow-up report's due date
set by the dated rule. A draft is the board's alone; a borough reads its own sent letter."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dsvb.oversight import deadlines
from dsvb.oversight.states import InvalidMove, LetterStatus
from dsvb.web.audit.pageview import audited_view, viewed
from dsvb.web.audit.recorder import record
from dsvb.web.oversight import audit, guards, papers
from dsvb.web.oversight import models as m
from dsvb.web.oversight.forms_after import LetterForm
from dsvb.web.oversight.guards import (
    can_run_cycle,
    can_view_cycle,
    cycle_manage,
    cycle_member,
    get_item,
)
from dsvb.web.oversight.views.after_common import letter_document


def _letter(request: HttpRequest, session: m.Session) -> m.Letter | None:
    """The session's letter if this person may see it (403 audited if not); None when there
    is none yet (the board then drafts one; anyone else gets a 404)."""
    letter = m.Letter.objects.filter(session=session).first()
    if letter is None:
        if not can_view_cycle(request.user):
            raise Http404("No letter yet")
        return None
    return get_item(request, m.Letter, letter.pk)


@cycle_member
@audited_view("a letter to a borough")
def letter(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_object_or_404(m.Session.objects.select_related("meeting"), pk=session_id)
    viewed(request, area=session.area_code)
    current = _letter(request, session)
    draft = current is None or current.status == LetterStatus.DRAFT.value
    form = None
    if can_run_cycle(request.user) and draft:
        form = LetterForm(
            meeting_date=session.meeting.date,
            instance=current,
            initial=None if current else {"date": max(timezone.localdate(), session.meeting.date)},
        )
    if request.method == "POST":
        if not (can_run_cycle(request.user) and draft):
            guards.refuse(request, "only the secretariat drafts letters, and a sent letter is kept")
        form = LetterForm(
            request.POST,
            meeting_date=session.meeting.date,
            instance=current or m.Letter(session=session),
        )
        if form.is_valid():
            saved = form.save(commit=False)
            saved.session = session
            saved.follow_up_due = deadlines.due("follow_up_due", saved.date)
            saved.save()
            record(
                request,
                audit.FINDING_CHANGED,
                f"Letter to {session.area_name} drafted",
                object_type="letter",
                object_id=saved.pk,
            )
            messages.success(request, "The letter is saved")
            return redirect("oversight:letter", session_id=session.pk)
    preview, problem = None, ""
    if current is not None:
        try:
            preview = papers.html_fragment(letter_document(current), beneath_heading=True)
        except ValueError as exc:
            problem = str(exc)
    return render(
        request,
        "oversight/letters/letter.html",
        {
            "session": session,
            "letter": current,
            "form": form,
            "preview": preview,
            "problem": problem,
            "can_send": can_run_cycle(request.user) and current is not None and draft,
        },
    )


@cycle_member
@audited_view("a letter's download")
def letter_download(request: HttpRequest, session_id: int, fmt: str) -> HttpResponse:
    if fmt not in ("pdf", "docx"):
        raise Http404("A letter is a PDF or a DOCX")
    session = get_object_or_404(m.Session.objects.select_related("meeting"), pk=session_id)
    current = _letter(request, session)
    if current is None:
        raise Http404("No letter yet")
    kept = current.sent_pdf if fmt == "pdf" else current.sent_docx
    content = bytes(kept) if kept else papers.render_document(letter_document(current), fmt)
    return papers.download(
        request,
        content,
        name=f"letter-{session.area_name}-{current.date:%Y-%m-%d}",
        fmt=fmt,
        object_type="letter",
        object_id=current.pk,
        summary=f"Downloaded the letter to {session.area_name} ({fmt.upper()})",
    )


@require_POST
@cycle_manage
@audited_view("a letter being sent")
def letter_send(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_object_or_404(m.Session.objects.select_related("meeting"), pk=session_id)
    current = get_object_or_404(m.Letter, session=session)
    if current.status != LetterStatus.DRAFT.value:
        messages.info(request, "The letter is already sent: it is kept as sent")
        return redirect("oversight:letter", session_id=session.pk)
    try:
        doc = letter_document(current)
        pdf, docx = papers.render_document(doc, "pdf"), papers.render_document(doc, "docx")
        with transaction.atomic():
            current.move_to(LetterStatus.SENT)
            current.sent_pdf, current.sent_docx = pdf, docx
            current.follow_up_due = deadlines.due("follow_up_due", current.date)
            current.save()
    except (InvalidMove, ValueError) as exc:
        messages.error(request, str(exc).capitalize())
        return redirect("oversight:letter", session_id=session.pk)
    record(
        request,
        audit.LETTER_SENT,
        f"Letter to {session.area_name} sent; follow-up report due {current.follow_up_due}",
        object_type="letter",
        object_id=current.pk,
    )
    messages.success(
        request,
        f"The letter is sent. The follow-up report is due on {current.follow_up_due:%-d %B %Y}",
    )
    return redirect("oversight:letter", session_id=session.pk)
