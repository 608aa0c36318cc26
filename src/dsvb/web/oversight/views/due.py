"""What's due: every deadline of the cycle and what is late (a borough: its own)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dsvb.oversight.due import SOON_DAYS
from dsvb.web.audit.pageview import audited_view
from dsvb.web.oversight import guards, schedule


@require_GET
@guards.due_view
@audited_view("what is due in the board's cycle")
def due(request: HttpRequest) -> HttpResponse:
    classified, by_key = schedule.classified(request.user)
    groups = [(standing, [by_key[d.key] for d in items]) for standing, items in classified.groups()]
    return render(
        request,
        "oversight/due/due.html",
        {
            "groups": groups,
            "today": classified.today,
            "soon_days": SOON_DAYS,
            "board": guards.can_view_cycle(request.user),
        },
    )
