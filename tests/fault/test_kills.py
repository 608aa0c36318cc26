"""kill -9 of imports at each stage: the store is unchanged or wholly imported, never half;
a web job's record and audit entry match the store after a restart, with who imported it;
nothing of an upload, and no copy of the store, is left on disk. Ctrl+C: one line, exit 130.

Each import runs in a process of its own (``dsvb import``, ``dsvb import-returns``, or
``tests/fault/store_web_job.py`` doing what the web runner does against a file SQLite
database), paused at a stage by ``DSVB_FAULT_PAUSE`` (``dsvb.store.faults``) and killed
there with SIGKILL; a fresh process then does what a restart does.
"""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
from pathlib import Path

import pytest

from dsvb.demo.generator import generate_extract
from dsvb.ingest.extract import import_extract
from dsvb.store import writer
from tests.fault.store_support import (
    DSVB,
    WEB_JOB,
    env,
    kill9,
    restart,
    snapshot,
    start_paused,
    store_leftovers,
    wait_for_line,
    web_env,
)

PUBLISHED = Path(writer.__file__).parent.parent / "reference" / "published"
DV = PUBLISHED / "dv_by_borough_12m_to_2010-11.csv"
STAGES = ("locked", "before-commit", "after-commit")


@pytest.fixture(scope="module")
def extracts(tmp_path_factory) -> tuple[Path, Path]:
    """Two different small extracts: A (already in the store) and B (being imported)."""
    root = tmp_path_factory.mktemp("extracts")
    for name, seed in (("a", 1), ("b", 2)):
        generate_extract(
            root / name, incidents=400, seed=seed, start=dt.date(2009, 12, 1), months=12
        )
    return root / "a", root / "b"


def _store_with(path: Path, folder: Path) -> Path:
    with writer.writing(path, writer.Origin("setup", writer.COMMAND_LINE)) as write:
        write.record(import_extract(write.con, folder).import_id)
    return path


def _rows(folder: Path, name: str = "incidents.csv") -> int:
    with (folder / name).open() as f:
        return sum(1 for _ in f) - 1


def _imports(path: Path) -> list[tuple]:
    return sorted(r for r in snapshot(path).get("import_log", []))


def _origin(path: Path) -> dict[int, tuple]:
    return {r[0]: (r[1], r[2], r[3]) for r in snapshot(path).get("import_origin", [])}


