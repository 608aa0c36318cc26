"""The benchmark suite, run small so that it cannot rot.

No timing is asserted: only that every measurement runs, that the engine, the hand-written
SQL, the pandas baseline and (where Polars is installed) the Polars baseline agree exactly,
that each method's peak memory is its own process's, and that the report carries every ratio
and target of decision 0017.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import ibis
import pytest

from benchmarks import baseline_pandas, baseline_polars, baseline_sql, figures
from benchmarks import run as bench
from dsvb import store
from dsvb.indicators.engine import IndicatorQuery, compute
from dsvb.ingest.extract import import_extract
from tests.support.builder import ExtractBuilder

NEWHAM, SOUTHWARK = "E09000025", "E09000028"
BASELINES = ("pandas", "polars")  # both are in the dev extra that `make install` installs


@pytest.mark.slow
def test_the_suite_runs_and_every_implementation_agrees(tmp_path: Path) -> None:
    out = tmp_path / "out"
    report = bench.run(
        [5_000], cache=tmp_path / "cache", out=out, repeats=1, warmup=1, say=lambda _m: None
    )

    (size,) = report["sizes"]
    agreement = size["agreement"]
    assert agreement["agree"], "\n".join(agreement["differences"])
    assert agreement["implementations"] == sorted(["engine", "sql", *BASELINES])
    assert agreement["areas"] == 32
    assert agreement["figures"] > 4_000

    measured = size["measurements"]
    assert set(measured) == {"engine", "sql", *BASELINES, "import", "read_csv"}
    for m in measured.values():
        # wait4's ru_maxrss covers the whole life of the process, so never less than the
        # VmHWM the task read itself (a unit slip of 1024 would fail here)
        for reaped, own in zip(m["peak_rss"], m["peak_rss_self"], strict=True):
            assert reaped >= own > 10 * 2**20
    ratios = {r["id"]: r for r in size["ratios"]}
    expected = {r[0] for r in bench.RATIOS}
    expected |= {
        r[0] for r in (*bench.STORE_RATIOS, *bench.COMPUTE_ONLY_RATIOS) if r[2] in measured
    }
    expected |= {r[0] for r in bench.MEMORY_RATIOS if r[2] in measured and r[3] in measured}
    assert set(ratios) == expected
    assert {"engine_vs_sql", "engine_vs_pandas", "engine_vs_pandas_rss"} <= set(ratios)
    assert ratios["engine_vs_sql"]["target"] == "<= 1.2x"
    assert ratios["engine_vs_pandas"]["target"] == "< 1x"
    for name in BASELINES:
        assert measured[name]["load_seconds_median"] > 0
    for ratio in ratios.values():
        assert math.isfinite(ratio["value"]) and ratio["value"] > 0
    for rid in ("engine_vs_sql", "import_vs_read_csv", *(f"engine_vs_{b}" for b in BASELINES)):
        assert isinstance(ratios[rid]["met"], bool)

    text = (out / "latest.txt").read_text(encoding="utf-8")
    labels = [bench.LABELS[name] for name in measured]
    for label in (*labels, *(r["label"] for r in ratios.values())):
        assert label in text
    assert f"agreement: {' = '.join(sorted(['engine', 'sql', *BASELINES]))} on all" in text
    assert json.loads((out / "latest.json").read_text(encoding="utf-8")) == report
    assert not list((tmp_path / "cache").glob("work-*")), "scratch stores are removed"


def _edge_cases(b: ExtractBuilder) -> None:
    """Records at the edges of the definitions, all in the benchmark's period."""
    once, twice, window, long_ago, cross, cautioned = (b.person() for _ in range(6))
    b.crime(victims=[once], outcome="charge", with_incident=True, arrested_at="2010-03-02T00:00:00")
    b.crime(victims=[twice], recorded_at="2010-02-01T10:00:00", outcome="caution")
    b.crime(victims=[twice], recorded_at="2010-09-01T10:00:00", area=NEWHAM, outcome="tic")
    b.crime(victims=[window], recorded_at="2009-05-01T10:00:00")  # before the period
    b.crime(victims=[window], recorded_at="2010-03-01T10:00:00", risk_form="completed")
    b.crime(victims=[long_ago], recorded_at="2008-11-30T10:00:00")  # outside the look-back
    b.crime(victims=[long_ago], recorded_at="2010-03-01T10:00:00", risk_form="partial",
            risk_form_supervised=True)  # fmt: skip
    b.crime(victims=[cross], recorded_at="2010-03-01T10:00:00")
    b.crime(victims=[cross], recorded_at="2010-04-01T10:00:00", dv=False, offence_group="rape",
            serious_sexual=True, unit="SCD2", with_incident=True, havens_referral=True)  # fmt: skip
    b.crime(victims=[once], status="no_crime", with_incident=True)
    b.crime(status="cri", with_incident=True, area="Southwark")
    b.crime(dv=False, offence_group="other_sexual", unit="BOROUGH_OTHER", with_incident=True)
    b.crime(suspects=[cautioned], outcome="caution", recorded_at="2006-02-01T00:00:00")
    b.crime(suspects=[cautioned], outcome="caution", recorded_at="2010-02-01T00:00:00",
            area=SOUTHWARK)  # fmt: skip
    b.crime(outcome="charge", withdrawn_after_charge=True, unsupported_prosecution=True)
    b.crime(outcome="charge", hbv=True, lgbt=True, fgm=True, offence_group="fgm")
    b.crime(offence_group="homicide", unit="SCD1", forced_marriage=True)
    b.crime(recorded_at="2010-11-30T23:30:00Z")  # the last half hour of the period
    b.crime(recorded_at="2010-12-01T00:00:00")  # just after
    b.incident(reported_at="2009-11-30T23:59:59")  # just before
    b.incident(suspect_present=True, arrest_made=True, channel="front_counter")
    b.incident(suspect_present=True, arrest_made=False, no_crime_report_reason="none")
    b.incident(dv_flag=False, sexual_offence_flag=True, area=NEWHAM)
    c = b.crime()
    b.contact(c, "support_referral", "2010-03-03T17:00:00", "2010-03-03T16:59:00")
    b.contact(c, "support_referral", "2010-03-04T17:00:00", "2010-03-04T17:00:00")
    b.contact(c, "arrest", "2010-03-02T17:00:00", "2010-03-05T09:00:00")
    b.contact(c, "update", "2010-04-01T17:00:00")
    b.contact(c, "update", "2011-02-01T17:00:00")  # due after the period


