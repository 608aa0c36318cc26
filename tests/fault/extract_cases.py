"""Malformed (and awkward but valid) extracts for the fault and fuzz suite, each made from a
small valid extract by one mutation, with what the import must do with it.

The valid extract (``small_extract``) has incidents.csv with a header and 3 rows (lines 1-4),
crimes.csv 2 rows, people.csv 3, crime_people.csv 4 and victim_contacts.csv 1.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.support.builder import ExtractBuilder, rewrite_cell, small_extract

ROWS = {"incidents": 3, "crimes": 2, "people": 3, "crime_people": 4, "victim_contacts": 1}
BLANKS = 100_000


def write_small(folder: Path) -> Path:
    b = ExtractBuilder()
    small_extract(b)
    return b.write(folder)


@dataclass(frozen=True)
class Refused:
    file: str
    line: int  # the true line of the file, as an editor numbers it
    column: str | None  # None: the problem is the file's, not a cell's
    words: str


@dataclass(frozen=True)
class Imported:
    rows: dict[str, int]


Expect = Refused | Imported


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().split(b"\n")


def _write_lines(path: Path, lines: list[bytes]) -> None:
    path.write_bytes(b"\n".join(lines))


def _cell(file: str, row: int, column: str, value: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        rewrite_cell(folder / file, row, column, value)

    return mutate


def _replace_line(file: str, line: int, new: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        lines = _lines(folder / file)
        lines[line - 1] = new(lines[line - 1])
        _write_lines(folder / file, lines)

    return mutate


def _whole(file: str, new: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        path = folder / file
        path.write_bytes(new(path.read_bytes()))

    return mutate


def _all_files(new: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        for path in folder.glob("*.csv"):
            path.write_bytes(new(path.read_bytes()))

    return mutate


def _replace_file(file: str, make: Callable[[Path], None]) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        path = folder / file
        path.unlink()
        make(path)

    return mutate


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _fifo_link(path: Path) -> None:
    target = path.parent.parent / f"{path.parent.name}-pipe"
    os.mkfifo(target)
    path.symlink_to(target)


def _socket(path: Path) -> None:
    # a short path: a socket's name may not be longer than about 100 bytes
    short = Path(f"/tmp/dsvb-sock-{os.getpid()}-{path.parent.name[-20:]}")
    short.unlink(missing_ok=True)
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(short))
    s.close()
    path.symlink_to(short)


def _blank_lines_before(file: str, line: int, count: int) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        lines = _lines(folder / file)
        _write_lines(folder / file, lines[: line - 1] + [b""] * count + lines[line - 1 :])

    return mutate


def _both(*mutations: Callable[[Path], None]) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        for m in mutations:
            m(folder)

    return mutate


def _nth_ending(data: bytes, ending: bytes, n: int, new: bytes) -> bytes:
    """``data`` with its ``n``-th line ending (1 = the header's) replaced by ``new``."""
    at = -1
    for _ in range(n):
        at = data.index(ending, at + 1)
    return data[:at] + new + data[at + len(ending) :]


def _long_last_row(data: bytes) -> bytes:
    """Three extra (ignored) columns; the last row holds 1,000,000 bytes in each."""
    lines = data.rstrip(b"\n").split(b"\n")
    lines = [lines[0] + b",x1,x2,x3"] + [line + b",,," for line in lines[1:]]
    lines[-1] = lines[-1][:-3] + (b"," + b"v" * 1_000_000) * 3
    return b"\n".join(lines) + b"\n"


def _future(days: int) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S")


def _next_year() -> str:
    return str(dt.datetime.now(dt.UTC).year + 1)


PLAUSIBLE = "outside the plausible range"
OFFSET = "UTC offset (if any) between -12:00 and +14:00"
I = "incidents.csv"  # noqa: E741

CASES: dict[str, tuple[Callable[[Path], None], Expect]] = {
    # dates and times outside the plausible range for police records
    "year 1": (_cell(I, 2, "reported_at", "0001-01-01T00:00:00"),
               Refused(I, 3, "reported_at", PLAUSIBLE)),
    "year 9999": (_cell(I, 2, "reported_at", "9999-12-31T23:00:00"),
                  Refused(I, 3, "reported_at", PLAUSIBLE)),
    "year 9999 +14:00": (_cell(I, 1, "reported_at", "9999-12-31T23:00:00+14:00"),
                         Refused(I, 2, "reported_at", PLAUSIBLE)),
    "1899": (_cell(I, 3, "reported_at", "1899-12-31"), Refused(I, 4, "reported_at", PLAUSIBLE)),
    "a month ahead": (_cell(I, 3, "reported_at", _future(30)),
                      Refused(I, 4, "reported_at", PLAUSIBLE)),
    "offset +25:00": (_cell(I, 2, "reported_at", "2010-03-01T10:00:00+25:00"),
                      Refused(I, 3, "reported_at", OFFSET)),
    "offset -13:00": (_cell(I, 2, "reported_at", "2010-03-01T10:00:00-13:00"),
                      Refused(I, 3, "reported_at", OFFSET)),
    "offset +05:60": (_cell(I, 2, "reported_at", "2010-03-01T10:00:00+05:60"),
                      Refused(I, 3, "reported_at", OFFSET)),
    "born 1800": (_cell("people.csv", 2, "birth_year", "1800"),
                  Refused("people.csv", 3, "birth_year", "not a year between")),
    "born next year": (_cell("people.csv", 3, "birth_year", _next_year()),
                       Refused("people.csv", 4, "birth_year", "not a year between")),
    "due in year 1": (_cell("victim_contacts.csv", 1, "due_at", "0001-01-01T00:00:00"),
                      Refused("victim_contacts.csv", 2, "due_at", PLAUSIBLE)),
    "contacted in 9999": (_cell("victim_contacts.csv", 1, "made_at", "9999-01-01T00:00:00"),
                          Refused("victim_contacts.csv", 2, "made_at", PLAUSIBLE)),
    "arrested in year 1": (_cell("crimes.csv", 1, "arrested_at", "0001-01-01"),
                           Refused("crimes.csv", 2, "arrested_at", PLAUSIBLE)),
    "outcome in 3000": (_cell("crimes.csv", 2, "outcome_at", "3000-01-01T00:00:00"),
                        Refused("crimes.csv", 3, "outcome_at", PLAUSIBLE)),
    # line endings
    "one CR LF in an LF file": (_replace_line(I, 3, lambda b: b + b"\r"),
                                Refused(I, 3, None, "ends with CR LF")),
    "a lone CR inside a row": (_replace_line(I, 3, lambda b: b.replace(b",", b"\r,", 1)),
                               Refused(I, 3, None, "ends with CR")),
    "one LF in a CR LF file": (
        _whole(I, lambda b: _nth_ending(b.replace(b"\n", b"\r\n"), b"\r\n", 2, b"\n")),
        Refused(I, 2, None, "ends with LF where the header line ends with CR LF")),
    "one LF in a CR file": (
        _whole(I, lambda b: _nth_ending(b.replace(b"\n", b"\r"), b"\r", 3, b"\n")),
        Refused(I, 3, None, "ends with LF where the header line ends with CR")),
    # quotes
    "a stray quote": (_replace_line(I, 3, lambda b: b.replace(b"E09000022", b'E090"00022')),
                      Refused(I, 3, "area", 'a quote (") inside a value')),
    "text after a closing quote": (
        _replace_line(I, 2, lambda b: b.replace(b"E09000022", b'"E09"000022')),
        Refused(I, 2, "area", "text follows the closing quote")),
    "an unclosed quote": (_replace_line(I, 3, lambda b: b.replace(b"emergency", b'"emergency')),
                          Refused(I, 3, "channel", "a quoted value is not closed")),
    "an unclosed quote in the last row": (
        _replace_line(I, 4, lambda b: b.replace(b'"verbal', b'verbal').replace(b'osed"', b'osed')
                      .replace(b"verbal argument,", b'"verbal argument')),
        Refused(I, 4, "no_crime_report_reason", "a quoted value is not closed")),
    # sizes
    "a 10 MB cell": (_cell(I, 2, "no_crime_report_reason", "x" * 10_000_000),
                     Refused(I, 3, "no_crime_report_reason", "longer than 1,048,576 bytes")),
    "a 5 MB row": (
        _both(*(_cell(I, 2, c, "y" * 900_000) for c in ("no_crime_report_reason",)),
              _whole(I, lambda b: b.replace(b"INC000007", b"I" * 1_000_000)
                     .replace(b"CRM000006", b"C" * 1_000_000)
                     .replace(b"emergency_call,true,false,C", b"e" * 1_000_000 + b",true,false,C")
                     .replace(b"E09000022,e", b"A" * 1_000_000 + b",e"))),
        Refused(I, 3, None, "the row is longer than 4,194,304 bytes")),
    "a 60 MB last line": (_cell(I, 3, "no_crime_report_reason", "z" * 60_000_000),
                          Refused(I, 4, "no_crime_report_reason", "longer than 1,048,576 bytes")),
    # fields
    "one field too many": (_replace_line(I, 4, lambda b: b + b",extra"),
                           Refused(I, 4, None, "11 fields where the header has 10")),
    "one field too few": (_replace_line(I, 2, lambda b: b.rsplit(b",", 1)[0]),
                          Refused(I, 2, "arrest_made", "9 fields where the header has 10")),
    "a row cut short at the end": (_whole(I, lambda b: b[: b.rindex(b"\n", 0, -1) + 30]),
                                   Refused(I, 4, None, "fields where the header has 10")),
    # bytes
    "a NUL byte": (_replace_line(I, 3, lambda b: b.replace(b"emergency", b"emer\0gency")),
                   Refused(I, 3, "channel", "a NUL byte")),
    "invalid UTF-8": (_replace_line(I, 4, lambda b: b.replace(b"E09000022", b"E09\xff000022")),
                      Refused(I, 4, "area", "not valid UTF-8")),
    "UTF-8 cut inside a character": (_whole("people.csv", lambda b: b + b"P9,female,19\xc3"),
                                     Refused("people.csv", 5, None, "not valid UTF-8")),
    "UTF-16": (_whole(I, lambda b: b.decode().encode("utf-16")),
               Refused(I, 1, None, "the header is not valid UTF-8")),
    "an empty file": (_whole(I, lambda b: b""), Refused(I, 1, None, "the file is empty")),
    # blank lines: reported lines are the true ones
    "100k blank lines, then a bad date": (
        _both(_blank_lines_before(I, 3, BLANKS), _replace_line(
            I, 3 + BLANKS, lambda b: b.replace(b"2010-03-01T12:00:00", b"0001-01-01T00:00:00"))),
        Refused(I, 3 + BLANKS, "reported_at", PLAUSIBLE)),
    "100k blank lines, then a stray quote": (
        _both(_blank_lines_before(I, 3, BLANKS),
              _replace_line(I, 3 + BLANKS, lambda b: b.replace(b"E09000022", b'E0"9000022'))),
        Refused(I, 3 + BLANKS, "area", 'a quote (")')),
    "blank lines, then a bad boolean": (
        _both(_blank_lines_before(I, 2, 5),
              _replace_line(I, 8, lambda b: b.replace(b"true", b"maybe"))),
        Refused(I, 8, "dv_flag", "not a boolean")),
    "a quoted line break, then a bad boolean": (
        _both(_cell(I, 1, "no_crime_report_reason", "advice;\nno offence\n"),
              _cell(I, 3, "dv_flag", "maybe")),
        Refused(I, 6, "dv_flag", "not a boolean")),
    # headers
    "100k columns": (_whole(I, lambda b: b",".join([b"c%d" % i for i in range(100_000)])
                             + b"\n" + b),
                     Refused(I, 1, None, "the header line is longer than 65,536 bytes")),
    "2,000 columns": (_replace_line(I, 1, lambda b: b + b",x" * 2_000),
                      Refused(I, 1, None, "the format allows at most 1,000")),
    "a 1 MB header": (_whole(I, lambda b: b"h" * 1_000_000 + b"," + b),
                      Refused(I, 1, None, "the header line is longer than 65,536 bytes")),
    "a column twice": (_replace_line(I, 1, lambda b: b + b",area"),
                       Refused(I, 1, "area", "column appears more than once")),
    "a required column missing": (_replace_line(I, 1, lambda b: b.replace(b"channel", b"chanel")),
                                  Refused(I, 1, "channel", "required column is missing")),
    # not regular files
    "a named pipe": (_replace_file(I, _fifo), Refused(I, 0, None, "a named pipe")),
    "a link to a named pipe": (_replace_file(I, _fifo_link),
                               Refused(I, 0, None, "through a symbolic link")),
    "a link to a device": (_replace_file(I, lambda p: p.symlink_to("/dev/zero")),
                           Refused(I, 0, None, "a device")),
    "a folder": (_replace_file(I, lambda p: p.mkdir()), Refused(I, 0, None, "a folder")),
    "a link to a socket": (_replace_file(I, _socket), Refused(I, 0, None, "a socket")),
    # awkward but valid: imported with every row
    "a BOM": (_whole(I, lambda b: b"\xef\xbb\xbf" + b), Imported(ROWS)),
    "CR line endings": (_all_files(lambda b: b.replace(b"\n", b"\r")), Imported(ROWS)),
    "CR LF line endings": (_all_files(lambda b: b.replace(b"\n", b"\r\n")), Imported(ROWS)),
    "100k blank lines": (_blank_lines_before(I, 3, BLANKS), Imported(ROWS)),
    "no line break at the end": (_all_files(lambda b: b.rstrip(b"\n")), Imported(ROWS)),
    "line breaks inside quoted values": (
        _cell(I, 2, "no_crime_report_reason", "one\ntwo\r\nthree\rfour"), Imported(ROWS)),
    "doubled quotes": (_cell(I, 1, "no_crime_report_reason", 'he said "go", then left'),
                       Imported(ROWS)),
    "a 900 kB value in the last line": (_cell(I, 3, "no_crime_report_reason", "w" * 900_000),
                                        Imported(ROWS)),
    # DuckDB's default line buffer (2 MiB) silently dropped a longer last line: the root cause
    "a 3 MB last row": (_whole(I, _long_last_row), Imported(ROWS)),
    "header only (contacts)": (_whole("victim_contacts.csv", lambda b: b.split(b"\n")[0]),
                               Imported({**ROWS, "victim_contacts": 0})),
    "offsets at the limits": (
        _both(_cell(I, 1, "reported_at", "2010-03-01T10:00:00+14:00"),
              _cell(I, 2, "reported_at", "2010-03-01T10:00:00-12:00")),
        Imported(ROWS)),
}  # fmt: skip
