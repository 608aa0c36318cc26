"""The equality tables as published: disclosure control on every strand's table, and an
outsider who holds the published tables cannot read a small count back from a rate or a
ratio."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dsvb import store
from dsvb.demo import population as demo_population
from dsvb.demo.generator import generate_extract
from dsvb.equality import analysis as an
from dsvb.equality import publication
from dsvb.indicators.model import Period
from dsvb.ingest.extract import import_extract
from dsvb.reports import disclosure

YEAR = Period(dt.date(2009, 12, 1), dt.date(2010, 12, 1))
# Controlling a strand's table takes seconds to minutes of linear programmes on a small
# store (most cells small): the tests control two strands, one of each kind
STRANDS = ("victim_ethnicity", "suspect_disability")


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("published-equality")
    generate_extract(folder / "extract", incidents=8_000, seed=11, start=YEAR.start, months=12)
    path = folder / "store.duckdb"
    con = store.connect(path)
    try:
        import_extract(con, folder / "extract")
        demo_population.load(con, folder, start=YEAR.start, months=12)
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def released(store_path) -> publication.PublishedEquality:
    con = store.connect(store_path, read_only=True)
    try:
        result = an.analyse_store(con, "dv", YEAR)
    finally:
        con.close()
    return publication.publish(result, strands=STRANDS)


def test_no_small_count_is_shown_below_or_at_london_level(released):
    threshold = released.policy.threshold
    shown = [p.row for p in released.rows if "numerator" not in p.suppressed]
    assert shown, "something is published"
    small = [r for r in shown if 1 <= r.numerator <= threshold]
    assert not small, small[:3]
    # and some small counts existed to be hidden (so the test can fail)
    assert any(1 <= p.row.numerator <= threshold for p in released.rows if p.suppressed)


def test_a_rate_or_ratio_never_shows_beside_a_hidden_part(released):
    index = {(p.row.area_code, p.row.measure, p.row.strand, p.row.group): p for p in released.rows}
    for p in released.rows:
        row = p.row
        if "numerator" in p.suppressed or "denominator" in p.suppressed:
            assert {"rate", "rate_lower", "rate_upper"} <= p.suppressed
        if row.is_reference or row.ratio is None:
            continue
        reference = index[(row.area_code, row.measure, row.strand, row.reference_group)]
        if p.suppressed & {"numerator", "denominator"} or reference.suppressed & {
            "numerator",
            "denominator",
        }:
            # rate x ratio would give the reference group's hidden count back
            assert "ratio" in p.suppressed and "disproportionate" in p.suppressed, row


def test_each_strand_table_passes_the_audit(released):
    """The publisher's check, from scratch, on every strand's table as published; and the
    rows are the strands asked for, every area and London."""
    assert [strand for strand, _, _ in released.tables] == list(STRANDS)
    for _strand, results, table in released.tables:
        assert disclosure.audit(list(results), table) == []
    assert {p.row.strand for p in released.rows} == set(STRANDS)
    assert "ALL" in {p.row.area_code for p in released.rows}


def test_the_published_csv_from_the_command_line(store_path):
    env = {**os.environ, "DSVB_QUERY_CACHE": ""}
    done = subprocess.run(
        [
            sys.executable, "-m", "dsvb", "equality", "--store", str(store_path),
            "--from", "2009-12-01", "--to", "2010-12-01", "--published", "--area", "E09000022",
            "--strand", "suspect_disability",
        ],
        capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert rows and {r["area_code"] for r in rows} == {"E09000022"}
    assert {r["strand"] for r in rows} == {"suspect_disability"}
    assert {r["disclosure_policy"] for r in rows} == {disclosure.Policy().name}
    for r in rows:
        if r["numerator"] not in ("[c]", ""):
            assert not 1 <= int(r["numerator"]) <= 9, r