def test_the_baselines_agree_with_the_engine_at_the_edges_of_the_definitions(
    builder: ExtractBuilder, tmp_path: Path
) -> None:
    _edge_cases(builder)
    folder = builder.write(tmp_path / "extract")
    con = store.connect(":memory:")
    try:
        import_extract(con, folder)
        query = IndicatorQuery(start=figures.PERIOD_START, end=figures.PERIOD_END, by=("area",))
        results = {
            "engine": figures.from_results(compute(ibis.duckdb.from_connection(con), query)),
            "sql": baseline_sql.compute(con),
            "pandas": baseline_pandas.compute(baseline_pandas.load(con)),
            "polars": baseline_polars.compute(baseline_polars.load(con)),
        }
    finally:
        con.close()
    figures.assert_agree(results)
    sql = results["sql"]
    assert sql[("ALL", "dv", "repeat_victim_rate")] == (2, 5)  # twice and window repeat
    assert sql[("ALL", "dv", "repeat_caution_offenders")] == (1, None)
    assert sql[("ALL", "dv", "vcop_compliance")] == (2, 4)
    assert sql[(NEWHAM, "sexual", "incidents")] == (1, None)


def test_a_disagreement_fails_loudly_and_names_the_figure() -> None:
    key = ("E09000022", "dv", "sd_rate")
    engine = {key: (5, 7), ("ALL", "dv", "sd_rate"): (5, 7)}
    sql = {key: (5, 8), ("ALL", "dv", "sd_rate"): (5, 7)}
    with pytest.raises(figures.Disagreement) as caught:
        figures.assert_agree({"engine": engine, "sql": sql, "pandas": dict(sql)})
    message = str(caught.value)
    assert "disagree on 1 of 2 figures" in message
    assert "E09000022 dv sd_rate: engine (5, 7), sql (5, 8), pandas (5, 8)" in message


