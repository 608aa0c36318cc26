"""The cycle's rows of the permission matrix (tests/web/test_permissions.py): the planning and
papers part's and the after-the-session part's, each in its own module. Paths name objects of
``objects.cycle_objects`` by placeholder ("{brief_own}": the borough user's own borough's)."""

from tests.web.oversight.matrix_after import MATRIX as AFTER
from tests.web.oversight.matrix_planning import MATRIX as PLANNING

CYCLE_MATRIX = {**PLANNING, **AFTER}
