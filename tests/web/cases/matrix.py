"""The cases' rows of the permission matrix (tests/web/test_permissions.py), each part's in
its own module. Paths name objects of ``case_objects`` by placeholder ("{case_own}": the
partner test user's agency's own case; "{case_other}": another agency's, shared with nobody)."""

from tests.web.cases.matrix_cases import MATRIX as CASES
from tests.web.cases.matrix_compliance import MATRIX as COMPLIANCE
from tests.web.cases.matrix_dash import MATRIX as DASH
from tests.web.cases.matrix_marac import MATRIX as MARAC
from tests.web.cases.matrix_sharing import MATRIX as SHARING
from tests.web.cases.matrix_vcop import MATRIX as VCOP

CASES_MATRIX = {**CASES, **DASH, **MARAC, **SHARING, **VCOP, **COMPLIANCE}
