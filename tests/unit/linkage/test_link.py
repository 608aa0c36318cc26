"""Link runs on real records with Splink on DuckDB: the hard cases, keys that survive reruns
and new records, splits honoured, quality against the generator's truth, and nothing but
keys and weights written.

One small population (about 1,500 records from the extract and two agencies, with the
generator's errors) plus hand-made hard cases; the first run trains the model and is saved
in a store file that each test copies, so later runs reuse the saved model.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
from pathlib import Path

import duckdb
import pytest

from dsvb.demo.identities import person_records
from dsvb.linkage.evaluate import evaluate
from dsvb.linkage.records import EXTRACT, PersonRecord, RecordRef
from dsvb.linkage.run import FULL, INCREMENTAL, SAVED, TRAINED, link, linked_people, record_key
from dsvb.store import connect

AGENCY = "Test IDVA service"
HARD = [
    # twins: same surname, date of birth and postcode, another given name
    PersonRecord(EXTRACT, "PT0000001", "Amelia", "Okonkwo-Reyes", dt.date(1990, 3, 14),
                 "SE15 4QC", "female"),
    PersonRecord(AGENCY, "901", "Amelia", "Okonkwo-Reyes", dt.date(1990, 3, 14),
                 "SE15 4QC", "female"),
    PersonRecord(EXTRACT, "PT0000002", "Grace", "Okonkwo-Reyes", dt.date(1990, 3, 14),
                 "SE15 4QC", "female"),
    PersonRecord(AGENCY, "902", "Grace", "Okonkwo-Reyes", dt.date(1990, 3, 14),
                 "SE15 4QC", "female"),
    # a surname changed by marriage: the agency still has the former one
    PersonRecord(EXTRACT, "PT0000003", "Hannah", "Whitcombe", dt.date(1985, 7, 2),
                 "N16 7CK", "female"),
    PersonRecord(AGENCY, "903", "Hannah", "Brennagh", dt.date(1985, 7, 2), "N16 7CK",
                 "female"),
    # the same name and date of birth in two boroughs (two people)
    PersonRecord(EXTRACT, "PT0000004", "Priya", "Lindqvist", dt.date(1979, 11, 23),
                 "E9 5MV", "female"),
    PersonRecord(EXTRACT, "PT0000005", "Priya", "Lindqvist", dt.date(1979, 11, 23),
                 "SW19 2MK", "female"),
    # one person: a nickname, day and month transposed, no postcode at the agency
    PersonRecord(EXTRACT, "PT0000006", "Elizabeth", "Marchbanks", dt.date(1972, 4, 9),
                 "CR0 3VV", "female"),
    PersonRecord(AGENCY, "906", "Liz", "Marchbanks", dt.date(1972, 9, 4), None, "female"),
]  # fmt: skip
TRUTH_HARD = {
    "PT0000001": "twin-a", "901": "twin-a", "PT0000002": "twin-b", "902": "twin-b",
    "PT0000003": "married", "903": "married", "PT0000004": "namesake-1",
    "PT0000005": "namesake-2", "PT0000006": "liz", "906": "liz",
}  # fmt: skip
NOW = dt.datetime(2026, 12, 1, 12, 0)


def _put_extract(con: duckdb.DuckDBPyConnection, records: list[PersonRecord]) -> None:
    """Write extract records as an import would: identifiers and the person's sex."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS person_identifiers (person_id VARCHAR NOT NULL, "
        "given_name VARCHAR, family_name VARCHAR, date_of_birth DATE, postcode VARCHAR, "
        "import_id INTEGER NOT NULL)"
    )
    con.executemany(
        "INSERT INTO person_identifiers VALUES (?, ?, ?, ?, ?, 1)",
        [(r.record_id, r.given_name, r.family_name, r.date_of_birth, r.postcode)
         for r in records],
    )  # fmt: skip
    con.executemany(
        "INSERT INTO people (person_id, sex, birth_year, ethnicity, import_id) "
        "VALUES (?, ?, NULL, 'not recorded', 1)",
        [(r.record_id, r.sex or "unknown") for r in records],
    )


def _split(records: list[PersonRecord]) -> tuple[list[PersonRecord], list[PersonRecord]]:
    return [r for r in records if r.source == EXTRACT], [r for r in records if r.source != EXTRACT]


@pytest.fixture(scope="module")
def population() -> tuple[list[PersonRecord], dict[RecordRef, str]]:
    records, truth = person_records(1500, seed=11)
    return records + HARD, truth | {r.ref: TRUTH_HARD[r.record_id] for r in HARD}


