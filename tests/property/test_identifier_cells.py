"""The import's reading of people's identifier cells (format 2) agrees with a plain Python
rule for any text: a postcode is read when, without spaces and in upper case, it has a UK
postcode's shape, and stored upper case with one space before the inward code; a date of
birth only when written YYYY-MM-DD and a real day."""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsvb.demo import identities
from dsvb.ingest import extract_format as fmt
from dsvb.ingest.extract import _typed

POSTCODE = fmt.PEOPLE.column("postcode")
DATE_OF_BIRTH = fmt.PEOPLE.column("date_of_birth")
SHAPE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}")
ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def expected_postcode(cell: str | None) -> str | None:
    if cell is None:
        return None
    packed = re.sub(r"\s", "", cell.strip().upper())
    if not SHAPE.fullmatch(packed):
        return None
    return f"{packed[:-3]} {packed[-3:]}"


def expected_date(cell: str | None) -> dt.date | None:
    value = (cell or "").strip()
    if not ISO.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


shaped = st.builds(
    lambda area, district, sector, unit, sep, lower: (
        (str.lower if lower else str)(f"{area}{district}{sep}{sector}{unit}")
    ),
    st.text(alphabet="ABCEGHLNSW", min_size=1, max_size=2),
    st.from_regex(r"[0-9][0-9A-Z]?", fullmatch=True),
    st.sampled_from("0123456789"),
    st.text(alphabet="ABDEFGHJLNPQRSTUWXYZ", min_size=2, max_size=2),
    st.sampled_from(["", " ", "  ", "\t"]),
    st.booleans(),
)  # fmt: skip
postcodes = st.one_of(
    st.none(),
    shaped,
    st.sampled_from([identities.population(1, seed=s)[0].postcode for s in range(5)]),
    st.text(alphabet="AZaz09 -", max_size=9),
)
dates = st.one_of(
    st.none(),
    st.dates(dt.date(1000, 1, 1), dt.date(9999, 12, 31)).map(dt.date.isoformat),
    st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True),
    st.text(alphabet="0123456789-/ T", max_size=12),
)


@pytest.fixture(scope="module")
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


def _read(con, column: fmt.Column, values: list[str | None]) -> list[tuple]:
    con.execute("CREATE OR REPLACE TEMP TABLE cells (i INTEGER, x VARCHAR)")
    con.executemany("INSERT INTO cells VALUES (?, ?)", list(enumerate(values)))
    renamed = fmt.Column("x", column.type)
    return con.execute(f"SELECT x, {_typed(renamed)} FROM cells ORDER BY i").fetchall()


@settings(max_examples=200, deadline=None)
@given(values=st.lists(postcodes, min_size=1, max_size=30))
def test_postcodes_read_as_the_shape_rule(con, values) -> None:
    for x, typed in _read(con, POSTCODE, values):
        assert typed == expected_postcode(x), repr(x)


@settings(max_examples=200, deadline=None)
@given(values=st.lists(dates, min_size=1, max_size=30))
def test_dates_of_birth_read_as_iso_days(con, values) -> None:
    for x, typed in _read(con, DATE_OF_BIRTH, values):
        assert typed == expected_date(x), repr(x)


def test_the_rules_are_exercised_both_ways(con) -> None:
    rows = _read(con, POSTCODE, ["se11 4ko", "SW1A1AA", "SW1", "E1 1CC ", "EC1V  9MO"])
    assert [t for _, t in rows] == ["SE11 4KO", "SW1A 1AA", None, "E1 1CC", "EC1V 9MO"]
    rows = _read(con, DATE_OF_BIRTH, ["1980-02-29", "1981-02-29", "1980-2-1", " 1980-01-02"])
    assert [t for _, t in rows] == [dt.date(1980, 2, 29), None, None, dt.date(1980, 1, 2)]
