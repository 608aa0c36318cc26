"""DASH risk assessments of a case: completing one, reading one, and a victim's assessments
side by side so escalation shows.

Every page asks :func:`~dsvb.web.cases.guards.get_case` (adding an assessment is
``CONTRIBUTE``: the owning agency and the agencies the case is shared with, while open) and
then whether the viewer's agency sees the case's ``risk`` group: an agency a case is shared
with for its identity only does not see its assessments (403, audited). The score, the level
and whether a grading or judgement may stand are :func:`dsvb.cases.dash.assess`'s.

The official wording of the checklists is copyright: the pages show dsvb's short labels, or
the installation's licensed wording when ``DSVB_DASH_WORDING`` (a Django setting or the
environment) names its file (``checklist,question_id,wording``; check it first with ``dsvb
dash-wording FILE``). A file that cannot be read is logged and the labels are shown, so a
broken file never stops an assessment being recorded.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from dsvb.cases import access as rules
from dsvb.cases import dash
from dsvb.cases.agencies import AgencyKind
from dsvb.cases.fields import FieldGroup
from dsvb.cases.states import RiskLevel
from dsvb.web.audit.pageview import audited_view, viewed
from dsvb.web.audit.recorder import record
from dsvb.web.cases import audit
from dsvb.web.cases.forms_dash import AssessmentForm
from dsvb.web.cases.guards import (
    agencies_of,
    cases_user,
    get_case,
    may_see,
    require_group,
    visibility,
)
from dsvb.web.cases.models import Agency, Assessment, Case
from dsvb.web.oversight.guards import refuse

logger = logging.getLogger(__name__)

WORDING_SETTING = "DSVB_DASH_WORDING"


def wording_path() -> str:
    """The licensed wording file this installation names ('' for none)."""
    return str(getattr(settings, WORDING_SETTING, "") or os.environ.get(WORDING_SETTING, ""))


@functools.lru_cache(maxsize=4)
def _wording_of(path: str, modified: float) -> dict[tuple[str, str], str]:
    return dash.wording_file(path)


def licensed_wording() -> dict[tuple[str, str], str]:
    """(checklist, question id) -> the licensed wording; {} when none is configured or the
    file cannot be used (logged with its line and column)."""
    path = wording_path()
    if not path:
        return {}
    try:
        return _wording_of(path, os.stat(path).st_mtime)
    except (OSError, dash.DashFileError) as error:
        logger.error("the DASH wording file is not used, labels are shown: %s", error)
        return {}


def _text(question: dash.Question, wording: dict[tuple[str, str], str]) -> str:
    return wording.get((question.checklist, question.id), question.label)


def _contributing_agency(user: Any, case: Case) -> Agency | None:
    """The agency an assessment is recorded for: the person's agency that owns the case, or
    else one it is shared with."""
    agencies = agencies_of(user)
    shared = set(case.share_groups())
    return next(
        (a for a in agencies if a.pk == case.agency_id),
        next((a for a in agencies if a.name in shared), None),
    )


def _day(value: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        return timezone.localdate()


@cases_user
@audited_view("a new DASH risk assessment")
def assessment_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case, seen = get_case(request, case_id, rules.CONTRIBUTE)
    require_group(request, seen, FieldGroup.RISK, case)
    agency = _contributing_agency(request.user, case)
    if agency is None:  # an emergency view sees; it does not add to the case
        refuse(
            request,
            f"case {case.pk}: none of your agencies owns it or has it shared",
            object_type="case",
            object_id=str(case.pk),
        )
    police = agency.kind == AgencyKind.POLICE.value
    chosen = request.GET.get("checklist") or dash.default_checklist(agency.kind)
    if chosen not in dash.checklists():
        raise Http404("No such checklist")
    checklist = dash.checklist(chosen)
    wording = licensed_wording()
    day = _day(request.POST.get("assessed_on")) if request.method == "POST" else None
    form_args: dict[str, Any] = {
        "checklist": checklist,
        "day": day or timezone.localdate(),
        "police": police,
        "wording": wording,
    }
    if request.method != "POST":
        form = AssessmentForm(initial={"assessed_on": timezone.localdate()}, **form_args)
    else:
        form = AssessmentForm(request.POST, **form_args)
        if form.is_valid():
            saved = _save(request, form, case, agency, checklist)
            if saved is not None:
                messages.success(request, "The assessment is saved")
                return redirect("cases:assessment", pk=saved.pk)
    return render(
        request,
        "cases/dash/new.html",
        {
            "case": case,
            "form": form,
            "checklist": checklist,
            "agency": agency,
            "others": [c for c in dash.checklists().values() if c.id != checklist.id],
            "licensed": bool(wording),
            "threshold": _threshold(form_args["day"]),
        },
    )


def _save(
    request: HttpRequest,
    form: AssessmentForm,
    case: Case,
    agency: Agency,
    checklist: dash.Checklist,
) -> Assessment | None:
    """Assess and store, or put the refusal on the form's field and return None."""
    day = form.cleaned_data["assessed_on"]
    graded = form.level("graded")
    judgement = form.level("judgement")
    try:
        result = dash.assess(
            checklist.id,
            form.answers(),
            on=day,
            graded=graded,
            judgement=judgement,
            reasons=form.cleaned_data["reasons"],
        )
    except dash.JudgementError as refused:
        field = refused.field if refused.field in form.fields else None
        form.add_error(field, f"{str(refused)[0].upper()}{str(refused)[1:]}")
        return None
    except dash.DashError as refused:
        form.add_error("assessed_on", f"{str(refused)[0].upper()}{str(refused)[1:]}")
        return None
    user = request.user
    with transaction.atomic():
        saved = Assessment.objects.create(
            case=case,
            agency=agency,
            checklist=checklist.id,
            assessed_on=day,
            assessor=user,
            assessor_name=(user.get_full_name() or user.get_username())[:150],  # type: ignore[union-attr]
            answers=dict(result.answers),
            score=result.score,
            score_level=result.score_level.value,
            graded_level=graded.value if graded else "",
            judgement_level=judgement.value if judgement else "",
            judgement_reasons=form.cleaned_data["reasons"].strip(),
            level=result.level.value,
            rules_version=result.rules_version,
        )
        record(
            request,
            audit.ASSESSMENT_RECORDED,
            f"DASH risk assessment {saved.pk} recorded on case {case.pk} for {agency.name}",
            object_type="case",
            object_id=str(case.pk),
            assessment=saved.pk,
            agency=agency.name,
        )
    return saved


