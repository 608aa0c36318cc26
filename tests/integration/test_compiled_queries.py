"""The engine compiles each source's query once and keeps it (``dsvb.indicators.compiled``:
in the process and in a cache folder) at a stand-in for "now", and puts the plausible-range
bounds of the moment in each run (``sources.sql_at``). These tests hold it to the same SQL
text as compiling afresh at that moment, and to the same figures as the uncompiled path
(Ibis, Arrow), on a real store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import ibis
import pytest

from dsvb import store
from dsvb.indicators import compiled, engine
from dsvb.indicators import definitions as defs
from dsvb.indicators.engine import IndicatorQuery, compute
from dsvb.indicators.model import Period
from dsvb.indicators.sources import COMPILE_NOW, SOURCES, Tables, sql_at

NOWS = (
    dt.datetime(2026, 12, 6, 5, 41, 7, 250_000),
    dt.datetime(2031, 1, 1),
    dt.datetime(2024, 2, 29, 23, 59, 59, 999_999),
)
CUTS = (("area",), ("area", "month"), ("unit", "victim_age_band"), ("suspect_sex",), ())


@pytest.fixture(scope="module")
def backend():
    con = store.connect(":memory:")  # the schema, no rows: compiling needs only the columns
    yield ibis.duckdb.from_connection(con)
    con.close()


def _sql(backend, now: dt.datetime, name: str, by: tuple[str, ...]) -> str:
    """The source's grouped query compiled from the tables at ``now``."""
    tables = Tables.from_backend(backend, now=now)
    counts = [c for c in defs.COUNTS.values() if c.source == name]
    source = SOURCES[name]
    query = IndicatorQuery(start=dt.date(2010, 1, 1), end=dt.date(2011, 1, 1), by=by)
    ctx = engine._context(Period(query.start, query.end), query.window_months)
    table = source.build(tables, ctx, query.families, query.by)
    rows, conjunctions = engine._conditions(source, table, counts, query.families, ctx, query.by)
    return str(backend.compile(engine._groups(rows, query.by, conjunctions)))


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_compiled_once_is_the_sql_compiled_at_the_moment(backend, name: str) -> None:
    for by in CUTS:
        if any(c not in SOURCES[name].cuts for c in by):
            continue
        kept = _sql(backend, COMPILE_NOW, name, by)
        assert str(COMPILE_NOW.year) in kept  # the stand-in is there to be replaced
        for now in NOWS:
            fresh = _sql(backend, now, name, by)
            assert sql_at(kept, now) == fresh, (name, by, now)


def test_a_stand_in_left_in_the_text_is_refused() -> None:
    with pytest.raises(ValueError, match="stand-in"):
        sql_at("SELECT MAKE_TIMESTAMP(2345, 1, 1, 0, 0, 0.0)")  # not a bound sql_at knows


def test_only_the_birth_year_bound_is_replaced() -> None:
    """A number equal to the stand-in's birth-year bound elsewhere in a query is left alone."""
    people = sql_at(f"SELECT 2345 AS n FROM people WHERE birth_year {_birth_years(COMPILE_NOW)}")
    assert people.startswith("SELECT 2345 AS n")
    assert people.endswith(_birth_years(dt.datetime.now(dt.UTC).replace(tzinfo=None)))


def _birth_years(now: dt.datetime) -> str:
    from dsvb.reference import plausible_values

    low, high = plausible_values().birth_years(now)
    return f"BETWEEN {low} AND {high}"


@pytest.fixture(scope="module")
def store_file(tmp_path_factory) -> Path:
    """A small year of demo records, plus one crime recorded in 2100: beyond the plausible
    range now, inside it at the stand-in for now (2345), so a bound left at the stand-in
    would count it."""
    from dsvb.demo.generator import generate_extract
    from dsvb.ingest.extract import import_extract

    folder = tmp_path_factory.mktemp("compiled")
    generate_extract(folder / "extract", incidents=2_000, seed=3, start=dt.date(2009, 12, 1))
    path = folder / "store.duckdb"
    con = store.connect(path)
    try:
        import_extract(con, folder / "extract")
    finally:
        con.close()
    con = duckdb.connect(str(path))
    try:
        con.execute(
            "INSERT INTO crimes SELECT * REPLACE ('FUTURE-1' AS crime_id, "
            "TIMESTAMP '2100-06-01 12:00:00' AS recorded_at, DATE '2100-06-01' AS recorded_month)"
            " FROM crimes WHERE status = 'confirmed' AND dv LIMIT 1"
        )
    finally:
        con.close()
    return path


