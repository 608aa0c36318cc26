"""The caseload: a partner agency user's landing page. Its own agency's cases (open or
closed, found by case number), and apart from them the cases other agencies have shared
with it or referred to it, each with what is shared. Lists are filtered without auditing
each case (``may_see``); the page itself is one audit entry."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dsvb.cases.fields import FieldGroup, Visibility
from dsvb.cases.states import CaseState, ShareState
from dsvb.web.audit.pageview import audited_view, viewed
from dsvb.web.cases.guards import agencies_of, cases_user, may_see, visibility
from dsvb.web.cases.models import Assessment, Case


@dataclass(frozen=True)
class Row:
    """One case on the caseload, with only what the viewer may see of it."""

    case: Case
    seen: Visibility
    victim: str  # the name, when identity is seen; else ""
    risk: str  # the latest assessment's level, when risk is seen; else ""
    shared: tuple[str, ...]  # labels of the groups seen (shared cases)


def _latest_levels(cases: list[Case]) -> dict[int, str]:
    levels: dict[int, str] = {}
    for a in Assessment.objects.filter(case__in=cases).order_by("case_id", "-assessed_on", "-pk"):
        levels.setdefault(a.case_id, a.get_level_display())
    return levels


def _rows(request: HttpRequest, cases: list[Case]) -> list[Row]:
    levels = _latest_levels(cases)
    rows = []
    for case in cases:
        seen = visibility(request.user, case)
        rows.append(
            Row(
                case=case,
                seen=seen,
                victim=str(case.victim) if seen.shows(FieldGroup.IDENTITY) else "",
                risk=levels.get(case.pk, "") if seen.shows(FieldGroup.RISK) else "",
                shared=tuple(g.label for g in FieldGroup if seen.shows(g)),
            )
        )
    return rows


@cases_user
@audited_view("the caseload")
def caseload(request: HttpRequest) -> HttpResponse:
    agencies = agencies_of(request.user)
    state = request.GET.get("state", CaseState.OPEN.value)
    if state not in {s.value for s in CaseState}:
        state = CaseState.OPEN.value
    number = request.GET.get("case", "").strip().lstrip("#")
    own = Case.objects.filter(agency__in=agencies).select_related("agency", "victim")
    any_own = own.exists()
    if number:
        found = number.isdigit() and len(number) < 10  # (a case number, not any text)
        own = own.filter(pk=int(number)) if found else own.none()
    else:
        own = own.filter(status=state)
    viewed(request, state=state, case_number=number)
    shared = (
        Case.objects.filter(shares__to_agency__in=agencies, shares__status=ShareState.ACTIVE.value)
        .exclude(agency__in=agencies)
        .select_related("agency", "victim")
        .distinct()
    )
    own_rows = _rows(request, [c for c in own if may_see(request.user, c)])
    shared_rows = _rows(request, [c for c in shared if may_see(request.user, c)])
    return render(
        request,
        "cases/caseload.html",
        {
            "agencies": agencies,
            "rows": own_rows,
            "shared_rows": shared_rows,
            "state": state,
            "number": number,
            "any_own": any_own,
        },
    )
