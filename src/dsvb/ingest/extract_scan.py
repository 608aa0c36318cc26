"""A file of an extract read as bytes, independently of DuckDB: its header, how many data
rows it holds, and the first thing that makes it unreadable, located by its true line.

DuckDB's CSV reader is fast but says little a person can act on when a file is malformed
("11 fields where the header has 10" for a stray quote), numbers rows without the blank
lines it skips, and has been seen to drop a very long last line without a word. So every
file is also scanned here, in one streaming pass of fixed-size chunks (linear time, memory
bounded by the chunk size), vectorised with NumPy:

* a record ends at a line break outside a quoted value; quoted values are told by the
  parity of the quotes before a byte (a doubled quote inside a value counts twice, so it
  changes nothing); a blank line is no record;
* every line break outside a quoted value must be the one the header line ends with (LF,
  CR LF or, for old Mac files, CR alone);
* a quote may only open a value (right after a comma or a line break) and close it (right
  before a comma, a line break, the end of the file or a doubled quote);
* every record has as many fields as the header; no cell and no record is longer than the
  ceilings below; no NUL byte; the text is UTF-8.

The import refuses a file whose scan finds a problem, and one whose rows DuckDB counts
differently from the scan (decision 0013).
"""

from __future__ import annotations

import codecs
import csv
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np

__all__ = [
    "CHUNK_BYTES",
    "MAX_CELL_BYTES",
    "MAX_COLUMNS",
    "MAX_HEADER_BYTES",
    "MAX_ROW_BYTES",
    "Scan",
    "ScanProblem",
    "header_of",
    "lines_of",
    "not_a_regular_file",
    "scan",
]

MAX_HEADER_BYTES = 64 * 1024  # the header line
MAX_COLUMNS = 1_000  # columns in the header (the format has at most 22; extras are allowed)
MAX_CELL_BYTES = 1 << 20  # one value: 1 MiB
MAX_ROW_BYTES = 4 << 20  # one record, line breaks inside quoted values included: 4 MiB
CHUNK_BYTES = 4 << 20

_BOM = b"\xef\xbb\xbf"
_QUOTE, _COMMA, _LF, _CR = 34, 44, 10, 13
_AFTER = (_COMMA, _LF, _CR, _QUOTE)  # what may follow a closing quote
_ENDINGS = {b"\n": "LF", b"\r\n": "CR LF", b"\r": "CR"}


@dataclass(frozen=True)
class ScanProblem:
    """What makes a file unreadable, where it is (line 1 = the header; column by name)."""

    message: str
    line: int | None = None
    column: str | None = None
    row: int | None = None  # data row (1 = the first after the header), where one


@dataclass
class Scan:
    """What the scan found in one file."""

    header: list[str] = field(default_factory=list)
    newline: bytes = b"\n"
    rows: int = 0  # data records, blank lines and the header not counted
    problem: ScanProblem | None = None
    lines: dict[int, int] = field(default_factory=dict)  # data row -> the line it starts on


