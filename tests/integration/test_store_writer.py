"""The store's writer (dsvb.store.writer): copy-on-write, who imported, older stores and
journals, refusals that touch nothing. Real DuckDB files, real processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dsvb import store
from dsvb.ingest.extract import import_extract
from dsvb.store import writer
from tests.fault.store_support import env, snapshot, store_leftovers
from tests.support.builder import ExtractBuilder


def _extract(tmp_path: Path, name: str = "extract") -> Path:
    b = ExtractBuilder()
    v = b.person()
    b.crime(victims=[v], suspects=[b.person(sex="male")], with_incident=True)
    b.incident(no_crime_report_reason=f"no offence disclosed ({name})")  # one per name
    return b.write(tmp_path / name)


def test_an_import_is_recorded_with_who_made_it_and_nothing_is_left_beside_the_store(
    tmp_path: Path,
) -> None:
    path = tmp_path / "store.duckdb"
    with writer.writing(path, writer.Origin("erin", writer.WEB, job_id=12)) as write:
        report = import_extract(write.con, _extract(tmp_path))
        write.record(report.import_id)
        assert not path.exists()  # nothing is visible before the rename
    assert write.committed
    con = store.connect(path, read_only=True)
    try:
        assert writer.import_origins(con)[1] | {"recorded_at": None} == {
            "imported_by": "erin",
            "via": "web",
            "job_id": 12,
            "recorded_at": None,
        }
        assert writer.job_import(con, 12) == 1 and writer.job_import(con, 13) is None
    finally:
        con.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "extract",
        "store.duckdb",
        "store.duckdb.lock",
    ]


def test_a_failed_or_unrecorded_write_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "store.duckdb"
    with writer.writing(path, writer.Origin("x", writer.COMMAND_LINE)) as write:
        write.record(import_extract(write.con, _extract(tmp_path)).import_id)
    before = snapshot(path)
    with pytest.raises(RuntimeError), writer.writing(path, writer.Origin("x", "command line")) as w:
        w.con.execute("DELETE FROM incidents")
        w.record(99)
        raise RuntimeError("the import failed")
    with writer.writing(path, writer.Origin("x", writer.COMMAND_LINE)) as w:
        w.con.execute("DELETE FROM incidents")  # not recorded: not committed
    assert snapshot(path) == before
    assert store_leftovers(path) == []


def test_a_new_store_is_not_made_by_a_write_that_stores_nothing(tmp_path: Path) -> None:
    path = tmp_path / "new" / "store.duckdb"
    with writer.writing(path, writer.Origin("x", writer.COMMAND_LINE)):
        pass
    assert list(path.parent.iterdir()) == []


def test_a_file_that_is_not_a_store_is_refused_untouched(tmp_path: Path) -> None:
    text = tmp_path / "notes.duckdb"
    text.write_text("not a database")
    with (
        pytest.raises(store.NotAStoreError, match="is not a DuckDB database"),
        writer.writing(text, writer.Origin("x", writer.COMMAND_LINE)),
    ):
        pass
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).execute("CREATE TABLE t (x INTEGER)").close()
    before = other.read_bytes()
    with (
        pytest.raises(store.NotAStoreError, match=f"{other} is not a dsvb store"),
        writer.writing(other, writer.Origin("x", writer.COMMAND_LINE)),
    ):
        pass
    assert other.read_bytes() == before
    assert text.read_text() == "not a database"
    assert store_leftovers(other) == []


def test_a_store_made_before_origins_were_recorded_gains_the_table(tmp_path: Path) -> None:
    path = tmp_path / "store.duckdb"
    con = store.connect(path)
    import_extract(con, _extract(tmp_path))
    con.execute("DROP TABLE import_origin")
    con.execute("UPDATE store_meta SET value = '3' WHERE key = 'schema_version'")
    con.close()
    con = store.connect(path, read_only=True)
    assert writer.import_origins(con) == {}  # readable as it is
    con.close()
    with writer.writing(path, writer.Origin("x", writer.COMMAND_LINE)) as write:
        write.record(import_extract(write.con, _extract(tmp_path, "second")).import_id)
    con = store.connect(path, read_only=True)
    try:
        assert list(writer.import_origins(con)) == [2]
        assert con.execute(
            "SELECT value FROM store_meta WHERE key = 'schema_version'"
        ).fetchone() == (str(store.SCHEMA_VERSION),)
    finally:
        con.close()


OLDER_DSVB = """
import os, signal, sys, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("PRAGMA disable_checkpoint_on_shutdown")
con.execute("SET checkpoint_threshold = '10GB'")
con.execute("INSERT INTO store_meta VALUES ('written in place', 'yes')")
print("written", flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_journal_left_by_an_older_dsvb_is_applied_before_the_next_write(
    tmp_path: Path,
) -> None:
    path = tmp_path / "store.duckdb"
    store.connect(path).close()
    killed = subprocess.run(
        [sys.executable, "-c", OLDER_DSVB, str(path)], capture_output=True, text=True
    )
    assert killed.returncode == -signal.SIGKILL and killed.stdout == "written\n"
    journal = path.with_name(path.name + ".wal")
    assert journal.exists()
    done = subprocess.run(
        [sys.executable, "-m", "dsvb", "import", str(_extract(tmp_path)), "--store", str(path)],
        env=env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Applying store.duckdb.wal" in done.stderr
    assert not journal.exists()
    meta = dict(snapshot(path)["store_meta"])
    assert meta["written in place"] == "yes"  # what the older dsvb committed is kept
    assert len(snapshot(path)["import_log"]) == 1


def test_the_command_line_records_the_os_user_or_by(tmp_path: Path) -> None:
    path = tmp_path / "store.duckdb"
    for args in ([], ["--by", "frank"]):
        folder = _extract(tmp_path, f"x{len(args)}")
        done = subprocess.run(
            [sys.executable, "-m", "dsvb", "import", str(folder), "--store", str(path), *args],
            env=env(),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
    listed = subprocess.run(
        [sys.executable, "-m", "dsvb", "imports", "--store", str(path)],
        env=env(),
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout
    import getpass

    assert f"    imported by {getpass.getuser()} (command line)" in listed
    assert "    imported by frank (command line)" in listed
    assert os.environ.get("DSVB_FAULT_PAUSE") is None
