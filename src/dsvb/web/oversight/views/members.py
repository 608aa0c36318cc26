"""The board's members: listed for the board, added and changed by the secretariat."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from dsvb.web.audit.pageview import audited_view
from dsvb.web.audit.recorder import record
from dsvb.web.oversight import audit, guards
from dsvb.web.oversight import models as m
from dsvb.web.oversight.forms import MemberForm
from dsvb.web.oversight.views._common import posted


@require_GET
@guards.cycle_view
@audited_view("the board's members")
def members(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "oversight/meetings/members.html",
        {"members": m.Member.objects.all(), "may_run": guards.can_run_cycle(request.user)},
    )


def _edit(request: HttpRequest, member: m.Member | None) -> HttpResponse:
    form = MemberForm(posted(request), instance=member)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        record(
            request,
            audit.MEETING_CHANGED,
            f"{'Changed' if member else 'Added'} board member {saved.name}",
            object_type="member",
            object_id=saved.pk,
        )
        return redirect("oversight:members")
    return render(
        request,
        "oversight/home/form.html",
        {
            "form": form,
            "title": (f"Change {member.name}" if member else "Add a board member"),
            "back": "oversight:members",
        },
    )


@require_http_methods(["GET", "POST"])
@guards.cycle_manage
@audited_view("the form to add a board member")
def member_new(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@require_http_methods(["GET", "POST"])
@guards.cycle_manage
@audited_view("a board member's details")
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, get_object_or_404(m.Member, pk=pk))
