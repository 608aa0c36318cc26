"""Fault and fuzz tests of published tables: no file can break the import or poison the store.

Every malformed table here is made from the real published tables. Each ends in one of two
ways: a refusal whose message names the file, the row, the true line in the file and the
column, with every table of the store unchanged (digested before and after), or an import
whose stored figures are exactly what the file prints, with nothing that may be a cut
number stored as a figure. Some go through the real command line in a subprocess (no
traceback, exit status 1), a named pipe with a timeout guarding against a hang, and the
memory bound is checked in a subprocess under an address-space limit proportional to the
input. Nothing here is timed.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import socket
import subprocess
import textwrap
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsvb.ingest.returns import ReturnError, import_return
from dsvb.ingest.returns.limits import LIMITS
from dsvb.store import connect
from tests.fault.returns_mutations import (
    DV,
    KINGSTON,
    MUTATIONS,
    PUBLISHED,
    TABLES,
    Mutation,
    digest,
    figure_of,
    original,
    printed,
    stored_figures,
)

ROOT = Path(__file__).resolve().parents[2]
DSVB = ROOT / ".venv" / "bin" / "dsvb"
PYTHON = ROOT / ".venv" / "bin" / "python"
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PYTHONUNBUFFERED": "1"}
BY_NAME = {m.name: m for m in MUTATIONS}


@pytest.fixture(scope="module")
def base_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the five real published tables (so cross-table checks run too)."""
    path = tmp_path_factory.mktemp("store") / "returns.duckdb"
    con = connect(path)
    try:
        for name in TABLES:
            assert import_return(con, PUBLISHED / name).status == "imported"
    finally:
        con.close()
    return path


@pytest.fixture
def store(base_store: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "store" / "returns.duckdb"
    copy.parent.mkdir()
    shutil.copy(base_store, copy)
    return copy


def write(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def where(row: int | str, line: int, column: str) -> str:
    return f"{row if isinstance(row, str) else f'row {row}'} (line {line}), column {column!r}: "


def assert_prints(con, return_id: int, data: bytes, *, new: bool) -> None:
    """Every stored figure is a cell the file prints, with the number it prints.

    A file already in the store (the same cells) is the stored return: its figures are what
    this file prints too; only a return stored from this file (``new``) was read from it.
    """
    header, cells = printed(data)
    figures = stored_figures(con, return_id)
    for row, column, _label, name, raw, value, kind, status in figures:
        assert status == "ok"
        assert cells[(row, column)] == raw and header[column] == name
        shown = figure_of(raw)
        assert shown is not None, raw
        expected = float(shown / 100) if kind == "proportion" else float(shown)
        assert math.isclose(value, expected, rel_tol=1e-12), (raw, value)
    if new and not data.endswith((b"\n", b"\r")):  # the last cell may be cut: not a figure
        last_row = max(r for r, _ in cells)
        last_column = max(c for r, c in cells if r == last_row)
        assert (last_row, last_column) not in {(f[0], f[1]) for f in figures}


def assert_not_a_figure(con, return_id: int, label: str, column: str) -> None:
    row = con.execute(
        "SELECT value, status FROM published_cells WHERE return_id = ? AND trim(row_label) = ? "
        "AND column_name = ?",
        [return_id, label, column],
    ).fetchone()
    assert row is not None and row[0] is None and row[1] in ("garbled", "missing"), row


# --- thirty and more malformed tables -------------------------------------------------------


def test_there_are_thirty_distinct_malformed_tables():
    made = {m.mutate(original(m.table)) for m in MUTATIONS}
    assert len(made) == len(MUTATIONS) >= 30
    assert all(data not in {original(t) for t in TABLES} for data in made)


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.name for m in MUTATIONS])
def test_a_malformed_table_is_refused_where_it_fails_or_read_as_printed(
    mutation: Mutation, store: Path, tmp_path: Path
):
    data = mutation.mutate(original(mutation.table))
    path = write(tmp_path / "in", mutation.table, data)
    con = connect(store)
    try:
        before = digest(con)
        if mutation.refused is not None:
            with pytest.raises(ReturnError) as info:
                import_return(con, path)
            message = str(info.value)
            row, line, column = mutation.refused(data)
            assert message.startswith(f"{mutation.table}, {where(row, line, column)}"), message
            assert mutation.says in message
            assert "\n" not in message
            assert digest(con) == before
            return
        outcome = import_return(con, path)
        assert outcome.status in ("imported", "already_imported")
        assert_prints(con, outcome.return_id, data, new=outcome.status == "imported")
    finally:
        con.close()
    # and into an empty store, where it is new whatever the store above held
    con = connect(tmp_path / "empty.duckdb")
    try:
        outcome = import_return(con, path)
        assert outcome.status == "imported"
        assert_prints(con, outcome.return_id, data, new=True)
        assert stored_figures(con, outcome.return_id)
        if mutation.not_a_figure:
            assert_not_a_figure(con, outcome.return_id, *mutation.not_a_figure)
    finally:
        con.close()


