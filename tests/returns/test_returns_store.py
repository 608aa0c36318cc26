"""Storing returns: transactional, idempotent, and read back exactly as read."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import pytest

import dsvb.reference
from dsvb.indicators.from_returns import indicators_from_return
from dsvb.ingest.returns import (
    ReturnError,
    import_return,
    list_returns,
    load_return,
    read_return,
    storage,
)
from dsvb.store import connect
from tests.support.store import contents as store_contents

PUBLISHED = Path(dsvb.reference.__file__).parent / "published"
REAL = sorted(PUBLISHED.glob("*.csv"))
SEXUAL = PUBLISHED / "sexual_offences_by_unit_12m_to_2010-11.csv"
DV = PUBLISHED / "dv_by_borough_12m_to_2010-11.csv"
DV_HEADER = "borough,dv_incidents,dv_offences,dv_sanction_detections,dv_charges,dv_cautions\n"


@pytest.fixture
def con():
    connection = connect(":memory:")
    yield connection
    connection.close()


def snapshot(con) -> dict[str, list[tuple]]:
    """Every table's full contents."""
    return store_contents(con)


def counts(con) -> dict[str, int]:
    return {
        t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("import_log", "published_returns", "published_cells", "published_notes")
    }


def test_import_stores_everything(con):
    outcome = import_return(con, SEXUAL)
    ret = read_return(SEXUAL)
    assert (outcome.status, outcome.return_id) == ("imported", 1)
    assert counts(con) == {
        "import_log": 1,
        "published_returns": 1,
        "published_cells": len(ret.cells),
        "published_notes": len(ret.notes),
    }
    log = con.execute(
        "SELECT kind, source, content_hash, status, row_counts, normalised, warnings, "
        "started_at, finished_at FROM import_log"
    ).fetchone()
    kind, source, content_hash, status, row_counts, normalised, warnings, started, finished = log
    assert (kind, source, status) == ("return", str(SEXUAL), "imported")
    assert content_hash == ret.content_hash and len(content_hash) == 64
    assert json.loads(row_counts)["published_cells"] == len(ret.cells)
    assert json.loads(row_counts)["garbled_cells"] == 1
    assert "row 1 'Barking & & Dagenham' read as Barking and Dagenham (E09000002)" in json.loads(
        normalised
    )
    assert any(w.startswith("garbled: ") for w in json.loads(warnings))
    assert isinstance(started, dt.datetime) and started.tzinfo is None and finished >= started
    garbled = con.execute(
        "SELECT raw, value, status, unit FROM published_cells WHERE status = 'garbled'"
    ).fetchall()
    assert garbled == [("116 47 1", None, "garbled", "SCD9")]


def test_importing_twice_stores_once(con, tmp_path):
    first = import_return(con, DV)
    before = snapshot(con)
    second = import_return(con, DV)
    assert (second.status, second.return_id) == ("already_imported", first.return_id)
    # the content identifies a return, not its name
    renamed = tmp_path / "renamed.csv"
    shutil.copy(DV, renamed)
    assert import_return(con, renamed).status == "already_imported"
    assert snapshot(con) == before


def test_ids_follow_the_import_log(con):
    con.execute(
        "INSERT INTO import_log (import_id, kind, source, content_hash, started_at, finished_at, "
        "status) VALUES (7, 'extract', 'x', 'h', TIMESTAMP '2020-01-01', "
        "TIMESTAMP '2020-01-01', 'imported')"
    )
    assert import_return(con, DV).return_id == 8
    assert import_return(con, SEXUAL).return_id == 9


def test_an_unreadable_file_changes_nothing(con, tmp_path):
    import_return(con, DV)
    before = snapshot(con)
    bad = tmp_path / "bad.csv"
    bad.write_text("borough,dv_incidents\nAtlantis,3\n", encoding="utf-8")
    with pytest.raises(ReturnError, match="Atlantis"):
        import_return(con, bad)
    assert snapshot(con) == before


