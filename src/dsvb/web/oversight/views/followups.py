"""The follow-up of a sent letter: the borough answers each item it was asked to follow up
(its own letter only, while the letter is sent), the board reads the answers, names the
follow-up session and records when the follow-up report came in. The follow-up report
(:func:`dsvb.oversight.letters.build_follow_up`) is shown at that session's minutes."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from dsvb.oversight.states import InvalidMove, ResponseStatus, move
from dsvb.web.audit.pageview import audited_view, viewed
from dsvb.web.audit.recorder import record
from dsvb.web.oversight import audit, guards, papers
from dsvb.web.oversight import models as m
from dsvb.web.oversight.forms_after import FollowUpBoardForm, ResponseForm
from dsvb.web.oversight.guards import (
    can_run_cycle,
    cycle_member,
    get_item,
    item_decision,
    may_see,
)
from dsvb.web.oversight.views.after_common import follow_up_document, follow_up_items


def _letter(request: HttpRequest, session_id: int, *, contribute: bool = False) -> m.Letter:
    session = get_object_or_404(m.Session, pk=session_id)
    letter = m.Letter.objects.filter(session=session).first()
    if letter is None:
        raise Http404("No letter, so no follow-up")
    return get_item(request, m.Letter, letter.pk, contribute=contribute)


@cycle_member
@audited_view("a borough's follow-up")
def follow_up(request: HttpRequest, session_id: int) -> HttpResponse:
    letter = _letter(request, session_id)
    viewed(request, area=letter.session.area_code)
    items = follow_up_items(letter)
    board_form = FollowUpBoardForm(instance=letter) if can_run_cycle(request.user) else None
    errors: dict[int, ResponseForm] = {}
    if request.method == "POST" and "follow_up" in request.POST:
        if not can_run_cycle(request.user):
            guards.refuse(request, "only the secretariat records the follow-up session and report")
        board_form = FollowUpBoardForm(request.POST, instance=letter)
        if board_form.is_valid():
            board_form.save()
            record(
                request,
                audit.FOLLOW_UP_CHANGED,
                f"Follow-up of the letter to {letter.session.area_name} recorded",
                object_type="letter",
                object_id=letter.pk,
            )
            messages.success(request, "The follow-up is saved")
            return redirect("oversight:follow-up", session_id=session_id)
    elif request.method == "POST":
        letter = _letter(request, session_id, contribute=True)
        item = get_object_or_404(
            m.Finding, pk=request.POST.get("item") or 0, pk__in=[i.pk for i in items]
        )
        form = ResponseForm(request.POST, prefix=f"item-{item.pk}")
        if form.is_valid():
            try:
                new = form.cleaned_data["response_status"]
                if new != item.response_status:
                    move(ResponseStatus(item.response_status), ResponseStatus(new))
            except InvalidMove as exc:
                form.add_error("response_status", str(exc).capitalize())
            else:
                item.response = form.cleaned_data["response"]
                item.response_status = new
                item.responded_at = timezone.now()
                item.responded_by = request.user.get_username()
                item.save()
                record(
                    request,
                    audit.FOLLOW_UP_ANSWERED,
                    f"Follow-up item {item.pk} of {letter.session.area_name} answered: {new}",
                    object_type="finding",
                    object_id=item.pk,
                )
                messages.success(request, "The response is saved")
                return redirect("oversight:follow-up", session_id=session_id)
        errors[item.pk] = form
    may_answer = item_decision(request.user, letter, contribute=True).allowed
    return render(
        request,
        "oversight/followups/follow_up.html",
        {
            "letter": letter,
            "session": letter.session,
            "items": [
                (
                    item,
                    errors.get(item.pk)
                    or ResponseForm(
                        prefix=f"item-{item.pk}",
                        initial={
                            "response": item.response,
                            "response_status": item.response_status
                            if item.response_status != ResponseStatus.AWAITED.value
                            else None,
                        },
                    ),
                )
                for item in items
            ],
            "may_answer": may_answer,
            "board_form": board_form,
            "session_minutes_shown": _minutes_shown(request, letter),
        },
    )


def _minutes_shown(request: HttpRequest, letter: m.Letter) -> bool:
    """Whether to link the follow-up session's minutes: the board always (it writes them);
    anyone else only once they exist and may be seen (approved, and their borough's)."""
    if letter.follow_up_meeting_id is None:
        return False
    if can_run_cycle(request.user):
        return True
    minutes = m.Minutes.objects.filter(meeting_id=letter.follow_up_meeting_id).first()
    return minutes is not None and may_see(request.user, minutes)


@cycle_member
@audited_view("a follow-up report")
def follow_up_report(request: HttpRequest, session_id: int, fmt: str) -> HttpResponse:
    if fmt not in ("html", "pdf", "docx"):
        raise Http404("The follow-up report is HTML, PDF or DOCX")
    letter = _letter(request, session_id)
    doc = follow_up_document(letter)
    if fmt == "html":
        return render(
            request,
            "oversight/followups/report.html",
            {"letter": letter, "session": letter.session, "document": papers.html_fragment(doc)},
        )
    return papers.download(
        request,
        papers.render_document(doc, fmt),
        name=f"follow-up-{letter.session.area_name}",
        fmt=fmt,
        object_type="letter",
        object_id=letter.pk,
        summary=(f"Downloaded the follow-up report of {letter.session.area_name} ({fmt.upper()})"),
    )