@pytest.fixture(scope="module")
def linked_store(tmp_path_factory, population) -> Path:
    """A store with every extract record, after one full run (which trained the model);
    the agency records are passed to each run as case records are."""
    path = tmp_path_factory.mktemp("link") / "store.duckdb"
    records, _ = population
    extract, _agencies = _split(records)
    con = connect(path)
    try:
        _put_extract(con, extract)
        run = link(con, extra=_split(records)[1], by="tester", now=NOW)
        assert run.model == TRAINED and run.mode == FULL
    finally:
        con.close()
    return path


@pytest.fixture
def con(linked_store, tmp_path):
    copy = tmp_path / "store.duckdb"
    shutil.copy(linked_store, copy)
    con = connect(copy)
    yield con
    con.close()


def _keys(con) -> dict[RecordRef, str]:
    return {RecordRef(s, r): k for s, r, k in linked_people(con)}


def _key(con, source: str, record_id: str) -> str | None:
    return record_key(con, RecordRef(source, record_id))


def test_every_record_gets_a_key_and_the_run_is_recorded(con, population) -> None:
    records, _ = population
    keys = _keys(con)
    assert set(keys) == {r.ref for r in records}
    run = con.execute("SELECT mode, records, new_records, people, run_by FROM link_runs").fetchall()
    assert run == [("full", len(records), len(records), len(set(keys.values())), "tester")]


def test_twins_with_the_same_surname_postcode_and_birthday_are_two_people(con) -> None:
    a, b = _key(con, EXTRACT, "PT0000001"), _key(con, EXTRACT, "PT0000002")
    assert a != b
    assert _key(con, AGENCY, "901") == a
    assert _key(con, AGENCY, "902") == b


def test_a_surname_changed_by_marriage_is_one_person(con) -> None:
    assert _key(con, EXTRACT, "PT0000003") == _key(con, AGENCY, "903")


def test_a_nickname_and_a_transposed_birthday_are_one_person(con) -> None:
    assert _key(con, EXTRACT, "PT0000006") == _key(con, AGENCY, "906")


def test_quality_against_the_generators_truth(con, population) -> None:
    _, truth = population
    result = evaluate(_keys(con), truth)
    assert result.precision >= 0.95, result
    assert result.recall >= 0.85, result


def test_a_rerun_keeps_every_key_and_reuses_the_model(con, population) -> None:
    records, _ = population
    before = _keys(con)
    run = link(con, extra=_split(records)[1], full=True, now=NOW)
    assert run.mode == FULL and run.model == SAVED
    assert _keys(con) == before
    # nothing changed: every record's key was set by the first run
    assert con.execute("SELECT DISTINCT run_id FROM person_links").fetchall() == [(1,)]


def test_an_incremental_run_keys_only_new_records_and_they_join_their_people(con, population):
    records, _ = population
    before = _keys(con)
    twin = PersonRecord(AGENCY, "904", "Amelia", "Okonkwo-Reyes", dt.date(1990, 3, 14),
                        "SE15 4QC", "female")  # fmt: skip
    stranger = PersonRecord(AGENCY, "905", "Zebedee", "Quartermaine", dt.date(1961, 1, 30),
                            "W3 9CC", "male")  # fmt: skip
    run = link(con, extra=[*_split(records)[1], twin, stranger], now=NOW)
    assert run.mode == INCREMENTAL and run.model == SAVED and run.new_records == 2
    after = _keys(con)
    assert {ref: after[ref] for ref in before} == before  # no existing key moved
    assert after[twin.ref] == before[RecordRef(EXTRACT, "PT0000001")]
    assert after[stranger.ref] not in set(before.values())
    changed = con.execute(
        "SELECT source, record_id FROM person_links WHERE run_id = 2 ORDER BY record_id"
    ).fetchall()
    assert changed == [(AGENCY, "904"), (AGENCY, "905")]


def test_records_gone_from_the_sources_lose_their_keys(con, population) -> None:
    records, _ = population
    agencies = [r for r in _split(records)[1] if r.record_id != "903"]
    link(con, extra=agencies, now=NOW)
    assert _key(con, AGENCY, "903") is None
    assert con.execute(
        "SELECT count(*) FROM link_pairs WHERE record_id_l = '903' OR record_id_r = '903'"
    ).fetchone() == (0,)


def _split_link(con, a: RecordRef, members: list[RecordRef], new_key: str) -> None:
    """What the review page's split does: the record apart from every other member, and a
    new key for it."""
    for other in members:
        if other != a:
            con.execute(
                "INSERT INTO link_splits VALUES (?, ?, ?, ?, 'analyst', ?, 'not the same')",
                [a.source, a.record_id, other.source, other.record_id, NOW],
            )
    con.execute(
        "UPDATE person_links SET person_key = ? WHERE source = ? AND record_id = ?",
        [new_key, a.source, a.record_id],
    )


