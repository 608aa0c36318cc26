"""Clustering with splits and anchors, stable keys, and the evaluation's arithmetic: the parts
of a link run that need no Splink."""

from __future__ import annotations

from dsvb.linkage.evaluate import evaluate
from dsvb.linkage.run import assign_keys, cluster


def test_components_join_through_other_records() -> None:
    nodes = ["a", "b", "c", "d"]
    assert cluster(nodes, [("a", "b"), ("c", "b")]) == [0, 0, 0, 3]


def test_a_split_pair_is_never_joined_even_through_a_third_record() -> None:
    nodes = ["a", "b", "c"]
    # a-c is the most likely pair, then c-b: joining c-b would put a and b together
    comps = cluster(nodes, [("a", "c"), ("c", "b")], apart=[("a", "b")])
    assert comps[0] == comps[2]
    assert comps[1] != comps[0]


def test_the_more_likely_edge_wins_a_split_conflict() -> None:
    nodes = ["a", "b", "c"]
    comps = cluster(nodes, [("c", "b"), ("a", "c")], apart=[("a", "b")])
    assert comps[1] == comps[2]
    assert comps[0] != comps[2]


def test_splits_carry_over_when_components_merge() -> None:
    nodes = ["a", "b", "c", "d"]
    # a-b join, c-d join, then b-c would put a (split from d) with d
    comps = cluster(nodes, [("a", "b"), ("c", "d"), ("b", "c")], apart=[("a", "d")])
    assert comps == [0, 0, 2, 2]


def test_two_anchored_clusters_are_never_merged() -> None:
    nodes = ["a", "b", "n"]
    anchors = {"a": "P1", "b": "P2"}
    comps = cluster(nodes, [("a", "n"), ("n", "b")], anchors=anchors)
    assert comps == [0, 1, 0]


def test_a_cluster_keeps_the_key_most_of_its_records_held() -> None:
    nodes = ["a", "b", "c"]
    old = {"a": "P2", "b": "P1", "c": "P1"}
    keys = assign_keys(nodes, [0, 0, 0], old, {"P1": 2, "P2": 1}, run_id=3)
    assert set(keys.values()) == {"P1"}


def test_a_tie_goes_to_the_oldest_key() -> None:
    nodes = ["a", "b"]
    old = {"a": "P9", "b": "P1"}
    keys = assign_keys(nodes, [0, 0], old, {"P9": 1, "P1": 4}, run_id=5)
    assert keys == {"a": "P9", "b": "P9"}


def test_a_split_cluster_keeps_the_key_on_its_larger_part_and_the_rest_gets_a_new_key() -> None:
    nodes = ["a", "b", "c"]
    old = dict.fromkeys(nodes, "P1")
    keys = assign_keys(nodes, [0, 0, 2], old, {"P1": 1}, run_id=2)
    assert keys["a"] == keys["b"] == "P1"
    assert keys["c"] not in {"P1"}
    assert keys["c"].startswith("P") and len(keys["c"]) == 13


def test_new_keys_are_the_same_for_the_same_run_and_records() -> None:
    first = assign_keys(["a", "b"], [0, 1], {}, {}, run_id=1)
    again = assign_keys(["a", "b"], [0, 1], {}, {}, run_id=1)
    assert first == again
    assert first["a"] != first["b"]


def test_pairwise_precision_recall_and_f1() -> None:
    truth = {"r1": "x", "r2": "x", "r3": "x", "r4": "y", "r5": "y"}
    # predicted: {r1, r2}, {r3, r4, r5}: links r1-r2 (true), r3-r4, r3-r5 (false), r4-r5 (true)
    predicted = {"r1": "K1", "r2": "K1", "r3": "K2", "r4": "K2", "r5": "K2"}
    result = evaluate(predicted, truth)
    assert (result.true_pairs, result.predicted_pairs, result.true_positives) == (4, 4, 2)
    assert result.precision == 0.5
    assert result.recall == 0.5
    assert result.f1 == 0.5


def test_an_unkeyed_record_is_a_person_of_its_own() -> None:
    truth = {"r1": "x", "r2": "x"}
    result = evaluate({"r1": "K1"}, truth)
    assert result.predicted_pairs == 0
    assert result.recall == 0.0
    assert result.precision == 1.0
    assert result.f1 == 0.0
