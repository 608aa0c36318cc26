"""The board's home page: what is coming, how far the cycle has got, what is due; for a
borough, its own papers and deadlines."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from dsvb import reference
from dsvb.oversight import planner
from dsvb.oversight.states import BriefStatus, FindingKind, MeetingStatus
from dsvb.web.audit.pageview import audited_view
from dsvb.web.oversight import guards, planning, schedule
from dsvb.web.oversight import models as m


def _own(user: Any, queryset: Any) -> list:
    return [obj for obj in queryset if guards.may_see(user, obj)]


@require_GET
@guards.cycle_member
@audited_view("the board's cycle home page")
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    due, by_key = schedule.classified(request.user, today)
    context = {
        "due": due,
        "late": [by_key[d.key] for d in due.late],
        "soon": [by_key[d.key] for d in due.soon],
        "board": guards.can_view_cycle(request.user),
        "may_run": guards.can_run_cycle(request.user),
    }
    if context["board"]:
        cycle = m.Cycle.current(today)
        names = reference.boroughs()
        reviewed = (
            len(planner.coverage(names, planning.reviews(), cycle.starts).reviewed)
            if cycle is not None
            else 0
        )
        context.update(
            meetings=m.Meeting.objects.filter(date__gte=today)
            .exclude(status=MeetingStatus.CANCELLED.value)
            .prefetch_related("sessions")[:6],
            cycle=cycle,
            reviewed=reviewed,
            boroughs=len(names),
        )
    else:
        user = request.user
        context.update(
            briefs=_own(
                user,
                m.Brief.objects.exclude(status=BriefStatus.DRAFT.value).select_related(
                    "session__meeting"
                ),
            ),
            reports=_own(user, m.BoroughReport.objects.select_related("brief__session")),
            letters=_own(user, m.Letter.objects.select_related("session__meeting")),
            follow_ups=_own(
                user,
                m.Finding.objects.filter(kind=FindingKind.FOLLOW_UP.value).select_related(
                    "session__meeting"
                ),
            ),
            actions=_own(user, m.ActionItem.objects.select_related("meeting")),
        )
    return render(request, "oversight/home/home.html", context)
