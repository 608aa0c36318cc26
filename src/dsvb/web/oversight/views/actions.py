"""The action register: every action the minutes wrote, with its owners, source paragraph,
due date, status and updates. The board moves an action's status (through the one set of
moves); a borough reports progress on its own actions and sees only those. Which actions are
overdue, and the register's order and filters, are :mod:`dsvb.oversight.register`'s."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from dsvb import reference
from dsvb.oversight import register
from dsvb.oversight.states import ActionStatus, InvalidMove
from dsvb.web.audit.pageview import audited_view, viewed
from dsvb.web.audit.recorder import record
from dsvb.web.oversight import audit
from dsvb.web.oversight import models as m
from dsvb.web.oversight.forms_after import ActionStatusForm, ProgressForm
from dsvb.web.oversight.guards import can_run_cycle, cycle_member, get_item, may_see


def action_row(action: m.ActionItem) -> register.ActionRow:
    return register.ActionRow(
        id=action.pk,
        meeting_id=action.meeting_id,
        meeting_date=action.meeting.date,
        paragraph=action.paragraph_number,
        owners=tuple(o.strip() for o in action.owners.split(";") if o.strip()),
        area_codes=tuple(action.area_codes),
        task=action.task,
        status=ActionStatus(action.status),
        due=action.effective_due,
        order=action.pk,
    )


def action_rows(actions: Iterable[m.ActionItem]) -> list[register.ActionRow]:
    return [action_row(a) for a in actions]


@cycle_member
@audited_view("the action register")
def action_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    filters = register.RegisterFilter(
        status=request.GET.get("status", "")
        if request.GET.get("status", "") in {"open", *ActionStatus}
        else "",
        area_code=request.GET.get("area", "")[:16],
        overdue_only=request.GET.get("overdue") == "yes",
    )
    visible = {
        a.pk: a
        for a in m.ActionItem.objects.select_related("meeting", "paragraph__minutes")
        if may_see(request.user, a)
    }
    rows = register.select(action_rows(visible.values()), filters, today)
    viewed(request, status=filters.status, area=filters.area_code)
    return render(
        request,
        "oversight/actions/list.html",
        {
            "rows": [(visible[r.id], register.is_overdue(r, today)) for r in rows],
            "filters": filters,
            "statuses": [("open", "Open or in progress")]
            + [(s.value, s.value.replace("_", " ").capitalize()) for s in ActionStatus],
            "areas": sorted(reference.areas(), key=lambda a: a.name),
            "total": len(visible),
        },
    )


@cycle_member
@audited_view("an action")
def action_detail(request: HttpRequest, action_id: int) -> HttpResponse:
    action = get_item(request, m.ActionItem, action_id)
    board_form = ActionStatusForm(initial={"status": action.status, "due": action.due})
    progress_form = ProgressForm()
    if request.method == "POST":
        if can_run_cycle(request.user) and "update" in request.POST:
            board_form = ActionStatusForm(request.POST)
            if board_form.is_valid():
                to = board_form.cleaned_data["status"]
                note = board_form.cleaned_data["note"]
                try:
                    if to != action.status:
                        action.move_to(to, reason=note)
                except InvalidMove as exc:
                    board_form.add_error("status", str(exc).capitalize())
                else:
                    action.due = board_form.cleaned_data["due"]
                    action.closed_on = None if action.is_open else timezone.localdate()
                    action.save()
                    _update(request, action, note)
                    return redirect("oversight:action", action_id=action.pk)
        else:
            action = get_item(request, m.ActionItem, action_id, contribute=True)
            progress_form = ProgressForm(request.POST)
            if progress_form.is_valid():
                action.progress = progress_form.cleaned_data["note"]
                action.save()
                _update(request, action, action.progress)
                return redirect("oversight:action", action_id=action.pk)
    return render(
        request,
        "oversight/actions/detail.html",
        {
            "action": action,
            "overdue": register.is_overdue(action_row(action), timezone.localdate()),
            "updates": list(action.updates.all()),
            "can_run": can_run_cycle(request.user),
            "board_form": board_form,
            "progress_form": progress_form,
            "may_contribute": may_contribute(request.user, action),
        },
    )


def may_contribute(user: Any, action: m.ActionItem) -> bool:
    from dsvb.web.oversight.guards import item_decision

    return item_decision(user, action, contribute=True).allowed


def _update(request: HttpRequest, action: m.ActionItem, note: str) -> None:
    m.ActionUpdate.objects.create(
        action=action, by=request.user.get_username(), status=action.status, note=note
    )
    record(
        request,
        audit.ACTION_UPDATED,
        f"Action {action.pk} ({action.owners}) updated: {action.status}",
        object_type="action",
        object_id=action.pk,
    )
    messages.success(request, "The action is updated")
