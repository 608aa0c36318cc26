"""A meeting's minutes: entered or imported (text, Markdown, DOCX) as numbered paragraphs with
the actions they write, previewed before anything is stored; edited while draft; approved.
Draft minutes are the board's alone (the minutes' ``access_object`` says so; ``get_item``
asks); a borough sees the approved minutes of meetings it was invited to.

The meeting's matters arising (open actions of earlier meetings) come from
:func:`dsvb.oversight.register.matters_arising`; the follow-up reports due at this meeting
are listed beside them ("shown at the follow-up session").
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dsvb.oversight import register
from dsvb.oversight.reading import DocumentError
from dsvb.oversight.states import Attendance, InvalidMove, MinutesStatus
from dsvb.web.audit.pageview import audited_view
from dsvb.web.audit.recorder import record
from dsvb.web.oversight import audit
from dsvb.web.oversight import models as m
from dsvb.web.oversight.forms_after import ApproveMinutesForm, MinutesForm, ParagraphForm
from dsvb.web.oversight.guards import (
    can_run_cycle,
    can_view_cycle,
    cycle_manage,
    cycle_member,
    get_item,
    may_see,
)
from dsvb.web.oversight.views.actions import action_rows


def parse(content: bytes, name: str) -> Any:  # dsvb.oversight.minutes.ParsedMinutes
    """The minutes' paragraphs and actions (nothing stored)."""
    from dsvb.oversight.minutes import parse_minutes

    return parse_minutes(content, name)


def _minutes_of(meeting: m.Meeting) -> m.Minutes | None:
    return m.Minutes.objects.filter(meeting=meeting).first()


def matters_arising(meeting: m.Meeting, user: Any) -> list[m.ActionItem]:
    """The open actions of earlier meetings, in register order, that this person may see."""
    items = {a.pk: a for a in m.ActionItem.objects.select_related("meeting")}
    rows = register.matters_arising(
        action_rows(items.values()), meeting.date, meeting_id=meeting.pk
    )
    return [items[r.id] for r in rows if may_see(user, items[r.id])]