def test_a_split_is_honoured_by_full_and_incremental_runs(con, population) -> None:
    records, _ = population
    married, former = RecordRef(EXTRACT, "PT0000003"), RecordRef(AGENCY, "903")
    key = _key(con, *married.__dict__.values())
    members = [ref for ref, k in _keys(con).items() if k == key]
    assert former in members
    _split_link(con, former, members, "PSPLIT0000001")
    link(con, extra=_split(records)[1], full=True, now=NOW)
    assert _key(con, EXTRACT, "PT0000003") == key  # the cluster keeps its key
    assert _key(con, AGENCY, "903") == "PSPLIT0000001"  # the split record keeps its own
    # a new record matching both sides joins one and never bridges them
    again = PersonRecord(AGENCY, "907", "Hannah", "Brennagh", dt.date(1985, 7, 2), "N16 7CK",
                         "female")  # fmt: skip
    link(con, extra=[*_split(records)[1], again], now=NOW)
    assert _key(con, AGENCY, "903") == "PSPLIT0000001"
    assert _key(con, EXTRACT, "PT0000003") == key
    assert _key(con, AGENCY, "907") in {key, "PSPLIT0000001"}


def test_pairs_carry_weights_and_levels_but_no_identifier(con) -> None:
    row = con.execute(
        "SELECT match_weight, match_probability, comparisons FROM link_pairs "
        "WHERE record_id_l IN ('PT0000006', '906') AND record_id_r IN ('PT0000006', '906')"
    ).fetchone()
    weight, probability, comparisons = row
    assert probability >= 0.9 and weight > 0
    levels = {c["comparison"]: c["level"] for c in json.loads(comparisons)}
    # the waterfall adds up: the prior's weight and each comparison's give the pair's
    model = json.loads(con.execute("SELECT model FROM link_runs").fetchone()[0])
    prior = model["probability_two_random_records_match"]
    total = math.log2(prior / (1 - prior)) + sum(c["match_weight"] for c in json.loads(comparisons))
    assert total == pytest.approx(weight, abs=0.01)
    assert levels == {"given_name": "nickname", "family_name": "exact",
                      "dob": "day and month transposed", "postcode": "missing",
                      "sex": "exact"}  # fmt: skip
    stored = " ".join(
        str(v) for table in ("link_runs", "link_pairs", "person_links")
        for row in con.execute(f"SELECT * FROM {table}").fetchall() for v in row
    ).lower()  # fmt: skip
    for word in ("marchbanks", "elizabeth", "okonkwo", "cr0 3vv", "1972-04-09"):
        assert word not in stored


def test_namesakes_in_two_boroughs_stay_apart_once_split(con, population) -> None:
    """Two people with the same name and date of birth in two boroughs look like one person
    who moved (the model's known limit, docs/linkage.md); a reviewer's split keeps them
    apart in every later run."""
    records, _ = population
    one, other = RecordRef(EXTRACT, "PT0000004"), RecordRef(EXTRACT, "PT0000005")
    key = _key(con, *one.__dict__.values())
    if _key(con, *other.__dict__.values()) == key:
        members = [ref for ref, k in _keys(con).items() if k == key]
        _split_link(con, other, members, "PSPLIT0000002")
    link(con, extra=_split(records)[1], full=True, now=NOW)
    assert _key(con, *one.__dict__.values()) != _key(con, *other.__dict__.values())
    # her own new record (her borough's postcode) never brings the two together again
    hers = PersonRecord(AGENCY, "908", "Priya", "Lindqvist", dt.date(1979, 11, 23),
                        "SW19 2MK", "female")  # fmt: skip
    link(con, extra=[*_split(records)[1], hers], now=NOW)
    assert _key(con, *one.__dict__.values()) != _key(con, *other.__dict__.values())


def test_a_run_of_the_extract_alone_leaves_the_case_records_keys_and_pairs(con, population):
    """Link with cases, then the extract only (the cases not read), then with cases again:
    every earlier (source, record_id) keeps its key, and the case records' pairs stay."""
    records, _ = population
    cases = _split(records)[1]
    before = _keys(con)
    pairs = "SELECT * FROM link_pairs ORDER BY ALL"
    pairs_before = con.execute(pairs).fetchall()
    alone = link(con, extra=[], sources={EXTRACT}, now=NOW)
    assert alone.new_records == 0
    assert alone.records == len(before)  # the case records are still keyed
    assert _keys(con) == before
    assert con.execute(pairs).fetchall() == pairs_before
    again = link(con, extra=cases, now=NOW)
    assert again.new_records == 0
    assert _keys(con) == before
    with pytest.raises(ValueError, match=AGENCY):
        link(con, extra=cases, sources={EXTRACT}, now=NOW)


