"""Permission-matrix rows of the Victims' Code part (see matrix.py). ``{case_own}`` is the
partner test user's agency's (it sees every group); ``{case_shared}`` is the police's,
shared with that agency without the Victims' Code group; ``{case_other}`` is another
agency's, shared with nobody."""

from dsvb.web.accounts.roles import Role
from tests.web.oversight.case import Case

PARTNERS = frozenset({Role.PARTNER})
NOBODY: frozenset = frozenset()

MATRIX: dict[str, list[Case]] = {
    "cases:vcop": [
        Case("/cases/{case_own}/victims-code/", PARTNERS, note="own agency's case"),
        Case(
            "/cases/{case_own}/victims-code/",
            PARTNERS,
            method="post",
            note="own case, an event with no answers: the form again",
        ),
        Case(
            "/cases/{case_shared}/victims-code/",
            NOBODY,
            note="shared without the Victims' Code group",
        ),
        Case(
            "/cases/{case_shared}/victims-code/",
            NOBODY,
            method="post",
            note="shared, not owned: records no event",
        ),
        Case("/cases/{case_other}/victims-code/", NOBODY, note="another agency's case"),
        Case(
            "/cases/{case_other}/victims-code/",
            NOBODY,
            method="post",
            note="another agency's case",
        ),
    ],
    "cases:vcop-contact-made": [
        Case(
            "/cases/{case_own}/victims-code/contacts/{vcop_contact_own}/made/",
            PARTNERS,
            method="post",
            note="own case's contact, made now",
        ),
        Case(
            "/cases/{case_shared}/victims-code/contacts/{vcop_contact}/made/",
            NOBODY,
            method="post",
            note="another agency's case shared without the Victims' Code group",
        ),
    ],
    "cases:vcop-overdue": [Case("/cases/victims-code/overdue/", PARTNERS)],
    "cases:vcop-compliance": [
        Case("/cases/victims-code/compliance/", PARTNERS),
        Case("/cases/victims-code/compliance/?from=2026-01-01&to=2027-01-01", PARTNERS),
        Case(
            "/cases/victims-code/compliance/?from=2027-01-01&to=2026-01-01",
            PARTNERS,
            note="an end before the start: the error in words",
        ),
    ],
}
