"""The byte scan of an extract file agrees with Python's csv module on every well-formed
file: the number of data rows (blank lines not counted) and the line each row starts on,
whatever the chunk size (so that a quote, a CR LF or a record split between chunks is read
as a whole)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsvb.ingest import extract_scan

CELL = st.one_of(
    st.text(alphabet="ab ,\"\n\r'é", max_size=8),
    st.sampled_from(["", "x", "2010-03-01T10:00:00", 'he said "go"', "a\r\nb"]),
)


def _cell(value: str) -> str:
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _write(rows: list[list[str]], newline: str, blanks: list[int]) -> bytes:
    """RFC 4180 text (a value holding a comma, quote or line break quoted), with blank
    lines before some rows (between whole records, never inside a quoted value)."""
    records = []
    for i, row in enumerate(rows):
        blank = newline * blanks[i % len(blanks)] * (i > 0)
        records.append(blank + ",".join(_cell(v) for v in row) + newline)
    return "".join(records).encode("utf-8")


def _expected_lines(data: bytes, newline: str) -> list[int]:
    """The line each data record starts on, by Python's csv module."""
    text = data.decode("utf-8")
    reader = csv.reader(io.StringIO(text, newline=""))
    starts, previous_end = [], 0
    for record in reader:
        if record:
            starts.append(previous_end + 1)
        previous_end = reader.line_num
    # csv counts a CR LF as one line and a lone CR as a line break too (as editors do)
    return starts[1:]


@pytest.fixture(params=[1, 3, 7, 64])
def chunk(request, monkeypatch) -> int:
    monkeypatch.setattr(extract_scan, "CHUNK_BYTES", request.param)
    return request.param


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(st.lists(CELL, min_size=3, max_size=3), min_size=1, max_size=8),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    blanks=st.lists(st.integers(0, 2), min_size=1, max_size=3),
)
def test_rows_and_their_lines_agree_with_the_csv_module(
    tmp_path_factory, chunk: int, rows, newline, blanks
) -> None:
    header = [["a", "b", "c"]]
    data = _write(header + rows, newline, blanks)
    path = tmp_path_factory.mktemp("scan") / "f.csv"
    path.write_bytes(data)
    expected = _expected_lines(data, newline)
    every = range(1, len(expected) + 1)
    scanned = extract_scan.scan(path, every)
    assert scanned.problem is None, scanned.problem
    assert scanned.rows == len(expected)
    assert [scanned.lines[r] for r in every] == expected
    fast = extract_scan.scan(path)
    assert fast.problem is None and fast.rows == len(expected)


@pytest.mark.parametrize("chunk", [1, 2, 5], indirect=True)
@pytest.mark.parametrize(
    "data, line, words",
    [
        (b'a,b,c\n1,2,3\n4,5"x,6\n', 3, 'a quote (")'),
        (b'a,b,c\n1,"2"x,3\n', 2, "text follows the closing quote"),
        (b"a,b,c\r\n1,2,3\n4,5,6\r\n", 2, "ends with LF"),
        (b"a,b,c\n1,2,3\n4,5\n", 3, "2 fields where the header has 3"),
    ],
)
def test_problems_are_found_across_chunk_boundaries(
    tmp_path: Path, chunk: int, data: bytes, line: int, words: str
) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    found = extract_scan.scan(path, full=True).problem
    assert found is not None and words in found.message and found.line == line
    first = extract_scan.scan(path).problem  # the first pass does not count fields
    assert first == found or (first is None and "fields" in words)


def test_a_named_pipe_is_refused_without_being_opened(tmp_path: Path) -> None:
    import os

    pipe = tmp_path / "p.csv"
    os.mkfifo(pipe)
    why = extract_scan.not_a_regular_file(pipe)
    assert why is not None and "named pipe" in why
    assert extract_scan.not_a_regular_file(Path(__file__)) is None