def not_a_regular_file(path: Path) -> str | None:
    """Why ``path`` cannot be read as a file, without opening it (a named pipe opened for
    reading waits for a writer for ever), or None when it is a regular file."""
    try:
        mode = os.stat(path).st_mode  # follows a symbolic link to what it names
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if stat.S_ISREG(mode):
        return None
    kind = (
        "a folder"
        if stat.S_ISDIR(mode)
        else "a named pipe (FIFO)"
        if stat.S_ISFIFO(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "a device"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "not a regular file"
    )
    link = " (through a symbolic link)" if path.is_symlink() else ""
    return f"is {kind}{link}, not a regular file; it was not read"


class _Stop(Exception):
    def __init__(self, message: str, offset: int, column: int | None = None) -> None:
        self.message, self.offset, self.column = message, offset, column


def _read_header(stream: BinaryIO, size: int) -> tuple[list[str], bytes, int] | ScanProblem:
    """The header's names, the line break it ends with, and where the first data record
    starts; or the problem with it. Reads at most MAX_HEADER_BYTES."""
    head = stream.read(MAX_HEADER_BYTES + 2)
    start = len(_BOM) if head.startswith(_BOM) else 0
    quoted, end = False, -1
    for i in range(start, len(head)):
        byte = head[i]
        if byte == _QUOTE:
            quoted = not quoted
        elif byte in (_LF, _CR) and not quoted:
            end = i
            break
    if end < 0:
        if len(head) > MAX_HEADER_BYTES:
            return ScanProblem(
                f"the header line is longer than {MAX_HEADER_BYTES:,} bytes, the most the "
                "format allows",
                line=1,
            )
        end = len(head)
    newline = b"\r\n" if head[end : end + 2] == b"\r\n" else head[end : end + 1] or b"\n"
    raw = head[start:end]
    if not raw.strip():
        return ScanProblem("the file is empty (no header row)", line=1)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return ScanProblem(f"the header is not valid UTF-8 text ({exc.reason})", line=1)
    if "\0" in text:
        return ScanProblem("the header holds a NUL byte (this is not a text file)", line=1)
    if text.count(",") >= MAX_COLUMNS:
        return ScanProblem(
            f"the header has {text.count(',') + 1:,} columns; the format allows at most "
            f"{MAX_COLUMNS:,}",
            line=1,
        )
    try:
        names = next(csv.reader([text], strict=True), [])
    except csv.Error as exc:
        return ScanProblem(f"the header cannot be read as CSV ({exc})", line=1)
    return [n.strip() for n in names], newline, end + len(newline) if end < size else end


def header_of(path: Path) -> tuple[list[str], bytes] | ScanProblem:
    """The header's names and the line break it ends with (reading at most
    MAX_HEADER_BYTES), or what is wrong with it."""
    with path.open("rb") as stream:
        found = _read_header(stream, os.fstat(stream.fileno()).st_size)
    if isinstance(found, ScanProblem):
        return found
    return found[0], found[1]


def scan(path: Path, want: Iterable[int] = (), *, full: bool = False) -> Scan:
    """Scan the file: header, data rows, first problem; and the line each data row in
    ``want`` (1 = the first after the header) starts on.

    The first pass counts records and checks line breaks, quotes, bytes and the row
    ceiling only (about a third of the work); ``full`` (and any ``want``) also counts each
    record's fields, measures each value and numbers lines. A problem found by the first
    pass is located by a full one, which may find another, earlier or more precise (a value
    over its ceiling rather than the row)."""
    wanted = np.array(sorted(set(want)), dtype=np.int64)
    result = _scan(path, wanted, full=full or bool(len(wanted)))
    if result.problem is not None and not (full or len(wanted)):
        return _scan(path, wanted, full=True)
    return result


def _scan(path: Path, wanted: np.ndarray, *, full: bool) -> Scan:
    result = Scan()
    with path.open("rb") as stream:
        size = os.fstat(stream.fileno()).st_size
        header = _read_header(stream, size)
        if isinstance(header, ScanProblem):
            result.problem = header
            return result
        result.header, result.newline, _ = header
        stream.seek(0)
        scanner = _Scanner(result, wanted, full=full)
        try:
            while chunk := stream.read(CHUNK_BYTES):
                chunk = _whole_line_breaks(stream, chunk)
                scanner.feed(chunk)
            scanner.finish()
        except _Stop as stop:
            result.problem = scanner.locate(path, stop)
    return result


class _Scanner:
    """The streaming state between chunks."""

    def __init__(self, result: Scan, wanted: np.ndarray, *, full: bool) -> None:
        self.result = result
        self.wanted = wanted
        self.full = full  # also count fields, measure cells and number lines
        self.newline = result.newline
        self.columns = len(result.header)
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.offset = 0  # of the chunk in the file
        self.quotes = 0  # quotes before the chunk (their parity tells a quoted value)
        self.record_start = 0  # offset of the record being read
        self.cell_start = 0  # offset of the cell being read
        self.fields = 1  # fields so far in the record being read
        self.records = -1  # index of the last record ended, blank lines not counted (0 = header)
        self.line = 1  # the line the chunk starts on
        self.record_line = 1  # the line the record being read starts on
        self.previous = -1  # the last byte of the previous chunk
        self.open_quote = -1  # offset of the quote that opened the value being read
        self.open_break = False  # whether that value holds a line break before this chunk

    def feed(self, chunk: bytes) -> None:
        base = self.offset
        if base == 0 and chunk.startswith(_BOM):
            self.record_start = self.cell_start = len(_BOM)
        nul = chunk.find(b"\0")
        try:
            if not (chunk.isascii() and not self.decoder.getstate()[0]):
                self.decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            if not 0 <= nul < exc.start:
                message = f"the text is not valid UTF-8 ({exc.reason})"
                raise _Stop(message, base + max(exc.start, 0)) from None
        if nul >= 0:
            raise _Stop("a NUL byte (this is not a text file, or it is damaged)", base + nul)
        a = np.frombuffer(chunk, dtype=np.uint8)
        n = len(a)
        none = np.empty(0, dtype=np.int64)
        # (bytes.find is far cheaper than a comparison over the array: most chunks hold no
        # quote or CR at all)
        quotes = np.flatnonzero(a == _QUOTE) if b'"' in chunk else none
        lf = np.flatnonzero(a == _LF)
        cr = np.flatnonzero(a == _CR) if b"\r" in chunk else none

        def outside(positions: np.ndarray) -> np.ndarray:
            before = self.quotes + np.searchsorted(quotes, positions)
            return positions[(before & 1) == 0]

        # quotes: an opening one follows a comma, a line break or the start of a record;
        # a closing one comes before a comma, a line break, the end or a doubled quote.
        if len(quotes):
            order = self.quotes + np.arange(len(quotes))
            prev = np.where(quotes > 0, a[quotes - 1], self.previous)
            opening = quotes[(order & 1) == 0]
            opening_prev = prev[(order & 1) == 0]
            absolute = base + opening
            at_start = (absolute == self.record_start) | (absolute == self.cell_start)
            allowed = np.isin(opening_prev, (_COMMA, _LF, _CR, _QUOTE)) | at_start
            bad = opening[~allowed]
            closing = quotes[(order & 1) == 1]
            after = np.where(closing + 1 < n, a[np.minimum(closing + 1, n - 1)], -1)
            at_end = closing + 1 >= n  # decided with the next chunk, or the end of the file
            fine = np.isin(after, (_COMMA, _LF, _CR, _QUOTE)) | at_end
            bad_close = closing[~fine]
            if len(bad) and (not len(bad_close) or bad[0] < bad_close[0]):
                raise _Stop(
                    'a quote (") inside a value that does not start with one; a value '
                    "holding quotes must be quoted whole, each quote in it doubled",
                    base + int(bad[0]),
                )
            if len(bad_close):
                self._unclosed_before(a, quotes, int(bad_close[0]), base)
                raise _Stop(
                    "text follows the closing quote of a quoted value (a quote inside a "
                    'quoted value must be doubled: "")',
                    base + int(bad_close[0]),
                )
            if len(opening):
                self.open_quote = base + int(opening[-1])
        # a closing quote that ended the previous chunk must be followed by a separator
        if self.previous == _QUOTE and (self.quotes & 1) == 0 and n and a[0] not in _AFTER:
            raise _Stop(
                "text follows the closing quote of a quoted value (a quote inside a "
                'quoted value must be doubled: "")',
                base - 1,
            )

        lf_out, cr_out = outside(lf), outside(cr)
        # line breaks outside quoted values: all alike, as the header's
        if self.newline == b"\n":
            ends = lf_out
            if len(cr_out):
                raise _Stop(self._mixed(b"\r\n" if _followed_by_lf(a, cr_out[0]) else b"\r"),
                            base + int(cr_out[0]))  # fmt: skip
        elif self.newline == b"\r":
            ends = cr_out
            if len(lf_out):
                raise _Stop(self._mixed(b"\r\n" if _preceded_by_cr(a, lf_out[0], self.previous)
                                        else b"\n"), base + int(lf_out[0]))  # fmt: skip
        else:
            lone_lf = lf_out[~_preceded_by_cr(a, lf_out, self.previous)] if len(lf_out) else lf_out
            lone_cr = cr_out[~_followed_by_lf(a, cr_out)] if len(cr_out) else cr_out
            if len(lone_lf) or len(lone_cr):
                first = min(int(x[0]) for x in (lone_lf, lone_cr) if len(x))
                kind = b"\n" if len(lone_lf) and lone_lf[0] == first else b"\r"
                raise _Stop(self._mixed(kind), base + first)
            ends = lf_out
        width = len(self.newline)

        # records: each ends at one of ``ends``; starts follow the previous end
        ends_abs = base + ends
        starts_abs = np.concatenate(([self.record_start], ends_abs[:-1] + 1)).astype(np.int64)
        content = ends_abs - (width - 1) - starts_abs  # bytes before the line break
        blank = content == 0
        too_long = np.flatnonzero(content > MAX_ROW_BYTES)
        if len(too_long):
            raise _Stop(self._row_too_long(), int(starts_abs[too_long[0]]))
        nonblank = len(ends) - int(blank.sum())
        if not self.full:
            if len(ends):
                self.record_start = int(ends_abs[-1]) + 1
            self.records += nonblank
            self._carry(base, n, len(quotes), a)
            return
        data_index = self.records + np.cumsum(~blank)  # index of each record (0 = header)
        breaks = np.concatenate((lf, cr[~_followed_by_lf(a, cr)])) if len(cr) else lf
        breaks.sort(kind="mergesort")
        start_lines = np.concatenate(
            ([self.record_line], self.line + np.searchsorted(breaks, ends + 1))
        )
        if len(self.wanted) and len(ends):
            hits = ~blank & np.isin(data_index, self.wanted)
            for row, line in zip(data_index[hits], start_lines[:-1][hits], strict=True):
                self.result.lines[int(row)] = int(line)

        # fields: commas outside quoted values, each counted in its record
        comma_out = outside(np.flatnonzero(a == _COMMA))
        record_of = np.searchsorted(ends, comma_out)  # i = the i-th record ending here
        per_record = np.bincount(record_of, minlength=len(ends) + 1)
        fields = per_record[: len(ends)] + 1
        if len(ends):
            fields[0] += self.fields - 1
        wrong = np.flatnonzero((fields != self.columns) & ~blank)
        if len(wrong):
            i = int(wrong[0])
            raise _Stop(self._fields_message(int(fields[i])), int(starts_abs[i]),
                        self._fields_column(int(fields[i])))  # fmt: skip
        # cells: between commas and record ends
        bounds = np.concatenate((comma_out, ends)) if len(ends) else comma_out
        bounds.sort(kind="mergesort")
        bounds_abs = base + bounds
        cell_starts = np.concatenate(([self.cell_start], bounds_abs[:-1] + 1))
        cell_len = bounds_abs - cell_starts
        long_cells = np.flatnonzero(cell_len > MAX_CELL_BYTES)
        if len(long_cells):
            raise _Stop(self._cell_too_long(), int(cell_starts[long_cells[0]]))

        # carry to the next chunk
        self.record_line = int(start_lines[-1])
        self.line += len(breaks)
        if len(ends):
            self.record_start = int(ends_abs[-1]) + 1
            self.fields = int(per_record[len(ends)]) + 1
            self.records = int(data_index[-1])
        else:
            self.fields += int(per_record[0])
        if len(bounds):
            self.cell_start = int(bounds_abs[-1]) + 1
        self._carry(base, n, len(quotes), a)

    def _carry(self, base: int, n: int, quotes: int, a: np.ndarray) -> None:
        """What the next chunk needs of this one; the ceilings of what is still open."""
        if (self.quotes + quotes) & 1:  # the chunk ends inside a quoted value
            tail = a[max(self.open_quote - base, 0) :]
            broken = bool((tail == _LF).any() or (tail == _CR).any())
            self.open_break = broken or (self.open_quote < base and self.open_break)
        self.quotes += quotes
        self.offset = base + n
        self.previous = int(a[-1]) if n else self.previous
        if self.offset - self.record_start > MAX_ROW_BYTES:
            raise _Stop(self._row_too_long(), self.record_start)
        if self.full and self.offset - self.cell_start > MAX_CELL_BYTES:
            raise _Stop(self._cell_too_long(), self.cell_start)

    def _unclosed_before(self, a: np.ndarray, quotes: np.ndarray, close: int, base: int) -> None:
        """Text after a closing quote whose value spans a line break: the quote that
        opened it was most likely never meant to be closed there; say so, at the opening."""
        k = int(np.searchsorted(quotes, close))
        opened = base + int(quotes[k - 1]) if k > 0 else self.open_quote
        if opened < 0:
            return
        inside = a[max(opened - base, 0) : close]
        if (opened < base and self.open_break) or (inside == _LF).any() or (inside == _CR).any():
            raise _Stop(
                'a quoted value is not closed (an unmatched "): it opens here and runs on '
                "over a line break into the next line",
                opened,
            )

    def finish(self) -> None:
        try:
            self.decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise _Stop(
                f"the text is not valid UTF-8 ({exc.reason}): the file ends inside a character",
                self.offset - 1,
            ) from None
        if self.quotes & 1:
            raise _Stop(
                'a quoted value is not closed (an unmatched "): it opens here and runs to '
                "the end of the file",
                self.open_quote,
            )
        if self.offset > self.record_start:  # a last record without a line break
            if self.full and self.fields != self.columns:
                raise _Stop(self._fields_message(self.fields), self.record_start,
                            self._fields_column(self.fields))  # fmt: skip
            self.records += 1
            if self.records in set(self.wanted.tolist()):
                self.result.lines[self.records] = self.record_line
        self.result.rows = max(self.records, 0)

    def _mixed(self, found: bytes) -> str:
        return (
            f"this line ends with {_ENDINGS[found]} where the header line ends with "
            f"{_ENDINGS[self.newline]}; every line of a file must end the same way"
        )

    def _fields_column(self, fields: int) -> int:
        """The first column without a value, or the first value beyond the header."""
        return fields if fields < self.columns else self.columns

    def _fields_message(self, fields: int) -> str:
        return f"the row has {fields:,} fields where the header has {self.columns:,}" + (
            " (an unquoted comma in a value?)" if fields > self.columns else ""
        )

    @staticmethod
    def _row_too_long() -> str:
        return (
            f"the row is longer than {MAX_ROW_BYTES:,} bytes ({MAX_ROW_BYTES >> 20} MiB), "
            "the most the format allows"
        )

    @staticmethod
    def _cell_too_long() -> str:
        return (
            f"the value is longer than {MAX_CELL_BYTES:,} bytes ({MAX_CELL_BYTES >> 20} MiB), "
            "the most the format allows"
        )

    def locate(self, path: Path, stop: _Stop) -> ScanProblem:
        """The line and column of the byte at ``stop.offset`` (a second pass up to it)."""
        line, column, row = _position(path, stop.offset, self.result.newline)
        if stop.column is not None:
            column = stop.column
        name = None
        if column is not None and self.result.header:
            name = (
                self.result.header[column]
                if column < len(self.result.header)
                else f"{column + 1} (beyond the header's {len(self.result.header)} columns)"
            )
        return ScanProblem(stop.message, line=line, column=name, row=row or None)


def _whole_line_breaks(stream: BinaryIO, chunk: bytes) -> bytes:
    """The chunk, extended so that it does not end with a CR (a CR LF is never split between
    two chunks, and a CR at the end is known to be one alone). A run of CRs extends it by at
    most another chunk (past that, only a line number inside a quoted value made of
    millions of CRs could be off by one)."""
    if not chunk.endswith(b"\r"):
        return chunk
    extra = bytearray()
    while len(extra) < max(CHUNK_BYTES, 1 << 20):
        # read ahead a block at a time (a byte at a time made a file of blank CR lines ~40x
        # slower to scan) and give back what follows the first byte that is not a CR
        block = stream.read(_READ_AHEAD)
        if not block:
            break
        rest = block.lstrip(b"\r")
        if rest:
            keep = len(block) - len(rest) + 1
            extra += block[:keep]
            stream.seek(keep - len(block), os.SEEK_CUR)
            break
        extra += block
    return chunk + bytes(extra)


_READ_AHEAD = 64 * 1024


def _followed_by_lf(a: np.ndarray, positions: np.ndarray | int) -> np.ndarray:
    p = np.asarray(positions)
    nxt = np.where(p + 1 < len(a), a[np.minimum(p + 1, len(a) - 1)], -1)
    return nxt == _LF


def _preceded_by_cr(a: np.ndarray, positions: np.ndarray | int, previous: int) -> np.ndarray:
    p = np.asarray(positions)
    before = np.where(p > 0, a[np.maximum(p - 1, 0)], previous)
    return before == _CR


def _position(path: Path, offset: int, newline: bytes) -> tuple[int, int, int]:
    """(line, column index, data row) of the byte at ``offset``: lines counted by every
    line break (LF, CR LF or CR), columns by the commas outside quoted values since the
    record began, data rows by the records before it (blank lines and the header not
    counted)."""
    line, column, quotes, records, start = 1, 0, 0, 0, 0
    width = len(newline)
    done = 0
    with path.open("rb") as stream:
        while done < offset:
            chunk = stream.read(min(CHUNK_BYTES, offset - done))
            if not chunk:
                break
            chunk = _whole_line_breaks(stream, chunk)
            a = np.frombuffer(chunk, dtype=np.uint8)
            lf = a == _LF
            cr = a == _CR
            cr_alone = cr & ~np.concatenate((lf[1:], [False]))
            line += int(lf.sum()) + int(cr_alone.sum())
            q = np.flatnonzero(a == _QUOTE)
            commas = np.flatnonzero(a == _COMMA)
            ends = np.flatnonzero(lf if newline != b"\r" else cr)
            ends = ends[((quotes + np.searchsorted(q, ends)) & 1) == 0]
            commas = commas[((quotes + np.searchsorted(q, commas)) & 1) == 0]
            if len(ends):
                column = int((commas > ends[-1]).sum())
                starts = np.concatenate(([start], done + ends[:-1] + 1))
                content = done + ends - (width - 1) - starts
                records += int((content > 0).sum())
                start = done + int(ends[-1]) + 1
            else:
                column += len(commas)
            quotes += len(q)
            done += len(chunk)
    return line, column, records


def lines_of(path: Path, rows: Iterable[int]) -> dict[int, int]:
    """The line each data row (1 = the first after the header; blank lines not counted)
    starts on."""
    return scan(path, rows).lines
