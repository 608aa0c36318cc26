"""Cells of downloads that people open in spreadsheets: see :mod:`dsvb.reports.spreadsheets`
(the one definition, shared with the command line's published files)."""

from dsvb.reports.spreadsheets import FORMULA_START, defused

__all__ = ["FORMULA_START", "defused"]