def test_a_failure_while_writing_changes_nothing(con, monkeypatch):
    import_return(con, DV)
    before = snapshot(con)

    def fail(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(storage, "_insert_notes", fail)  # after the return row and its cells
    with pytest.raises(RuntimeError, match="disk full"):
        import_return(con, SEXUAL)
    assert snapshot(con) == before
    monkeypatch.undo()
    assert import_return(con, SEXUAL).status == "imported"


@pytest.mark.parametrize("path", REAL, ids=[p.stem for p in REAL])
def test_read_back_equals_what_was_read(con, path):
    outcome = import_return(con, path)
    stored = load_return(con, outcome.return_id)
    read = read_return(path)
    assert stored == read
    assert indicators_from_return(stored) == indicators_from_return(read)
    assert [r.extra for r in indicators_from_return(stored)] == [
        r.extra for r in indicators_from_return(read)
    ]


def test_list_returns_and_a_boroughs_notes(con):
    for path in REAL:
        import_return(con, path)
    summaries = list_returns(con)
    assert [s.source_name for s in summaries] == [p.name for p in REAL]
    sexual = next(s for s in summaries if s.source_name == SEXUAL.name)
    # interpreted: the period, read from the file name; the DV table of the same report
    # (imported before it) it was checked against
    assert sexual.notes == {"garbled": 1, "interpreted": 2, "normalised": 6, "reconciliation": 7}
    assert sexual.layout == "by_area" and sexual.period_label == "12 months to November 2010"
    ret = load_return(con, sexual.return_id)
    (note,) = ret.notes_for_area("E09000002")
    assert "Barking & & Dagenham" in note.message


def test_load_unknown_return(con):
    with pytest.raises(KeyError):
        load_return(con, 42)


# --- the same table in other bytes; another table for the same period -----------------------


@pytest.mark.parametrize(
    "rewrite",
    [
        lambda data: data.replace(b"\n", b"\r\n"),  # CRLF line endings
        lambda data: b"\xef\xbb\xbf" + data,  # a UTF-8 byte-order mark
        lambda data: b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n") + b"\r\n",  # both, a blank
        lambda data: data.replace(b"Barnet,", b'"Barnet",'),  # quoting
    ],
    ids=["crlf", "bom", "bom-crlf-blank-line", "quoted"],
)
def test_the_same_table_in_other_bytes_is_already_imported(con, tmp_path, rewrite):
    first = import_return(con, DV)
    before = snapshot(con)
    copy = tmp_path / DV.name
    copy.write_bytes(rewrite(DV.read_bytes()))
    assert read_return(copy).content_hash != first.content_hash  # other bytes
    again = import_return(con, copy)
    assert (again.status, again.return_id, again.matched_by) == ("already_imported", 1, "content")
    assert again.summary() == (
        f"Return {copy} is already in the store (return 1: the same table, in a file whose "
        "line endings, byte-order mark or quoting differ); nothing changed."
    )
    assert snapshot(con) == before
    # the import log keeps the SHA-256 of the bytes that were imported
    (logged,) = con.execute("SELECT content_hash FROM import_log").fetchone()
    assert logged == hashlib.sha256(DV.read_bytes()).hexdigest()


def test_identity_is_the_same_read_and_stored(con):
    for path in REAL:
        stored = load_return(con, import_return(con, path).return_id)
        assert stored.identity == read_return(path).identity
    assert len({read_return(p).identity for p in REAL}) == len(REAL)


def test_another_table_for_the_same_period_is_stored_with_a_warning(con, tmp_path):
    import_return(con, DV)
    changed = tmp_path / DV.name
    changed.write_text(
        DV.read_text(encoding="utf-8").replace("Barnet,3525,", "Barnet,3526,"), encoding="utf-8"
    )
    outcome = import_return(con, changed)
    assert (outcome.status, outcome.return_id) == ("imported", 2)
    finished = con.execute("SELECT finished_at FROM import_log WHERE import_id = 1").fetchone()[0]
    warning = (
        f"return 1 ({DV}, imported {finished:%Y-%m-%d %H:%M}) has the same source name, layout "
        "and period (by_area, 12 months to November 2010) but different content: 1 cell "
        "differs (row 2 'Barnet', dv_incidents: '3525' there, '3526' here). Both are now "
        "stored, and a borough's scorecard lists both: check which is right"
    )
    assert outcome.warnings == (warning,)
    assert outcome.summary().splitlines()[1:3] == ["Warnings:", f"  - {warning}"]
    (logged,) = con.execute("SELECT warnings FROM import_log WHERE import_id = 2").fetchone()
    assert json.loads(logged)[0] == f"earlier return: {warning}"
    # the stored return itself is the table as read: the warning is not one of its notes
    assert load_return(con, 2) == read_return(changed)
    # another period, or another name, is another table: no warning
    assert not import_return(con, SEXUAL).warnings
    other = tmp_path / "dv_by_borough_12m_to_2009-11.csv"
    other.write_text(changed.read_text(encoding="utf-8").replace(",3526,", ",3527,"))
    assert not import_return(con, other).warnings


def test_a_header_only_file_stores_nothing(con, tmp_path):
    import_return(con, DV)
    before = snapshot(con)
    empty = tmp_path / DV.name
    empty.write_text(DV_HEADER, encoding="utf-8")
    with pytest.raises(ReturnError, match="no data rows after the header"):
        import_return(con, empty)
    assert snapshot(con) == before
