"""A split killed mid-write (``kill -9`` in a real process, at the writer's fault stages):
before the rename the store is exactly as it was and the next split works; after it, the
split is whole (its key and every link_splits row, never half)."""

from __future__ import annotations

import os
import signal
import sys

from dsvb import store
from dsvb.linkage import review
from dsvb.linkage.records import EXTRACT, RecordRef
from dsvb.store import writer
from tests.fault.store_support import snapshot, start_paused
from tests.support.linkage_store import KEY_A, make_linkage_store

REASON = "Different dates of birth once the typo is read correctly"
SPLIT = (
    "import sys; from dsvb.linkage import review; from dsvb.linkage.records import RecordRef; "
    "review.split(sys.argv[1], RecordRef('extract', 'LNK-2'), sys.argv[2], by='analyst', "
    "reason=sys.argv[3])"
)


def _kill_at(path, stage: str) -> None:
    process = start_paused([sys.executable, "-c", SPLIT, str(path), KEY_A, REASON], stage)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    process.stdout.close()
    process.stderr.close()


def test_a_split_killed_before_its_rename_leaves_the_store_as_it_was(tmp_path) -> None:
    path = make_linkage_store(tmp_path / "store.duckdb")
    before = snapshot(path)
    _kill_at(path, "before-commit")
    assert snapshot(path) == before
    assert writer.leftovers(path)  # the killed copy, removed by the next writer
    result = review.split(path, RecordRef(EXTRACT, "LNK-2"), KEY_A, by="b", reason=REASON)
    assert writer.leftovers(path) == []
    assert len(result.others) == 2


def test_a_split_killed_after_its_rename_is_whole(tmp_path) -> None:
    path = make_linkage_store(tmp_path / "store.duckdb")
    _kill_at(path, "after-commit")
    con = store.connect(path, read_only=True)
    try:
        key = review.key_of(con, RecordRef(EXTRACT, "LNK-2"))
        assert key not in (None, KEY_A)
        assert con.execute("SELECT count(*) FROM link_splits").fetchone() == (2,)
    finally:
        con.close()
