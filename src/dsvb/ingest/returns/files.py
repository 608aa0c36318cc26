"""A published table's file: its bytes, its text, its lines and its CSV records, all bounded.

Everything here refuses what it cannot read with a :class:`ReturnError` naming the file, the
row, the true line in the file and the column, and reads nothing unbounded:

* only a regular file is opened (a named pipe, a device, a socket or a directory, or a
  symbolic link to one, is refused from its metadata, never opened for reading, so it cannot
  hang the import), and only up to the size ceiling (``limits``);
* lines end at ``\\r\\n``, ``\\n`` or a lone ``\\r`` (CR-only and mixed line endings are read
  as the lines they show), and a line number is the line's place in the file;
* a workbook, a PDF, UTF-16 text or a NUL byte is refused as what it is;
* rows, columns, cells and a cell's length are checked against the ceilings as they are read.

A table cut short is judged in ``read`` (``_refuse_a_cut_row``, ``_last_cell_unread``) from
what this gives it: the records and whether the file ends with a line end. The lines are
streamed to the csv reader, never held as a list, so memory is the text and the records.
"""

from __future__ import annotations

import csv
import errno
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from dsvb.ingest.returns.limits import LIMITS, ReturnLimits, describe_size
from dsvb.ingest.returns.model import ReturnError, _shown

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_BYTES_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)")
_BLANK = b" \t\r\n,\x0b\x0c"  # a line of these is no row (every cell is blank)

#: file kinds that are not a table, from their first bytes
_SIGNATURES = (
    (b"PK\x03\x04", "a zip archive (an Excel .xlsx or OpenDocument workbook, possibly cut short)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel 97-2003 workbook (.xls)"),
    (b"%PDF", "a PDF document"),
    (b"\xff\xfe\x00\x00", "UTF-32 text"),
    (b"\x00\x00\xfe\xff", "UTF-32 text"),
    (b"\xff\xfe", "UTF-16 text"),
    (b"\xfe\xff", "UTF-16 text"),
)
_SAVE_AS_CSV = "save the table as CSV (comma-separated, UTF-8) and import it again"


@dataclass(frozen=True)
class Record:
    """One CSV record: its data row number (1 = first after the header), first line, fields."""

    row: int
    line: int
    fields: list[str]


@dataclass(frozen=True)
class Table:
    """A file's CSV: the header, its line, the data records and how the file ends."""

    header: list[str]
    header_line: int
    rows: list[Record]
    #: the file's last character is a line end (a file cut short usually lacks one)
    ends_with_line_end: bool


# --- the file ------------------------------------------------------------------------------


