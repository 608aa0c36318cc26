"""Permission-matrix rows of cases and people (see matrix.py).

``{case_own}``: the partner test user's agency's own case (allowed to partners);
``{case_shared}``: the police's, shared with that agency for identity, risk and household
(seen, added to with a note, but not changed: the agency does not own it; no incidents: the
share holds no criminal justice group); ``{case_other}``: another agency's, shared with
nobody (allowed to nobody: the id changed in the address)."""

from dsvb.web.accounts.roles import Role
from tests.web.oversight.case import Case

PARTNERS = frozenset({Role.PARTNER})
NOBODY: frozenset = frozenset()

OWN, SHARED, OTHER = "{case_own}", "{case_shared}", "{case_other}"


def _rows(suffix: str, own: frozenset, shared: frozenset, method: str = "get") -> list[Case]:
    return [
        Case(f"/cases/{OWN}/{suffix}", own, method=method, note="the agency's own case"),
        Case(f"/cases/{SHARED}/{suffix}", shared, method=method, note="shared with the agency"),
        Case(f"/cases/{OTHER}/{suffix}", NOBODY, method=method, note="another agency's case"),
    ]


MATRIX: dict[str, list[Case]] = {
    "cases:caseload": [
        Case("/cases/", PARTNERS),
        Case("/cases/?state=closed", PARTNERS, note="closed cases"),
        Case(f"/cases/?case={OTHER}", PARTNERS, note="another agency's number: not listed"),
    ],
    "cases:case-new": [
        Case("/cases/new/", PARTNERS),
        Case("/cases/new/", PARTNERS, method="post", note="nothing filled in: the errors"),
    ],
    "cases:case": _rows("", PARTNERS, PARTNERS),
    "cases:case-edit": _rows("edit/", PARTNERS, NOBODY),
    "cases:case-victim": _rows("victim/", PARTNERS, NOBODY),
    "cases:party-new": _rows("parties/new/", PARTNERS, NOBODY),
    "cases:address-new": _rows("addresses/new/", PARTNERS, NOBODY),
    "cases:incident-new": [
        *_rows("incidents/new/", PARTNERS, NOBODY),
        Case(f"/cases/{OTHER}/incidents/new/", NOBODY, method="post"),
    ],
    "cases:note-new": [
        *_rows("notes/new/", PARTNERS, PARTNERS),
        Case(f"/cases/{OTHER}/notes/new/", NOBODY, method="post"),
    ],
    "cases:case-close": [
        *_rows("close/", PARTNERS, NOBODY),
        Case(f"/cases/{OWN}/close/", PARTNERS, method="post", note="no outcome: the errors"),
        Case(f"/cases/{SHARED}/close/", NOBODY, method="post", note="not the owner"),
        Case(f"/cases/{OTHER}/close/", NOBODY, method="post"),
    ],
    "cases:case-reopen": [
        *_rows("reopen/", PARTNERS, NOBODY),
        Case(f"/cases/{OWN}/reopen/", PARTNERS, method="post", note="an open case: says so"),
        Case(f"/cases/{OTHER}/reopen/", NOBODY, method="post"),
    ],
    "cases:address-not-current": [
        Case(f"/cases/{SHARED}/addresses/{{address_own}}/not-current/", NOBODY, method="post"),
        Case(f"/cases/{OTHER}/addresses/{{address_own}}/not-current/", NOBODY, method="post"),
        Case(f"/cases/{OWN}/addresses/{{address_own}}/not-current/", PARTNERS, method="post"),
    ],
    "cases:party-remove": [
        Case(f"/cases/{SHARED}/parties/{{party_own}}/remove/", NOBODY, method="post"),
        Case(f"/cases/{OTHER}/parties/{{party_own}}/remove/", NOBODY, method="post"),
        Case(f"/cases/{OWN}/parties/{{party_own}}/remove/", PARTNERS, method="post"),
    ],
}
