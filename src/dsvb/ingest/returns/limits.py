"""How large a published table may be: one definition of the ceilings the reader enforces.

Published tables are small: the real ones are 0.5 to 1.2 KB, 11 to 39 rows, 3 to 6 columns
and at most 198 cells. The ceilings are generous (about a thousand times the real tables)
and exist so that no file, however large or however made, can exhaust the machine: a file
over a ceiling is refused with a message naming the ceiling, before it is parsed (the size)
or as soon as the parser reaches it (rows, columns, cells, a cell's length). Below the
ceilings, reading time and memory grow linearly with the file (docs/benchmarks.md,
``benchmarks/returns_bounds.py``). See docs/decisions/0016-bounded-published-tables.md.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReturnLimits:
    """The ceilings on one published table (a file that exceeds one is refused)."""

    #: the file's size in bytes (checked from the file system before it is opened)
    max_bytes: int = 2_000_000
    #: data rows after the header (blank lines are not rows)
    max_rows: int = 5_000
    #: columns in the header, the row label column included
    max_columns: int = 200
    #: cells in the table (data rows times header columns)
    max_cells: int = 50_000
    #: characters in one cell
    max_cell_chars: int = 2_000
    #: digits in one figure (more than a double holds exactly is no published figure)
    max_digits: int = 15


LIMITS = ReturnLimits()


def describe_size(size: int) -> str:
    """``2,000,000`` -> ``'2.0 MB'`` (decimal megabytes, as the ceiling is stated)."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:,.1f} MB"
    if size >= 1_000:
        return f"{size / 1_000:,.1f} KB"
    return f"{size:,} bytes"
