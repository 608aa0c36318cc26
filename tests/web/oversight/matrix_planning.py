"""Permission-matrix rows for this part of the cycle (see matrix.py)."""

from __future__ import annotations

from dsvb.web.accounts.roles import Role
from tests.web.oversight.case import Case

BOARD = frozenset({Role.SECRETARIAT, Role.BOARD_MEMBER})
SECRETARIAT = frozenset({Role.SECRETARIAT})
CYCLE = BOARD | {Role.BOROUGH_USER}  # the board, and a borough for its own objects
UPLOADERS = SECRETARIAT | {Role.BOROUGH_USER}  # the borough to its own sent brief
EVERYONE = frozenset({None, *Role})

MATRIX: dict = {
    "oversight:home": [Case("/board/", CYCLE)],
    "oversight:members": [Case("/board/members/", BOARD)],
    "oversight:member-new": [Case("/board/members/new/", SECRETARIAT)],
    "oversight:member-edit": [Case("/board/members/{member}/", SECRETARIAT)],
    "oversight:meetings": [Case("/board/meetings/", BOARD)],
    "oversight:meeting-new": [Case("/board/meetings/new/", SECRETARIAT)],
    "oversight:meeting": [Case("/board/meetings/{meeting}/", BOARD)],
    "oversight:meeting-edit": [Case("/board/meetings/{meeting_coming}/edit/", SECRETARIAT)],
    "oversight:meeting-attendance": [Case("/board/meetings/{meeting}/attendance/", SECRETARIAT)],
    "oversight:meeting-held": [Case("/board/meetings/{meeting_coming}/held/", SECRETARIAT)],
    "oversight:meeting-cancel": [Case("/board/meetings/{meeting_coming}/cancel/", SECRETARIAT)],
    "oversight:planner": [Case("/board/planner/", BOARD)],
    "oversight:cycle-new": [Case("/board/planner/cycles/new/", SECRETARIAT)],
    "oversight:past-review-new": [Case("/board/planner/past-reviews/new/", SECRETARIAT)],
    "oversight:plan-accept": [Case("/board/planner/accept/", SECRETARIAT)],
    "oversight:plan-change": [Case("/board/planner/change/", SECRETARIAT)],
    "oversight:briefs": [Case("/board/briefs/", CYCLE)],
    "oversight:brief-new": [Case("/board/sessions/{session_coming}/brief/new/", SECRETARIAT)],
    "oversight:brief-templates": [Case("/board/briefs/templates/", SECRETARIAT)],
    "oversight:brief-template": [Case("/board/briefs/templates/2010/", SECRETARIAT)],
    "oversight:brief": [
        Case("/board/briefs/{brief_own}/", CYCLE, note="the borough's own, sent"),
        Case("/board/briefs/{brief_other}/", BOARD, note="another borough's"),
        Case("/board/briefs/{brief_draft}/", BOARD, note="the borough's own, a draft"),
    ],
    "oversight:brief-edit": [Case("/board/briefs/{brief_draft}/edit/", SECRETARIAT)],
    "oversight:brief-pdf": [
        Case("/board/briefs/{brief_own}/brief.pdf", CYCLE),
        Case("/board/briefs/{brief_other}/brief.pdf", BOARD, note="another borough's"),
    ],
    "oversight:brief-docx": [
        Case("/board/briefs/{brief_own}/brief.docx", CYCLE),
        Case("/board/briefs/{brief_draft}/brief.docx", BOARD, note="a draft"),
    ],
    "oversight:brief-send": [Case("/board/briefs/{brief_draft}/send/", SECRETARIAT)],
    "oversight:brief-withdraw": [Case("/board/briefs/{brief_own}/withdraw/", SECRETARIAT)],
    "oversight:report-upload": [
        Case("/board/briefs/{brief_own}/upload/", UPLOADERS, note="the borough's own"),
        Case("/board/briefs/{brief_other}/upload/", SECRETARIAT, note="another borough's"),
    ],
    "oversight:report": [
        Case("/board/reports/{report_own}/", CYCLE),
        Case("/board/reports/{report_other}/", BOARD, note="another borough's"),
    ],
    "oversight:report-download": [
        Case("/board/reports/{report_own}/download/", CYCLE),
        Case("/board/reports/{report_other}/download/", BOARD, note="another borough's"),
    ],
    "oversight:document-css": [Case("/board/document.css", EVERYONE, note="no data in it")],
    "oversight:due": [Case("/board/due/", CYCLE)],
    "oversight:calendar": [Case("/board/calendar/", CYCLE)],
    "oversight:calendar-renew": [Case("/board/calendar/renew/", CYCLE)],
    "oversight:calendar-feed": [
        Case("/board/calendar/{calendar_token}.ics", EVERYONE, note="the address is the key")
    ],
}