def _checklist_of(assessment: Assessment) -> dash.Checklist | None:
    return dash.checklists().get(assessment.checklist)


@cases_user
@audited_view("a DASH risk assessment")
def assessment(request: HttpRequest, pk: int) -> HttpResponse:
    record_ = get_object_or_404(Assessment.objects.select_related("agency"), pk=pk)
    case, seen = get_case(request, record_.case_id)
    require_group(request, seen, FieldGroup.RISK, case)
    viewed(request, assessment=pk)
    wording = licensed_wording()
    checklist = _checklist_of(record_)
    sections: list[dict[str, Any]] = []
    if checklist is not None:
        for section, questions in checklist.sections(record_.assessed_on):
            rows = [
                {
                    "number": q.number,
                    "text": _text(q, wording),
                    "answer": record_.answers.get(q.id, ""),
                    "answer_label": dash.ANSWERS.get(record_.answers.get(q.id, ""), "Not answered"),
                }
                for q in questions
            ]
            screening = not any(q.scored for q in questions)
            if screening and not any(r["answer"] for r in rows):
                continue
            sections.append(
                {"heading": dash.SECTIONS[section], "rows": rows, "screening": screening}
            )
    return render(
        request,
        "cases/dash/assessment.html",
        {
            "case": case,
            "assessment": record_,
            "checklist_name": checklist.name if checklist else record_.checklist,
            "sections": sections,
            "visible_high_risk": dash.visible_high_risk(record_.score, record_.assessed_on),
            "threshold": _threshold(record_.assessed_on),
            "raised": RiskLevel(record_.level).rank > RiskLevel(record_.score_level).rank,
        },
    )


def _threshold(day: dt.date) -> int | None:
    try:
        return dash.case_settings.number("visible_high_risk_score", day)
    except ValueError:
        return None


@cases_user
@audited_view("a victim's DASH risk assessments side by side")
def assessments(request: HttpRequest, case_id: int) -> HttpResponse:
    case, seen = get_case(request, case_id)
    require_group(request, seen, FieldGroup.RISK, case)
    user = request.user
    others = [
        c
        for c in Case.objects.filter(victim_id=case.victim_id)
        .exclude(pk=case.pk)
        .select_related("agency")
        if may_see(user, c) and visibility(user, c).shows(FieldGroup.RISK)
    ]
    records = list(
        Assessment.objects.filter(case__in=[case, *others])
        .select_related("agency")
        .order_by("assessed_on", "pk")
    )
    changes = dash.escalation(records)  # in the same (date) order: one per record after the first
    columns = [
        {"assessment": a, "change": changes[i - 1] if i else None} for i, a in enumerate(records)
    ]
    return render(
        request,
        "cases/dash/history.html",
        {
            "case": case,
            "columns": columns,
            "rows": _question_rows(records, changes, licensed_wording()),
            "other_cases": others,
        },
    )


def _question_rows(
    records: list[Assessment],
    changes: list[dash.Change],
    wording: dict[tuple[str, str], str],
) -> list[dict[str, Any]]:
    """One row per question any of the assessments' checklists asks (the longest checklist's
    order first), with each assessment's answer and whether it is newly yes."""
    used = {r.checklist for r in records}
    questions: dict[str, dash.Question] = {}
    for checklist in sorted(
        (c for c in dash.checklists().values() if c.id in used), key=lambda c: -len(c.questions)
    ):
        for q in checklist.questions:
            questions.setdefault(q.id, q)
    asked = {
        r.pk: {q.id for q in dash.checklists()[r.checklist].on(r.assessed_on)}
        for r in records
        if r.checklist in dash.checklists()
    }
    newly = [set(), *(set(c.newly_yes) for c in changes)]
    rows = []
    for q in questions.values():
        cells = []
        for i, r in enumerate(records):
            answer = r.answers.get(q.id, "")
            cells.append(
                {
                    "asked": q.id in asked.get(r.pk, set()),
                    "answer": answer,
                    "label": dash.ANSWERS.get(answer, "Not answered"),
                    "new": q.id in newly[i],
                }
            )
        if not q.scored and not any(c["answer"] for c in cells):
            continue  # screening nobody answered
        rows.append(
            {
                "number": q.number,
                "text": _text(q, wording),
                "section": dash.SECTIONS[q.section],
                "scored": q.scored,
                "cells": cells,
            }
        )
    return rows
