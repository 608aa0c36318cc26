"""The demo's cases share people with the demo police extract (dsvb.demo.cases with
``extract``): victims and perpetrators of the extract's Lambeth and Southwark crimes,
recorded with an agency's variations, the truth of them kept, and the files still valid."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from dsvb.cases.interchange_read import read_folder
from dsvb.demo import cases as demo
from dsvb.demo.generator import generate_extract
from dsvb.reference.nicknames import nicknames

TODAY = dt.date(2026, 12, 6)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("shared") / "extract"
    generate_extract(folder, incidents=8_000, seed=4)
    return folder


@pytest.fixture(scope="module")
def written(extract: Path, tmp_path_factory: pytest.TempPathFactory) -> demo.DemoCases:
    folder = tmp_path_factory.mktemp("shared") / "cases"
    return demo.write_demo_cases(folder, today=TODAY, seed=7, extract=extract)


def _one_edit(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) <= 1 or (len(diff) == 2 and diff[1] == diff[0] + 1)
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def test_cases_share_extract_people_recorded_with_the_agencys_variations(
    written: demo.DemoCases, extract: Path
) -> None:
    read_folder(written.folder)  # raises, listing every problem, if any
    assert len(written.same_people) >= 10
    people = {(r["agency"], r["person_id"]): r for r in _rows(written.folder / "people.csv")}
    police = {r["person_id"]: r for r in _rows(extract / "people.csv")}
    roles = {r["person"]: r["role"] for r in _rows(written.folder / "case_people.csv")}
    victims = {r["victim_person_id"] for r in _rows(written.folder / "cases.csv")}
    assert any(pid in victims for _, pid in written.same_people)
    assert any(roles.get(pid) == "perpetrator" for _, pid in written.same_people)
    for key, extract_id in written.same_people.items():
        case, known = people[key], police[extract_id]
        assert case["sex"] == known["sex"]
        given, kgiven = case["given_name"].lower(), known["given_name"].lower()
        assert nicknames().alike(given, kgiven) or _one_edit(given, kgiven), (given, kgiven)
        family, kfamily = case["family_name"].lower(), known["family_name"].lower()
        assert _one_edit(family, kfamily), (family, kfamily)
        born, kborn = case["date_of_birth"], known["date_of_birth"]
        assert born[:4] == kborn[:4] or sorted(born) == sorted(kborn)  # a typo or a swap


def test_a_shared_victims_home_is_the_extracts_postcode(
    written: demo.DemoCases, extract: Path
) -> None:
    police = {r["person_id"]: r for r in _rows(extract / "people.csv")}
    cases = {r["case_id"]: r for r in _rows(written.folder / "cases.csv")}
    homes = {r["case"]: r["postcode"] for r in _rows(written.folder / "addresses.csv")
             if r["kind"] == "home"}  # fmt: skip
    checked = 0
    for (_, pid), extract_id in written.same_people.items():
        for case_id, case in cases.items():
            if case["victim_person_id"] == pid and case_id in homes:
                packed = police[extract_id]["postcode"].replace(" ", "").upper()
                assert homes[case_id].replace(" ", "") == packed
                checked += 1
    assert checked >= 5


def test_the_same_extract_and_seed_give_the_same_files_and_none_without_an_extract(
    written: demo.DemoCases, extract: Path, tmp_path: Path
) -> None:
    again = demo.write_demo_cases(tmp_path / "again", today=TODAY, seed=7, extract=extract)
    assert again.same_people == written.same_people
    for name in ("people.csv", "addresses.csv"):
        assert (again.folder / name).read_bytes() == (written.folder / name).read_bytes()
    alone = demo.write_demo_cases(tmp_path / "alone", today=TODAY, seed=7)
    assert alone.same_people == {}
    plain = tmp_path / "plain"
    generate_extract(plain, incidents=500, seed=4, identifiers=False)
    assert (
        demo.write_demo_cases(tmp_path / "p", today=TODAY, seed=7, extract=plain).same_people == {}
    )
