"""The calendar feed: each person's secret address (a calendar application cannot sign in,
so the address is the credential), and the feed, which shows what that person may see on
the day it is fetched -- asked of the one ``decide`` for them, as their pages are."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from dsvb.access.model import AreaRef
from dsvb.oversight.access import VIEW_ITEM, CycleObject
from dsvb.oversight.calendar import CalendarMeeting, build_calendar
from dsvb.oversight.states import MeetingStatus
from dsvb.web.accounts.memberships import decide
from dsvb.web.audit.pageview import audited_view
from dsvb.web.audit.recorder import record
from dsvb.web.oversight import audit, guards, schedule
from dsvb.web.oversight import models as m
from dsvb.web.oversight.forms import ConfirmForm
from dsvb.web.oversight.views._common import posted


@require_GET
@guards.cycle_member
@audited_view("the person's calendar feed address")
def calendar(request: HttpRequest) -> HttpResponse:
    token = m.CalendarToken.for_user(request.user)
    url = request.build_absolute_uri(f"/board/calendar/{token.token}.ics")
    return render(
        request,
        "oversight/due/calendar.html",
        {"url": url, "form": ConfirmForm(submit="Make a new address")},
    )


@require_http_methods(["GET", "POST"])
@guards.cycle_member
@audited_view("the form to renew the calendar feed address")
def calendar_renew(request: HttpRequest) -> HttpResponse:
    form = ConfirmForm(posted(request), submit="Make a new address")
    if request.method == "POST" and form.is_valid():
        m.CalendarToken.for_user(request.user, renew=True)
        record(
            request,
            audit.CALENDAR_RENEWED,
            f"{request.user.username} made a new calendar address: the old one stops working",
            object_type="calendar_token",
            object_id=request.user.pk,
        )
        return redirect("oversight:calendar")
    return render(
        request,
        "oversight/home/confirm.html",
        {
            "form": form,
            "title": "Make a new calendar address",
            "text": "The old address stops working at once: calendars using it must be given "
            "the new one.",
            "back_url": "/board/calendar/",
        },
    )


def _meeting_object(meeting: m.Meeting) -> CycleObject:
    return CycleObject(
        "meeting",
        str(meeting.pk),
        shared_with=frozenset(AreaRef(c) for c in meeting.area_codes),
        state=meeting.status,
    )


@never_cache
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    found = (
        m.CalendarToken.objects.select_related("user").filter(token=token).first()
        if 20 <= len(token) <= 64
        else None
    )
    if found is None or not found.user.is_active:
        record(
            request,
            audit.CALENDAR_REFUSED,
            "A calendar feed was asked for with an address that is not (or no longer) valid",
            user=found.user if found else None,
            username="" if found else "(calendar)",
            object_type="calendar_token",
            object_id=found.user_id if found else "",
        )
        raise Http404("no such calendar")
    user = found.user
    meetings = [
        CalendarMeeting(
            key=f"meeting-{x.pk}",
            date=x.date,
            starts_at=x.starts_at,
            title=f"DSVB: {x}",
            location=x.location,
            description="\n".join(x.agenda_items),
            cancelled=x.status == MeetingStatus.CANCELLED.value,
        )
        for x in m.Meeting.objects.prefetch_related("sessions")
        if decide(user, VIEW_ITEM, _meeting_object(x)).allowed
    ]
    deadlines = [d.deadline for d in schedule.visible(user)]
    feed = build_calendar(
        meetings,
        deadlines,
        name="Domestic and Sexual Violence Board",
        stamp=dt.datetime.now(dt.UTC),
    )
    record(
        request,
        audit.CALENDAR_FETCHED,
        f"Calendar feed of {user.username}: {len(meetings)} meetings, {len(deadlines)} deadlines",
        user=user,
        object_type="calendar_token",
        object_id=user.pk,
    )
    response = HttpResponse(feed, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="dsvb.ics"'
    return response
