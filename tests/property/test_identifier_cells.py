"""The import's reading of people's identifier cells (format 2) agrees with a plain Python
rule for any text: a postcode is read when, without spaces and in upper case, it has a UK
postcode's shape and is not a non-geographic marker (no fixed abode, BFPO, GIR 0AA, an
overseas territory's or an NHS pseudo-postcode: read as no postcode, never a problem), and
stored upper case with one space before the inward code; a date of birth only when written
YYYY-MM-DD and a real day."""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsvb.demo import identities
from dsvb.ingest import extract_format as fmt
from dsvb.ingest.extract import _Check, _typed

POSTCODE = fmt.PEOPLE.column("postcode")
DATE_OF_BIRTH = fmt.PEOPLE.column("date_of_birth")
SHAPE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}")
ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# the markers, written out again here as the rule a reader of docs/extract-format.md has
MARKER = re.compile(
    r"N[./]?F[./]?A\.?|NOFIXEDABODE|BFPO[0-9]{1,4}|GIR0AA"
    r"|(ASCN|BBND|BIQQ|FIQQ|PCRN|SIQQ|STHL|TDCU|TKCA)1ZZ|KY[1-3]-?[0-9]{4}"
    r"|MSR-?1[1-3][0-9]{2}|VG-?11[1-6]0|AI-?2640|ZZ99[0-9][A-Z]{2}"
)


def is_marker(cell: str | None) -> bool:
    return cell is not None and bool(MARKER.fullmatch(re.sub(r"\s", "", cell.strip().upper())))


def expected_postcode(cell: str | None) -> str | None:
    if cell is None:
        return None
    packed = re.sub(r"\s", "", cell.strip().upper())
    if not SHAPE.fullmatch(packed) or is_marker(cell):
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
markers = st.builds(
    lambda text, lower: text.lower() if lower else text,
    st.sampled_from(["NFA", "n.f.a.", "N/F/A", "No Fixed Abode", "GIR 0AA", "gir0aa",
                     "ASCN 1ZZ", "FIQQ 1ZZ", "KY2-1234", "MSR 1120", "VG1150", "AI-2640",
                     "ZZ99 3VZ", "ZZ99 3CZ"])
    | st.from_regex(r"BFPO ?[0-9]{1,5}", fullmatch=True)
    | st.from_regex(r"ZZ99 ?[0-9][A-Z]{2}", fullmatch=True),
    st.booleans(),
)  # fmt: skip
postcodes = st.one_of(
    st.none(),
    shaped,
    markers,
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
@given(values=st.lists(postcodes, min_size=1, max_size=30))
def test_a_postcode_cell_is_read_or_a_marker_or_a_problem_never_two(con, values) -> None:
    invalid = _Check(fmt.Column("x", fmt.POSTCODE, required=False), "invalid", "").condition()
    con.execute("CREATE OR REPLACE TEMP TABLE cells (i INTEGER, x VARCHAR)")
    con.executemany("INSERT INTO cells VALUES (?, ?)", list(enumerate(values)))
    rows = con.execute(f"SELECT x, coalesce({invalid}, FALSE) FROM cells ORDER BY i").fetchall()
    for x, refused in rows:
        read = expected_postcode(x) is not None
        empty = x is None or not x.strip()
        assert refused == (not read and not is_marker(x) and not empty), repr(x)


@settings(max_examples=200, deadline=None)
@given(values=st.lists(dates, min_size=1, max_size=30))
def test_dates_of_birth_read_as_iso_days(con, values) -> None:
    for x, typed in _read(con, DATE_OF_BIRTH, values):
        assert typed == expected_date(x), repr(x)


def test_the_rules_are_exercised_both_ways(con) -> None:
    rows = _read(con, POSTCODE, ["se11 4ko", "SW1A1AA", "SW1", "E1 1CC ", "EC1V  9MO", "ZZ99 3VZ"])
    assert [t for _, t in rows] == ["SE11 4KO", "SW1A 1AA", None, "E1 1CC", "EC1V 9MO", None]
    assert [is_marker(x) for x in ["nfa", "BFPO 7", "ZZ99 3VZ", "SW1", "NFA 12"]] == [
        True, True, True, False, False
    ]  # fmt: skip
    rows = _read(con, DATE_OF_BIRTH, ["1980-02-29", "1981-02-29", "1980-2-1", " 1980-01-02"])
    assert [t for _, t in rows] == [dt.date(1980, 2, 29), None, None, dt.date(1980, 1, 2)]
