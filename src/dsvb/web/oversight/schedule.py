"""Every deadline of the cycle, gathered from the stored objects as :class:`Deadline` s (the
rules that sort them are :mod:`dsvb.oversight.due`), each with the object it belongs to, so a
list shows a person only the deadlines of objects they may see -- decided per object by the
one ``decide`` (:func:`guards.may_see`). Deadlines of things that do not exist yet (a brief
not yet written, a letter not yet drafted) are the board's alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Min
from django.urls import reverse
from django.utils import timezone

from dsvb.oversight import deadlines
from dsvb.oversight.due import Classified, Deadline, classify
from dsvb.oversight.states import (
    BriefStatus,
    LetterStatus,
    MeetingKind,
    MeetingStatus,
    ReportKind,
)
from dsvb.web.oversight import guards
from dsvb.web.oversight import models as m


@dataclass(frozen=True)
class Due:
    """A deadline and where it lives: the object (None: the board's alone) and its page."""

    deadline: Deadline
    obj: Any
    href: str


def _date(d: dt.date) -> str:
    return f"{d:%-d %B %Y}"


def _link(name: str, obj: Any, fallback: str, *, by: str = "pk") -> str:
    """The object's page, or ``fallback`` when there is no object yet (a page of the board's;
    "" shows the deadline without a link). ``by``: the attribute the address takes (a
    letter's page is addressed by its session, ``session_id``)."""
    if obj is None:
        return fallback
    return reverse(name, args=[getattr(obj, by)])


def _all() -> Iterator[Due]:
    sessions = m.Session.objects.select_related("meeting").exclude(
        meeting__status=MeetingStatus.CANCELLED.value
    )
    briefs = {b.session_id: b for b in m.Brief.objects.all()}
    uploads: dict[tuple[int, str], dt.datetime] = {}
    for row in m.BoroughReport.objects.values("brief_id", "kind").annotate(
        first=Min("uploaded_at")
    ):
        uploads[row["brief_id"], row["kind"]] = row["first"]
    letters = {letter.session_id: letter for letter in m.Letter.objects.all()}
    for s in sessions:
        meeting = s.meeting
        name = s.area_name
        where = f"the {meeting.get_kind_display().lower()} on {_date(meeting.date)}"
        brief = briefs.get(s.pk)
        if brief is None or brief.status == BriefStatus.DRAFT.value:
            if meeting.status == MeetingStatus.PLANNED.value:
                sent_by = deadlines.due("brief_sent", meeting.date)
                assert sent_by is not None
                yield Due(
                    Deadline(
                        "brief_send",
                        f"Brief to {name} for {where}",
                        s.area_code,
                        sent_by,
                        None,
                        f"session-{s.pk}-brief",
                    ),
                    None,
                    f"/board/briefs/{brief.pk}/" if brief else f"/board/meetings/{meeting.pk}/",
                )
        elif brief.status in (BriefStatus.SENT.value, BriefStatus.CLOSED.value):
            yield Due(
                Deadline(
                    "brief_send",
                    f"Brief to {name} for {where}",
                    s.area_code,
                    deadlines.due("brief_sent", meeting.date) or brief.draft_due,
                    brief.sent_on or brief.draft_due,
                    f"session-{s.pk}-brief",
                ),
                brief,
                f"/board/briefs/{brief.pk}/",
            )
            for kind, due_on in (
                (ReportKind.DRAFT, brief.draft_due),
                (ReportKind.FINAL, brief.final_due),
            ):
                first = uploads.get((brief.pk, kind.value))
                if first is None and kind is ReportKind.DRAFT:
                    first = uploads.get((brief.pk, ReportKind.FINAL.value))
                yield Due(
                    Deadline(
                        f"{kind.value}_report",
                        f"{name}'s {kind.value} report for {where}",
                        s.area_code,
                        due_on,
                        timezone.localtime(first).date() if first else None,
                        f"brief-{brief.pk}-{kind.value}",
                    ),
                    brief,
                    f"/board/briefs/{brief.pk}/",
                )
        if (
            meeting.status == MeetingStatus.HELD.value
            and meeting.kind != MeetingKind.THEMATIC.value
        ):
            letter = letters.get(s.pk)
            by = deadlines.due("letter_due", meeting.date)
            assert by is not None
            sent = letter.date if letter and letter.status == LetterStatus.SENT.value else None
            yield Due(
                Deadline(
                    "letter",
                    f"Letter to {name} after {where}",
                    s.area_code,
                    by,
                    sent,
                    f"session-{s.pk}-letter",
                ),
                letter if letter and letter.status == LetterStatus.SENT.value else None,
                _link("oversight:letter", letter, "", by="session_id")
                if letter
                else f"/board/meetings/{meeting.pk}/",
            )
            if letter and letter.status == LetterStatus.SENT.value and letter.follow_up_due:
                yield Due(
                    Deadline(
                        "follow_up",
                        f"{name}'s follow-up report",
                        s.area_code,
                        letter.follow_up_due,
                        letter.follow_up_received,
                        f"letter-{letter.pk}-follow-up",
                    ),
                    letter,
                    _link("oversight:letter", letter, "", by="session_id"),
                )
    for action in m.ActionItem.objects.select_related("meeting"):
        due = action.effective_due
        if due is None:
            continue
        done = None if action.is_open else (action.closed_on or due)
        codes = action.area_codes
        yield Due(
            Deadline(
                "action",
                f"{action.owners}: {action.task[:120]}",
                codes[0] if codes else None,
                due,
                done,
                f"action-{action.pk}",
            ),
            action,
            _link("oversight:action", action, ""),
        )


def visible(user: Any) -> list[Due]:
    """Every deadline this person may see: the board all, a borough those of its own
    objects."""
    board = guards.can_view_cycle(user)
    out = []
    for item in _all():
        if item.obj is None:
            if board:
                out.append(item)
        elif board or guards.may_see(user, item.obj):
            out.append(item)
    return out


def classified(user: Any, today: dt.date | None = None) -> tuple[Classified, dict[str, Due]]:
    """The person's deadlines classified for ``today``, and each one's :class:`Due` by key
    (for its link)."""
    items = visible(user)
    by_key = {i.deadline.key: i for i in items}
    return classify([i.deadline for i in items], today or timezone.localdate()), by_key
