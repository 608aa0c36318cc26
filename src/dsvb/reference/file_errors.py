"""Reading a reference file a person edits (a glossary, a rules file): the one error, naming
the file, the true line and the column, so whoever edits the file finds the mistake; and the
shared steps every such CSV file is read by (its header, its rows with the line each begins on,
its dates)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator


class ReferenceFileError(ValueError):
    """A reference file that cannot be used, with the file, line and column named."""

    def __init__(self, file: str, line: int, column: str | None, problem: str) -> None:
        where = f"{file}, line {line}" + (f", column '{column}'" if column else "")
        super().__init__(f"{where}: {problem}")
        self.file = file
        self.line = line
        self.column = column
        self.problem = problem


def checked_rows(
    text: str,
    file: str,
    columns: tuple[str, ...],
    error: type[ReferenceFileError] = ReferenceFileError,
    *,
    empty: str = "the file is empty; it needs a header",
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, values by column) for each non-blank row, after checking the header; the line
    is the one the row begins on (a quoted value may span lines). Raises ``error`` for a
    missing or wrong header and a row with the wrong number of values."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise error(file, 1, None, empty) from None
    if tuple(h.strip() for h in header) != columns:
        raise error(
            file, 1, None, f"the header must be {','.join(columns)}; it is {','.join(header)}"
        )
    start = reader.line_num + 1
    for row in reader:
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            raise error(file, line, None, f"the row has {len(row)} values; it needs {len(columns)}")
        yield line, dict(zip(columns, (cell.strip() for cell in row), strict=True))


def read_date(
    file: str,
    line: int,
    column: str,
    value: str,
    error: type[ReferenceFileError] = ReferenceFileError,
) -> dt.date:
    """An ISO date from a cell, or ``error`` naming where and how to write it."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        problem = f"{value!r} is not a date (write it as YYYY-MM-DD)"
        raise error(file, line, column, problem) from None


def read_optional_date(
    file: str,
    line: int,
    column: str,
    value: str,
    error: type[ReferenceFileError] = ReferenceFileError,
) -> dt.date | None:
    """As :func:`read_date`; None for an empty cell (an open end)."""
    return read_date(file, line, column, value, error) if value else None
