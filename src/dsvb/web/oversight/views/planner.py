"""The review planner: cycles, reviews held before dsvb, the current cycle's coverage, and
the proposal for the coming meetings with its reasons -- accepted, or changed by the
secretariat (both audited)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from dsvb.web.audit.pageview import audited_view
from dsvb.web.audit.recorder import record
from dsvb.web.oversight import audit, guards, planning
from dsvb.web.oversight import models as m
from dsvb.web.oversight.forms import ConfirmForm, CycleForm, PastReviewForm, PlanChangeForm
from dsvb.web.oversight.views._common import posted


@require_GET
@guards.cycle_view
@audited_view("the review planner")
def planner(request: HttpRequest) -> HttpResponse:
    view = planning.planner_view()
    return render(
        request,
        "oversight/planner/planner.html",
        {
            "view": view,
            "cycles": m.Cycle.objects.all(),
            "past_reviews": m.PastReview.objects.all(),
            "may_run": guards.can_run_cycle(request.user),
            "reviewed": sum(1 for c in view.coverage if c.this_cycle),
        },
    )


def _simple(request: HttpRequest, form_class: type, title: str, what: str) -> HttpResponse:
    form = form_class(posted(request))
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        record(
            request,
            audit.PLAN_ACCEPTED,
            f"{what}: {saved}",
            object_type=saved._meta.model_name,
            object_id=saved.pk,
        )
        return redirect("oversight:planner")
    return render(
        request,
        "oversight/home/form.html",
        {"form": form, "title": title, "back": "oversight:planner"},
    )


@require_http_methods(["GET", "POST"])
@guards.cycle_manage
@audited_view("the form to start a review cycle")
def cycle_new(request: HttpRequest) -> HttpResponse:
    return _simple(request, CycleForm, "Start a review cycle", "Started a review cycle")


@require_http_methods(["GET", "POST"])
@guards.cycle_manage
@audited_view("the form to enter a review held before dsvb")
def past_review_new(request: HttpRequest) -> HttpResponse:
    return _simple(
        request, PastReviewForm, "Enter a review held before dsvb", "Entered a past review"
    )


@require_http_methods(["GET", "POST"])
@guards.cycle_manage
@audited_view("the planner's proposal to accept")
def plan_accept(request: HttpRequest) -> HttpResponse:
    view = planning.planner_view()
    form = ConfirmForm(posted(request), submit="Accept the proposal")
    if request.method == "POST" and form.is_valid() and view.plan is not None:
        created = planning.accept(view.plan, view.meetings)
        record(
            request,
            audit.PLAN_ACCEPTED,
            "Accepted the planner's proposal: "
            + (", ".join(f"{s.area_name} ({s.meeting.date})" for s in created) or "nothing new"),
            object_type="plan",
            object_id=view.cycle.pk if view.cycle else "",
            sessions=[s.pk for s in created],
        )
        messages.success(request, f"{len(created)} boroughs invited")
        return redirect("oversight:planner")
    return render(request, "oversight/planner/accept.html", {"view": view, "form": form})


@require_http_methods(["GET", "POST"])
@guards.cycle_manage
@audited_view("the form to change the plan")
def plan_change(request: HttpRequest) -> HttpResponse:
    view = planning.planner_view()
    proposed: dict[int, list[str]] = {}
    reasons: dict[str, str] = {}
    for meeting in view.meetings:
        proposed[meeting.pk] = list(meeting.area_codes)
    if view.plan is not None:
        for p in view.plan.slots:
            reasons[p.area_code] = "; ".join(p.reasons)
            target = next((x for x in view.meetings if x.date == p.meeting_date), None)
            if target is not None and p.area_code not in proposed[target.pk]:
                proposed[target.pk].append(p.area_code)
    form = PlanChangeForm(posted(request), meetings=list(view.meetings), initial_codes=proposed)
    if request.method == "POST" and form.is_valid():
        chosen = [form.cleaned_data[f"meeting_{x.pk}"] for x in view.meetings]
        seen: dict[str, str] = {}
        for meeting, codes in zip(view.meetings, chosen, strict=True):
            for code in codes:
                if code in seen:
                    form.add_error(
                        f"meeting_{meeting.pk}",
                        f"{m.area_name(code)} is already chosen for the {seen[code]}",
                    )
                seen[code] = str(meeting)
        if form.is_valid():
            summary = []
            for meeting, codes in zip(view.meetings, chosen, strict=True):
                _added, kept = planning.change(meeting, codes, reasons)
                summary.append(f"{meeting.date}: {', '.join(m.area_name(c) for c in codes)}")
                if kept:
                    messages.warning(
                        request,
                        f"Kept {', '.join(s.area_name for s in kept)} at the {meeting}: "
                        "a brief has been written",
                    )
            record(
                request,
                audit.PLAN_ACCEPTED,
                "Changed the plan: " + "; ".join(summary),
                object_type="plan",
                object_id=view.cycle.pk if view.cycle else "",
            )
            return redirect("oversight:planner")
    return render(
        request,
        "oversight/home/form.html",
        {
            "form": form,
            "title": "Choose the boroughs for the coming meetings",
            "back": "oversight:planner",
            "intro": "Ticked: the boroughs invited now and those the planner proposes.",
        },
    )
