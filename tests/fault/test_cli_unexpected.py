"""A fault of dsvb itself (here: a store damaged by hand, so a query meets a missing table)
reaches the user as one line naming the error and what was left, never a traceback; with
DSVB_DEBUG=1 the traceback is shown for whoever reports it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb


def _damaged_store(path: Path) -> Path:
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE store_meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute("INSERT INTO store_meta VALUES ('schema_version', '4')")
    con.execute("CREATE TABLE incidents (x INTEGER)")  # not the store's table: damaged
    con.close()
    return path


def _dsvb(*args: str, debug: bool = False) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DSVB_DEBUG"}
    if debug:
        env["DSVB_DEBUG"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "dsvb", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_an_unexpected_error_is_one_line_without_a_traceback(tmp_path: Path) -> None:
    store = _damaged_store(tmp_path / "damaged.duckdb")
    before = store.read_bytes()
    result = _dsvb("indicators", "--store", str(store))
    assert result.returncode == 70
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "unexpected error" in lines[0] and "nothing was changed in the store" in lines[0]
    assert "DSVB_DEBUG=1" in lines[0]
    assert store.read_bytes() == before


def test_the_traceback_is_there_when_asked_for(tmp_path: Path) -> None:
    store = _damaged_store(tmp_path / "damaged.duckdb")
    result = _dsvb("indicators", "--store", str(store), debug=True)
    assert result.returncode == 1
    assert "Traceback" in result.stderr


def test_help_is_not_an_error() -> None:
    result = _dsvb("import", "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage:" in result.stdout and "import [OPTIONS] FOLDER" in result.stdout
    assert not result.stderr


INTERRUPTED_QUERY = """
import os, signal, sys, threading, time
import duckdb
import dsvb.ingest.extract as extract
from dsvb.cli import main

def slow(x: int) -> int:
    time.sleep(0.01)
    return x

def long_query(con, folder, *, progress=None):
    # Ctrl+C half a second into a query that calls Python: the KeyboardInterrupt is raised
    # inside DuckDB, which reports it as an error of its own ("Query interrupted")
    con.create_function("slow", slow, ["BIGINT"], "BIGINT")
    threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT)).start()
    con.execute("SELECT sum(slow(i)) FROM range(300) t(i)").fetchall()

extract.import_extract = long_query
main(["import", sys.argv[1], "--store", sys.argv[2]])
"""


def test_ctrl_c_inside_a_duckdb_query_is_an_interrupt_not_a_fault(tmp_path: Path) -> None:
    folder = tmp_path / "extract"
    folder.mkdir()
    store = tmp_path / "store.duckdb"
    result = subprocess.run(
        [sys.executable, "-c", INTERRUPTED_QUERY, str(folder), str(store)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={k: v for k, v in os.environ.items() if k != "DSVB_DEBUG"},
    )
    assert result.returncode == 130, result.stderr
    assert result.stderr.strip().splitlines()[-1] == "Interrupted; nothing was changed."
    assert "Traceback" not in result.stderr
    assert not store.exists()  # a write that stored nothing leaves no store behind