@cycle_member
@audited_view("a meeting's minutes")
def minutes(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = get_object_or_404(m.Meeting, pk=meeting_id)
    record_ = _minutes_of(meeting)
    if record_ is not None:
        record_ = get_item(request, m.Minutes, record_.pk)
    elif not can_view_cycle(request.user):
        raise Http404("No minutes yet")
    board = can_view_cycle(request.user)
    follow_ups = [
        letter
        for letter in m.Letter.objects.filter(follow_up_meeting=meeting).select_related(
            "session__meeting"
        )
        if may_see(request.user, letter)
    ]
    actions = list(meeting.actions.all()) if record_ is not None else []
    draft = record_ is None or record_.status == MinutesStatus.DRAFT.value
    return render(
        request,
        "oversight/minutes/minutes.html",
        {
            "meeting": meeting,
            "minutes": record_,
            "paragraphs": list(record_.paragraphs.all()) if record_ else [],
            "actions": [a for a in actions if board or may_see(request.user, a)],
            "matters_arising": matters_arising(meeting, request.user),
            "follow_ups": follow_ups,
            "can_run": can_run_cycle(request.user) and draft,
            "approve_form": ApproveMinutesForm(meeting=meeting) if record_ and draft else None,
        },
    )


def _store(meeting: m.Meeting, parsed: Any, source_name: str) -> m.Minutes:
    """Replace the meeting's draft minutes (paragraphs and the actions they write)."""
    with transaction.atomic():
        record_, _ = m.Minutes.objects.select_for_update().get_or_create(meeting=meeting)
        if record_.status != MinutesStatus.DRAFT.value:
            raise InvalidMove("approved minutes are not changed")
        record_.source_name = source_name
        record_.save()
        m.ActionItem.objects.filter(meeting=meeting).delete()
        record_.paragraphs.all().delete()
        by_number: dict[str, m.Paragraph] = {}
        for order, p in enumerate(parsed.paragraphs, start=1):
            by_number[p.number] = m.Paragraph.objects.create(
                minutes=record_, order=order, number=p.number, heading=p.heading, text=p.text
            )
        if not meeting.attendees.exists():  # attendance recorded by hand is kept as it is
            _store_attendance(meeting, parsed)
        for a in parsed.actions:
            m.ActionItem.objects.create(
                meeting=meeting,
                paragraph=by_number.get(a.paragraph),
                paragraph_number=a.paragraph,
                owners="; ".join(a.owners),
                owner_area_codes=",".join(c for c in a.owner_area_codes if c),
                task=a.task,
                due=a.due,
                form=a.form,
            )
    return record_


def _store_attendance(meeting: m.Meeting, parsed: Any) -> None:
    """Who the imported minutes list as attending and as sending apologies: a board member
    by name where one matches; otherwise by name under the list's heading, present when the
    heading names members ("Board Members"), a guest under any other ("MPS")."""
    members = {mem.name.casefold(): mem for mem in m.Member.objects.all()}
    seen: set[str] = set()

    def add(name: str, attendance: str, organisation: str) -> None:
        if not name.strip() or name.casefold() in seen:
            return
        seen.add(name.casefold())
        member = members.get(name.casefold())
        if member is not None:
            m.Attendee.objects.create(meeting=meeting, member=member, attendance=attendance)
        else:  # present under "Board Members": a member; under "MPS", "Other attendees": a guest
            guest = attendance == Attendance.PRESENT.value and "member" not in organisation.lower()
            m.Attendee.objects.create(
                meeting=meeting,
                name=name.strip()[:200],
                organisation=organisation[:200],
                attendance=Attendance.GUEST.value if guest else attendance,
            )

    for name in parsed.apologies:
        add(name, Attendance.APOLOGIES.value, "")
    for group in parsed.attendance:
        for name in group.names:
            add(name, Attendance.PRESENT.value, group.label)


@cycle_manage
@audited_view("minutes being entered or imported")
def minutes_import(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Enter or import: a preview of what was found first, then save."""
    meeting = get_object_or_404(m.Meeting, pk=meeting_id)
    existing = _minutes_of(meeting)
    if existing is not None and existing.status != MinutesStatus.DRAFT.value:
        messages.info(request, "These minutes are approved: they are not changed.")
        return redirect("oversight:minutes", meeting_id=meeting.pk)
    form = MinutesForm()
    if request.method == "POST" and "save" in request.POST:
        try:
            content = base64.b64decode(request.POST.get("content", ""), validate=True)
        except (binascii.Error, ValueError):
            content = b""
        name = request.POST.get("name", "minutes.txt")[:255] or "minutes.txt"
        try:
            parsed = parse(content, name)
            _store(meeting, parsed, name)
        except (DocumentError, InvalidMove) as exc:
            form.add_error(None, str(exc))
        else:
            record(
                request,
                audit.MINUTES_IMPORTED,
                f"Minutes of the {meeting} stored from {name}: {len(parsed.paragraphs)} "
                f"paragraphs, {len(parsed.actions)} actions",
                object_type="meeting",
                object_id=meeting.pk,
            )
            messages.success(
                request,
                f"Minutes saved as a draft: {len(parsed.paragraphs)} paragraphs, "
                f"{len(parsed.actions)} actions",
            )
            return redirect("oversight:minutes", meeting_id=meeting.pk)
    elif request.method == "POST":
        form = MinutesForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data.get("upload")
            if upload is not None:
                content, name = upload.read(), upload.name
            else:
                content, name = form.cleaned_data["text"].encode("utf-8"), "minutes.txt"
            try:
                parsed = parse(content, name)
            except DocumentError as exc:
                form.add_error("upload" if upload is not None else "text", str(exc))
            else:
                return render(
                    request,
                    "oversight/minutes/preview.html",
                    {
                        "meeting": meeting,
                        "parsed": parsed,
                        "name": name,
                        "content": base64.b64encode(content).decode("ascii"),
                    },
                )
    return render(
        request,
        "oversight/minutes/import.html",
        {"meeting": meeting, "form": form, "existing": existing},
    )


@cycle_manage
@audited_view("a paragraph of draft minutes")
def paragraph(request: HttpRequest, meeting_id: int, paragraph_id: int) -> HttpResponse:
    meeting = get_object_or_404(m.Meeting, pk=meeting_id)
    para = get_object_or_404(m.Paragraph, pk=paragraph_id, minutes__meeting=meeting)
    if para.minutes.status != MinutesStatus.DRAFT.value:
        messages.info(request, "These minutes are approved: they are not changed.")
        return redirect("oversight:minutes", meeting_id=meeting.pk)
    form = ParagraphForm(request.POST or None, instance=para)
    if request.method == "POST" and form.is_valid():
        form.save()
        record(
            request,
            audit.MINUTES_IMPORTED,
            f"Paragraph {para.number} of the minutes of the {meeting} edited",
            object_type="minutes",
            object_id=para.minutes_id,
        )
        messages.success(request, f"Paragraph {para.number} saved")
        return redirect("oversight:minutes", meeting_id=meeting.pk)
    return render(
        request,
        "oversight/minutes/paragraph.html",
        {"meeting": meeting, "paragraph": para, "form": form},
    )


@require_POST
@cycle_manage
@audited_view("minutes being approved")
def approve(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = get_object_or_404(m.Meeting, pk=meeting_id)
    record_ = _minutes_of(meeting)
    if record_ is None:
        raise Http404("No minutes to approve")
    form = ApproveMinutesForm(request.POST, meeting=meeting)
    if not form.is_valid():
        messages.error(request, "Choose the meeting the minutes were approved at")
        return redirect("oversight:minutes", meeting_id=meeting.pk)
    try:
        record_.move_to(MinutesStatus.APPROVED)
    except InvalidMove as exc:
        messages.error(request, str(exc).capitalize())
        return redirect("oversight:minutes", meeting_id=meeting.pk)
    record_.approved_at = timezone.now()
    record_.approved_by = request.user.get_username()
    record_.approved_at_meeting = form.cleaned_data.get("approved_at_meeting")
    record_.save()
    record(
        request,
        audit.MINUTES_APPROVED,
        f"Minutes of the {meeting} approved",
        object_type="minutes",
        object_id=record_.pk,
    )
    messages.success(request, "The minutes are approved")
    return redirect("oversight:minutes", meeting_id=meeting.pk)