def test_pairs_of_a_record_gone_go_even_when_more_records_arrive(con, population) -> None:
    records, _ = population
    agencies = [r for r in _split(records)[1] if r.record_id != "903"]
    assert con.execute(
        "SELECT count(*) FROM link_pairs WHERE record_id_l = '903' OR record_id_r = '903'"
    ).fetchone() != (0,)
    arriving = [
        PersonRecord(AGENCY, "904", "Amelia", "Okonkwo-Reyes", dt.date(1990, 3, 14),
                     "SE15 4QC", "female"),
        PersonRecord(AGENCY, "905", "Zebedee", "Quartermaine", dt.date(1961, 1, 30),
                     "W3 9CC", "male"),
    ]  # fmt: skip
    run = link(con, extra=[*agencies, *arriving], now=NOW)
    assert run.new_records == 2
    assert _key(con, AGENCY, "903") is None
    assert con.execute(
        "SELECT count(*) FROM link_pairs WHERE record_id_l = '903' OR record_id_r = '903'"
    ).fetchone() == (0,)


def test_a_record_whose_key_was_removed_is_linked_again_as_new(con, population) -> None:
    """An import that changes a person's identifiers removes their key and pairs; the next
    incremental run links the record afresh (here it joins its person again)."""
    records, _ = population
    key = _key(con, EXTRACT, "PT0000006")
    con.execute("DELETE FROM person_links WHERE record_id = '906'")
    con.execute("DELETE FROM link_pairs WHERE record_id_l = '906' OR record_id_r = '906'")
    run = link(con, extra=_split(records)[1], now=NOW)
    assert run.mode == INCREMENTAL and run.new_records == 1
    assert _key(con, AGENCY, "906") == key


def test_source_and_record_id_stay_apart_whatever_the_agency_is_called(con, population):
    """A '|' in an agency's name (and a record id that would read the same once joined to
    another source's) never mixes two records up or cuts a name in two."""
    records, _ = population
    odd = [
        PersonRecord("Refuge | Outreach", "1", "Zebedee", "Quartermaine",
                     dt.date(1961, 1, 30), "W3 9CC", "male"),
        PersonRecord("Refuge ", " Outreach|1", "Zebedee", "Quartermaine",
                     dt.date(1961, 1, 30), "W3 9CC", "male"),
        PersonRecord("Refuge | Outreach", "2", "Hannah", "Brennagh", dt.date(1985, 7, 2),
                     "N16 7CK", "female"),
    ]  # fmt: skip
    link(con, extra=[*_split(records)[1], *odd], now=NOW)
    keys = _keys(con)
    for record in odd:
        assert record.ref in keys
    assert keys[odd[0].ref] == keys[odd[1].ref]  # the same identifiers: one person
    assert keys[odd[2].ref] == _key(con, EXTRACT, "PT0000003")
    sides = con.execute(
        "SELECT source_l, record_id_l FROM link_pairs UNION SELECT source_r, record_id_r "
        "FROM link_pairs"
    ).fetchall()
    assert {RecordRef(s, r) for s, r in sides} <= set(keys)
    assert RecordRef("Refuge | Outreach", "2") in {RecordRef(s, r) for s, r in sides}


def test_what_the_scoring_spills_goes_to_a_private_folder_the_writer_sweeps(
    linked_store, tmp_path, population, monkeypatch
) -> None:
    """Splink's pair tables (names, birthdays, postcodes) may spill to disk: never into the
    working folder, only into a folder of the run's own (0700) beside the writer's copy of
    the store, named so that the writer removes it if a killed run left it."""
    from dsvb.linkage import run as run_module
    from dsvb.store import writer

    path = tmp_path / "store.duckdb"
    shutil.copy(linked_store, path)
    records, _ = population
    seen: list[tuple[Path, int, bool]] = []
    real = duckdb.connect

    def connect_and_look(*args, **kwargs):
        work = real(*args, **kwargs)
        setting = work.execute("SELECT current_setting('temp_directory')").fetchone()[0]
        folder = Path(setting)
        mode = folder.stat().st_mode & 0o777 if folder.is_dir() else -1
        seen.append((folder, mode, folder in writer.leftovers(path)))
        return work

    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(run_module, "duckdb", type("D", (), {"connect": connect_and_look}))
    with writer.writing(path, writer.Origin("tester", writer.COMMAND_LINE)) as write:
        link(write.con, extra=_split(records)[1], now=NOW)
        write.changed("link")
    [(folder, mode, swept)] = seen
    assert folder.parent == path.parent and mode == 0o700 and swept
    assert not folder.exists()
    assert list(cwd.iterdir()) == []
    # a killed run's folder: the writer's sweep removes it
    folder.mkdir()
    (folder / "spill.tmp").write_bytes(b"identifiers")
    assert writer.sweep(path) == [folder]
    assert not folder.exists()
