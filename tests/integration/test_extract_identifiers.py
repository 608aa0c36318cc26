"""People's identifiers (extract format 2): read from the optional columns of people.csv
into person_identifiers, checked with the file, row, line and column named, replaced with the
person, and absent from a format 1 extract, which reads as before; older stores gain the
table (and the linkage tables) when opened for writing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from dsvb import store
from dsvb.ingest import extract_format as fmt
from dsvb.ingest.extract import ExtractError, import_extract, read_import_log
from dsvb.linkage import tables as linkage_tables
from tests.support.builder import ExtractBuilder, small_extract
from tests.support.store import contents


@pytest.fixture
def con(tmp_path: Path):
    connection = store.connect(tmp_path / "store.duckdb")
    yield connection
    connection.close()


def _identifiers(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "SELECT person_id, given_name, family_name, date_of_birth, postcode, import_id "
        "FROM person_identifiers ORDER BY person_id"
    ).fetchall()


def _with_people(b: ExtractBuilder, **people: dict[str, object]) -> None:
    small_extract(b)
    for pid, fields in people.items():
        b.person(pid, **fields)
        b.crime(victims=[pid])


def test_a_format_1_extract_reads_as_before_and_stores_no_identifiers(
    con, tmp_path: Path, builder: ExtractBuilder
) -> None:
    small_extract(builder)
    folder = builder.write(tmp_path / "v1")
    header = (folder / "people.csv").read_text().splitlines()[0].split(",")
    assert header == ["person_id", "sex", "birth_year", "ethnicity", "disabled", "lgbt"]
    assert fmt.version_of(header) == 1
    report = import_extract(con, folder)
    assert report.row_counts["people"] == 3
    assert _identifiers(con) == []
    (entry,) = read_import_log(con)
    assert entry["format_version"] == 1


def test_a_format_2_extract_stores_each_persons_identifiers_apart(
    con, tmp_path: Path, builder: ExtractBuilder
) -> None:
    _with_people(
        builder,
        PA={"given_name": "  Elizabeth ", "family_name": "Walsh", "date_of_birth": "1980-03-07",
            "postcode": "se11 4ko"},
        PB={"given_name": "Amy", "postcode": "SW94MV"},
        PC={"given_name": "", "family_name": "", "date_of_birth": "", "postcode": ""},
    )  # fmt: skip
    report = import_extract(con, builder.write(tmp_path / "v2"))
    assert _identifiers(con) == [
        ("PA", "Elizabeth", "Walsh", dt.date(1980, 3, 7), "SE11 4KO", report.import_id),
        ("PB", "Amy", None, None, "SW9 4MV", report.import_id),
    ]  # PC and the people of small_extract have none: no row
    assert con.execute("SELECT count(*) FROM people").fetchone()[0] == 6
    # the people table itself holds no identifier
    people_columns = {r[0] for r in con.execute("DESCRIBE people").fetchall()}
    assert not people_columns & set(fmt.IDENTIFIER_COLUMNS)
    assert any("2 postcode(s)" in n for n in report.normalised), report.normalised
    (entry,) = read_import_log(con)
    assert entry["format_version"] == 2


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("date_of_birth", "07/03/1980", "not a date written as YYYY-MM-DD"),
        ("date_of_birth", "1980-02-30", "not a date written as YYYY-MM-DD"),
        ("date_of_birth", "1880-01-01", "outside the plausible range for a date of birth"),
        ("date_of_birth", "2999-01-01", "not after"),
        ("postcode", "SW1", "not shaped like a UK postcode"),
        ("postcode", "12345", "not shaped like a UK postcode"),
        ("postcode", "SW1A 1AA 1", "not shaped like a UK postcode"),
    ],
)
def test_a_bad_identifier_is_refused_with_its_line_and_nothing_is_stored(
    con, tmp_path: Path, column: str, value: str, message: str
) -> None:
    first = ExtractBuilder()
    _with_people(first, PA={"given_name": "Amy", "postcode": "E1 1CC"})
    import_extract(con, first.write(tmp_path / "first"))
    before = contents(con)

    b = ExtractBuilder()
    _with_people(b, PX={"given_name": "Liz"}, PY={column: value})
    folder = b.write(tmp_path / "bad")
    with pytest.raises(ExtractError) as caught:
        import_extract(con, folder)
    (problem,) = caught.value.problems
    lines = (folder / "people.csv").read_text().splitlines()
    assert (problem.file, problem.column, problem.value) == ("people.csv", column, value)
    assert problem.line == 6 and lines[problem.line - 1].startswith("PY,")
    assert message in problem.message
    assert contents(con) == before


def test_a_future_date_of_birth_names_the_day_of_the_import(con, tmp_path: Path) -> None:
    tomorrow = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
    b = ExtractBuilder()
    _with_people(b, PY={"date_of_birth": tomorrow.isoformat()})
    with pytest.raises(ExtractError) as caught:
        import_extract(con, b.write(tmp_path / "x"))
    text = str(caught.value)
    assert "people.csv, row 4 (line 5), column date_of_birth" in text
    assert f"not after {dt.datetime.now(dt.UTC).date():%Y-%m-%d}" in text


def test_a_resent_person_replaces_their_identifiers(con, tmp_path: Path) -> None:
    b = ExtractBuilder()
    _with_people(b, PA={"given_name": "Amy", "family_name": "Cox"},
                 PB={"given_name": "Ben", "date_of_birth": "1990-01-02"})  # fmt: skip
    import_extract(con, b.write(tmp_path / "first"))

    again = ExtractBuilder()
    again.person("PA", given_name="Amy", family_name="Walsh")  # her surname changed
    again.person("PB")  # re-sent without identifiers: none now
    again.crime(victims=["PA", "PB"])
    report = import_extract(con, again.write(tmp_path / "second"))
    assert report.replaced["people"] == 2
    assert _identifiers(con) == [("PA", "Amy", "Walsh", None, None, report.import_id)]


def test_a_date_of_birth_in_another_year_than_birth_year_is_a_warning(con, tmp_path: Path) -> None:
    b = ExtractBuilder()
    _with_people(b, PA={"birth_year": "1981", "date_of_birth": "1980-12-31"},
                 PB={"birth_year": "1980", "date_of_birth": "1980-12-31"})  # fmt: skip
    report = import_extract(con, b.write(tmp_path / "x"))
    assert any("1 person(s) have a date of birth in another year" in w for w in report.warnings)


def test_a_store_of_schema_6_gains_the_identifier_and_linkage_tables(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    b = ExtractBuilder()
    small_extract(b)
    con = store.connect(path)
    import_extract(con, b.write(tmp_path / "x"))
    for table in ("person_identifiers", *linkage_tables.TABLES):
        con.execute(f"DROP TABLE {table}")
    con.execute("UPDATE store_meta SET value = '6' WHERE key = 'schema_version'")
    con.close()

    old = store.connect(path, read_only=True)  # still readable as it is
    try:
        assert len(read_import_log(old)) == 1
    finally:
        old.close()

    con = store.connect(path)
    try:
        tables = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
        assert {"person_identifiers", *linkage_tables.TABLES} <= tables
        assert con.execute(
            "SELECT value FROM store_meta WHERE key = 'schema_version'"
        ).fetchone() == ("7",)
        assert store.SCHEMA_VERSION == 7
        b2 = ExtractBuilder()
        _with_people(b2, PZ={"given_name": "Zoe"})
        import_extract(con, b2.write(tmp_path / "y"))
        assert [r[0] for r in _identifiers(con)] == ["PZ"]
    finally:
        con.close()