def test_the_number_cut_mid_row_is_never_stored(store: Path, tmp_path: Path):
    # the case from the issue: a table cut after "Hillingdon,36" stored 36 for a printed 3667
    cut = BY_NAME["cut mid-row (36 for 3667)"]
    path = write(tmp_path, DV, cut.mutate(original(DV)))
    con = connect(store)
    try:
        before = digest(con)
        with pytest.raises(ReturnError, match="looks cut short"):
            import_return(con, path)
        assert digest(con) == before
        assert not con.execute(
            "SELECT count(*) FROM published_cells WHERE trim(row_label) = 'Hillingdon' "
            "AND value = 36"
        ).fetchone()[0]
    finally:
        con.close()


# --- files that are not regular files --------------------------------------------------------


def _not_regular(tmp_path: Path) -> dict[str, Path]:
    made = tmp_path / "odd"
    made.mkdir()
    fifo = made / "fifo.csv"
    os.mkfifo(fifo)
    (made / "directory.csv").mkdir()
    (made / "link_to_fifo.csv").symlink_to(fifo)
    (made / "device.csv").symlink_to("/dev/zero")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(made / "socket.csv"))
    sock.close()
    return {
        "a named pipe (FIFO)": fifo,
        "a directory": made / "directory.csv",
        "a named pipe (FIFO) (through a symbolic link)": made / "link_to_fifo.csv",
        "a character device (through a symbolic link)": made / "device.csv",
        "a socket": made / "socket.csv",
    }


def test_files_that_are_not_regular_files_are_refused_unread(store: Path, tmp_path: Path):
    con = connect(store)
    try:
        before = digest(con)
        for kind, path in _not_regular(tmp_path).items():
            with pytest.raises(ReturnError) as info:
                import_return(con, path)
            assert str(info.value) == (
                f"{path.name}: is {kind}, not a regular file: a published table must be a CSV "
                "file saved on disk; nothing was read"
            )
        assert digest(con) == before
    finally:
        con.close()


def test_a_file_over_the_size_ceiling_is_refused_unread(store: Path, tmp_path: Path):
    big = tmp_path / DV
    with big.open("wb") as out:  # 194 MB, the size from the issue, without writing it
        out.write(original(DV))
        out.truncate(194_000_000)
    con = connect(store)
    try:
        before = digest(con)
        with pytest.raises(ReturnError) as info:
            import_return(con, big)
        assert str(info.value).startswith(
            f"{DV}: the file is 194.0 MB: a published table may be at most 2.0 MB"
        )
        assert digest(con) == before
    finally:
        con.close()


# --- the command line ----------------------------------------------------------------------


def dsvb_import(path: Path, store: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(DSVB), "import-returns", str(path), "--store", str(store)],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def store_digest(store: Path) -> dict[str, str]:
    con = connect(store, read_only=True)
    try:
        return digest(con)
    finally:
        con.close()


@pytest.mark.parametrize(
    "name",
    [
        "cut mid-row (36 for 3667)",
        "a NUL byte in a figure",
        "a 1 MB cell",
        "an unbalanced quote in a figure",
        "an xlsx workbook cut short",
        "mixed line endings, an unknown area",
    ],
)
def test_the_command_line_refuses_with_a_plain_message(name: str, store: Path, tmp_path: Path):
    mutation = BY_NAME[name]
    data = mutation.mutate(original(mutation.table))
    path = write(tmp_path / "in", mutation.table, data)
    before = store_digest(store)
    result = dsvb_import(path, store)
    assert mutation.refused is not None
    assert result.returncode == 1 and result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"{mutation.table}, {where(*mutation.refused(data))}")
    assert store_digest(store) == before


def test_the_command_line_imports_cr_only_line_endings(store: Path, tmp_path: Path):
    mutation = BY_NAME["CR-only line endings"]
    path = write(tmp_path / "in", DV, mutation.mutate(original(DV)))
    result = dsvb_import(path, store)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert result.stdout.startswith(f"Return {path} is already in the store (return 1: ")


def test_the_command_line_refuses_a_named_pipe_without_hanging(store: Path, tmp_path: Path):
    fifo = tmp_path / KINGSTON
    os.mkfifo(fifo)
    before = store_digest(store)
    result = dsvb_import(fifo, store, timeout=60)  # before the fix this never returned
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"{KINGSTON}: is a named pipe (FIFO), not a regular file")
    assert store_digest(store) == before


# --- random mutations ----------------------------------------------------------------------

_TOKENS = [b'"', b",", b"\r", b"\n", b"\r\n", b"\x00", b"\xff", b"\xc3", b"%", b"=1+1", b" ", b";"]


@st.composite
def mutated_tables(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(TABLES))
    data = bytearray(original(name))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["insert", "delete", "truncate", "byte"]))
        if op == "insert":
            data[at:at] = draw(st.sampled_from(_TOKENS))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 12))]
        elif op == "truncate":
            del data[at:]
        elif data:
            data[min(at, len(data) - 1)] = draw(st.integers(0, 255))
    return name, bytes(data)


