"""Fault and fuzz suite for extract imports: every malformed extract is refused with a
message naming the file, its true line and (for a cell) the column, and leaves the store
exactly as it was; every awkward but valid one is imported with every row. Some cases run
through the real ``dsvb import`` to show that no traceback reaches a user."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsvb import store
from dsvb.ingest.extract import ExtractError, import_extract
from tests.fault.extract_cases import CASES, ROWS, Imported, Refused, write_small
from tests.support.builder import ExtractBuilder
from tests.support.store import contents

ROOT = Path(__file__).resolve().parents[2]
DSVB = ROOT / ".venv" / "bin" / "dsvb"


def digest(con) -> str:
    """A digest of every table's content, table by table."""
    return hashlib.sha256(repr(sorted(contents(con).items())).encode()).hexdigest()


@pytest.fixture(scope="module")
def populated_file(tmp_path_factory) -> Path:
    """A store holding one extract (other than the ones broken below)."""
    folder = tmp_path_factory.mktemp("populated")
    b = ExtractBuilder()
    b.incident(area="E09000033")
    b.crime(victims=[b.person()], with_incident=True)
    path = folder / "store.duckdb"
    con = store.connect(path)
    import_extract(con, b.write(folder / "first"))
    con.close()
    return path


@pytest.fixture
def populated(populated_file: Path, tmp_path: Path):
    path = tmp_path / "store.duckdb"
    shutil.copy(populated_file, path)
    con = store.connect(path)
    yield con
    con.close()


def _stored_rows(con, import_id: int) -> dict[str, int]:
    return {
        table: con.execute(
            f"SELECT count(*) FROM {table} WHERE import_id = ?", [import_id]
        ).fetchone()[0]
        for table in ROWS
    }


def check(con, folder: Path, expect: Refused | Imported) -> None:
    before = digest(con)
    if isinstance(expect, Imported):
        report = import_extract(con, folder)
        assert report.status == "imported"
        assert report.row_counts == expect.rows
        assert _stored_rows(con, report.import_id) == expect.rows
        return
    with pytest.raises(ExtractError) as caught:
        import_extract(con, folder)
    text = str(caught.value)
    assert "nothing was stored" in text
    assert digest(con) == before, "a refused import changed the store"
    matching = [p for p in caught.value.problems if expect.words in p.message]
    assert matching, f"no problem saying {expect.words!r}: {text}"
    problem = matching[0]
    assert problem.file == expect.file, text
    if expect.line:
        assert problem.line == expect.line, text
        assert f"line {expect.line}" in str(problem), text
    if expect.column is not None:
        assert problem.column == expect.column, text
        assert f"column {expect.column}" in str(problem), text


@pytest.mark.parametrize("case", list(CASES))
def test_a_mutated_extract_is_refused_in_plain_words_or_imported_whole(
    case: str, populated, tmp_path: Path
) -> None:
    mutate, expect = CASES[case]
    folder = write_small(tmp_path / "extract")
    mutate(folder)
    check(populated, folder, expect)


def test_there_are_forty_distinct_malformed_extracts() -> None:
    assert sum(isinstance(e, Refused) for _, e in CASES.values()) >= 40


# --- random mutations ------------------------------------------------------------------------

FILES = ["incidents.csv", "crimes.csv", "people.csv", "crime_people.csv", "victim_contacts.csv"]
NASTY = [b'"', b",", b"\n", b"\r", b"\r\n", b"\0", b"\xff", b"\xc3", b"", b"  ", b"\n\n"]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    file=st.sampled_from(FILES),
    edits=st.lists(
        st.tuples(
            st.floats(0, 1),
            st.integers(0, 3),
            st.one_of(st.sampled_from(NASTY), st.binary(max_size=4)),
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_random_byte_edits_are_refused_with_a_line_or_imported_whole(
    populated, tmp_path_factory, file: str, edits: list[tuple[float, int, bytes]]
) -> None:
    folder = write_small(tmp_path_factory.mktemp("fuzz") / "extract")
    path = folder / file
    data = bytearray(path.read_bytes())
    for where, cut, insert in edits:
        at = int(where * len(data))
        data[at : at + cut] = insert
    path.write_bytes(bytes(data))
    before = digest(populated)
    try:
        report = import_extract(populated, folder)
    except ExtractError as exc:
        assert digest(populated) == before
        for problem in exc.problems:
            assert problem.file in FILES or problem.file == str(folder)
            if problem.row is not None:
                assert problem.line is not None, str(exc)
        assert "Traceback" not in str(exc)
        return
    # imported: every data row the file holds was stored
    if report.status == "imported":
        for name, n in report.row_counts.items():
            assert _stored_rows(populated, report.import_id)[name] == n


# --- through the real command line -----------------------------------------------------------


def _dsvb(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + str(ROOT)}
    return subprocess.run(
        [str(DSVB), *args], capture_output=True, text=True, timeout=timeout, env=env
    )


@pytest.mark.parametrize(
    "case",
    ["year 9999 +14:00", "a stray quote", "a named pipe", "a link to a named pipe",
     "one CR LF in an LF file", "100k blank lines, then a stray quote", "a 60 MB last line"],
)  # fmt: skip
def test_the_command_line_refuses_in_plain_words_without_a_traceback(
    case: str, tmp_path: Path
) -> None:
    mutate, expect = CASES[case]
    assert isinstance(expect, Refused)
    folder = write_small(tmp_path / "extract")
    mutate(folder)
    result = _dsvb("import", "--store", str(tmp_path / "s.duckdb"), str(folder))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert expect.words in result.stderr
    if expect.line:
        assert f"line {expect.line}" in result.stderr


def test_the_command_line_reads_old_mac_line_endings(tmp_path: Path) -> None:
    mutate, _ = CASES["CR line endings"]
    folder = write_small(tmp_path / "extract")
    mutate(folder)
    result = _dsvb("import", "--store", str(tmp_path / "s.duckdb"), str(folder))
    assert result.returncode == 0, result.stderr
    assert "incidents 3" in result.stdout + result.stderr


def test_a_60_mb_last_line_is_refused_within_a_memory_ceiling(tmp_path: Path) -> None:
    """Bounded memory: the import runs under an address-space limit of 3 GB."""
    mutate, expect = CASES["a 60 MB last line"]
    folder = write_small(tmp_path / "extract")
    mutate(folder)
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))\n"
        "from dsvb import store\n"
        "from dsvb.ingest.extract import ExtractError, import_extract\n"
        "con = store.connect(sys.argv[2])\n"
        "try:\n"
        "    import_extract(con, sys.argv[1])\n"
        "except ExtractError as exc:\n"
        "    print(exc)\n"
        "    sys.exit(3)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", code, str(folder), str(tmp_path / "s.duckdb")],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert result.returncode == 3, result.stderr
    assert expect.words in result.stdout and f"line {expect.line}" in result.stdout
