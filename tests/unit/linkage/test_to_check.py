"""The people a reviewer should check first: weakest link first, people of one record and
pairs a split has parted left out (keys and counts only)."""

from __future__ import annotations

from pathlib import Path

from dsvb import store
from dsvb.linkage import review
from tests.support.linkage_store import KEY_A, KEY_B, KEY_TWINS, make_linkage_store


def test_the_least_certain_links_come_first(tmp_path: Path) -> None:
    path = make_linkage_store(tmp_path / "store.duckdb")
    con = store.connect(path, read_only=True)
    try:
        listed = review.to_check(con)
    finally:
        con.close()
    # the twins were linked at 0.964; person A's weakest link is the case record's, 0.9986
    assert [(p.person_key, p.records, round(p.weakest, 4)) for p in listed] == [
        (KEY_TWINS, 2, 0.964),
        (KEY_A, 3, 0.9986),
    ]
    assert KEY_B not in {p.person_key for p in listed}  # one record: nothing to check


def test_a_limit_and_a_split_pair_leave_people_out(tmp_path: Path) -> None:
    path = make_linkage_store(tmp_path / "store.duckdb")
    con = store.connect(path)
    try:
        assert [p.person_key for p in review.to_check(con, limit=1)] == [KEY_TWINS]
        # the twins parted (as a split leaves them): their pair no longer holds anyone
        con.execute(
            "UPDATE person_links SET person_key = 'P00000000DDD4' WHERE record_id = 'LNK-5'"
        )
        assert [p.person_key for p in review.to_check(con)] == [KEY_A]
    finally:
        con.close()


def test_a_store_without_linkage_has_nothing_to_check(tmp_path: Path) -> None:
    con = store.connect(tmp_path / "empty.duckdb")
    try:
        con.execute("DROP TABLE IF EXISTS person_links")
        assert review.to_check(con) == ()
    finally:
        con.close()
