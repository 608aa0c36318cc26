"""Linkage scored on Spark gives what linkage on DuckDB gives: the same people under the same
keys, the same linking pairs with the same weights and levels, in a full and an incremental
run, with the same model. One Spark session (local mode) for the module: starting one takes
seconds, and Splink's first queries on it more."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from dsvb import store
from dsvb.demo.identities import person_records
from dsvb.linkage import model as link_model
from dsvb.linkage.records import PersonRecord
from dsvb.linkage.run import LinkRun, link
from dsvb.linkage.spark import SparkModelError, SparkScorer, spark_scoring, spark_settings
from tests.support.commands import run_dsvb, web_env

#: tolerance of a pair's weight between engines (they compute the same sums in doubles)
TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def records() -> tuple[list[PersonRecord], list[PersonRecord]]:
    """A few hundred records (three sources, with the generator's errors and hard cases):
    nine in ten for a first, full run, the rest arriving for an incremental one."""
    rows, _truth = person_records(400, seed=5)
    first = [r for i, r in enumerate(rows) if i % 10 != 9]
    return first, rows


@pytest.fixture(scope="module")
def scorer() -> Iterator[SparkScorer]:
    with spark_scoring("local[2]") as scoring:
        yield scoring
    assert scoring.local_dir is not None
    assert not Path(scoring.local_dir).exists(), "Spark's private folder was left behind"


def _state(con: duckdb.DuckDBPyConnection, run: LinkRun) -> tuple[list, dict]:
    links = con.execute("SELECT * FROM person_links ORDER BY source, record_id").fetchall()
    pairs = {
        row[:4]: row[4:]
        for row in con.execute(
            "SELECT source_l, record_id_l, source_r, record_id_r, match_weight, "
            "match_probability, comparisons FROM link_pairs WHERE run_id = ?",
            [run.run_id],
        ).fetchall()
    }
    return links, pairs


def _runs(
    records: tuple[list, list], score: SparkScorer | None
) -> list[tuple[LinkRun, list, dict]]:
    first, every = records
    con = duckdb.connect()
    try:
        results = []
        for extra in (first, every):  # a full run, then an incremental one
            run = link(con, extra=extra, score=score)
            results.append((run, *_state(con, run)))
        models = [m for (m,) in con.execute("SELECT model FROM link_runs ORDER BY run_id")
                  .fetchall()]  # fmt: skip
        return [(*result, model) for result, model in zip(results, models, strict=True)]
    finally:
        con.close()


@pytest.fixture(scope="module")
def both(records: tuple[list, list], scorer: SparkScorer) -> tuple[list, list]:
    return _runs(records, None), _runs(records, scorer)


def _groups(links: list) -> set[frozenset]:
    by_key: dict[str, set] = {}
    for source, record_id, key, _run in links:
        by_key.setdefault(key, set()).add((source, record_id))
    return {frozenset(members) for members in by_key.values()}


@pytest.mark.parametrize("step", [0, 1], ids=["full", "incremental"])
def test_spark_groups_the_people_duckdb_groups_under_the_same_keys(
    both: tuple[list, list], step: int
) -> None:
    (duck_run, duck_links, _, duck_model) = both[0][step]
    (spark_run, spark_links, _, spark_model) = both[1][step]
    assert spark_model == duck_model, "the engines' runs used different models"
    assert duck_run.mode == spark_run.mode
    assert duck_run.new_records == spark_run.new_records
    if step == 1:
        assert duck_run.new_records > 0, "the incremental run had nothing new: it tests nothing"
    groups = _groups(duck_links)
    assert any(len(g) > 1 for g in groups), "no record was linked: the test tests nothing"
    assert _groups(spark_links) == groups
    assert spark_links == duck_links  # the keys too, and the run that set each


@pytest.mark.parametrize("step", [0, 1], ids=["full", "incremental"])
def test_spark_scores_each_linking_pair_as_duckdb_does(both: tuple[list, list], step: int) -> None:
    duck_pairs, spark_pairs = both[0][step][2], both[1][step][2]
    assert duck_pairs, "no pair scored: the test tests nothing"
    assert sorted(spark_pairs) == sorted(duck_pairs)
    for pair, (weight, probability, comparisons) in duck_pairs.items():
        s_weight, s_probability, s_comparisons = spark_pairs[pair]
        assert abs(s_weight - weight) <= TOLERANCE, (pair, weight, s_weight)
        assert abs(s_probability - probability) <= TOLERANCE, (pair, probability, s_probability)
        assert json.loads(s_comparisons) == json.loads(comparisons), pair


def test_a_trained_model_scores_alike_on_both_engines(scorer: SparkScorer) -> None:
    """Enough records to train (not the shipped model): the trained model, saved by the
    DuckDB run, rescored on Spark by a full rerun, gives the same people and weights."""
    rows, _ = person_records(link_model.MIN_TRAINING_RECORDS + 200, seed=9)
    con = duckdb.connect()
    try:
        trained = link(con, extra=rows)
        assert trained.model == "trained"
        links, pairs = _state(con, trained)
        again = link(con, extra=rows, full=True, score=scorer)
        assert again.model == "saved"
        spark_links, spark_pairs = _state(con, again)
    finally:
        con.close()
    assert _groups(spark_links) == _groups(links)
    assert [row[:3] for row in spark_links] == [row[:3] for row in links]
    assert sorted(spark_pairs) == sorted(pairs)
    worst = max(abs(spark_pairs[p][0] - pairs[p][0]) for p in pairs)
    assert worst <= TOLERANCE


def test_spark_spills_only_into_a_private_folder(scorer: SparkScorer) -> None:
    assert scorer.local_dir is not None
    assert scorer.spark.conf.get("spark.local.dir") == scorer.local_dir
    assert os.stat(scorer.local_dir).st_mode & 0o077 == 0, "the folder is readable by others"


def test_a_model_of_other_comparisons_is_refused() -> None:
    model = link_model.starting_model(100)
    model["comparisons"][0]["comparison_levels"][1]["label_for_charts"] = "something else"
    with pytest.raises(SparkModelError, match="something else"):
        spark_settings(model)


def test_the_spark_model_keeps_every_trained_number() -> None:
    model = link_model.starting_model(100)
    rendered = spark_settings(model)
    assert rendered["sql_dialect"] == "spark"
    assert (
        rendered["probability_two_random_records_match"]
        == (model["probability_two_random_records_match"])
    )
    conditions = []
    for ours, theirs in zip(model["comparisons"], rendered["comparisons"], strict=True):
        for a, b in zip(ours["comparison_levels"], theirs["comparison_levels"], strict=True):
            assert (a.get("m_probability"), a.get("u_probability")) == (
                b.get("m_probability"),
                b.get("u_probability"),
            )
            conditions.append(b["sql_condition"])
    assert any("dsvb_jaro_winkler(" in c for c in conditions)  # DuckDB's, computed on Spark
    assert not any("jaro_winkler_similarity" in c for c in conditions)


def _dsvb(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_dsvb(web_env(tmp), *args)


def test_a_spark_master_without_the_spark_engine_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "store.duckdb"
    store.connect(path).close()
    result = _dsvb(tmp_path, "link", "--store", str(path), "--spark-master", "local[1]")
    assert result.returncode == 1
    assert "--spark-master is for --engine spark" in result.stderr


def test_spark_computes_duckdbs_jaro_winkler(scorer: SparkScorer) -> None:
    """Splink's jar scores these otherwise (robnson/robson 0.908 against 0.928: across the
    0.92 level); the function the Spark model uses gives DuckDB's scores exactly."""
    from dsvb.linkage.spark import JARO_WINKLER

    pairs = [
        ("atkinnson", "atkinson"),
        ("robnson", "robson"),
        ("carl", "clarke"),
        ("tony", "tyrone"),
        ("chantelle", "charlotte"),
        ("ann", "ann"),
        ("a", "zz"),
    ]
    values = ", ".join(f"('{a}', '{b}')" for a, b in pairs)
    duck = {
        (a, b): s
        for a, b, s in duckdb.sql(
            f"SELECT a, b, jaro_winkler_similarity(a, b) FROM (VALUES {values}) t(a, b)"
        ).fetchall()
    }
    spark = {
        (r[0], r[1]): r[2]
        for r in scorer.spark.sql(
            f"SELECT a, b, {JARO_WINKLER}(a, b) FROM VALUES {values} AS t(a, b)"
        ).collect()
    }
    assert spark == duck
    nulls = scorer.spark.sql(f"SELECT {JARO_WINKLER}(NULL, 'ann') AS s").collect()
    assert nulls[0]["s"] is None
