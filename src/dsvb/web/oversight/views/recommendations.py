"""The board's recommendations to the force: by year, numbered per year, with owner, status
and dated updates (a status moves only as :mod:`dsvb.oversight.states` allows). Last year's
are shown with their progress."""

from __future__ import annotations

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from dsvb.oversight.states import InvalidMove
from dsvb.web.audit.pageview import audited_view
from dsvb.web.audit.recorder import record
from dsvb.web.oversight import audit, guards
from dsvb.web.oversight import models as m
from dsvb.web.oversight.forms_after import RecommendationForm, RecommendationUpdateForm
from dsvb.web.oversight.guards import can_run_cycle, cycle_view


@cycle_view
@audited_view("the board's recommendations")
def recommendation_list(request: HttpRequest) -> HttpResponse:
    year = timezone.localdate().year
    form = RecommendationForm(initial={"year": year})
    if request.method == "POST":
        if not can_run_cycle(request.user):
            guards.refuse(request, "only the secretariat adds recommendations")
        form = RecommendationForm(request.POST)
        if form.is_valid():
            rec = form.save(commit=False)
            for _attempt in range(3):
                try:
                    with transaction.atomic():
                        rec.number = m.Recommendation.next_number(rec.year)
                        rec.save()
                    break
                except IntegrityError:
                    rec.pk = None
            record(
                request,
                audit.RECOMMENDATION_CHANGED,
                f"Recommendation {rec} added",
                object_type="recommendation",
                object_id=rec.pk,
            )
            messages.success(request, f"{rec} added")
            return redirect("oversight:recommendations")
    years: dict[int, list[m.Recommendation]] = {}
    for rec in m.Recommendation.objects.prefetch_related("updates"):
        updates = list(rec.updates.all())
        rec.latest_update = updates[-1] if updates else None  # type: ignore[attr-defined]
        years.setdefault(rec.year, []).append(rec)
    return render(
        request,
        "oversight/recommendations/list.html",
        {
            "years": sorted(years.items(), reverse=True),
            "form": form,
            "can_run": can_run_cycle(request.user),
        },
    )


@cycle_view
@audited_view("a recommendation")
def recommendation_detail(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    rec = get_item_or_404(request, recommendation_id)
    form = RecommendationUpdateForm(initial={"on": timezone.localdate(), "status": rec.status})
    if request.method == "POST":
        if not can_run_cycle(request.user):
            guards.refuse(request, "only the secretariat records recommendations' updates")
        form = RecommendationUpdateForm(request.POST)
        if form.is_valid():
            to = form.cleaned_data["status"]
            last = rec.updates.order_by("-on").first()
            try:
                if last is not None and form.cleaned_data["on"] < last.on:
                    raise InvalidMove(
                        f"the last update is dated {last.on:%-d %B %Y}: a new one cannot be "
                        "dated before it"
                    )
                if to != rec.status:
                    rec.move_to(to, reason=form.cleaned_data["reason"])
            except InvalidMove as exc:
                form.add_error("status", str(exc).capitalize())
            else:
                with transaction.atomic():
                    rec.save()
                    m.RecommendationUpdate.objects.create(
                        recommendation=rec,
                        on=form.cleaned_data["on"],
                        text=form.cleaned_data["text"],
                        status=rec.status,
                        by=request.user.get_username(),
                    )
                record(
                    request,
                    audit.RECOMMENDATION_CHANGED,
                    f"{rec} updated: {rec.status}",
                    object_type="recommendation",
                    object_id=rec.pk,
                )
                messages.success(request, "The update is added")
                return redirect("oversight:recommendation", recommendation_id=rec.pk)
    return render(
        request,
        "oversight/recommendations/detail.html",
        {
            "rec": rec,
            "updates": list(rec.updates.all()),
            "form": form,
            "can_run": can_run_cycle(request.user),
        },
    )


def get_item_or_404(request: HttpRequest, pk: int) -> m.Recommendation:
    """A recommendation (the board's: the view's guard has decided who may see it)."""
    from django.shortcuts import get_object_or_404

    del request
    return get_object_or_404(m.Recommendation, pk=pk)
