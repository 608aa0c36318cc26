"""Counting people by linked person on Apache Spark (local mode) gives DuckDB's figures: the
store's tables and ``person_links`` as Parquet, read as Spark views through Ibis's PySpark
backend, with the same definitions (decision 0047; the engine's agreement in general:
``test_spark_agreement``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from dsvb.indicators.engine import IndicatorQuery, NoLinks, compute
from dsvb.indicators.linked import side_by_side
from tests.integration.test_indicators_linked import LINKS, YEAR_2010, add_links, people_store
from tests.support.builder import ExtractBuilder

TABLES = ("incidents", "crimes", "people", "crime_people", "victim_contacts")


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("dsvb-linked-test")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    for name in (*TABLES, "person_links", "link_runs"):
        session.catalog.dropTempView(name)


@pytest.fixture
def con(builder: ExtractBuilder, tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = people_store(builder, tmp_path)
    yield connection
    connection.close()


def _views(spark: object, con: duckdb.DuckDBPyConnection, folder: Path, names: tuple) -> object:
    import ibis

    folder.mkdir(exist_ok=True)
    for name in (*TABLES, "person_links", "link_runs"):
        spark.catalog.dropTempView(name)  # type: ignore[attr-defined]
    for name in names:
        path = folder / f"{name}.parquet"
        con.execute(f"COPY {name} TO '{path}' (FORMAT parquet)")
        spark.read.parquet(str(path)).createOrReplaceTempView(name)  # type: ignore[attr-defined]
    return ibis.pyspark.connect(spark)


def test_linked_figures_agree_on_spark(
    spark: object, con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    add_links(con, LINKS)
    on_spark = _views(spark, con, tmp_path / "pq", (*TABLES, "person_links", "link_runs"))
    # the counts of people (records' counts do not depend on who is the same person)
    people = ("repeat_victim_rate", "offences_per_repeat_victim", "repeat_caution_offenders")
    query = IndicatorQuery(
        **YEAR_2010, by=("victim_ethnicity",), indicators=people, people="linked"
    )
    key = lambda r: (r.area_code, r.family, r.indicator, r.cuts)  # noqa: E731
    duck = {key(r): (r.numerator, r.denominator) for r in compute(con, query)}
    assert {key(r): (r.numerator, r.denominator) for r in compute(on_spark, query)} == duck
    figures = side_by_side(on_spark, IndicatorQuery(**YEAR_2010, families=("dv",)))
    assert figures == side_by_side(con, IndicatorQuery(**YEAR_2010, families=("dv",)))
    assert figures[-1].linked.victims == 3 and figures[-1].recorded.victims == 5


def test_parquet_without_person_links_is_refused_on_spark(
    spark: object, con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    on_spark = _views(spark, con, tmp_path / "pq", TABLES)
    with pytest.raises(NoLinks, match="dsvb link"):
        compute(on_spark, IndicatorQuery(**YEAR_2010, people="linked"))


def test_a_linked_store_exported_counts_linked_people_on_spark(
    spark: object, builder: ExtractBuilder, tmp_path: Path
) -> None:
    """dsvb export-parquet writes linkage's keys of the extract's records (not an agency's,
    not the model) when the store was linked, and Spark counts linked people from them."""
    import json

    from dsvb import store
    from dsvb.indicators import spark as on_spark
    from dsvb.ingest.extract import import_extract
    from dsvb.store import parquet

    path = tmp_path / "store.duckdb"
    people_store(builder, tmp_path).close()  # writes the extract folder
    con = store.connect(path)
    import_extract(con, tmp_path / "extract")
    unlinked = tmp_path / "unlinked"
    con.close()
    written = parquet.export(path, unlinked)
    assert set(written.tables) == set(parquet.TABLES)  # never linked: no keys to export
    con = store.connect(path)
    add_links(con, LINKS)
    con.close()
    manifest = parquet.export(path, tmp_path / "linked")
    assert set(manifest.tables) == {*parquet.TABLES, "person_links", "link_runs"}
    assert "model" not in manifest.tables["link_runs"]["columns"]
    sources = duckdb.sql(
        f"SELECT DISTINCT source FROM '{tmp_path / 'linked' / 'person_links.parquet'}'"
    ).fetchall()
    assert sources == [("extract",)]
    assert json.loads((tmp_path / "linked" / "manifest.json").read_text())["tables"][
        "person_links"
    ]["rows"] == len(LINKS)

    query = IndicatorQuery(**YEAR_2010, families=("dv",))
    local = store.connect(path, read_only=True)
    try:
        expected = side_by_side(local, query)
    finally:
        local.close()
    assert side_by_side(on_spark.backend(spark, tmp_path / "linked"), query) == expected
    with pytest.raises(NoLinks, match="dsvb link"):
        compute(on_spark.backend(spark, unlinked), IndicatorQuery(**YEAR_2010, people="linked"))


def test_keys_not_registered_from_the_export_do_not_count(
    spark: object, builder: ExtractBuilder, tmp_path: Path
) -> None:
    """Under spark-submit the session's current database may hold a person_links and a
    link_runs that are not the export's: only the views backend() registered count."""
    from dsvb import store
    from dsvb.indicators import spark as on_spark
    from dsvb.ingest.extract import import_extract
    from dsvb.store import parquet

    path = tmp_path / "store.duckdb"
    people_store(builder, tmp_path).close()  # writes the extract folder
    con = store.connect(path)
    import_extract(con, tmp_path / "extract")
    con.close()
    parquet.export(path, tmp_path / "unlinked")
    backend = on_spark.backend(spark, tmp_path / "unlinked")
    # keys from elsewhere (linked after the export), visible in the session
    stray = tmp_path / "stray"
    stray.mkdir()
    linked = store.connect(path)
    add_links(linked, LINKS)
    for name in ("person_links", "link_runs"):
        target = stray / f"{name}.parquet"
        linked.execute(f"COPY {name} TO '{target}' (FORMAT parquet)")
        spark.read.parquet(str(target)).createOrReplaceTempView(name)  # type: ignore[attr-defined]
    linked.close()
    assert {"person_links", "link_runs"} <= set(backend.list_tables())
    with pytest.raises(NoLinks, match="dsvb link"):
        compute(backend, IndicatorQuery(**YEAR_2010, people="linked"))