# --- the command line ---------------------------------------------------------------------


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("command", ["import", "import-returns"])
def test_a_killed_command_line_import_leaves_the_store_whole(
    tmp_path: Path, extracts, command: str, stage: str
) -> None:
    a, b = extracts
    path = _store_with(tmp_path / "store.duckdb", a)
    before = snapshot(path)
    source = b if command == "import" else DV
    process = start_paused(
        [*DSVB, command, str(source), "--store", str(path), "--by", "carol"], stage
    )
    kill9(process)

    after = snapshot(path)
    if stage == "after-commit":  # the rename happened: wholly imported, with who did it
        assert len(after["import_log"]) == 2
        assert _origin(path)[2] == ("carol", "command line", None)
        if command == "import":
            assert sum(1 for r in after["incidents"] if r[-1] == 2) == _rows(b)
        else:
            assert len(after["published_returns"]) == 1
    else:
        assert after == before
    # what the killed writer left goes with the next write (a restart of the command line)
    left = store_leftovers(path)
    if stage == "before-commit":  # the complete copy, never renamed
        assert [p.name for p in left] == [f"store.duckdb.writing-{process.pid}"]
    else:
        assert left == []
    again = subprocess.run(
        [*DSVB, command, str(source), "--store", str(path)],
        env=env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr
    assert store_leftovers(path) == []
    assert len(snapshot(path)["import_log"]) == 2  # stored once, whichever way


def test_a_command_line_import_killed_while_storing_changes_nothing(
    tmp_path: Path, extracts
) -> None:
    a, b = extracts
    path = _store_with(tmp_path / "store.duckdb", a)
    before = snapshot(path)
    process = subprocess.Popen(
        [*DSVB, "import", str(b), "--store", str(path)],
        env=env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for_line(process, "storing incidents.csv")
    kill9(process)
    assert snapshot(path) == before
    writer.sweep(path)  # as on restart: removes the copy the killed writer left
    assert store_leftovers(path) == []


# --- the web job runner -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "stage"),
    [
        ("extract", "locked"),
        ("extract", "before-commit"),
        ("extract", "after-commit"),
        ("return", "after-commit"),
    ],
)
def test_a_killed_web_job_is_recorded_as_the_store_says_after_a_restart(
    tmp_path: Path, extracts, kind: str, stage: str
) -> None:
    a, b = extracts
    data_dir = tmp_path / "web"
    data_dir.mkdir()
    path = _store_with(data_dir / "store.duckdb", a)
    source = b if kind == "extract" else DV
    before = snapshot(path)
    process = start_paused(
        [*WEB_JOB, "queue-and-run", kind, str(source), "dana"], stage, **web_env(data_dir)
    )
    kill9(process)

    seen, again = restart(data_dir)
    (job,) = seen["jobs"]
    job_id = job["id"]
    finished = [e for e in seen["audit"] if e["action"].startswith("import_") and
                e["action"] != "import_started" and e["object_id"] == str(job_id)]  # fmt: skip
    assert len(finished) == 1, seen["audit"]
    assert finished[0]["actor"] == "dana"
    if stage == "after-commit":
        assert job["status"] == "succeeded", job
        assert job["outcome"] == "imported" and job["store_import_id"] == 2
        assert "rebuilt from the store’s import log" in job["summary"]
        assert finished[0]["action"] == "import_succeeded"
        assert _origin(path)[2] == ("dana", "web", job_id)  # not "command line"
        assert len(snapshot(path)["import_log"]) == 2
    else:
        assert job["status"] == "failed", job
        assert "nothing of it was stored" in job["summary"]
        assert finished[0]["action"] == "import_failed"
        assert snapshot(path) == before
    assert seen["upload_files"] == []  # the job's upload and its runner lock are gone
    assert store_leftovers(path) == []

    assert again == seen  # a second restart changes nothing


def test_an_upload_in_hand_when_the_process_is_killed_is_swept_on_restart(
    tmp_path: Path, extracts
) -> None:
    import zipfile

    a, _ = extracts
    data_dir = tmp_path / "web"
    data_dir.mkdir()
    archive = tmp_path / "upload.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for csv in sorted(a.glob("*.csv")):
            z.write(csv, csv.name)
    process = subprocess.Popen(
        [*WEB_JOB, "upload", str(archive)],
        env=env(**web_env(data_dir)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for_line(process, "staged", stream="stdout")
    uploads = data_dir / "uploads"
    incoming = [p for p in (uploads / ".incoming").rglob("*") if p.is_file()]
    staged = list((uploads / ".staging").rglob("*.csv"))
    assert incoming and staged  # Django's temporary file and the staged CSV files
    kill9(process)

    seen, _ = restart(data_dir)  # what the killed process left goes
    assert seen["jobs"] == []
    assert seen["upload_files"] == []


# --- Ctrl+C -------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", ["locked", "before-commit", "after-commit", None])
def test_ctrl_c_prints_one_line_and_exits_130(tmp_path: Path, extracts, stage) -> None:
    a, b = extracts
    path = _store_with(tmp_path / "store.duckdb", a)
    before = snapshot(path)
    args = [*DSVB, "import", str(b), "--store", str(path)]
    if stage is None:  # while DuckDB reads the files
        process = subprocess.Popen(
            args, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        wait_for_line(process, "reading and checking incidents.csv")
    else:
        process = start_paused(args, stage)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "Traceback" not in err and "Aborted" not in err
    last = err.strip().splitlines()[-1]
    if stage == "after-commit":
        assert last == "Interrupted after the import was stored (dsvb imports lists it)."
        assert len(snapshot(path)["import_log"]) == 2
    else:
        assert last == "Interrupted; nothing was changed."
        assert snapshot(path) == before
    assert store_leftovers(path) == []
