"""A session's findings: drafted from the data by the findings rules
(:func:`dsvb.oversight.findings.draft_findings` on the typed assessment of the brief's period,
or the latest 12 months), edited, agreed or set aside by the secretariat, or written by it.
The board's alone until the letter that carries them is sent (then the borough reads them in
its letter)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from dsvb.oversight.states import FindingStatus, InvalidMove, LetterStatus, ResponseStatus
from dsvb.web.audit.pageview import audited_view, viewed
from dsvb.web.audit.recorder import record
from dsvb.web.oversight import audit, data, guards
from dsvb.web.oversight import models as m
from dsvb.web.oversight.forms_after import FindingForm, finding_themes
from dsvb.web.oversight.guards import can_run_cycle, cycle_manage, cycle_view


def findings_period(session: m.Session) -> tuple[dt.date, dt.date] | None:
    """The brief's period, or the latest 12 months the store holds."""
    brief = m.Brief.objects.filter(session=session).first()
    if brief is not None:
        return brief.period_start, brief.period_end
    return data.latest_period(12)


def letter_sent(session: m.Session) -> bool:
    """Whether the letter carrying the session's findings is sent: then its findings are kept
    as sent (the letter's page, rebuilt from them, stays the letter the borough received)."""
    return m.Letter.objects.filter(session=session, status=LetterStatus.SENT.value).exists()


def refuse_if_sent(request: HttpRequest, session: m.Session) -> None:
    """403, audited, for any change to the findings of a session whose letter is sent."""
    if letter_sent(session):
        guards.refuse(
            request, f"the letter to {session.area_code} is sent: its findings are kept as sent"
        )


def draft_from_data(session: m.Session) -> tuple[int, list[str]]:
    """Store the rules' drafts for the session (replacing earlier drafts not yet agreed):
    how many, and the rules that could not be judged with why."""
    from dsvb.oversight.findings import draft_findings

    period = findings_period(session)
    if period is None:
        return 0, ["there are no figures yet: import an extract first"]
    assessment = data.assessment("dv", *period)
    if assessment is None:
        return 0, ["there are no figures yet: import an extract first"]
    drafted = draft_findings(assessment, session.area_code, session.meeting.date)
    with transaction.atomic():
        # (a finding with the borough's response recorded is never replaced)
        session.findings.filter(
            status=FindingStatus.DRAFT.value,
            response="",
            response_status=ResponseStatus.AWAITED.value,
        ).exclude(rule_id="").delete()
        kept = set(session.findings.exclude(rule_id="").values_list("rule_id", flat=True))
        start = (session.findings.aggregate(Max("order"))["order__max"] or 0) + 1
        made = 0
        for k, f in enumerate(drafted.findings):
            if f.rule in kept:
                continue
            m.Finding.objects.create(
                session=session,
                kind=f.kind,
                theme=f.theme,
                rule_id=f.rule,
                drafted_text=f.text,
                text=f.text,
                evidence={
                    "period": drafted.period,
                    "figures": [{"indicator": b.indicator, "label": b.label} for b in f.figures],
                },
                order=start + k,
            )
            made += 1
    return made, [f"{s.rule}: {s.reason}" for s in drafted.skipped]


@cycle_view
@audited_view("a session's findings")
def findings(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_object_or_404(m.Session.objects.select_related("meeting"), pk=session_id)
    viewed(request, area=session.area_code, session=session.pk)
    form = FindingForm()
    if request.method == "POST" and can_run_cycle(request.user):
        refuse_if_sent(request, session)
        if "draft" in request.POST:
            made, skipped = draft_from_data(session)
            record(
                request,
                audit.FINDING_CHANGED,
                f"{made} findings drafted from the data for {session}",
                object_type="session",
                object_id=session.pk,
            )
            messages.success(
                request, f"{made} finding{'' if made == 1 else 's'} drafted from the data"
            )
            for reason in skipped:
                messages.info(request, f"Not judged: {reason}")
            return redirect("oversight:findings", session_id=session.pk)
        form = FindingForm(request.POST)
        if form.is_valid():
            finding = form.save(commit=False)
            finding.session = session
            finding.order = (session.findings.aggregate(Max("order"))["order__max"] or 0) + 1
            finding.save()
            record(
                request,
                audit.FINDING_CHANGED,
                f"Finding added for {session}",
                object_type="finding",
                object_id=finding.pk,
            )
            return redirect("oversight:findings", session_id=session.pk)
    elif request.method == "POST":
        guards.refuse(request, "only the secretariat drafts and changes findings")
    items = list(session.findings.all())
    labels = dict(finding_themes())
    for f in items:
        f.theme_label = labels.get(f.theme, f.theme)  # type: ignore[attr-defined]
    return render(
        request,
        "oversight/findings/list.html",
        {
            "session": session,
            "commend": [f for f in items if f.kind == "commend"],
            "follow_up": [f for f in items if f.kind == "follow_up"],
            "form": form,
            "can_run": can_run_cycle(request.user),
            "letter": m.Letter.objects.filter(session=session).first(),
        },
    )


@cycle_manage
@audited_view("a finding")
def finding_edit(request: HttpRequest, finding_id: int) -> HttpResponse:
    finding = get_object_or_404(m.Finding, pk=finding_id)
    if request.method == "POST":
        refuse_if_sent(request, finding.session)
    form = FindingForm(request.POST or None, instance=finding)
    if request.method == "POST" and form.is_valid():
        form.save()
        record(
            request,
            audit.FINDING_CHANGED,
            f"Finding {finding.pk} edited",
            object_type="finding",
            object_id=finding.pk,
        )
        return redirect("oversight:findings", session_id=finding.session_id)
    return render(request, "oversight/findings/edit.html", {"finding": finding, "form": form})


@require_POST
@cycle_manage
@audited_view("a finding's state")
def finding_move(request: HttpRequest, finding_id: int) -> HttpResponse:
    finding = get_object_or_404(m.Finding, pk=finding_id)
    refuse_if_sent(request, finding.session)
    to = request.POST.get("to", "")
    try:
        finding.move_to(FindingStatus(to) if to in set(FindingStatus) else to)
    except (InvalidMove, ValueError) as exc:
        messages.error(request, str(exc).capitalize())
    else:
        finding.save()
        record(
            request,
            audit.FINDING_CHANGED,
            f"Finding {finding.pk} {finding.status}",
            object_type="finding",
            object_id=finding.pk,
        )
    return redirect("oversight:findings", session_id=finding.session_id)
