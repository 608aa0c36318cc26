"""Permission-matrix rows of the linkage review pages (tests/web/test_permissions.py).

The summary (counts only) is the board's and force analysts'; a person's records with
their identifiers and match weights, and splitting a record off, are force analysts' only.
``{person_key}`` is a person of three records (two police extract records and a partner
agency's case record), written into the demo store by ``linkage_objects``."""

from dsvb.web.accounts.roles import Role
from tests.web.oversight.case import Case

ANALYSTS = frozenset({Role.FORCE_ANALYST})
SUMMARY = frozenset({Role.SECRETARIAT, Role.BOARD_MEMBER, Role.FORCE_ANALYST})
PERSON = "{person_key}"

LINKAGE_MATRIX: dict[str, list[Case]] = {
    "linkage:summary": [Case("/linkage/", SUMMARY)],
    "linkage:record": [
        Case("/linkage/record/?source=extract&record_id=LNK-1", ANALYSTS, note="a record"),
        # an agency's record: only to one who may see one of that person's cases (none here)
        Case(
            "/linkage/record/?source=Lambeth+IDVA+service&record_id=901",
            frozenset(),
            note="an agency's record",
        ),
    ],
    "linkage:person": [Case(f"/linkage/people/{PERSON}/", ANALYSTS)],
    "linkage:split": [
        Case(f"/linkage/people/{PERSON}/split/", ANALYSTS),
        Case(f"/linkage/people/{PERSON}/split/", ANALYSTS, method="post", note="nothing filled in"),
    ],
}
