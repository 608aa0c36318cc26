"""The equality analysis on a real store built from a small extract whose figures are
worked out by hand, and ``dsvb equality`` as a real subprocess."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dsvb import store
from dsvb.equality import analysis as an
from dsvb.equality import sentences
from dsvb.equality.strands import MEASURES
from dsvb.indicators import ratios
from dsvb.indicators.model import Period
from dsvb.ingest.extract import import_extract
from tests.support.builder import ExtractBuilder

LAMBETH, SOUTHWARK = "E09000022", "E09000028"
MARCH = Period(dt.date(2010, 3, 1), dt.date(2010, 4, 1))


class Residents:
    """Population estimates as the analysis reads them (a hand-made stand-in)."""

    year, source, synthetic = 2010, "hand-made", True
    SHARES = {
        "sex": {"female": 0.5, "male": 0.5},
        "age_band": {"under_18": 0.2, "18_35": 0.3, "36_60": 0.3, "61_plus": 0.2},
        "ethnicity": {"white": 0.6, "black": 0.2, "asian": 0.1, "mixed": 0.05, "other": 0.05},
    }

    def count(self, area_code: str, strand: str, group: str) -> int:
        total = {LAMBETH: 300_000, SOUTHWARK: 200_000}.get(area_code, 0)
        if area_code == "ALL":
            return sum(self.count(a, strand, group) for a in (LAMBETH, SOUTHWARK))
        return int(total * self.SHARES[strand].get(group, 0))


def build(folder: Path) -> Path:
    b = ExtractBuilder()
    # Lambeth: six crimes against white women (four charged), three against black women
    # (one charged), two against a victim whose ethnicity is not recorded; suspects white
    # men except two crimes with nobody identified
    s_white = b.person(sex="male", ethnicity="white")
    for k in range(6):
        v = b.person(ethnicity="white", lgbt=k == 0 or None)
        outcome = "charge" if k < 4 else "no_further_action"
        b.crime(victims=[v], suspects=[s_white], outcome=outcome, lgbt="false" if k else "")
    for k in range(3):
        v = b.person(ethnicity="black", disabled=True)
        suspects = [] if k < 2 else [s_white]
        b.crime(victims=[v], suspects=suspects, outcome="charge" if k == 0 else "")
    unknown = b.person(ethnicity="not_recorded")
    for _ in range(2):
        b.crime(victims=[unknown], suspects=[s_white], recorded_at="2010-03-20T10:00:00")
    # Southwark: four crimes against white women, two charged
    s2 = b.person(sex="male", ethnicity="black")
    for k in range(4):
        v = b.person(ethnicity="white")
        b.crime(victims=[v], suspects=[s2], area=SOUTHWARK, outcome="charge" if k < 2 else "")
    # a crime in February: outside the period
    b.crime(victims=[b.person(ethnicity="asian")], recorded_at="2010-02-10T10:00:00")
    folder = b.write(folder / "extract")
    path = folder.parent / "store.duckdb"
    con = store.connect(path)
    try:
        import_extract(con, folder)
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("equality"))


@pytest.fixture(scope="module")
def result(store_path) -> an.EqualityAnalysis:
    con = store.connect(store_path, read_only=True)
    try:
        return an.analyse(con, "dv", MARCH, Residents())
    finally:
        con.close()


def row(result, area, measure, strand, group) -> an.EqualityRow:
    found = [
        r
        for r in result.rows
        if (r.area_code, r.measure, r.strand, r.group) == (area, measure, strand, group)
    ]
    assert len(found) == 1, (area, measure, strand, group)
    return found[0]


def test_sanction_detection_by_victim_ethnicity_matches_the_hand_count(result):
    white = row(result, LAMBETH, "sd_rate", "victim_ethnicity", "white")
    black = row(result, LAMBETH, "sd_rate", "victim_ethnicity", "black")
    assert (white.numerator, white.denominator) == (4, 6)
    assert (black.numerator, black.denominator) == (1, 3)
    assert white.is_reference and white.ratio == 1.0 and white.ratio_lower_95 is None
    assert white.disproportionate is None
    # (1/3) / (4/6) = 0.5, and the interval is the ratio module's for these counts
    expected = ratios.proportion_ratio(1, 3, 4, 6)
    assert black.ratio == pytest.approx(0.5)
    assert black.ratio_lower_95 == pytest.approx(expected.lower)
    assert black.ratio_upper_95 == pytest.approx(expected.upper)
    assert black.p_value == pytest.approx(expected.p_value)
    assert black.rate == pytest.approx(1 / 3)


def test_london_is_the_sum_of_the_boroughs(result):
    for measure, strand, group in [
        ("sd_rate", "victim_ethnicity", "white"),
        ("victims_per_1000", "victim_ethnicity", "white"),
        ("charge_rate", "suspect_ethnicity", "black"),
    ]:
        london = row(result, "ALL", measure, strand, group)
        parts = [row(result, a, measure, strand, group) for a in (LAMBETH, SOUTHWARK)]
        assert london.numerator == sum(p.numerator for p in parts)
    white_sd = row(result, "ALL", "sd_rate", "victim_ethnicity", "white")
    assert (white_sd.numerator, white_sd.denominator) == (6, 10)


def test_victims_per_1000_residents_a_year(result):
    white = row(result, LAMBETH, "victims_per_1000", "victim_ethnicity", "white")
    # six white victims in one month among 180,000 white residents: 6 / (180,000 / 12) per
    # resident a year = 0.4 per 1,000 a year
    assert white.numerator == 6 and white.denominator == 180_000
    assert white.rate == pytest.approx(6 / (180_000 / 12) * 1000)
    low, high = ratios.rate_interval(6, 180_000 / 12, per=1000)
    assert (white.rate_lower, white.rate_upper) == (pytest.approx(low), pytest.approx(high))
    black = row(result, LAMBETH, "victims_per_1000", "victim_ethnicity", "black")
    expected = ratios.rate_ratio(3, 60_000 / 12, 6, 180_000 / 12)
    assert black.ratio == pytest.approx((3 / 60_000) / (6 / 180_000))
    assert black.ratio_lower_95 == pytest.approx(expected.lower)
    # the victim whose ethnicity is not recorded gets a count, no rate and no ratio
    unknown = row(result, LAMBETH, "victims_per_1000", "victim_ethnicity", "not_recorded")
    assert unknown.numerator == 1 and unknown.rate is None and unknown.ratio is None


def test_crimes_with_nobody_in_the_role_are_not_counted_as_not_recorded(result):
    none = row(result, LAMBETH, "sd_rate", "suspect_ethnicity", "none")
    assert none.denominator == 2 and none.ratio is None
    assert not [
        r
        for r in result.rows
        if r.area_code == LAMBETH and r.strand == "suspect_ethnicity" and r.group == "not_recorded"
    ]


def test_the_correction_covers_every_comparison_and_agrees_with_the_intervals(result):
    tested = [r for r in result.rows if r.p_value is not None]
    assert result.correction.tested == len(tested) > 0
    again = ratios.benjamini_hochberg([r.p_value for r in tested])
    assert [r.q_value for r in tested] == pytest.approx(list(again.q_values))
    assert result.correction.selected == sum(bool(r.disproportionate) for r in tested)
    for r in tested:
        excludes = r.adjusted_lower > 1 or (r.adjusted_upper is not None and r.adjusted_upper < 1)
        assert bool(r.disproportionate) == excludes, r
        # the corrected interval is at least as wide as the 95% one
        assert r.adjusted_lower <= r.ratio_lower_95 + 1e-12
    # no row outside the comparisons is called anything
    assert all(r.disproportionate is None for r in result.rows if r.p_value is None)


def test_one_area_keeps_the_calls_of_the_whole_analysis(result):
    one = result.only(LAMBETH)
    assert {r.area_code for r in one.rows} == {LAMBETH}
    assert one.correction == result.correction
    whole = {(r.measure, r.strand, r.group): r for r in result.for_area(LAMBETH)}
    for r in one.rows:
        assert whole[(r.measure, r.strand, r.group)] == r


def test_recording_quality_by_hand(result):
    period = {r.strand: r for r in result.recording if r.area_code == LAMBETH and r.month is None}
    ethnicity = period["victim_ethnicity"]
    # victims in Lambeth in March: 6 white, 3 black, 1 not recorded (two crimes, one person)
    assert (ethnicity.not_recorded, ethnicity.total) == (1, 10)
    assert ethnicity.share == pytest.approx(0.1)
    lgbt = period["victim_lgbt"]
    assert (lgbt.not_recorded, lgbt.total) == (9, 10)  # only the first white victim has it
    flag = period["lgbt_flag"]
    assert (flag.not_recorded, flag.total) == (6, 11)  # five crimes carry the crime's flag
    disability = period["victim_disability"]
    assert (disability.not_recorded, disability.total) == (7, 10)
    months = [
        r
        for r in result.recording
        if r.area_code == LAMBETH and r.strand == "victim_ethnicity" and r.month
    ]
    assert [m.month for m in months] == ["2010-03"]
    assert months[0].total == ethnicity.total
    london = next(
        r for r in result.recording if r.area_code == "ALL" and r.strand == "victim_ethnicity"
    )
    assert london.total == 14 and london.flag is None
    assert ethnicity.flag is not None  # boroughs are judged against London


def test_every_measure_and_strand_is_present_for_every_area(result):
    for area in (LAMBETH, SOUTHWARK, "ALL"):
        for measure in MEASURES.values():
            for _, strand, cut in measure.cuts():
                groups = {
                    r.group
                    for r in result.rows
                    if (r.area_code, r.strand, r.measure) == (area, cut, measure.id)
                }
                assert set(strand.groups) <= groups, (area, measure.id, cut)


def test_sentences_say_what_the_numbers_carry(result):
    lines = sentences.summary(result, LAMBETH)
    assert any("not recorded for 10.0% of victims in Lambeth" in s for s in lines)
    assert "comparisons were made at once" in result.correction.describe()
    called = [r for r in result.for_area(LAMBETH) if r.disproportionate]
    if not called:
        assert any("No difference between groups in Lambeth" in s for s in lines)


def test_no_population_no_rates(store_path):
    con = store.connect(store_path, read_only=True)
    try:
        bare = an.analyse(con, "dv", MARCH, None)
    finally:
        con.close()
    rates = [r for r in bare.rows if r.measure == "victims_per_1000"]
    assert rates and all(r.rate is None and r.ratio in (None,) for r in rates if not r.is_reference)
    assert any("No population estimates" in n for n in bare.notes)


def _run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DSVB_QUERY_CACHE": ""}
    return subprocess.run(
        [sys.executable, "-m", "dsvb", *args], capture_output=True, text=True, env=env, timeout=300
    )


def test_cli_csv_and_json(store_path):
    done = _run(
        "equality", "--store", str(store_path), "--from", "2010-03-01", "--to", "2010-04-01",
        "--area", LAMBETH,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    required = "area_code,measure,strand,group,numerator,denominator,rate,reference_group,ratio,ratio_lower_95,ratio_upper_95"  # noqa: E501
    assert set(required.split(",")) <= set(rows[0])
    assert {r["area_code"] for r in rows} == {LAMBETH}
    black = next(
        r
        for r in rows
        if (r["measure"], r["strand"], r["group"]) == ("sd_rate", "victim_ethnicity", "black")
    )
    assert (black["numerator"], black["denominator"]) == ("1", "3")
    assert math.isclose(float(black["ratio"]), 0.5)
    reference = [r for r in rows if r["group"] == r["reference_group"] and r["ratio"]]
    assert reference and all(float(r["ratio"]) == 1 for r in reference)

    done = _run(
        "equality", "--store", str(store_path), "--from", "2010-03-01", "--to", "2010-04-01",
        "--format", "json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["family"] == "dv" and document["correction"]["tested"] > 0
    assert {r["area_code"] for r in document["rows"]} == {LAMBETH, SOUTHWARK, "ALL"}

    done = _run("equality", "--store", str(store_path), "--area", "E09999999")
    assert done.returncode != 0 and "unknown area" in done.stderr
