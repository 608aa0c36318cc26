"""The demo extract's identifiers (format 2): written with the errors and at the rates the
generator states, some people under two ids (same sex and birth year, another borough),
twins and namesakes, the truth of every id, the other columns unchanged by them, and the
extract importable; ``dsvb demo-data --truth`` from the command line."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from dsvb import store
from dsvb.demo import generator
from dsvb.demo import identities as ids
from dsvb.ingest import extract_format as fmt
from dsvb.ingest.extract import import_extract
from dsvb.reference.nicknames import nicknames

DSVB = str(Path(sys.executable).with_name("dsvb"))
UK_POSTCODE = re.compile(r"^[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}$")
INCIDENTS = 30_000


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("ids")
    generator.generate_extract(root / "x", incidents=INCIDENTS, seed=5, truth=root / "t.csv")
    return root / "x", root / "t.csv"


@pytest.fixture(scope="module")
def people(made: tuple[Path, Path]) -> list[dict[str, str]]:
    return _rows(made[0] / "people.csv")


@pytest.fixture(scope="module")
def truth(made: tuple[Path, Path]) -> dict[str, str]:
    return {r["record_id"]: r["true_person"] for r in _rows(made[1])}


def test_people_have_the_identifier_columns_and_the_manifest_says_format_2(
    made: tuple[Path, Path], people: list[dict[str, str]]
) -> None:
    assert list(people[0]) == [c.name for c in fmt.PEOPLE.columns]
    manifest = (made[0] / "manifest.json").read_text()
    assert '"format_version": 2' in manifest and '"error_rates"' in manifest


def test_the_truth_names_every_person_id_once(
    people: list[dict[str, str]], truth: dict[str, str]
) -> None:
    assert sorted(truth) == sorted(r["person_id"] for r in people)
    assert all(re.fullmatch(r"T\d{9}", t) for t in truth.values())


def test_some_people_are_under_two_ids_alike_in_sex_and_birth_year_in_other_boroughs(
    made: tuple[Path, Path], people: list[dict[str, str]], truth: dict[str, str]
) -> None:
    by_id = {r["person_id"]: r for r in people}
    ids_of: dict[str, list[str]] = defaultdict(list)
    for record, person in truth.items():
        ids_of[person].append(record)
    several = [v for v in ids_of.values() if len(v) > 1]
    # about 8% of the pairs of DV victims and suspects alike: a few per cent of people
    assert 0.01 < len(several) / len(ids_of) < 0.06, len(several) / len(ids_of)
    for records in several:
        assert len({by_id[r]["sex"] for r in records}) == 1
        assert len({by_id[r]["birth_year"] for r in records}) == 1
    # the crimes' boroughs of the two ids differ for most
    area_of_crime = {r["crime_id"]: r["area"] for r in _rows(made[0] / "crimes.csv")}
    areas: dict[str, set[str]] = defaultdict(set)
    for r in _rows(made[0] / "crime_people.csv"):
        areas[r["person_id"]].add(area_of_crime[r["crime_id"]])
    apart = sum(not (areas[a] & areas[b]) for a, b, *_ in several)
    assert apart / len(several) > 0.8


def test_twins_and_namesakes_are_different_people(
    made: tuple[Path, Path], people: list[dict[str, str]], truth: dict[str, str]
) -> None:
    """Two ids of different true people with the same surname and date of birth (twins,
    namesakes) exist, at about the rates the generator states, and the truth names them;
    linkage must keep them apart."""
    seen: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in people:
        if r["family_name"] and r["date_of_birth"]:
            seen[(r["family_name"].lower(), r["date_of_birth"])].add(truth[r["person_id"]])
    assert sum(len(v) > 1 for v in seen.values()) > 5
    hard = {r["true_person"]: r["hard_case"] for r in _rows(made[1])}
    twins = sum(kind == "twin" for kind in hard.values())
    namesakes = sum(kind == "namesake" for kind in hard.values())
    # twins at 0.2% and namesakes at 0.05% of the ~12,000 pairs alike in sex and birth year
    assert 10 < twins < 100 and 2 <= namesakes < 40, (twins, namesakes)
    assert len(hard) == len(set(truth.values()))


def test_the_identifiers_are_invented_and_uk_shaped(people: list[dict[str, str]]) -> None:
    for r in people:
        if r["postcode"]:
            assert UK_POSTCODE.match(r["postcode"]), r["postcode"]
            assert set(r["postcode"].replace(" ", "")[-2:].upper()) <= set(ids.NOT_IN_INWARD)
    known = {s.lower() for s in ids.SURNAMES}
    family = [r["family_name"].lower() for r in people if r["family_name"]]
    # the invented surnames, but for the typos
    assert 0.95 < sum(f in known for f in family) / len(family) < 0.99


def test_the_errors_come_at_the_stated_rates(
    people: list[dict[str, str]], truth: dict[str, str]
) -> None:
    rates = ids.DEFAULT_RATES
    n = len(people)
    with_year = [r for r in people if r["birth_year"]]
    no_dob = sum(not r["date_of_birth"] for r in with_year) / len(with_year)
    assert abs(no_dob - rates.dob_missing) < 0.01, no_dob
    assert all(not r["date_of_birth"] for r in people if not r["birth_year"])
    other_year = sum(
        r["date_of_birth"][:4] != r["birth_year"] for r in with_year if r["date_of_birth"]
    ) / len(with_year)
    assert other_year < rates.dob_typo  # a digit of the year wrong in some typos
    no_postcode = sum(not r["postcode"] for r in people) / n
    assert abs(no_postcode - rates.postcode_missing) < 0.01, no_postcode
    upper = sum(r["given_name"].isupper() and len(r["given_name"]) > 1 for r in people) / n
    assert abs(upper - rates.upper_case) < 0.01, upper
    formal = {name for name, _ in nicknames().pairs}
    nicks = {nick for _, nick in nicknames().pairs}
    # the given names drawn are formal or plain names; the nicknames come from errors
    short = sum(r["given_name"].lower() in nicks - formal for r in people) / n
    assert 0.01 < short < 0.1, short


def test_identifiers_change_no_other_column(made: tuple[Path, Path], tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    generator.generate_extract(plain, incidents=INCIDENTS, seed=5, identifiers=False)
    for spec in fmt.FILES:
        if spec.name != "people":
            assert (plain / spec.filename).read_bytes() == (made[0] / spec.filename).read_bytes()
    keep = [c.name for c in fmt.PEOPLE.columns if not c.identifier]
    with_ids = [{k: r[k] for k in keep} for r in _rows(made[0] / "people.csv")]
    assert _rows(plain / "people.csv") == with_ids
    assert '"format_version": 1' in (plain / "manifest.json").read_text()
    with pytest.raises(ValueError, match="identifiers"):
        generator.generate_extract(tmp_path / "n", incidents=500, seed=5, identifiers=False,
                                   truth=tmp_path / "t.csv")  # fmt: skip


def test_the_extract_imports_with_its_identifiers(
    made: tuple[Path, Path], people: list[dict[str, str]], tmp_path: Path
) -> None:
    con = store.connect(tmp_path / "s.duckdb")
    try:
        report = import_extract(con, made[0])
        stored = con.execute("SELECT count(*) FROM person_identifiers").fetchone()[0]
        assert stored == sum(any(r[c] for c in fmt.IDENTIFIER_COLUMNS) for r in people)
        (entry,) = con.execute("SELECT format_version FROM import_log").fetchall()
        assert entry == (2,)
        assert any("postcode(s)" in note for note in report.normalised)
    finally:
        con.close()


def _dsvb(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [DSVB, *args], capture_output=True, text=True, timeout=300, env={**os.environ}
    )


def test_demo_data_writes_the_truth_outside_the_extract(tmp_path: Path) -> None:
    out, truth = tmp_path / "x", tmp_path / "truth.csv"
    done = _dsvb("demo-data", "--incidents", "500", "--seed", "2", "--out", str(out),
                 "--truth", str(truth), "--quiet")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"Wrote the true person of each person id to {truth}" in done.stdout
    rows = _rows(truth)
    assert len(rows) == len(_rows(out / "people.csv")) and list(rows[0]) == [
        "record_id",
        "true_person",
        "hard_case",
    ]
    inside = _dsvb("demo-data", "--incidents", "500", "--out", str(out),
                   "--truth", str(out / "truth.csv"), "--quiet")  # fmt: skip
    assert inside.returncode == 2 and "not part of the extract" in inside.stderr
    assert not (out / "truth.csv").exists()
    plain = _dsvb("demo-data", "--incidents", "500", "--out", str(tmp_path / "p"),
                  "--no-identifiers", "--truth", str(tmp_path / "t2.csv"), "--quiet")  # fmt: skip
    assert plain.returncode == 2 and "--no-identifiers" in plain.stderr
