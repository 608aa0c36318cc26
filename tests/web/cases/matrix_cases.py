"""Permission-matrix rows of cases and people (see matrix.py)."""

from dsvb.web.accounts.roles import Role
from tests.web.oversight.case import Case

PARTNERS = frozenset({Role.PARTNER})

MATRIX: dict[str, list[Case]] = {
    "cases:caseload": [Case("/cases/", PARTNERS)],
}
