"""The store's writer (dsvb.store.writer): copy-on-write, who imported, older stores and
journals, refusals that touch nothing. Real DuckDB files, real processes."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
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
            "job_created_at": None,
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


def _write_one(path: Path, tmp_path: Path, name: str, origin: writer.Origin | None = None) -> int:
    with writer.writing(path, origin or writer.Origin("x", writer.COMMAND_LINE)) as write:
        import_id = import_extract(write.con, _extract(tmp_path, name)).import_id
        write.record(import_id)
    return import_id


def _import_ids(con: duckdb.DuckDBPyConnection) -> list[int]:
    return [r[0] for r in con.execute("SELECT import_id FROM import_log ORDER BY 1").fetchall()]


def test_a_reader_opened_after_a_write_sees_it_while_older_readers_are_open(
    tmp_path: Path,
) -> None:
    # DuckDB shares one instance per path in a process: a reader opened while another is
    # open would read the file the write replaced, for as long as any stays open
    path = tmp_path / "store.duckdb"
    _write_one(path, tmp_path, "first")
    old = store.connect(path, read_only=True)
    try:
        _write_one(path, tmp_path, "second")
        newer = store.connect(path, read_only=True)
        assert _import_ids(newer) == [1, 2]
        old.close()
        _write_one(path, tmp_path, "third")
        newest = store.connect(path, read_only=True)
        assert _import_ids(newest) == [1, 2, 3]
        assert _import_ids(newer) == [1, 2]  # an open reader keeps the store it opened
        newer.close()
        newest.close()
    finally:
        old.close()
    (writer_con := store.connect(path, read_only=True)).execute("SET TimeZone = 'UTC'")
    with pytest.raises(duckdb.Error, match="read-only"):
        writer_con.execute("DELETE FROM import_log")
    writer_con.close()


def test_a_store_reached_through_a_symbolic_link_stays_one_file(tmp_path: Path) -> None:
    real = tmp_path / "data" / "store.duckdb"
    real.parent.mkdir()
    _write_one(real, tmp_path, "first")
    link = tmp_path / "store.duckdb"
    link.symlink_to(real)
    _write_one(link, tmp_path, "second")
    assert link.is_symlink() and link.resolve() == real  # the link is kept, not replaced
    assert len(snapshot(real)["import_log"]) == 2
    assert writer.lock_path(link) == writer.lock_path(real) == real.with_name("store.duckdb.lock")
    assert not tmp_path.joinpath("store.duckdb.lock").exists()
    leftover = real.with_name("store.duckdb.writing-1")
    leftover.write_text("a copy a killed writer left")
    assert writer.leftovers(link) == [leftover]
    assert writer.sweep(link) == [leftover] and not leftover.exists()


@pytest.mark.parametrize("mode", [0o600, 0o640], ids=["0600", "0640"])
def test_a_write_keeps_the_store_s_permissions(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "store.duckdb"
    _write_one(path, tmp_path, "first")
    path.chmod(mode)
    _write_one(path, tmp_path, "second")
    assert path.stat().st_mode & 0o7777 == mode
    assert len(snapshot(path)["import_log"]) == 2


def test_a_store_that_cannot_be_locked_is_refused_in_plain_words(tmp_path: Path) -> None:
    path = tmp_path / "store.duckdb"
    _write_one(path, tmp_path, "first")
    before = snapshot(path)
    lock = writer.lock_path(path)
    lock.unlink()
    lock.mkdir()  # cannot be opened as the lock file
    with (
        pytest.raises(writer.StoreAccessError, match=f"The store {path} cannot be written") as e,
        writer.writing(path, writer.Origin("x", writer.COMMAND_LINE)),
    ):
        pass
    assert str(lock) in str(e.value) and "Nothing was imported" in str(e.value)
    assert "may read and write" in str(e.value)
    assert isinstance(e.value, writer.StoreBusy)  # every caller reports it in plain words
    assert snapshot(path) == before


@contextlib.contextmanager
def _as_user(uid: int, gid: int) -> Iterator[None]:
    """Act as another user of group ``gid`` (this process, for file access)."""
    groups = os.getgroups()
    os.setgroups([gid])
    os.setegid(gid)
    os.seteuid(uid)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)
        os.setgroups(groups)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as two users")
def test_a_second_user_of_the_store_s_group_can_write_it_and_ownership_is_kept(
    tmp_path: Path,
) -> None:
    group, nobody = 100, 65534  # "users", "nobody"
    shared = Path(tempfile.mkdtemp(prefix="dsvb-shared-"))
    try:
        shared.chmod(0o755)
        folder = shared / "store"
        folder.mkdir()
        os.chown(folder, 0, group)
        folder.chmod(0o2770)  # the service folder: its group may write in it
        path = folder / "store.duckdb"
        _write_one(path, shared, "first")  # by root: its lock file is root's, 0644
        assert writer.lock_path(path).stat().st_mode & 0o777 == 0o644
        path.chmod(0o660)
        extract = _extract(shared, "second")
        with (
            _as_user(nobody, group),
            writer.writing(path, writer.Origin("second", writer.COMMAND_LINE)) as w,
        ):
            w.record(import_extract(w.con, extract).import_id)
        assert len(snapshot(path)["import_log"]) == 2
        st = path.stat()
        assert (st.st_mode & 0o777, st.st_uid, st.st_gid) == (0o660, nobody, group)
        # root's next write keeps the owner (only root may give a file away)
        _write_one(path, shared, "third")
        st = path.stat()
        assert (st.st_mode & 0o777, st.st_uid, st.st_gid) == (0o660, nobody, group)
    finally:
        shutil.rmtree(shared, ignore_errors=True)


def test_leftovers_of_a_store_whose_name_looks_like_a_pattern_are_found(tmp_path: Path) -> None:
    path = tmp_path / "store[1].duckdb"
    _write_one(path, tmp_path, "first")
    leftover = tmp_path / "store[1].duckdb.writing-1"
    leftover.write_text("a copy a killed writer left")
    assert writer.leftovers(path) == [leftover]
    assert writer.sweep(path) == [leftover] and not leftover.exists()


def test_the_directory_is_synced_before_ctrl_c_can_interrupt_the_commit(
    tmp_path: Path, monkeypatch
) -> None:
    path = tmp_path / "store.duckdb"
    _write_one(path, tmp_path, "first")
    synced: list[tuple[Path, bool]] = []
    real_fsync = writer._fsync

    def fsync(target: Path, *, directory: bool = False) -> None:
        blocked = signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, [])
        synced.append((target, blocked))
        real_fsync(target, directory=directory)

    monkeypatch.setattr(writer, "_fsync", fsync)
    _write_one(path, tmp_path, "second")
    assert (tmp_path, True) in synced  # the folder, with Ctrl+C held back
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])


def test_a_web_import_is_matched_to_its_job_not_to_a_later_job_with_its_id(
    tmp_path: Path,
) -> None:
    import datetime as dt

    path = tmp_path / "store.duckdb"
    made = dt.datetime(2026, 12, 1, 9, 30, 15, 123456, tzinfo=dt.UTC)
    _write_one(path, tmp_path, "first", writer.Origin("erin", writer.WEB, 7, made))
    con = store.connect(path, read_only=True)
    try:
        assert writer.job_import(con, 7, created_at=made) == 1
        later = made + dt.timedelta(days=3)  # job 7 again, after the web database was reset
        assert writer.job_import(con, 7, created_at=later, started_at=later) is None
        assert writer.import_origins(con)[1]["job_created_at"] == made.replace(tzinfo=None)
    finally:
        con.close()


def test_an_import_recorded_before_job_times_were_kept_matches_only_a_job_started_before_it(
    tmp_path: Path,
) -> None:
    import datetime as dt

    path = tmp_path / "store.duckdb"
    _write_one(path, tmp_path, "first", writer.Origin("erin", writer.WEB, 7))
    con = duckdb.connect(str(path))  # as a store of schema 4 has it
    con.execute("ALTER TABLE import_origin DROP COLUMN job_created_at")
    con.execute("UPDATE store_meta SET value = '4' WHERE key = 'schema_version'")
    con.close()
    con = store.connect(path, read_only=True)
    try:
        recorded = writer.import_origins(con)[1]["recorded_at"]
        assert writer.import_origins(con)[1]["job_created_at"] is None
        before = (recorded - dt.timedelta(minutes=1)).replace(tzinfo=dt.UTC)
        after = (recorded + dt.timedelta(minutes=1)).replace(tzinfo=dt.UTC)
        assert writer.job_import(con, 7, created_at=before, started_at=before) == 1
        assert writer.job_import(con, 7, created_at=after, started_at=after) is None
    finally:
        con.close()
    _write_one(path, tmp_path, "second")  # the next write adds the column
    con = store.connect(path, read_only=True)
    try:
        assert writer.import_origins(con)[2]["job_created_at"] is None
        assert con.execute(
            "SELECT value FROM store_meta WHERE key = 'schema_version'"
        ).fetchone() == (str(store.SCHEMA_VERSION),)
    finally:
        con.close()
