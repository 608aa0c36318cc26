"""``dsvb link`` and ``dsvb linked-people`` run as real commands: a store with the extract's
people and their identifiers, a temporary SQLite web database (``dsvb manage migrate``) with
an agency's case people, one full run, an incremental rerun keeping every key, both output
formats, a run of the extract alone that keeps the case records' keys, and bad input (no
readable web database, no store) refused in words with a failing exit code."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from dsvb import store
from dsvb.demo.identities import person_records
from dsvb.linkage.records import EXTRACT
from tests.support.commands import run_dsvb, web_env

AGENCY = "Test IDVA"

SEED = """
import datetime as dt, json, sys
from dsvb.web.commands import setup
setup()
from dsvb.web.cases import models as m
agency = m.Agency.objects.create(name=sys.argv[2], kind="idva")
ids = {}
for r in json.load(open(sys.argv[1])):
    person = m.Person.objects.create(
        agency=agency, given_name=r["given_name"] or "", family_name=r["family_name"] or "",
        sex=r["sex"] or "",
        date_of_birth=dt.date.fromisoformat(r["dob"]) if r["dob"] else None)
    case = m.Case.objects.create(agency=agency, victim=person)
    if r["postcode"]:
        m.Address.objects.create(case=case, kind="home", lines="1 Test Street",
                                 postcode=r["postcode"])
    m.Address.objects.create(case=case, kind="refuge", lines="Refuge", postcode="ZZ9 9ZZ")
    ids[r["record_id"]] = str(person.pk)
print(json.dumps(ids))
"""


@pytest.fixture(scope="module")
def setup(tmp_path_factory) -> dict[str, object]:
    tmp = tmp_path_factory.mktemp("cli-link")
    env = web_env(tmp)
    migrated = run_dsvb(env, "manage", "migrate", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    records, truth = person_records(800, seed=3, sources=(EXTRACT, AGENCY))
    extract = [r for r in records if r.source == EXTRACT]
    cases = [r for r in records if r.source == AGENCY]
    (tmp / "cases.json").write_text(json.dumps([
        {"record_id": r.record_id, "given_name": r.given_name, "family_name": r.family_name,
         "sex": r.sex, "dob": r.date_of_birth.isoformat() if r.date_of_birth else None,
         "postcode": r.postcode} for r in cases
    ]))  # fmt: skip
    seeded = subprocess.run(
        [sys.executable, "-c", SEED, str(tmp / "cases.json"), AGENCY],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert seeded.returncode == 0, seeded.stderr
    pks = json.loads(seeded.stdout.strip().splitlines()[-1])
    path = tmp / "store.duckdb"
    con = store.connect(path)
    con.execute(
        "CREATE TABLE IF NOT EXISTS person_identifiers (person_id VARCHAR NOT NULL, "
        "given_name VARCHAR, family_name VARCHAR, date_of_birth DATE, postcode VARCHAR, "
        "import_id INTEGER NOT NULL)"
    )
    con.executemany(
        "INSERT INTO person_identifiers VALUES (?, ?, ?, ?, ?, 1)",
        [(r.record_id, r.given_name, r.family_name, r.date_of_birth, r.postcode)
         for r in extract],
    )  # fmt: skip
    con.close()
    true_person = {(EXTRACT, r.record_id): truth[r.ref] for r in extract}
    true_person |= {(AGENCY, pks[r.record_id]): truth[r.ref] for r in cases}
    first = run_dsvb(env, "link", "--store", str(path), "--by", "analyst")
    return {"env": env, "store": path, "tmp": tmp, "truth": true_person, "first": first}


def _rows(result: subprocess.CompletedProcess[str]) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_link_links_the_extract_and_the_agencys_people(setup) -> None:
    first = setup["first"]
    assert first.returncode == 0, first.stderr
    # too few records to train on: the shipped starting model
    assert (
        "Link run 1 (full, too few records to train: the shipped starting model): 800 "
        "records" in first.stdout
    )
    listed = run_dsvb(setup["env"], "linked-people", "--store", str(setup["store"]))
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines()[0] == "source,record_id,person_key"
    rows = _rows(listed)
    refs = [(r["source"], r["record_id"]) for r in rows]
    assert refs == sorted(refs)
    assert set(refs) == set(setup["truth"])
    # the same true person across the extract and the agency mostly shares one key
    keys = {(r["source"], r["record_id"]): r["person_key"] for r in rows}
    by_person: dict[str, set[str]] = {}
    for ref, person in setup["truth"].items():
        by_person.setdefault(person, set()).add(keys[ref])
    across = [p for p, refs_ in _people_sources(setup["truth"]).items() if len(refs_) == 2]
    joined = sum(1 for p in across if len(by_person[p]) == 1)
    assert joined / len(across) >= 0.85


def _people_sources(truth: dict[tuple[str, str], str]) -> dict[str, set[str]]:
    sources: dict[str, set[str]] = {}
    for (source, _), person in truth.items():
        sources.setdefault(person, set()).add(source)
    return sources


def test_a_second_run_is_incremental_and_keeps_every_key(setup) -> None:
    env, path = setup["env"], str(setup["store"])
    before = run_dsvb(env, "linked-people", "--store", path).stdout
    again = run_dsvb(env, "link", "--store", path, "--quiet")
    assert again.returncode == 0, again.stderr
    assert "Link run 2 (incremental," in again.stdout
    assert "0 records newly keyed" in again.stdout
    assert again.stderr == ""
    assert run_dsvb(env, "linked-people", "--store", path).stdout == before


def test_json_to_a_file(setup) -> None:
    out = setup["tmp"] / "people.json"
    result = run_dsvb(setup["env"], "linked-people", "--store", str(setup["store"]),
                   "--format", "json", "--out", str(out))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    rows = json.loads(out.read_text())
    assert len(rows) == 800
    assert set(rows[0]) == {"source", "record_id", "person_key"}


READ_CASES = """
import json
from dsvb.web.commands import setup
setup()
from dsvb.web.cases.linkage import person_records
print(json.dumps({r.record_id: r.postcode for r in person_records()}))
"""


def test_the_case_people_read_for_linkage_never_carry_a_refuge_postcode(setup) -> None:
    """Every seeded case has a refuge address (ZZ9 9ZZ); a victim with a home address is
    read with its postcode, one without with none: never the refuge's."""
    read = subprocess.run(
        [sys.executable, "-c", READ_CASES], env=setup["env"], capture_output=True,
        text=True, timeout=120, check=False,
    )  # fmt: skip
    assert read.returncode == 0, read.stderr
    postcodes = json.loads(read.stdout.strip().splitlines()[-1])
    seeded = json.loads((setup["tmp"] / "cases.json").read_text())
    homes = sorted(r["postcode"] for r in seeded if r["postcode"])
    assert len(postcodes) == len(seeded)
    assert sorted(p for p in postcodes.values() if p) == homes
    assert sum(1 for p in postcodes.values() if p is None) == len(seeded) - len(homes) > 0
    assert "ZZ9 9ZZ" not in postcodes.values()


