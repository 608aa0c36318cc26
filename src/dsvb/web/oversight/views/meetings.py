"""Meetings: the list (coming and past), planning one and the boroughs it invites, its page
(agenda, boroughs with their brief and reports, attendance), and its moves (held,
cancelled with a reason)."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from dsvb.oversight.states import BriefStatus, MeetingStatus, ReportKind
from dsvb.web.audit.pageview import audited_view, viewed
from dsvb.web.audit.recorder import record
from dsvb.web.oversight import audit, guards
from dsvb.web.oversight import models as m
from dsvb.web.oversight.forms import AttendeeForm, ConfirmForm, MeetingForm, ReasonForm
from dsvb.web.oversight.views._common import move, posted


@require_GET
@guards.cycle_view
@audited_view("the board's meetings")
def meetings(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    every = m.Meeting.objects.prefetch_related("sessions")
    return render(
        request,
        "oversight/meetings/list.html",
        {
            "coming": every.filter(date__gte=today),
            "past": every.filter(date__lt=today).order_by("-date"),
            "may_run": guards.can_run_cycle(request.user),
        },
    )


@transaction.atomic
def _save(request: HttpRequest, form: MeetingForm, existing: m.Meeting | None) -> m.Meeting:
    meeting = form.save()
    wanted = set(form.cleaned_data["boroughs"])
    current = {s.area_code: s for s in meeting.sessions.all()}
    for code in wanted - set(current):
        m.Session.objects.create(meeting=meeting, area_code=code)
    kept = []
    for code in set(current) - wanted:
        if hasattr(current[code], "brief"):
            kept.append(current[code].area_name)
        else:
            current[code].delete()
    if kept:
        messages.warning(request, f"Kept {', '.join(kept)}: a brief has been written for them")
    record(
        request,
        audit.MEETING_CHANGED,
        f"{'Changed' if existing else 'Planned'} the {meeting}",
        object_type="meeting",
        object_id=meeting.pk,
    )
    return meeting


def _edit(request: HttpRequest, meeting: m.Meeting | None) -> HttpResponse:
    form = MeetingForm(posted(request), instance=meeting)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, meeting)
        return redirect("oversight:meeting", pk=saved.pk)
    return render(
        request,
        "oversight/home/form.html",
        {
            "form": form,
            "title": f"Change the {meeting}" if meeting else "Plan a meeting",
            "back": "oversight:meetings",
        },
    )


@require_http_methods(["GET", "POST"])
@guards.cycle_manage
@audited_view("the form to plan a meeting")
def meeting_new(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@require_http_methods(["GET", "POST"])
@guards.cycle_manage
@audited_view("the form to change a meeting")
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(m.Meeting, pk=pk)
    viewed(request, meeting=pk)
    return _edit(request, meeting)


def minutes_path(meeting: m.Meeting) -> str:
    """The meeting's minutes page."""
    return reverse("oversight:minutes", args=[meeting.pk])


@require_GET
@guards.cycle_view
@audited_view("a meeting of the board")
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(m.Meeting, pk=pk)
    viewed(request, meeting=pk)
    sessions = []
    for s in meeting.sessions.all():
        brief = getattr(s, "brief", None)
        reports = list(brief.reports.all()) if brief else []
        sessions.append(
            {
                "session": s,
                "brief": brief,
                "draft": next((r for r in reports if r.kind == ReportKind.DRAFT.value), None),
                "final": next((r for r in reports if r.kind == ReportKind.FINAL.value), None),
            }
        )
    return render(
        request,
        "oversight/meetings/detail.html",
        {
            "meeting": meeting,
            "sessions": sessions,
            "attendees": meeting.attendees.select_related("member"),
            "may_run": guards.can_run_cycle(request.user),
            "attendee_form": AttendeeForm(),
            "minutes_path": minutes_path(meeting),
            "planned": meeting.status == MeetingStatus.PLANNED.value,
        },
    )


@require_http_methods(["GET", "POST"])
@guards.cycle_manage
@audited_view("the form to record attendance")
def meeting_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(m.Meeting, pk=pk)
    viewed(request, meeting=pk)
    form = AttendeeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        attendee = m.Attendee.objects.create(
            meeting=meeting,
            member=d["member"],
            name="" if d["member"] else d["name"].strip(),
            organisation="" if d["member"] else d["organisation"].strip(),
            attendance=d["attendance"],
        )
        record(
            request,
            audit.MEETING_CHANGED,
            f"Recorded {attendee.display_name} as {attendee.get_attendance_display().lower()} "
            f"at the {meeting}",
            object_type="meeting",
            object_id=meeting.pk,
        )
        return redirect("oversight:meeting", pk=meeting.pk)
    return render(
        request,
        "oversight/home/form.html",
        {"form": form, "title": f"Attendance at the {meeting}", "back_url": meeting_url(meeting)},
    )


def meeting_url(meeting: m.Meeting) -> str:
    return reverse("oversight:meeting", args=[meeting.pk])


@require_http_methods(["GET", "POST"])
@guards.cycle_manage
@audited_view("the confirmation that a meeting was held")
def meeting_held(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(m.Meeting, pk=pk)
    viewed(request, meeting=pk)
    form = ConfirmForm(posted(request), submit="The meeting was held")
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            done = move(
                request,
                meeting,
                MeetingStatus.HELD,
                action=audit.MEETING_CHANGED,
                summary=f"The {meeting} was held",
                kind="meeting",
            )
            if done:  # its briefs take no more reports
                for brief in m.Brief.objects.filter(
                    session__meeting=meeting, status=BriefStatus.SENT.value
                ):
                    brief.move_to(BriefStatus.CLOSED)
                    brief.save()
        return redirect("oversight:meeting", pk=meeting.pk)
    return render(
        request,
        "oversight/home/confirm.html",
        {
            "form": form,
            "title": f"Was the {meeting} held?",
            "text": "Its boroughs' briefs close: no more reports can be uploaded to them.",
            "back_url": meeting_url(meeting),
        },
    )


@require_http_methods(["GET", "POST"])
@guards.cycle_manage
@audited_view("the form to cancel a meeting")
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(m.Meeting, pk=pk)
    viewed(request, meeting=pk)
    form = ReasonForm(posted(request), submit="Cancel the meeting")
    if request.method == "POST" and form.is_valid():
        move(
            request,
            meeting,
            MeetingStatus.CANCELLED,
            reason=form.cleaned_data["reason"],
            action=audit.MEETING_CHANGED,
            summary=f"Cancelled the {meeting}",
            kind="meeting",
        )
        return redirect("oversight:meeting", pk=meeting.pk)
    return render(
        request,
        "oversight/home/confirm.html",
        {"form": form, "title": f"Cancel the {meeting}", "back_url": meeting_url(meeting)},
    )
