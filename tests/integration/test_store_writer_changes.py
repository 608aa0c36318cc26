"""A store write that is not an import (a link run, a split link) commits through the one
writer when it says what it changed (StoreWrite.changed), and only then."""

from __future__ import annotations

from dsvb import store
from dsvb.store import writer

ORIGIN = writer.Origin("tester", writer.COMMAND_LINE)


def _runs(path) -> int:
    con = store.connect(path, read_only=True)
    try:
        return con.execute("SELECT count(*) FROM link_runs").fetchone()[0]
    finally:
        con.close()


def _write_run(con) -> None:
    con.execute(
        "INSERT INTO link_runs VALUES (1, now(), now(), 'full', 0, 0, 0, 0.8, '{}', 'tester')"
    )


def test_a_noted_change_commits_and_an_unnoted_one_does_not(tmp_path) -> None:
    path = tmp_path / "store.duckdb"
    store.connect(path).close()
    with writer.writing(path, ORIGIN) as write:
        _write_run(write.con)  # not noted: the copy is thrown away
    assert _runs(path) == 0
    with writer.writing(path, ORIGIN) as write:
        _write_run(write.con)
        write.changed("link run 1")
    assert write.committed
    assert _runs(path) == 1
    assert writer.leftovers(path) == []
