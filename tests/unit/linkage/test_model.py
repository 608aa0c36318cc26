"""The linkage model's guards that need no Splink run: EM's m values checked for sense, the
shipped starting model's m values carried over (u and the prior kept), its prior scaled to
the records, and a saved model of another version not reused."""

from __future__ import annotations

import copy
import json

from dsvb.linkage import model


def _levels(m: dict, name: str) -> list[dict]:
    comparison = next(c for c in m["comparisons"] if c["output_column_name"] == name)
    return [lvl for lvl in comparison["comparison_levels"] if not lvl.get("is_null_level")]


def test_the_shipped_model_is_plausible_and_of_this_version() -> None:
    shipped = model.starting_model(100_000)
    assert model.plausible(shipped)
    assert shipped["dsvb_model_version"] == model.MODEL_VERSION


def test_em_that_found_another_grouping_is_implausible() -> None:
    bad = copy.deepcopy(model.starting_model(100_000))
    dob = _levels(bad, "dob")
    dob[0]["m_probability"], dob[-1]["m_probability"] = 0.005, 0.99  # the demo's failure
    assert not model.plausible(bad)
    sex = copy.deepcopy(model.starting_model(100_000))
    _levels(sex, "sex")[-1]["m_probability"] = 7e-20  # "a person's sex never differs"
    assert not model.plausible(sex)


def test_m_values_come_from_the_starting_model_and_u_and_prior_stay() -> None:
    start = model.starting_model(100_000)
    data = copy.deepcopy(start)
    data["probability_two_random_records_match"] = 1e-7
    for level in _levels(data, "dob"):
        level["m_probability"] = 0.2
        level["u_probability"] = 0.123
    mixed = model.with_m_from(data, start)
    assert [lvl["m_probability"] for lvl in _levels(mixed, "dob")] == [
        lvl["m_probability"] for lvl in _levels(start, "dob")
    ]
    assert {lvl["u_probability"] for lvl in _levels(mixed, "dob")} == {0.123}
    assert mixed["probability_two_random_records_match"] == 1e-7
    assert "dsvb_m_from" in mixed
    assert _levels(data, "dob")[0]["m_probability"] == 0.2  # the input is not changed


def test_the_starting_prior_falls_as_records_grow() -> None:
    small, large = model.starting_model(2_000), model.starting_model(200_000)
    trained_on = small["dsvb_trained_on_records"]
    ratio = (
        small["probability_two_random_records_match"]
        / large["probability_two_random_records_match"]
    )
    assert abs(ratio - (200_000 - 1) / (2_000 - 1)) < 1e-6 * ratio
    assert trained_on >= model.MIN_TRAINING_RECORDS


def test_a_saved_model_of_another_version_is_not_reused() -> None:
    saved = model.starting_model(10_000)
    assert model.loads(model.dumps(saved)) == saved
    saved["dsvb_model_version"] = model.MODEL_VERSION - 1
    assert model.loads(json.dumps(saved)) is None
    assert model.loads("not json") is None
    assert model.loads(None) is None


def test_one_comparisons_m_values_are_taken_where_possible_and_the_rest_stay() -> None:
    start = model.starting_model(100_000)
    learnt = copy.deepcopy(start)
    for level in _levels(learnt, "postcode"):
        level["m_probability"] = 0.25
    _levels(learnt, "postcode")[1]["m_probability"] = 1e-9  # a level EM never saw
    for level in _levels(learnt, "dob"):
        level["m_probability"] = 0.2
    mixed = model.with_m_of(start, learnt, "postcode")
    got = [lvl["m_probability"] for lvl in _levels(mixed, "postcode")]
    kept = _levels(start, "postcode")[1]["m_probability"]
    assert got == [0.25, kept, 0.25, 0.25, 0.25]
    assert _levels(mixed, "dob") == _levels(start, "dob")
    assert "postcode's from EM" in mixed["dsvb_m_from"]
