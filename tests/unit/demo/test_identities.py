"""The demo's synthetic people (dsvb.demo.identities): the same for a seed, invented (no
surname from the board's papers, no real postcode), the hard cases planted as promised, and
records whose errors are the ones and at the rates stated, with the truth kept."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter
from dataclasses import fields
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dsvb import reference
from dsvb.demo import identities as ids
from dsvb.linkage.records import EXTRACT, RecordRef
from dsvb.reference.nicknames import nicknames

SEEDS = Path(__file__).parents[2] / "data" / "seeds"
UK_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$")
NO_ERRORS = ids.ErrorRates(**{f.name: 0.0 for f in fields(ids.ErrorRates)})


@pytest.fixture(scope="module")
def people() -> list[ids.Identity]:
    return ids.population(20_000, seed=11)


def test_the_same_seed_gives_the_same_people_and_another_seed_others() -> None:
    assert ids.population(500, seed=3) == ids.population(500, seed=3)
    assert ids.population(500, seed=3) != ids.population(500, seed=4)
    assert ids.population(0, seed=3) == []
    with pytest.raises(ValueError, match="n_people"):
        ids.population(-1, seed=3)


def test_exactly_the_people_asked_for_each_with_every_identifier(
    people: list[ids.Identity],
) -> None:
    assert len(people) == 20_000
    assert len({p.person_id for p in people}) == 20_000
    for p in people:
        assert p.given_name and p.family_name and p.sex in {"female", "male"}
        assert 16 <= (ids.REFERENCE_DAY - p.date_of_birth).days / 365.25 <= 86


def test_postcodes_are_uk_shaped_in_the_borough_and_none_is_real(
    people: list[ids.Identity],
) -> None:
    for p in people:
        for code, area in ((p.postcode, p.area_code), (p.previous_postcode, p.previous_area_code)):
            if code is None:
                continue
            assert UK_POSTCODE.match(code), code
            outward, inward = code.split()
            assert outward in ids.BOROUGH_DISTRICTS[area]
            # a real postcode's inward code never ends in C, I, K, M, O or V
            assert set(inward[1:]) <= set(ids.NOT_IN_INWARD), code


def test_every_london_borough_has_districts_and_only_boroughs_do() -> None:
    boroughs = {a.code for a in reference.areas() if a.kind == "borough"}
    assert set(ids.BOROUGH_DISTRICTS) == boroughs


def test_no_surname_is_from_the_seeds() -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    assert len(texts) >= 3
    words = set(re.findall(r"[A-Za-z'-]+", "\n".join(texts)))
    surnames = {part for s in ids.SURNAMES for part in s.split("-")}
    assert not surnames & words, sorted(surnames & words)


def test_the_hard_cases_are_planted_as_described(people: list[ids.Identity]) -> None:
    by_case = Counter(p.hard_case for p in people)
    # about 1% twins, 0.5% namesakes, 4% married (of everyone)
    assert 120 <= by_case["twin"] <= 280
    assert 50 <= by_case["namesake"] <= 150
    assert 600 <= by_case["married"] <= 1000
    twins = [p for p in people if p.hard_case == "twin"]
    pairs = [(twins[i], twins[i + 1]) for i in range(0, len(twins), 2)]
    for a, b in pairs:
        assert (a.family_name, a.date_of_birth, a.postcode) == (
            b.family_name,
            b.date_of_birth,
            b.postcode,
        )
        assert a.given_name != b.given_name and a.person_id != b.person_id
    namesakes = [p for p in people if p.hard_case == "namesake"]
    for a, b in (namesakes[i : i + 2] for i in range(0, len(namesakes), 2)):
        assert (a.given_name, a.family_name, a.date_of_birth) == (
            b.given_name,
            b.family_name,
            b.date_of_birth,
        )
        assert a.area_code != b.area_code
    for p in people:
        if p.hard_case == "married":
            assert p.sex == "female" and p.former_family_name not in (None, p.family_name)
        else:
            assert p.former_family_name is None


def test_a_record_without_errors_is_the_person(people: list[ids.Identity]) -> None:
    rng = random.Random(1)
    for p in people[:200]:
        r = ids.recorded(p, rng, source="x", record_id="7", rates=NO_ERRORS)
        assert (r.given_name, r.family_name, r.date_of_birth, r.postcode, r.sex, r.area_code) == (
            p.given_name,
            p.family_name,
            p.date_of_birth,
            p.postcode,
            p.sex,
            p.area_code,
        )
        assert r.ref == RecordRef("x", "7") and r.other_names is None


def _one(person: ids.Identity, **rates: float) -> ids.PersonRecord:
    return ids.recorded(
        person, random.Random(5), source="x", record_id="1", rates=ids.ErrorRates(
            **{f.name: rates.get(f.name, 0.0) for f in fields(ids.ErrorRates)})
    )  # fmt: skip


def test_each_error_does_what_it_says() -> None:
    liz = ids.Identity("T1", "Elizabeth", "Jones", dt.date(1980, 3, 7), "SE11 4KO", "female",
                       "E09000022", "Walsh", "SW9 2MV", "E09000022", "married")  # fmt: skip
    assert _one(liz, given_nickname=1).given_name in {"Liz", "Beth", "Betty", "Eliza", "Lizzie"}
    assert _one(liz, dob_transposed=1).date_of_birth == dt.date(1980, 7, 3)
    assert _one(liz, dob_missing=1).date_of_birth is None
    typo = _one(liz, dob_typo=1).date_of_birth
    assert typo != liz.date_of_birth and typo.month == 3
    assert _one(liz, family_former=1).family_name == "Walsh"
    assert _one(liz, other_names_former=1).other_names == "Walsh"
    moved = _one(liz, postcode_previous=1)
    assert (moved.postcode, moved.area_code) == ("SW9 2MV", "E09000022")
    assert _one(liz, postcode_missing=1).postcode is None
    assert _one(liz, postcode_typo=1).postcode != "SE11 4KO"
    assert _one(liz, postcode_unspaced=1).postcode in {"SE114KO", "se11 4ko"}
    assert _one(liz, upper_case=1).given_name == "ELIZABETH"
    assert _one(liz, sex_missing=1).sex is None
    assert _one(liz, given_missing=1, family_missing=1).given_name is None
    assert _one(liz, family_typo=1).family_name not in {"Jones", None}
    # a day that cannot be a month is never transposed
    late = ids.Identity("T2", "Amy", "Cox", dt.date(1990, 5, 21), "E1 1CC", "female", "E09000030")
    assert _one(late, dob_transposed=1).date_of_birth == dt.date(1990, 5, 21)


def _damerau_one(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (
            len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )  # fmt: skip
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


@given(st.sampled_from(ids.SURNAMES + ids.WOMEN + ids.MEN), st.integers(0, 2**32))
def test_a_typo_is_one_keying_error_away_and_keeps_the_first_letter(word: str, seed: int) -> None:
    typo = ids._typo(random.Random(seed), word)
    assert typo[0] == word[0]
    # a doubled or swapped pair of equal letters gives the word back; otherwise one edit
    assert typo == word or _damerau_one(word, typo), (word, typo)


def test_records_carry_the_truth_and_every_person_has_one() -> None:
    records, truth = ids.person_records(8_000, seed=2)
    assert len(records) == 8_000 == len(truth)
    assert set(truth) == {r.ref for r in records}
    people = set(truth.values())
    assert len(people) == 5_000  # 8,000 / 1.6
    sources = Counter(r.source for r in records)
    assert set(sources) == {EXTRACT, *ids.AGENCY_SOURCES}
    assert 0.55 < sources[EXTRACT] / 8_000 < 0.65
    for r in records:
        if r.source == EXTRACT:
            assert re.fullmatch(r"P\d{9}", r.record_id)
        else:
            assert r.record_id.isdigit()
    # some people under several ids, some across sources
    per_person = Counter(truth.values())
    assert max(per_person.values()) >= 4
    across = {}
    for ref, person in truth.items():
        across.setdefault(person, set()).add(ref.source)
    assert sum(len(s) > 1 for s in across.values()) > 500
    again = ids.person_records(8_000, seed=2)
    assert again == (records, truth)
    assert ids.person_records(0, seed=2) == ([], {})
    with pytest.raises(ValueError, match="source"):
        ids.person_records(10, seed=2, sources=())


def test_the_errors_happen_at_the_stated_rates() -> None:
    """Measured on 30,000 records of a fixed seed (so the test is deterministic): each error
    at its rate within a margin of about four standard errors."""
    records, truth = ids.person_records(30_000, seed=9)
    people = {p.person_id: p for p in ids.population(round(30_000 / 1.6), seed=9)}
    rates = ids.DEFAULT_RATES
    n = len(records)
    pairs = [(r, people[truth[r.ref]]) for r in records]

    def near(observed: int, total: int, rate: float) -> None:
        se = (rate * (1 - rate) / total) ** 0.5
        assert abs(observed / total - rate) < 4 * se + 1e-9, (observed / total, rate)

    near(sum(r.date_of_birth is None for r, _ in pairs), n, rates.dob_missing)
    near(sum(r.postcode is None for r, _ in pairs), n, rates.postcode_missing)
    near(sum(r.sex is None for r, _ in pairs), n, rates.sex_missing)
    near(sum(r.given_name is None for r, _ in pairs), n, rates.given_missing)
    with_nick = [(r, p) for r, p in pairs if nicknames().of(p.given_name) and r.given_name]
    nicked = sum(r.given_name.lower() in nicknames().of(p.given_name) for r, p in with_nick)
    assert 0.7 * rates.given_nickname < nicked / len(with_nick) < 1.3 * rates.given_nickname
    eligible = [(r, p) for r, p in pairs
                if r.date_of_birth and p.date_of_birth.day <= 12
                and p.date_of_birth.day != p.date_of_birth.month]  # fmt: skip
    swapped = sum(
        r.date_of_birth == p.date_of_birth.replace(day=p.date_of_birth.month,
                                                   month=p.date_of_birth.day)
        for r, p in eligible
    )  # fmt: skip
    assert 0.5 * rates.dob_transposed < swapped / len(eligible) < 1.5 * rates.dob_transposed
    married = [(r, p) for r, p in pairs if p.former_family_name]
    former = sum(r.family_name == p.former_family_name for r, p in married)
    assert 0.35 < former / len(married) < 0.6
