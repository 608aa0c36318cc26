"""Reference data: areas and how raw names are read."""

from __future__ import annotations

import datetime as dt

import pytest

from dsvb import reference
from dsvb.reference import normalise_name


def test_the_32_london_boroughs_with_ons_codes() -> None:
    registry = reference.areas()
    mps = registry.for_force("MPS")
    assert len(mps) == 32
    assert {a.code for a in mps} == {f"E090000{n:02d}" for n in range(2, 34)}
    assert registry.by_code("E09000021").name == "Kingston upon Thames"


@pytest.mark.parametrize(
    ("raw", "code", "how"),
    [
        ("E09000022", "E09000022", "code"),
        ("e09000022", "E09000022", "normalised"),
        ("Lambeth", "E09000022", "exact"),
        ("Barking & & Dagenham", "E09000002", "normalised"),
        ("Kingston Upon Thames", "E09000021", "normalised"),
        ("  hammersmith  &  fulham ", "E09000013", "normalised"),
        ("K&C", "E09000020", "variant"),
        ("Richmond", "E09000027", "variant"),
        ("Hammersmith & Fulam", "E09000013", "similar"),
        ("Tower Hamlet", "E09000030", "similar"),
    ],
)
def test_area_names_are_matched_and_the_way_is_reported(raw: str, code: str, how: str) -> None:
    match = reference.areas().match(raw)
    assert match.area is not None and match.area.code == code
    assert match.how == how
    assert match.changed == (how not in ("code", "exact"))


@pytest.mark.parametrize("raw", ["Gotham", "", "E09000001", "Sutton Coldfield", "Brentwood"])
def test_unknown_areas_are_not_guessed(raw: str) -> None:
    assert reference.areas().match(raw).area is None


def test_normalise_name() -> None:
    assert normalise_name("Barking & & Dagenham") == "barking and dagenham"
    assert normalise_name("Kensington+Chelsea") == "kensington and chelsea"
    assert normalise_name("St. Helens") == "st helens"


def test_outcomes_and_offence_groups_match_the_extract_format() -> None:
    from dsvb.ingest.extract_format import CRIMES

    assert set(CRIMES.column("outcome").values) == set(reference.outcomes())
    assert set(reference.sanction_detection_outcomes()) == {
        o.code for o in reference.outcomes().values() if o.sd_category != "none"
    }
    assert set(reference.sexual_offence_groups()) == {
        "rape",
        "other_sexual",
        "trafficking_sexual_exploitation",
        "child_sexual_exploitation",
    }


def test_targets_are_dated() -> None:
    assert reference.target_for("sd_rate", "dv", dt.date(2010, 6, 1)).value == 0.46
    assert reference.target_for("arrest_rate_offences", "dv", dt.date(2007, 6, 1)).value == 0.60
    assert reference.target_for("arrest_rate_offences", "dv", dt.date(2010, 6, 1)).value == 0.70
    assert reference.target_for("sd_rate", "dv", dt.date(2001, 1, 1)) is None


def test_published_families_are_not_dsvb_families_and_name_the_one_they_differ_from() -> None:
    from dsvb.indicators.definitions import FAMILIES
    from dsvb.reference import published_families

    families = published_families()
    assert "sexual_not_rape" in families
    for family in families.values():
        assert family.family not in FAMILIES  # never the id of a dsvb family
        assert family.unlike in FAMILIES  # the dsvb family it must not be taken for
        assert family.label and family.unlike in family.meaning