def _copy(setup, tmp_path: Path) -> Path:
    copy = tmp_path / "store.duckdb"
    copy.write_bytes(Path(setup["store"]).read_bytes())
    return copy


def test_link_stops_when_the_cases_cannot_be_read(setup, tmp_path) -> None:
    """Linking the extract alone would drop every case record's key: without a readable
    web database ``link`` refuses in words and changes nothing."""
    env = web_env(setup["tmp"], database="never-migrated.sqlite3")
    copy = _copy(setup, tmp_path)
    before = run_dsvb(env, "linked-people", "--store", str(copy)).stdout
    result = run_dsvb(env, "link", "--store", str(copy), "--full")
    assert result.returncode == 1
    assert "Cannot read the partnership cases" in result.stderr
    assert "--extract-only" in result.stderr
    assert "Traceback" not in result.stderr
    assert run_dsvb(env, "linked-people", "--store", str(copy)).stdout == before


def test_extract_only_then_cases_again_keeps_every_key(setup, tmp_path) -> None:
    """Link with cases (the module's first run), then the extract only (with no readable
    web database: it is not read), then with cases again: every earlier (source,
    record_id) keeps its key."""
    copy = _copy(setup, tmp_path)
    before = _rows(run_dsvb(setup["env"], "linked-people", "--store", str(copy)))
    assert {r["source"] for r in before} == {EXTRACT, AGENCY}
    no_cases = web_env(setup["tmp"], database="never-migrated.sqlite3")
    alone = run_dsvb(no_cases, "link", "--store", str(copy), "--extract-only", "--quiet")
    assert alone.returncode == 0, alone.stderr
    assert "0 records newly keyed" in alone.stdout
    assert _rows(run_dsvb(setup["env"], "linked-people", "--store", str(copy))) == before
    again = run_dsvb(setup["env"], "link", "--store", str(copy), "--quiet")
    assert again.returncode == 0, again.stderr
    assert "0 records newly keyed" in again.stdout
    assert _rows(run_dsvb(setup["env"], "linked-people", "--store", str(copy))) == before


def test_a_missing_store_is_refused_in_words(setup, tmp_path) -> None:
    missing = tmp_path / "nowhere.duckdb"
    for command in ("link", "linked-people"):
        result = run_dsvb(setup["env"], command, "--store", str(missing))
        assert result.returncode == 1
        assert str(missing) in result.stderr
        assert "Traceback" not in result.stderr
    assert not missing.exists()
