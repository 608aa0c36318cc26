"""Permission-matrix rows for this part of the cycle (see matrix.py)."""

from __future__ import annotations

from dsvb.web.accounts.roles import Role
from tests.web.oversight.case import Case

BOARD = frozenset({Role.SECRETARIAT, Role.BOARD_MEMBER})
SECRETARIAT = frozenset({Role.SECRETARIAT})
CYCLE = BOARD | {Role.BOROUGH_USER}  # the board, and a borough for its own objects
EVERYONE = frozenset({None, *Role})

MATRIX: dict = {
    "oversight:minutes": [
        Case("/board/meetings/{meeting}/minutes/", CYCLE, note="approved, Lambeth invited"),
        Case("/board/meetings/{meeting_later}/minutes/", BOARD, note="draft minutes"),
    ],
    "oversight:minutes-import": [
        Case("/board/meetings/{meeting_later}/minutes/import/", SECRETARIAT),
        Case(
            "/board/meetings/{meeting_later}/minutes/import/",
            SECRETARIAT,
            method="post",
            note="nothing entered: the form again",
        ),
    ],
    "oversight:minutes-paragraph": [
        Case("/board/meetings/{meeting_later}/minutes/paragraphs/{paragraph_draft}/", SECRETARIAT)
    ],
    "oversight:minutes-approve": [
        Case("/board/meetings/{meeting_later}/minutes/approve/", SECRETARIAT, method="post")
    ],
    "oversight:actions": [
        Case("/board/actions/", CYCLE),
        Case("/board/actions/?status=open&overdue=yes", CYCLE),
    ],
    "oversight:action": [
        Case("/board/actions/{action_own}/", CYCLE, note="the borough user's own"),
        Case("/board/actions/{action_other}/", BOARD, note="another borough's"),
        Case(
            "/board/actions/{action_other}/",
            SECRETARIAT,
            method="post",
            note="another borough's: a note",
        ),
    ],
    "oversight:findings": [
        Case("/board/sessions/{session_own}/findings/", BOARD),
        Case("/board/sessions/{session_other}/findings/", BOARD),
    ],
    "oversight:finding": [Case("/board/findings/{commend_own}/", SECRETARIAT)],
    "oversight:finding-move": [
        Case("/board/findings/{finding_unsent}/move/", SECRETARIAT, method="post", note="no move")
    ],
    "oversight:letter": [
        Case("/board/sessions/{session_own}/letter/", CYCLE, note="sent, own"),
        Case("/board/sessions/{session_other}/letter/", BOARD, note="another borough's"),
    ],
    "oversight:letter-download": [
        Case("/board/sessions/{session_own}/letter.docx", CYCLE),
        Case("/board/sessions/{session_other}/letter.docx", BOARD),
    ],
    "oversight:letter-send": [
        Case(
            "/board/sessions/{session_other}/letter/send/",
            SECRETARIAT,
            method="post",
            note="already sent: back with a message",
        )
    ],
    "oversight:follow-up": [
        Case("/board/sessions/{session_own}/follow-up/", CYCLE),
        Case("/board/sessions/{session_other}/follow-up/", BOARD),
    ],
    "oversight:follow-up-report": [
        Case("/board/sessions/{session_own}/follow-up/report.html", CYCLE),
        Case("/board/sessions/{session_other}/follow-up/report.docx", BOARD),
    ],
    "oversight:recommendations": [Case("/board/recommendations/", BOARD)],
    "oversight:recommendation": [Case("/board/recommendations/{recommendation}/", BOARD)],
    "oversight:annual-reports": [Case("/board/annual-report/", BOARD)],
    "oversight:annual-report": [Case("/board/annual-report/{annual_report}/", BOARD)],
    "oversight:annual-preview": [
        Case("/board/annual-report/{annual_report_published}/preview/", BOARD)
    ],
    "oversight:annual-download": [
        Case("/board/annual-report/{annual_report_published}/report.pdf", BOARD)
    ],
    "oversight:annual-publish": [
        Case(
            "/board/annual-report/{annual_report_published}/publish/",
            SECRETARIAT,
            method="post",
            note="already published: back with a message",
        )
    ],
    "oversight:annual-published": [
        Case("/board/annual-report/{annual_report_published}/published/", EVERYONE)
    ],
    "oversight:annual-published-pdf": [
        Case("/board/annual-report/{annual_report_published}/published.pdf", EVERYONE)
    ],
}