def _figures(path: Path, query: IndicatorQuery) -> list:
    con = store.connect(path, read_only=True)
    try:
        return compute(con, query)
    finally:
        con.close()


def test_an_unwritable_cache_folder_is_not_an_error(store_file: Path, tmp_path, monkeypatch):
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    monkeypatch.setenv("DSVB_QUERY_CACHE", str(blocked / "queries"))
    compiled._MEMORY.clear()
    query = IndicatorQuery(start=dt.date(2009, 12, 1), end=dt.date(2010, 12, 1), families=("dv",))
    assert _figures(store_file, query)
    assert blocked.read_text() == ""


def test_implausible_records_compiled_and_through_ibis_agree(store_file: Path, monkeypatch):
    from dsvb.indicators.sources import implausible_records

    monkeypatch.setenv("DSVB_QUERY_CACHE", "")
    con = store.connect(store_file, read_only=True)
    try:
        kept = implausible_records(con)
        built = implausible_records(ibis.duckdb.from_connection(con))  # compiled too
        with monkeypatch.context() as m:
            m.setattr(compiled, "store_columns", lambda con: None)
            through_ibis = implausible_records(ibis.duckdb.from_connection(con))
        assert engine.data_period(con) == engine.data_period(_NotDuckDB(con))
    finally:
        con.close()
    assert kept == built == through_ibis == {"crimes": 1}  # the crime recorded in 2100


class _NotDuckDB:
    """An Ibis backend on the store that the engine takes for any other backend."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._backend = ibis.duckdb.from_connection(con)

    def __getattr__(self, name: str):
        return "not-duckdb" if name == "name" else getattr(self._backend, name)


@pytest.mark.parametrize(
    "query",
    [
        IndicatorQuery(start=dt.date(2009, 12, 1), end=dt.date(2010, 12, 1)),
        IndicatorQuery(start=dt.date(2010, 1, 1), end=dt.date(2010, 7, 1), by=("unit", "month")),
        IndicatorQuery(start=dt.date(2100, 1, 1), end=dt.date(2101, 1, 1), families=("dv",)),
    ],
    ids=["year-by-area", "half-by-unit-month", "future-record-left-out"],
)
def test_compiled_figures_are_the_uncompiled_ones(
    store_file: Path, query, monkeypatch, tmp_path
) -> None:
    monkeypatch.setenv("DSVB_QUERY_CACHE", str(tmp_path / "queries"))
    compiled._MEMORY.clear()
    first = _figures(store_file, query)  # compiles, keeps in memory and on disk
    assert compiled._MEMORY and list((tmp_path / "queries").glob("*.sql"))
    again = _figures(store_file, query)  # runs the SQL kept in memory
    compiled._MEMORY.clear()
    from_disk = _figures(store_file, query)  # as a new process would: from the folder
    with monkeypatch.context() as m:
        m.setattr(compiled, "store_columns", lambda con: None)  # build and run through Ibis
        uncompiled = _figures(store_file, query)
    assert first == again == from_disk == uncompiled
    assert any(r.numerator for r in first) or query.start.year == 2100
    if query.start.year == 2100:  # the 2100 crime is outside the plausible range now
        assert all(not r.numerator for r in first)


def test_a_store_with_other_columns_is_compiled_for_itself(
    store_file: Path, tmp_path, monkeypatch
) -> None:
    """The store's columns are in the key: SQL kept for one store is not run on a store
    whose tables differ."""
    monkeypatch.setenv("DSVB_QUERY_CACHE", "")  # in memory only
    query = IndicatorQuery(start=dt.date(2009, 12, 1), end=dt.date(2010, 12, 1))
    compiled._MEMORY.clear()
    _figures(store_file, query)
    keys = set(compiled._MEMORY)
    other = tmp_path / "other.duckdb"
    other.write_bytes(store_file.read_bytes())
    con = duckdb.connect(str(other))
    try:
        con.execute("ALTER TABLE crimes ADD COLUMN extra_note VARCHAR")
    finally:
        con.close()
    assert _figures(other, query) == _figures(store_file, query)
    assert len(compiled._MEMORY) > len(keys)
