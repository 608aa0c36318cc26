"""Every indicator on Spark and on DuckDB, from the same data: every numerator and
denominator must be equal.

One generated store (two years, so the repeat look-back windows reach into earlier months),
exported with ``dsvb export-parquet``'s own function and read back by Spark in local mode.
Each query below runs every indicator of every family on both engines; a definition Spark
cannot run fails here (nothing is skipped: CI installs Java with make system-deps). One
Spark session for the module (starting one takes seconds).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dsvb import store
from dsvb.demo.generator import generate_extract
from dsvb.indicators import definitions as defs
from dsvb.indicators.engine import IndicatorQuery, compute
from dsvb.indicators.results import IndicatorResult
from dsvb.indicators.sources import CUT_NAMES
from dsvb.ingest.extract import import_extract
from dsvb.store import parquet

START = dt.date(2009, 12, 1)

pytestmark = [  # PySpark 4.3 and Ibis 12 on pandas 3: warnings about pandas 4, not about us
    pytest.mark.filterwarnings("ignore::FutureWarning"),
    pytest.mark.filterwarnings("ignore:.*:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:.*pandas.*"),
]

#: every cut on its own (the whole data), none (the force row alone), two cuts together, and
#: a period with a short repeat window and a month cut
QUERIES: dict[str, IndicatorQuery] = {
    "no cut": IndicatorQuery(by=()),
    **{f"by {cut}": IndicatorQuery(by=(cut,)) for cut in CUT_NAMES},
    "by area, month; 2010-06 to 2011-06, 3-month window": IndicatorQuery(
        by=("area", "month"), start=dt.date(2010, 6, 1), end=dt.date(2011, 6, 1), window_months=3
    ),
    "by unit, victim_sex; a year": IndicatorQuery(
        by=("unit", "victim_sex"), start=dt.date(2010, 1, 1), end=dt.date(2011, 1, 1)
    ),
    "dv only, by suspect_age_band, from 2011": IndicatorQuery(
        families=("dv",), by=("suspect_age_band",), start=dt.date(2011, 1, 1)
    ),
    # by linked person (person_links from the generator's truth: one key per true person)
    "linked people, by area": IndicatorQuery(people="linked"),
    "linked people, by victim_age_band, month; a year, 3-month window": IndicatorQuery(
        by=("victim_age_band", "month"),
        start=dt.date(2010, 6, 1),
        end=dt.date(2011, 6, 1),
        window_months=3,
        people="linked",
    ),
}


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("spark")
    truth = folder / "truth.csv"
    generate_extract(
        folder / "extract", incidents=2_500, seed=18, start=START, months=24, truth=truth
    )
    path = folder / "store.duckdb"
    con = store.connect(path)
    try:
        import_extract(con, folder / "extract")
        # linkage's keys as a perfect link run would give them: one per true person (the
        # export then carries person_links, and the linked queries compare them)
        con.execute(
            "INSERT INTO link_runs VALUES (1, TIMESTAMP '2026-12-06 10:00:00', "
            "TIMESTAMP '2026-12-06 10:01:00', 'full', 0, 0, 0, 0.9, '{}', 'test')"
        )
        con.execute(
            "INSERT INTO person_links SELECT 'extract', record_id, 'T-' || true_person, 1 "
            f"FROM read_csv('{truth}', all_varchar = true)"
        )
        # FGM crimes and homicides are rare (about 10 and 160 in a million incidents): a few
        # here, so that their numerators are compared at values other than zero
        for column, value in (("fgm", "true"), ("offence_group", "'homicide'")):
            con.execute(
                f"UPDATE crimes SET {column} = {value} WHERE crime_id IN (SELECT crime_id "
                "FROM crimes WHERE NOT fgm AND offence_group <> 'homicide' ORDER BY hash(crime_id) "
                "LIMIT 9)"
            )
    finally:
        con.close()
    parquet.export(path, folder / "parquet")
    return path, folder / "parquet"


@pytest.fixture(scope="module")
def spark_backend(data: tuple[Path, Path]) -> Iterator[object]:
    from dsvb.indicators import spark

    with spark.open_parquet(data[1], master="local[2]") as con:
        yield con


def _figures(rows: list[IndicatorResult]) -> dict[tuple, tuple]:
    figures = {}
    for r in rows:
        key = (r.area_code, r.cuts, r.family, r.indicator)
        assert key not in figures, f"two results for {key}"
        figures[key] = (r.numerator, r.denominator)
    return figures


@pytest.mark.parametrize("name", list(QUERIES))
def test_spark_gives_every_numerator_and_denominator_duckdb_gives(
    name: str, data: tuple[Path, Path], spark_backend: object
) -> None:
    query = QUERIES[name]
    duck = _figures(_duckdb(data[0], query))
    sparked = _figures(compute(spark_backend, query))

    assert duck, "DuckDB computed nothing: the query tests nothing"
    if query.people == "linked":  # linkage joined records: the people counted differ
        recorded = _figures(_duckdb(data[0], dataclasses.replace(query, people="recorded")))
        assert recorded != duck, "linked figures equal the recorded ones: the keys test nothing"
    assert any(n for n, _ in duck.values()), "every numerator is zero: the data test nothing"
    only_duckdb = sorted(set(duck) - set(sparked))[:5]
    only_spark = sorted(set(sparked) - set(duck))[:5]
    assert not only_duckdb and not only_spark, (only_duckdb, only_spark)
    differ = [(k, duck[k], sparked[k]) for k in sorted(duck) if duck[k] != sparked[k]]
    assert not differ, f"{len(differ)} figures differ, e.g. (key, duckdb, spark): {differ[:5]}"


def _duckdb(path: Path, query: IndicatorQuery) -> list[IndicatorResult]:
    con = store.connect(path, read_only=True)
    try:
        return compute(con, query)
    finally:
        con.close()


def test_the_queries_cover_every_indicator_and_family(data: tuple[Path, Path]) -> None:
    """What the agreement tests compare: every indicator, in every family it applies to,
    with a numerator other than zero somewhere (DuckDB alone, so any order of tests)."""
    compared: set[tuple[str, str]] = set()
    nonzero: set[str] = set()
    for query in QUERIES.values():
        for r in _duckdb(data[0], query):
            compared.add((r.family, r.indicator))
            if r.numerator:
                nonzero.add(r.indicator)
    expected = {
        (family, i.id)
        for i in defs.INDICATORS.values()
        for family in defs.ALL_FAMILIES
        if i.applies_to(family)
    }
    assert expected <= compared, sorted(expected - compared)
    assert set(defs.INDICATORS) <= nonzero, sorted(set(defs.INDICATORS) - nonzero)


def test_a_folder_given_as_a_uri_is_read_through_spark(
    data: tuple[Path, Path], spark_backend: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As for s3a:// and the like: the manifest read by Spark's file system layer, checked,
    and the tables shown to Spark (here a file: URI, read as a remote one would be)."""
    from pyspark.sql import SparkSession

    from dsvb.indicators import spark

    monkeypatch.setattr(spark, "_remote", lambda folder: True)
    session = SparkSession.getActiveSession()
    assert session is not None
    con = spark.backend(session, data[1].as_uri())
    manifest = parquet.read_manifest(data[1])
    for table in parquet.TABLES:
        assert con.to_pyarrow(con.table(table).count()).as_py() == manifest.rows(table)
    with pytest.raises(parquet.ParquetExportError, match=r"Cannot read .*manifest\.json"):
        spark.backend(session, (data[1].parent / "nothing").as_uri())


def test_the_command_line_gives_the_same_csv_on_spark(
    data: tuple[Path, Path], tmp_path: Path
) -> None:
    """dsvb indicators --engine spark --parquet DIR, a real process, against --store."""
    env = {**os.environ, "DSVB_QUERY_CACHE": ""}
    args = ["--by", "area,month", "--from", "2010-06-01", "--to", "2011-01-01", "--format", "csv"]

    def run(*source: str, out: Path) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "dsvb", "indicators", *source, *args, "--out", str(out)],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr[-3000:]

    run("--store", str(data[0]), out=tmp_path / "duckdb.csv")
    run("--engine", "spark", "--parquet", str(data[1]), "--spark-master", "local[1]",
        out=tmp_path / "spark.csv")  # fmt: skip
    duck = (tmp_path / "duckdb.csv").read_text(encoding="utf-8")
    assert duck.count("\n") > 100
    assert (tmp_path / "spark.csv").read_text(encoding="utf-8") == duck
