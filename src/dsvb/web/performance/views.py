"""Performance pages (being built)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from dsvb.web.accounts import policies
from dsvb.web.accounts.decorators import policy_required


@policy_required(lambda user, **_: policies.can_view_all_areas(user))
def overview(request: HttpRequest) -> HttpResponse:
    return render(request, "performance/overview.html")


@policy_required(
    lambda user, area_code=None, **_: (
        policies.can_view_performance(user)
        and (area_code is None or policies.can_view_area(user, area_code))
    )
)
def scorecard(request: HttpRequest, area_code: str | None = None) -> HttpResponse:
    if area_code is None and request.user.area_code:
        return redirect("performance:scorecard-area", area_code=request.user.area_code)
    return render(request, "performance/scorecard.html", {"area_code": area_code})