def test_the_polars_baseline_agrees_with_the_sql_floor_at_the_edges(
    builder: ExtractBuilder, tmp_path: Path
) -> None:
    """Polars is in the dev extra (`make install`): a missing Polars fails here, not skips."""
    assert baseline_polars.AVAILABLE, baseline_polars.MISSING
    _edge_cases(builder)
    folder = builder.write(tmp_path / "extract")
    con = store.connect(":memory:")
    try:
        import_extract(con, folder)
        frames = baseline_polars.load(con)
        results = {
            "sql": baseline_sql.compute(con),
            "polars": baseline_polars.compute(frames),
        }
    finally:
        con.close()
    assert frames.nbytes > 0
    figures.assert_agree(results)
    assert results["polars"][("ALL", "dv", "repeat_victim_rate")] == (2, 5)


def _measured(median: float, load: float | None = None, rss: int = 2**30) -> dict:
    m = {"median": median, "min": median, "times": [median], "cpu_median": median,
         "peak_rss_median": rss}  # fmt: skip
    return m if load is None else {**m, "load_seconds_median": load}


def test_the_restated_targets_are_judged_against_the_baselines_read_from_the_store() -> None:
    """Decision 0017, on given medians, so the Polars ratios are checked where it is absent."""
    ratios = {
        r["id"]: r
        for r in bench.ratios(
            {
                "engine": _measured(1.2, rss=2**29),
                "sql": _measured(1.0),
                "pandas": _measured(3.0, load=2.0, rss=2**32),
                "polars": _measured(0.8, load=0.6),
            }
        )
    }
    assert ratios["engine_vs_sql"]["value"] == pytest.approx(1.2)
    assert ratios["engine_vs_sql"]["met"] is True  # at the target is within it
    assert ratios["engine_vs_pandas"]["value"] == pytest.approx(1.2 / 5.0)
    assert ratios["engine_vs_pandas"]["met"] is True
    # slower than Polars' computation alone, faster once Polars has read the store
    assert ratios["engine_vs_polars"]["value"] == pytest.approx(1.2 / 1.4)
    assert ratios["engine_vs_polars"]["met"] is True
    assert ratios["engine_vs_polars_compute"]["value"] == pytest.approx(1.5)
    assert ratios["engine_vs_polars_compute"]["met"] is None
    assert ratios["engine_vs_polars_rss"]["value"] == pytest.approx(0.5)
    assert ratios["engine_vs_pandas_rss"]["value"] == pytest.approx(0.125)

    slow = {r["id"]: r for r in bench.ratios({"engine": _measured(1.5), "sql": _measured(1.0),
                                              "polars": _measured(1.0, load=0.5)})}  # fmt: skip
    assert slow["engine_vs_sql"]["met"] is False
    assert slow["engine_vs_polars"]["met"] is False  # equal is not faster
    assert "engine_vs_pandas" not in slow, "a baseline not run has no ratio, not a made-up one"


@pytest.mark.slow
def test_the_cold_start_benchmark_runs_and_its_runs_agree(tmp_path: Path) -> None:
    """``benchmarks/cold_start.py`` small: a fresh store, fresh processes, the same CSV from
    every run, and a report with the baseline, the first run and the two kinds of run."""
    from benchmarks import cold_start

    report = cold_start.run(runs=1, incidents=1_000, out=tmp_path, say=lambda _m: None)
    assert report["same_output"]
    assert report["csv_rows"] > 1_000  # every area and the force row, each dv indicator
    for kind in ("python_pass", "cold_start", "nothing_kept"):
        assert len(report[kind]["wall"]) == 1 and report[kind]["median"] > 0
    assert report["first_run"]["wall"] > 0
    assert report["ratio_to_python"] == pytest.approx(
        report["cold_start"]["median"] / report["python_pass"]["median"]
    )
    assert report["met"] is (report["cold_start"]["median"] < 1.0)
    saved = json.loads((tmp_path / "cold-start-latest.json").read_text())
    assert saved["query"] == report["query"]
    assert "target: under 1 s" in (tmp_path / "cold-start-latest.txt").read_text()
