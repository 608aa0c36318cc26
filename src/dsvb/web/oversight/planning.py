"""The planner's inputs gathered from the models (held sessions and past reviews, the current
cycle, the coming borough meetings and their free places, the concerns in the latest 12
months' data) and its plan accepted or changed as Sessions. The weighing is
:func:`dsvb.oversight.planner.propose`'s.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from dsvb import reference
from dsvb.oversight import planner
from dsvb.oversight.findings import draft_findings
from dsvb.oversight.states import MeetingKind, MeetingStatus
from dsvb.web.oversight import data
from dsvb.web.oversight import models as m

SLOTS = planner.SLOTS_PER_MEETING  # boroughs a borough session takes (one definition)


@dataclass(frozen=True)
class BoroughCoverage:
    code: str
    name: str
    last_reviewed: dt.date | None
    this_cycle: bool


@dataclass(frozen=True)
class PlannerView:
    cycle: m.Cycle | None
    coverage: tuple[BoroughCoverage, ...]
    meetings: tuple[m.Meeting, ...]
    plan: Any  # dsvb.oversight.planner.Plan, or None
    problem: str  # why there is no plan, in words
    concerns_from: str  # the period the concerns come from, in words


def reviews() -> dict[str, dt.date]:
    """Each borough's latest review: a held session, or a review held before dsvb."""
    last: dict[str, dt.date] = {}
    for code, day in all_reviews():
        if code not in last or day > last[code]:
            last[code] = day
    return last


def all_reviews() -> list[tuple[str, dt.date]]:
    """Every review: (borough, date) of each held session and each review before dsvb."""
    held = m.Session.objects.filter(meeting__status=MeetingStatus.HELD.value)
    pairs = [(s.area_code, s.meeting.date) for s in held.select_related("meeting")]
    return pairs + [(r.area_code, r.date) for r in m.PastReview.objects.all()]


def coming_meetings(today: dt.date) -> list[m.Meeting]:
    """Planned borough sessions from today on."""
    return list(
        m.Meeting.objects.filter(
            date__gte=today,
            status=MeetingStatus.PLANNED.value,
            kind=MeetingKind.BOROUGH.value,
        ).prefetch_related("sessions")
    )


def _concerns(boroughs: dict[str, str], today: dt.date) -> tuple[dict, str]:
    period = data.latest_period(12)
    if period is None:
        return {}, ""
    assessed = data.assessment("dv", *period)
    if assessed is None:
        return {}, ""
    findings = []
    for code in boroughs:
        try:
            findings.append(draft_findings(assessed, code, today))
        except (KeyError, LookupError, ValueError):  # a borough the data do not hold
            continue
    found = planner.concerns_from(assessed, findings)
    label = f"{period[0]:%-d %B %Y} to {period[1]:%-d %B %Y}"
    return {c: v for c, v in found.items() if c in boroughs}, label


def planner_view(today: dt.date | None = None) -> PlannerView:
    today = today or timezone.localdate()
    cycle = m.Cycle.current(today)
    names = dict(reference.boroughs())
    last = reviews()
    covered = (
        {c for c, _, _ in planner.coverage(names, last, cycle.starts).reviewed} if cycle else set()
    )
    coverage = tuple(
        BoroughCoverage(code, name, last.get(code), code in covered)
        for code, name in sorted(names.items(), key=lambda kv: kv[1])
    )
    meetings = tuple(coming_meetings(today))
    if cycle is None:
        return PlannerView(cycle, coverage, meetings, None, "Create the current cycle first.", "")
    invited = {s.area_code for meeting in meetings for s in meeting.sessions.all()}
    open_names = {c: n for c, n in names.items() if c not in invited}
    slots = [
        planner.Meeting(meeting.date, max(0, SLOTS - meeting.sessions.count()))
        for meeting in meetings
    ]
    # one slot list per date (two meetings on a day share it)
    by_date: dict[dt.date, int] = {}
    for s in slots:
        by_date[s.date] = by_date.get(s.date, 0) + s.slots
    concerns, label = _concerns(open_names, today)
    past = [
        planner.Review(code, day)
        for code, day in all_reviews()
        if code in open_names and (not by_date or day < min(by_date))
    ]
    try:
        plan = planner.propose(
            open_names,
            past,
            cycle.starts,
            [planner.Meeting(d, n) for d, n in sorted(by_date.items())],
            concerns,
        )
    except ValueError as exc:
        return PlannerView(cycle, coverage, meetings, None, str(exc), label)
    return PlannerView(cycle, coverage, meetings, plan, "", label)


@transaction.atomic
def accept(plan: Any, meetings: tuple[m.Meeting, ...]) -> list[m.Session]:
    """Invite each proposed borough to its meeting (the first with a free place on the
    proposal's date), with the planner's reasons."""
    created = []
    for proposal in plan.slots:
        if proposal.meeting_date is None:
            continue
        for meeting in meetings:
            if meeting.date != proposal.meeting_date:
                continue
            if meeting.sessions.count() >= SLOTS:
                continue
            session, made = m.Session.objects.get_or_create(
                meeting=meeting,
                area_code=proposal.area_code,
                defaults={"planned_reason": "; ".join(proposal.reasons)},
            )
            if made:
                created.append(session)
            break
    return created


@transaction.atomic
def change(meeting: m.Meeting, codes: list[str], reasons: dict[str, str]) -> tuple[list, list]:
    """Set the boroughs a meeting invites to ``codes``: sessions added (with the planner's
    reasons where it proposed them) and those without a brief removed. Returns (added,
    kept because they have a brief)."""
    added, kept = [], []
    current = {s.area_code: s for s in meeting.sessions.all()}
    for code in codes:
        if code not in current:
            added.append(
                m.Session.objects.create(
                    meeting=meeting,
                    area_code=code,
                    planned_reason=reasons.get(code, "") or "chosen by the secretariat",
                )
            )
    for code, session in current.items():
        if code in codes:
            continue
        if hasattr(session, "brief"):
            kept.append(session)
        else:
            session.delete()
    return added, kept
