"""Cells of downloads that people open in spreadsheets.

Text that starts like a formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is
run by Excel, LibreOffice and Google Sheets when a CSV file is opened, and some of the text
dsvb writes comes from outside: names in published files, values from extracts, user names
typed at the sign-in page. Every CSV download passes its text cells through :func:`defused`,
which keeps them as text with a leading apostrophe (OWASP's advice for CSV injection).
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defused(text: str) -> str:
    """``text``, prefixed with ``'`` when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text