_LOCATED = re.compile(r"^(?P<file>[^,]+), (?:row (?P<row>\d+)|header row) \(line (?P<line>\d+)\), ")


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=mutated_tables())
def test_random_mutations_are_refused_where_they_fail_or_read_as_printed(
    case: tuple[str, bytes], base_store: Path, tmp_path_factory: pytest.TempPathFactory
):
    name, data = case
    path = write(tmp_path_factory.mktemp("fuzz"), name, data)
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"ATTACH '{base_store}' AS base (READ_ONLY)")
        con.execute("COPY FROM DATABASE base TO memory")
        con.execute("DETACH base")
        before = digest(con)
        try:
            outcome = import_return(con, path)
        except ReturnError as exc:
            message = str(exc)
            located = _LOCATED.match(message)
            assert located and located["file"] == name, message
            assert re.search(r", column ['\"]", message), message
            file_lines = re.split(rb"\r\n|\r|\n", data.removesuffix(b"\r\n"))
            named = int(located["line"])
            assert named in range(1, len(file_lines) + 1), (
                f"{message}: names line {named} of a file of {len(file_lines)} lines"
            )
            if located["row"]:
                assert int(located["line"]) >= int(located["row"]) + 1
            assert digest(con) == before
            return
        assert_prints(con, outcome.return_id, data, new=outcome.status == "imported")
    finally:
        con.close()


# --- memory: linear in the input, under an address-space limit ------------------------------

_CHILD = textwrap.dedent(
    """
    import resource, sys
    from dsvb.ingest.returns import ReturnError, import_return, read_return
    from dsvb.store import connect

    small, big, allowance, store = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    con = connect(store) if store != "-" else None
    read_return(small)  # warm up: every module and the reference data loaded
    if con is not None:
        import_return(con, small)
    with open("/proc/self/status") as status:
        size = next(int(l.split()[1]) * 1024 for l in status if l.startswith("VmSize:"))
    resource.setrlimit(resource.RLIMIT_AS, (size + allowance, size + allowance))
    try:
        outcome = import_return(con, big) if con is not None else read_return(big)
    except ReturnError as exc:
        print("refused:", exc)
    else:
        print("read:", len(outcome.published_return.cells if con else outcome.cells), "cells")
    """
)


def kv_table(rows: int, note: int) -> bytes:
    """A key-value table of ``rows`` indicators for distinct months, each with a note."""
    out = ["indicator,value,comparator,note", "period_start,2006-04-01,,"]
    for i in range(rows):
        year, month = 1900 + i // 12, i % 12 + 1
        text = ("note " * (note // 5 + 1))[:note]
        out.append(f'dv_incidents_{year}-{month:02d}_to_{year}-{month:02d},{i},of {i + 1},"{text}"')
    return ("\r\n".join(out) + "\r\n").encode()


def run_bounded(small: Path, big: Path, allowance: int, store: Path | None) -> str:
    result = subprocess.run(
        [str(PYTHON), "-c", _CHILD, str(small), str(big), str(allowance), str(store or "-")],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


#: address space allowed above the warmed-up process: a fixed base plus a multiple of the
#: input, about twice what is needed (reading measures about 8 MB per MB, importing about 15
#: with DuckDB's blocks; docs/benchmarks.md)
_ALLOWANCE = {"read": (16 * 2**20, 12), "import": (32 * 2**20, 24)}


@pytest.mark.parametrize("mode", ["read", "import"])
@pytest.mark.parametrize("rows", [1_200, 4_900], ids=["0.5MB", "1.95MB"])
def test_a_table_up_to_the_ceiling_is_read_in_memory_linear_in_its_size(
    mode: str, rows: int, tmp_path: Path
):
    # rows of 400 bytes: 4,900 is just under the 2 MB ceiling (19,604 cells)
    big = write(tmp_path / "big", KINGSTON, kv_table(rows, 350))
    size = big.stat().st_size
    assert size <= LIMITS.max_bytes
    small = write(tmp_path / "small", KINGSTON, original(KINGSTON))
    base, per_byte = _ALLOWANCE[mode]
    store = tmp_path / "s.duckdb" if mode == "import" else None
    out = run_bounded(small, big, base + per_byte * size, store)
    assert out.startswith(f"read: {4 * (rows + 1)} cells")


def test_a_194_mb_table_is_refused_without_reading_it(tmp_path: Path):
    big = tmp_path / "big" / DV
    big.parent.mkdir()
    with big.open("wb") as out:
        out.write(original(DV))
        out.truncate(194_000_000)
    small = write(tmp_path / "small", KINGSTON, original(KINGSTON))
    out = run_bounded(small, big, 16 * 2**20, None)  # 16 MB: reading it could not fit
    assert out.startswith(f"refused: {DV}: the file is 194.0 MB")
