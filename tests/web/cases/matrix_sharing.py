"""Permission-matrix rows of one part of the cases app (see matrix.py)."""

from tests.web.oversight.case import Case  # noqa: F401

MATRIX: dict[str, list] = {}
