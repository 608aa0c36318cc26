"""Permission-matrix rows of DASH risk assessments (see matrix.py). The partner test user
works for "Lambeth IDVA service", which owns ``{case_own}`` and has ``{case_shared}`` (the
police's) shared with it for identity, risk and household; ``{case_other}`` is Southwark's,
shared with nobody: nobody reaches its assessments by changing the id."""

from dsvb.web.accounts.roles import Role
from tests.web.oversight.case import Case

PARTNERS = frozenset({Role.PARTNER})
NOBODY: frozenset = frozenset()

MATRIX: dict[str, list[Case]] = {
    "cases:assessment-new": [
        Case("/cases/{case_own}/assessments/new/", PARTNERS, note="own case"),
        Case("/cases/{case_own}/assessments/new/?checklist=acpo_dash", PARTNERS, note="police"),
        Case("/cases/{case_own}/assessments/new/", PARTNERS, method="post", note="empty form"),
        Case("/cases/{case_shared}/assessments/new/", PARTNERS, note="shared with risk"),
        Case("/cases/{case_other}/assessments/new/", NOBODY, note="another agency's"),
        Case("/cases/{case_other}/assessments/new/", NOBODY, method="post", note="another's"),
    ],
    "cases:assessments": [
        Case("/cases/{case_own}/assessments/", PARTNERS, note="own case"),
        Case("/cases/{case_shared}/assessments/", PARTNERS, note="shared with risk"),
        Case("/cases/{case_other}/assessments/", NOBODY, note="another agency's"),
    ],
    "cases:assessment": [
        Case("/cases/assessments/{assessment_own}/", PARTNERS, note="own case's"),
        Case("/cases/assessments/{assessment_other}/", NOBODY, note="another agency's"),
    ],
}