def _kind(mode: int) -> str | None:
    """What a file that is not a regular file is, in plain words (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    return next(
        (
            name
            for test, name in (
                (stat.S_ISDIR, "a directory"),
                (stat.S_ISFIFO, "a named pipe (FIFO)"),
                (stat.S_ISCHR, "a character device"),
                (stat.S_ISBLK, "a block device"),
                (stat.S_ISSOCK, "a socket"),
            )
            if test(mode)
        ),
        "not a regular file",
    )


def read_file_bytes(source: str, path: Path, limits: ReturnLimits = LIMITS) -> bytes:
    """The file's bytes, if it is a regular file no larger than ``limits.max_bytes``.

    The file's kind and size are taken from its metadata (following symbolic links) before it
    is opened; it is then opened without blocking (a file swapped for a pipe in between
    cannot hang the read), checked again, and read to at most one byte over the ceiling.
    """
    try:
        info = os.stat(path)
    except OSError as exc:
        raise ReturnError(source, f"cannot be read: {exc.strerror or exc}") from None
    _refuse_kind_or_size(source, path, info, limits)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise ReturnError(source, f"cannot be read: {exc.strerror or exc}") from None
    try:
        _refuse_kind_or_size(source, path, os.fstat(fd), limits)
        chunks, size = [], 0
        while size <= limits.max_bytes:
            try:
                chunk = os.read(fd, min(1 << 20, limits.max_bytes + 1 - size))
            except OSError as exc:
                if exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK):
                    raise ReturnError(source, "cannot be read: no data to read") from None
                raise ReturnError(source, f"cannot be read: {exc.strerror or exc}") from None
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    if size > limits.max_bytes:  # it grew after it was checked
        _refuse_size(source, size, limits, at_least=True)
    return b"".join(chunks)


def _refuse_kind_or_size(
    source: str, path: Path, info: os.stat_result, limits: ReturnLimits
) -> None:
    kind = _kind(info.st_mode)
    if kind is not None:
        link = " (through a symbolic link)" if path.is_symlink() else ""
        raise ReturnError(
            source,
            f"is {kind}{link}, not a regular file: a published table must be a CSV file saved "
            "on disk; nothing was read",
        )
    if info.st_size > limits.max_bytes:
        _refuse_size(source, info.st_size, limits)


def _refuse_size(source: str, size: int, limits: ReturnLimits, *, at_least: bool = False) -> None:
    raise ReturnError(
        source,
        f"the file is {'more than ' if at_least else ''}{describe_size(size)}: a published "
        f"table may be at most {describe_size(limits.max_bytes)} (the published tables are a "
        "few KB); this is not a published table, or it is several: nothing was read",
    )


# --- bytes and text ------------------------------------------------------------------------


def _line_ends(data: bytes | str) -> int:
    """How many line ends ``data`` holds: CRLF, LF and a lone CR each count once."""
    if isinstance(data, bytes):
        return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")
    return data.count("\n") + data.count("\r") - data.count("\r\n")


def line_of(data: bytes, position: int) -> int:
    """The true line (1 = first) of byte ``position``: lines end at CRLF, LF or a lone CR."""
    before = data[:position]
    line = _line_ends(before) + 1
    if before.endswith(b"\r") and data[position : position + 1] == b"\n":
        line -= 1  # between the CR and the LF of one line end
    return line


def _column_at(source: str, data: bytes, position: int, line: int) -> tuple[int | str, str]:
    """``(row, column)`` of byte ``position`` on ``line``, read from the header's names.

    Rows are counted as the reader counts them (blank lines are not rows) and the column from
    the commas before the position on its line, so a quoted cell holding a comma or a line
    end can shift them; it is the best a file that cannot be decoded allows.
    """
    line_start = max(data.rfind(b"\n", 0, position), data.rfind(b"\r", 0, position)) + 1
    index = data[line_start:position].count(b",")
    header: list[str] | None = None
    rows = 0
    for match in _BYTES_LINE.finditer(data, 0, line_start):
        if match.group().strip(_BLANK):
            if header is None:
                text = match.group().decode("utf-8-sig", errors="replace")
                header = text.rstrip("\r\n").split(",")
            else:
                rows += 1
    if header is None:
        return "header row", f"#{index + 1}"
    name = header[index].strip() if index < len(header) and header[index].strip() else None
    return rows + 1, name or f"#{index + 1}"


def check_bytes(source: str, data: bytes) -> None:
    """Refuse a file that is not text: a workbook, a PDF, UTF-16/32, or a NUL byte."""
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            raise ReturnError(
                source,
                f"is {what}, not a CSV file: {_SAVE_AS_CSV}",
                row="header row",
                line=1,
                column="#1",
            )
    nul = data.find(b"\x00")
    if nul >= 0:
        line = line_of(data, nul)
        row, column = _column_at(source, data, nul, line)
        raise ReturnError(
            source,
            "contains a NUL byte (0x00): the file is binary or damaged, not a CSV table; "
            f"{_SAVE_AS_CSV}",
            row=row,
            line=line,
            column=column,
        )


def decode(source: str, data: bytes) -> str:
    """The file's text (UTF-8, a byte-order mark dropped), or an error naming where it fails."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = line_of(data, exc.start)
        row, column = _column_at(source, data, exc.start, line)
        if exc.end >= len(data) and exc.reason == "unexpected end of data":
            problem = (
                "the file ends in the middle of a character: it looks cut short; "
                "import the whole file"
            )
        else:
            problem = (
                f"not UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded; "
                "save the file as UTF-8 and import it again"
            )
        raise ReturnError(source, problem, row=row, line=line, column=column) from None


