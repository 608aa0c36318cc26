"""Permission-matrix rows of the compliance lists (see matrix.py)."""

from tests.web.oversight.case import Case  # noqa: F401

MATRIX: dict[str, list] = {}
