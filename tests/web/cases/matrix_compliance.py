"""Permission-matrix rows of the compliance lists (see matrix.py). A list page (its counts)
follows who sees an area's data; its CSV (the records) and one police record,
``record.view``: force analysts any area's, the borough user their own area's, nobody else
(not the board, not the secretariat, not a partner agency)."""

from dsvb.web.accounts.roles import Role
from tests.web.conftest import LAMBETH, SOUTHWARK
from tests.web.oversight.case import Case

ALL_AREAS = frozenset({Role.SECRETARIAT, Role.BOARD_MEMBER, Role.FORCE_ANALYST})
PERFORMANCE = ALL_AREAS | {Role.BOROUGH_USER}
ANALYST = frozenset({Role.FORCE_ANALYST})
ANALYST_OR_BOROUGH = ANALYST | {Role.BOROUGH_USER}

MATRIX: dict[str, list] = {
    "compliance:index": [Case("/compliance/", PERFORMANCE)],
    "compliance:list": [
        Case(f"/compliance/no_risk_form/{LAMBETH}/", PERFORMANCE, note="the borough's own"),
        Case(f"/compliance/repeat_cautions/{LAMBETH}/", PERFORMANCE, note="people"),
        Case(f"/compliance/no_risk_form/{SOUTHWARK}/", ALL_AREAS, note="another borough"),
    ],
    "compliance:list-csv": [
        Case(f"/compliance/suspect_present_no_arrest/{LAMBETH}.csv", ANALYST_OR_BOROUGH),
        Case(f"/compliance/repeat_cautions/{LAMBETH}.csv", ANALYST_OR_BOROUGH, note="people"),
        Case(f"/compliance/no_risk_form/{SOUTHWARK}.csv", ANALYST, note="another borough"),
    ],
    "compliance:crime": [
        Case("/compliance/records/crime/{crime_lambeth}/", ANALYST_OR_BOROUGH, note="own"),
        Case("/compliance/records/crime/{crime_southwark}/", ANALYST, note="another borough's"),
    ],
    "compliance:incident": [
        Case("/compliance/records/incident/{incident_lambeth}/", ANALYST_OR_BOROUGH),
        Case("/compliance/records/incident/{incident_southwark}/", ANALYST, note="another's"),
    ],
}
