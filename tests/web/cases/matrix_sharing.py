"""Permission-matrix rows of sharing, emergency access, alerts, subject access and retention
(see matrix.py).

Sharing is the owning agency's: ``{case_own}`` (the partner test user's agency's) allowed;
``{case_shared}`` (the police's, shared with that agency) and ``{case_other}`` (another
agency's) refused. Break glass is for a case the agency does not already see: allowed on
``{case_other}`` only. Subject access and retention are the secretariat's alone -- partner
users included, nobody else sees across agencies.
"""

from dsvb.web.accounts.roles import Role
from tests.web.oversight.case import Case

PARTNERS = frozenset({Role.PARTNER})
SECRETARIAT = frozenset({Role.SECRETARIAT})
NOBODY: frozenset = frozenset()

OWN, SHARED, OTHER = "{case_own}", "{case_shared}", "{case_other}"


def _rows(suffix: str, own: frozenset, shared: frozenset, other: frozenset, method: str = "get"):
    return [
        Case(f"/cases/{OWN}/{suffix}", own, method=method, note="the agency's own case"),
        Case(f"/cases/{SHARED}/{suffix}", shared, method=method, note="shared with the agency"),
        Case(f"/cases/{OTHER}/{suffix}", other, method=method, note="another agency's case"),
    ]


MATRIX: dict[str, list[Case]] = {
    "cases:shares": _rows("shares/", PARTNERS, NOBODY, NOBODY),
    "cases:share-new": [
        *_rows("shares/new/", PARTNERS, NOBODY, NOBODY),
        *_rows("shares/new/", PARTNERS, NOBODY, NOBODY, method="post"),
        Case(f"/cases/{OWN}/shares/new/?agency={{agency_other}}", PARTNERS, note="step two"),
    ],
    "cases:share-withdraw": [
        Case("/cases/shares/{share_own}/withdraw/", PARTNERS, note="a share of the own case"),
        Case(
            "/cases/shares/{share_own}/withdraw/", PARTNERS, method="post", note="no reason given"
        ),
        Case("/cases/shares/{share}/withdraw/", NOBODY, note="the police's share with us"),
        Case("/cases/shares/{share}/withdraw/", NOBODY, method="post"),
    ],
    "cases:break-glass": [
        Case("/cases/break-glass/", PARTNERS),
        Case("/cases/break-glass/", PARTNERS, method="post", note="nothing filled in: errors"),
    ],
    "cases:case-break-glass": [
        *_rows("break-glass/", NOBODY, NOBODY, PARTNERS),
        Case(f"/cases/{OWN}/break-glass/", NOBODY, method="post", note="already sees it"),
    ],
    "cases:alerts": [Case("/cases/alerts/", PARTNERS)],
    "cases:alert-read": [
        Case("/cases/alerts/{alert_own}/read/", PARTNERS, method="post"),
        Case("/cases/alerts/{alert_other}/read/", NOBODY, method="post", note="another agency's"),
    ],
    "cases:subject-access": [
        Case("/cases/subject-access/", SECRETARIAT),
        Case("/cases/subject-access/", SECRETARIAT, method="post", note="nothing: errors"),
    ],
    "cases:subject-access-report": [
        Case("/cases/subject-access/report.pdf", SECRETARIAT, method="post", note="no search"),
        Case("/cases/subject-access/report.docx", SECRETARIAT, method="post", note="no search"),
    ],
    "cases:retention": [Case("/cases/retention/", SECRETARIAT)],
    "cases:retention-delete": [
        Case(f"/cases/retention/{OTHER}/delete/", SECRETARIAT, note="open: not due, kept"),
        Case(f"/cases/retention/{OTHER}/delete/", SECRETARIAT, method="post", note="not due"),
    ],
    "cases:retention-meeting-notes": [
        Case(
            "/cases/retention/meetings/{marac_meeting}/delete-notes/",
            SECRETARIAT,
            method="post",
            note="not due: kept",
        ),
    ],
}