class _Lines:
    """The text's lines one at a time, each with its line end (CRLF, LF or a lone CR).

    The csv reader takes them as it needs them, so no list of the file's lines is ever made
    (a file of blank lines would otherwise cost some 50 bytes a line); ``end`` is where the
    text after the last line given starts, so a record's first line can be found again.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.end = 0
        self._matches = _LINE.finditer(text)

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        match = next(self._matches)
        self.end = match.end()
        return match.group()


def _line_at(text: str, offset: int) -> str:
    """The line that starts at ``offset``, without its line end."""
    match = _LINE.match(text, offset)
    return match.group().rstrip("\r\n") if match else ""


def open_quote(text: str, offset: int, first_line: int) -> tuple[int, int, int] | None:
    """``(line, field index, offset)`` of a quote that opens a cell and is never closed.

    Scans ``text`` from ``offset`` (the start of its last record, on ``first_line``: a quote
    left open swallows the rest of the file, so only the last record can hold one) as the
    csv module reads it: a quote opens a cell only at its start, and ``""`` inside a quoted
    cell is a quote. ``offset`` in the answer is where the quote's line starts.
    """
    quoted = False
    opened = (0, 0, 0)
    field_index = 0
    number = first_line - 1
    for match in _LINE.finditer(text, offset):
        line = match.group()
        number += 1
        if '"' not in line and not quoted:
            continue
        at_start = not quoted
        if not quoted:
            field_index = 0
        i, n = 0, len(line)
        while i < n:
            ch = line[i]
            if quoted:
                if ch == '"':
                    if i + 1 < n and line[i + 1] == '"':
                        i += 2
                        continue
                    quoted = False
            elif ch == '"' and at_start:
                quoted, at_start, opened = True, False, (number, field_index, match.start())
            elif ch == ",":
                at_start, field_index = True, field_index + 1
            elif ch not in "\r\n":
                at_start = False
            i += 1
    return opened if quoted else None


def _unbalanced(
    source: str,
    text: str,
    opened: tuple[int, int, int],
    header: list[str] | None,
    rows: list[Record],
    fields: list[str] | None,
) -> ReturnError:
    line, index, offset = opened
    in_header = header is None
    cell = ""
    if fields is not None and index < len(fields):
        cell = fields[index]
    elif fields is None:  # the csv reader stopped before it: take the text from the quote
        cell = text[offset : offset + 200]
        cell = cell.split('"', 1)[1] if '"' in cell else cell
    cell = re.sub(r"\r\n|\r|\n", " ", cell[:200]).strip()
    last = _line_ends(text) + (not text.endswith(("\n", "\r")))
    where = f"line {line}" if last <= line else f"lines {line} to {last}"
    return ReturnError(
        source,
        "unbalanced quote: the '\"' that opens this cell is never closed, so the rest of "
        f"the file ({where}) was read as one cell, "
        f"{cell if len(cell) <= 40 else cell[:40] + '…'!r}; close the quote or remove it",
        row="header row" if in_header else len(rows) + 1,
        line=line,
        column=header[index] if header is not None and index < len(header) else f"#{index + 1}",
    )


def _column_name(header: list[str] | None, index: int) -> str:
    if header is not None and index < len(header) and header[index].strip():
        return header[index]
    return f"#{index + 1}"


def parse_csv(source: str, text: str, limits: ReturnLimits = LIMITS) -> Table:
    """The header and the data records, blank lines skipped, every ceiling checked."""
    lines = _Lines(text)
    reader = csv.reader(lines)
    header: list[str] | None = None
    header_line = 1
    rows: list[Record] = []
    start_offset = last_offset = 0
    while True:
        start, start_offset = reader.line_num + 1, lines.end
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            opened = open_quote(text, start_offset, start)
            if opened is not None:
                raise _unbalanced(source, text, opened, header, rows, None) from None
            raise _csv_error(
                source, exc, _line_at(text, start_offset), start, header, rows, limits
            ) from None
        if not any(f.strip() for f in fields):
            continue
        row: int | str = "header row" if header is None else len(rows) + 1
        for index, value in enumerate(fields):
            if len(value) > limits.max_cell_chars:
                opened = open_quote(text, start_offset, start)
                if opened is not None:
                    raise _unbalanced(source, text, opened, header, rows, fields)
                raise ReturnError(
                    source,
                    f"a cell of {len(value):,} characters, {_shown(value, 40)}: a published "
                    f"table's cell may have at most {limits.max_cell_chars:,}",
                    row=row,
                    line=start,
                    column=_column_name(header, index),
                )
        last_offset = start_offset
        if header is None:
            if len(fields) > limits.max_columns:
                raise ReturnError(
                    source,
                    f"the header has {len(fields):,} columns: a published table may have at "
                    f"most {limits.max_columns:,}",
                    row="header row",
                    line=start,
                    column=f"#{limits.max_columns + 1}",
                )
            header, header_line = fields, start
            continue
        if len(rows) + 1 > limits.max_rows or (len(rows) + 1) * len(header) > limits.max_cells:
            cells = f"{(len(rows) + 1) * len(header):,} cells"
            raise ReturnError(
                source,
                f"more than {min(limits.max_rows, limits.max_cells // len(header)):,} data "
                f"rows ({cells} with the header's {len(header)} columns): a published table "
                f"may have at most {limits.max_rows:,} rows and {limits.max_cells:,} cells",
                row=len(rows) + 1,
                line=start,
                column=_column_name(header, 0),
            )
        rows.append(Record(len(rows) + 1, start, fields))
    last_start = rows[-1].line if rows else header_line
    opened = open_quote(text, last_offset, last_start) if header is not None else None
    if opened is not None:
        if rows:
            header_for, fields, before = header, rows[-1].fields, rows[:-1]
        else:
            header_for, fields, before = None, header, []
        raise _unbalanced(source, text, opened, header_for, before, fields)
    if header is None:
        raise ReturnError(
            source,
            "the file is empty: expected a header such as 'borough,dv_incidents,...', "
            "'measure,2009/10', 'indicator,value,comparator,note' or 'offence,incidents,...'",
            row="header row",
            line=1,
            column="#1",
        )
    return Table(header, header_line, rows, text.endswith(("\n", "\r")))


def _csv_error(
    source: str,
    exc: csv.Error,
    line_text: str,
    start: int,
    header: list[str] | None,
    rows: list[Record],
    limits: ReturnLimits,
) -> ReturnError:
    """A csv module error in plain words, at the record's first line."""
    row: int | str = "header row" if header is None else len(rows) + 1
    pieces = line_text.split(",")
    if "field larger than field limit" in str(exc):
        index = max(range(len(pieces)), key=lambda i: len(pieces[i])) if pieces else 0
        return ReturnError(
            source,
            f"a cell of more than {csv.field_size_limit():,} characters: a published table's "
            f"cell may have at most {limits.max_cell_chars:,}",
            row=row,
            line=start,
            column=_column_name(header, index),
        )
    return ReturnError(
        source,
        f"not a readable CSV file: {exc}",
        row=row,
        line=start,
        column=_column_name(header, 0),
    )
