"""Reviewing linkage on a real DuckDB store: a person's records and the evidence that
linked them, the summary, and splitting a wrong link through the store's writer."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from dsvb import store
from dsvb.access import Principal
from dsvb.access.model import Membership
from dsvb.access.permissions import decide
from dsvb.access.roles import Role
from dsvb.linkage import access, review
from dsvb.linkage.records import EXTRACT, RecordRef
from dsvb.store import writer
from tests.support.linkage_store import CASE_AGENCY, KEY_A, KEY_B, KEY_TWINS, make_linkage_store

REASON = "Twins: different given names, same birth date and address"
NOW = dt.datetime(2026, 12, 1, 10, 30, tzinfo=dt.UTC)


def ref(record_id: str, source: str = EXTRACT) -> RecordRef:
    return RecordRef(source, record_id)


@pytest.fixture
def linked(tmp_path):
    return make_linkage_store(tmp_path / "store.duckdb")


def read(path):
    return store.connect(path, read_only=True)


def test_a_cluster_has_its_records_and_the_pairs_that_linked_them(linked) -> None:
    con = read(linked)
    try:
        found = review.cluster(con, KEY_A)
    finally:
        con.close()
    assert found is not None
    assert found.members == (ref("901", CASE_AGENCY), ref("LNK-1"), ref("LNK-2"))
    assert found.sources == (CASE_AGENCY, EXTRACT)
    assert [p.match_weight for p in found.pairs] == [14.25, 9.5]  # strongest first
    first = found.pairs[0]
    assert {first.left, first.right} == {ref("LNK-1"), ref("LNK-2")}
    assert [s.comparison for s in first.comparisons][:2] == ["given_name", "family_name"]
    assert first.comparisons[1].level == "Jaro-Winkler >= 0.92"
    assert sum(s.match_weight for s in first.comparisons) == pytest.approx(14.25)
    assert found.pairs_of(ref("901", CASE_AGENCY))[0].other(ref("901", CASE_AGENCY)) == ref("LNK-2")
    assert not found.splits and not any(p.split for p in found.pairs)


def test_a_record_finds_its_person_and_an_unknown_key_finds_none(linked) -> None:
    con = read(linked)
    try:
        assert review.record_cluster(con, ref("LNK-3")).members == (ref("LNK-3"),)
        assert review.record_cluster(con, ref("LNK-3")).person_key == KEY_B
        assert review.record_cluster(con, ref("NO-SUCH")) is None
        assert review.cluster(con, "P000000000000") is None
    finally:
        con.close()


def test_a_store_without_linkage_has_nothing_to_review(tmp_path) -> None:
    path = tmp_path / "plain.duckdb"
    store.connect(path).close()
    con = read(path)
    try:
        if review.has_linkage(con):  # the schema may carry the tables (version 7): empty
            assert review.summary(con).records == 0
        assert review.cluster(con, KEY_A) is None
        assert review.summary(con) == review.Summary(0, 0, 0, 0, 0, ())
        assert not review.summary(con).linked
        assert review.extract_identifiers(con, ["LNK-1"]) == {}
    finally:
        con.close()


def test_the_summary_counts_records_people_and_people_across_sources(linked) -> None:
    con = read(linked)
    try:
        s = review.summary(con)
    finally:
        con.close()
    assert (s.records, s.people, s.people_with_several_records, s.people_across_sources) == (
        6, 3, 2, 1,
    )  # fmt: skip
    assert s.records_by_source == ((EXTRACT, 5), (CASE_AGENCY, 1)) or s.records_by_source == (
        (CASE_AGENCY, 1),
        (EXTRACT, 5),
    )
    assert s.last_run_id == 1 and s.last_run_mode == "full" and s.threshold == 0.9
    assert s.splits == 0


def test_extract_identifiers_are_read_for_the_extract_people_asked(linked) -> None:
    con = read(linked)
    try:
        found = review.extract_identifiers(con, ["LNK-1", "LNK-5", "NOBODY"])
    finally:
        con.close()
    assert set(found) == {"LNK-1", "LNK-5"}
    assert found["LNK-1"].family_name == "Fakename"
    assert found["LNK-5"].date_of_birth == dt.date(2001, 1, 5)


def test_splitting_gives_the_record_a_new_key_and_remembers_the_split(linked) -> None:
    before = os.stat(linked).st_ino
    result = review.split(linked, ref("LNK-5"), KEY_TWINS, by="analyst", reason=REASON, now=NOW)
    assert os.stat(linked).st_ino != before  # a copy renamed over the store (the writer)
    assert result.others == (ref("LNK-4"),)
    assert result.new_key.startswith("P") and len(result.new_key) == 13
    assert result.new_key not in (KEY_A, KEY_B, KEY_TWINS)
    con = read(linked)
    try:
        assert review.key_of(con, ref("LNK-5")) == result.new_key
        assert review.key_of(con, ref("LNK-4")) == KEY_TWINS
        rows = con.execute("SELECT * FROM link_splits").fetchall()
        assert rows == [
            (EXTRACT, "LNK-5", EXTRACT, "LNK-4", "analyst", NOW.replace(tzinfo=None), REASON)
        ]
        # both sides show the split pair as evidence, marked
        for key in (KEY_TWINS, result.new_key):
            found = review.cluster(con, key)
            (pair,) = found.pairs
            assert pair.split and len(found.splits) == 1
        assert review.summary(con).splits == 1
        assert review.summary(con).people == 4
    finally:
        con.close()


def test_splitting_from_a_person_of_three_writes_one_split_per_other_record(linked) -> None:
    result = review.split(linked, ref("LNK-2"), KEY_A, by="analyst", reason=REASON, now=NOW)
    assert result.others == (ref("901", CASE_AGENCY), ref("LNK-1"))
    con = read(linked)
    try:
        assert con.execute("SELECT count(*) FROM link_splits").fetchone() == (2,)
        assert review.cluster(con, KEY_A).members == (ref("901", CASE_AGENCY), ref("LNK-1"))
    finally:
        con.close()


def test_a_group_split_off_stays_together_and_is_split_only_from_those_who_stay(linked):
    """Two people merged into one: moving one person's records out together writes splits
    only between the group and the records that stayed (review B, H1: a split record was
    forbidden from its own true matches)."""
    group = [ref("901", CASE_AGENCY), ref("LNK-2")]
    result = review.split(linked, group, KEY_A, by="analyst", reason=REASON, now=NOW)
    assert result.records == (ref("901", CASE_AGENCY), ref("LNK-2"))
    assert result.others == (ref("LNK-1"),)
    con = read(linked)
    try:
        assert review.key_of(con, ref("LNK-2")) == result.new_key
        assert review.key_of(con, ref("901", CASE_AGENCY)) == result.new_key
        assert review.key_of(con, ref("LNK-1")) == KEY_A
        rows = con.execute(
            "SELECT source_a, record_id_a, source_b, record_id_b FROM link_splits ORDER BY ALL"
        ).fetchall()
        assert rows == [
            (CASE_AGENCY, "901", EXTRACT, "LNK-1"),
            (EXTRACT, "LNK-2", EXTRACT, "LNK-1"),
        ]  # never the group's own pair LNK-2 / 901
        moved = review.cluster(con, result.new_key)
        assert moved.members == tuple(group)
        # the pair within the group is evidence of the same person, not a split pair
        inside = [p for p in moved.pairs if {p.left, p.right} == set(group)]
        assert len(inside) == 1 and not inside[0].split
    finally:
        con.close()
    assert result.audit_fields()["records"] == [f"{CASE_AGENCY}:901", "extract:LNK-2"]


def test_a_group_of_every_record_of_the_person_is_refused(linked) -> None:
    before = linked.read_bytes()
    with pytest.raises(review.SplitRefused, match="leave at least one"):
        review.split(linked, [ref("LNK-4"), ref("LNK-5")], KEY_TWINS, by="a", reason=REASON)
    with pytest.raises(review.SplitRefused, match="choose the records"):
        review.split(linked, [], KEY_TWINS, by="a", reason=REASON)
    with pytest.raises(review.SplitRefused, match="no longer part of person"):
        review.split(linked, [ref("LNK-1"), ref("LNK-5")], KEY_TWINS, by="a", reason=REASON)
    assert linked.read_bytes() == before


def test_the_audit_fields_of_a_split_hold_references_and_keys_only(linked) -> None:
    result = review.split(linked, ref("LNK-5"), KEY_TWINS, by="analyst", reason=REASON, now=NOW)
    fields = result.audit_fields()
    text = repr(fields)
    assert fields["records"] == ["extract:LNK-5"] and fields["from_key"] == KEY_TWINS
    for identifier in ("Delyth", "Carys", "Twinexample", "2001", "SE5", "Twins"):
        assert identifier not in text


@pytest.mark.parametrize(
    ("record", "key", "reason", "says"),
    [
        (ref("LNK-5"), KEY_TWINS, "  ", "give the reason"),
        (ref("LNK-5"), KEY_TWINS, "not the same", "at least 5 words"),
        (ref("LNK-5"), KEY_A, REASON, "no longer part of person"),
        (ref("LNK-3"), KEY_B, REASON, "only record"),
        (ref("NOBODY"), KEY_B, REASON, "holds no person key"),
    ],
)
def test_a_refused_split_writes_nothing(linked, record, key, reason, says) -> None:
    before = linked.read_bytes()
    with pytest.raises(review.SplitRefused, match=says):
        review.split(linked, record, key, by="analyst", reason=reason, now=NOW)
    assert linked.read_bytes() == before
    assert writer.leftovers(linked) == []


def test_a_split_waits_for_another_writer_then_gives_up_writing_nothing(linked) -> None:
    before = linked.read_bytes()
    with (
        writer.write_lock(writer.real_path(linked), what="another import"),
        pytest.raises(writer.StoreBusy),
    ):
        review.split(linked, ref("LNK-5"), KEY_TWINS, by="a", reason=REASON, wait=0.3)
    assert linked.read_bytes() == before


def test_the_same_split_gives_the_same_key_and_never_one_held() -> None:
    at = dt.datetime(2026, 12, 1, 10, 30)
    one = review.new_key(ref("X"), KEY_A, at, set())
    assert one == review.new_key(ref("X"), KEY_A, at, set())
    assert review.new_key(ref("X"), KEY_A, at, {one}) != one
    # a group's key does not depend on the order its records were chosen in
    two = review.new_key([ref("X"), ref("Y")], KEY_A, at, set())
    assert two == review.new_key([ref("Y"), ref("X")], KEY_A, at, set()) and two != one


def _principal(role: Role) -> Principal:
    fields = {"area_code": "E09000022"} if role == Role.BOROUGH_USER else {}
    if role == Role.PARTNER:
        fields = {"agency": CASE_AGENCY}
    return Principal("someone", (Membership(role, **fields),), user_id=1)


ALLOWED = {
    access.VIEW_LINKAGE: {Role.SECRETARIAT, Role.BOARD_MEMBER, Role.FORCE_ANALYST},
    access.REVIEW_LINKS: {Role.FORCE_ANALYST},
    access.SPLIT_LINK: {Role.FORCE_ANALYST},
}


@pytest.mark.parametrize("role", list(Role))
def test_who_may_see_and_split_links(role) -> None:
    for action, roles in ALLOWED.items():
        decision = decide(_principal(role), action, on=dt.date(2026, 12, 1))
        assert decision.allowed == (role in roles), (action, decision)
        assert decision.reason


def test_case_identifiers_show_only_when_a_case_of_the_person_is_seen() -> None:
    from dsvb.access.model import Decision

    assert not access.shows_case_identifiers([])
    assert not access.shows_case_identifiers([Decision(False, "not shared")])
    assert access.shows_case_identifiers([Decision(False, "no"), Decision(True, "owns it")])


def test_two_merged_people_moved_apart_as_groups_stay_whole_in_a_full_run(tmp_path) -> None:
    """Review B's H1 on a real link run: namesakes (same name and date of birth, two
    boroughs), each with a police record and an agency record, all wrongly one person.
    Moving one namesake's two records out together, a full run gives each namesake's two
    records one key, and the namesakes two keys."""
    from dsvb.demo.identities import person_records
    from dsvb.linkage.records import PersonRecord
    from dsvb.linkage.run import link
    from tests.unit.linkage.test_link import _put_extract

    dob = dt.date(1979, 11, 23)
    agency = "Test IDVA service"
    namesakes = [
        PersonRecord(EXTRACT, "PN0000001", "Priya", "Lindqvist", dob, "E9 5MV", "female"),
        PersonRecord(agency, "951", "Priya", "Lindqvist", dob, "E9 5MV", "female"),
        PersonRecord(EXTRACT, "PN0000002", "Priya", "Lindqvist", dob, "SW19 2MK", "female"),
        PersonRecord(agency, "952", "Priya", "Lindqvist", dob, "SW19 2MK", "female"),
    ]
    records, _ = person_records(1500, seed=11)
    records = records + namesakes
    extract = [r for r in records if r.source == EXTRACT]
    cases = [r for r in records if r.source != EXTRACT]
    path = tmp_path / "store.duckdb"
    con = store.connect(path)
    try:
        _put_extract(con, extract)
        link(con, extra=cases, now=NOW.replace(tzinfo=None))
        merged = review.key_of(con, namesakes[0].ref)
        con.executemany(  # the wrong merge a reviewer finds
            "UPDATE person_links SET person_key = ? WHERE source = ? AND record_id = ?",
            [(merged, r.source, r.record_id) for r in namesakes],
        )
        con.execute("CHECKPOINT")
    finally:
        con.close()
    moved = review.split(
        path, [namesakes[2].ref, namesakes[3].ref], merged, by="analyst", reason=REASON, now=NOW
    )
    assert set(moved.others) == {namesakes[0].ref, namesakes[1].ref}
    con = store.connect(path)
    try:
        link(con, extra=cases, full=True, now=NOW.replace(tzinfo=None))
        keys = [review.key_of(con, r.ref) for r in namesakes]
    finally:
        con.close()
    assert keys[0] == keys[1] and keys[2] == keys[3]
    assert keys[0] != keys[2]
