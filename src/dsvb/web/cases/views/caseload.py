"""The caseload: a partner agency user's landing page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dsvb.web.audit.pageview import audited_view
from dsvb.web.cases.guards import agencies_of, cases_user, may_see
from dsvb.web.cases.models import Case


@cases_user
@audited_view("the caseload")
def caseload(request: HttpRequest) -> HttpResponse:
    agencies = agencies_of(request.user)
    cases = [
        c
        for c in Case.objects.filter(agency__in=agencies).select_related("agency", "victim")
        if may_see(request.user, c)
    ]
    return render(request, "cases/caseload.html", {"cases": cases, "agencies": agencies})
