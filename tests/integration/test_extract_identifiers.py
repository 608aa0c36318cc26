"""People's identifiers (extract format 2): read from the optional columns of people.csv
into person_identifiers, checked with the file, row, line and column named, replaced with the
person, and absent from a format 1 extract, which reads as before; older stores gain the
table (and the linkage tables) when opened for writing."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dsvb import store
from dsvb.ingest import extract_format as fmt
from dsvb.ingest.extract import ExtractError, import_extract, read_import_log
from dsvb.linkage import tables as linkage_tables
from dsvb.linkage.records import EXTRACT, RecordRef
from dsvb.linkage.run import INCREMENTAL, link, record_key
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
    # an identifier is never repeated in a message (the report, the CLI, the web's job):
    # the file, the row, its line and the column say where to look
    assert (problem.file, problem.column, problem.value) == ("people.csv", column, None)
    assert problem.line == 6 and lines[problem.line - 1].startswith("PY,")
    assert message in problem.message and "value not shown" in problem.message
    assert repr(value) not in str(caught.value) and repr(value) not in str(problem)
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


def test_the_command_line_never_prints_a_bad_identifier(tmp_path: Path) -> None:
    b = ExtractBuilder()
    _with_people(b, PX={"given_name": "Liz"}, PY={"date_of_birth": "1980-02-30"},
                 PZ={"postcode": "QQ7 ZZZ9"})  # fmt: skip
    folder = b.write(tmp_path / "bad")
    result = subprocess.run(
        [sys.executable, "-m", "dsvb", "import", str(folder), "--store",
         str(tmp_path / "store.duckdb"), "--quiet"],
        capture_output=True, text=True, env=os.environ.copy(), timeout=120, check=False,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "people.csv, row 5 (line 6), column date_of_birth" in output
    assert "people.csv, row 6 (line 7), column postcode" in output
    assert output.count("value not shown") == 2
    assert "1980-02-30" not in output and "QQ7" not in output


def _links(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "SELECT source, record_id, person_key FROM person_links ORDER BY ALL"
    ).fetchall()


def _pairs(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "SELECT source_l, record_id_l, source_r, record_id_r FROM link_pairs ORDER BY ALL"
    ).fetchall()


def test_a_format_1_resend_keeps_the_stored_identifiers(con, tmp_path: Path) -> None:
    b = ExtractBuilder()
    _with_people(b, PA={"given_name": "Amy", "family_name": "Cox", "postcode": "E1 1CC"})
    first = import_extract(con, b.write(tmp_path / "first"))
    kept = _identifiers(con)
    assert kept == [("PA", "Amy", "Cox", None, "E1 1CC", first.import_id)]

    again = ExtractBuilder()
    again.person("PA", birth_year=1984)  # a format 1 file says nothing of identifiers
    again.crime(victims=["PA"])
    folder = again.write(tmp_path / "second")
    assert fmt.version_of((folder / "people.csv").read_text().splitlines()[0].split(",")) == 1
    report = import_extract(con, folder)
    assert report.replaced["people"] == 1
    assert _identifiers(con) == kept


def _put_links(con: duckdb.DuckDBPyConnection, *keys: tuple[str, str]) -> None:
    """Keys and a pair as a link run leaves them (PA and PB one person, PC another)."""
    con.execute(
        "INSERT INTO link_runs VALUES (1, TIMESTAMP '2026-12-01 10:00', "
        "TIMESTAMP '2026-12-01 10:01', 'full', 3, 3, 2, 0.9, '{}', 'test')"
    )
    con.executemany("INSERT INTO person_links VALUES ('extract', ?, ?, 1)", [list(k) for k in keys])
    con.execute(
        "INSERT INTO link_pairs VALUES ('extract', 'PA', 'extract', 'PB', 9.5, 0.999, '[]', 1)"
    )


def test_a_person_resent_with_changed_identifiers_loses_their_key_and_pairs(
    con, tmp_path: Path
) -> None:
    b = ExtractBuilder()
    _with_people(
        b,
        PA={"given_name": "Amy", "family_name": "Cox", "date_of_birth": "1980-03-07"},
        PB={"given_name": "Amy", "family_name": "Cox", "date_of_birth": "1980-03-07"},
        PC={"given_name": "Ben", "family_name": "Ode"},
    )  # fmt: skip
    import_extract(con, b.write(tmp_path / "first"))
    _put_links(con, ("PA", "K1"), ("PB", "K1"), ("PC", "K2"))

    again = ExtractBuilder()
    again.person("PA", given_name="Amy", family_name="Cox", date_of_birth="1980-07-03")
    again.person("PC", given_name="Ben", family_name="Ode")  # the same as before
    again.crime(victims=["PA", "PC"])
    report = import_extract(con, again.write(tmp_path / "second"))
    # PA's key and her pair go with her old identifiers (in the import's transaction);
    # PC, re-sent as before, and PB, not re-sent, keep theirs
    assert _links(con) == [("extract", "PB", "K1"), ("extract", "PC", "K2")]
    assert _pairs(con) == []
    assert any("1 person(s) re-sent with changed identifiers" in w for w in report.warnings)
    assert "dsvb link" in " ".join(report.warnings)


def test_a_format_1_resend_keeps_the_persons_key(con, tmp_path: Path) -> None:
    b = ExtractBuilder()
    _with_people(b, PA={"given_name": "Amy"}, PB={"given_name": "Amy"})
    import_extract(con, b.write(tmp_path / "first"))
    _put_links(con, ("PA", "K1"), ("PB", "K1"))
    again = ExtractBuilder()
    again.person("PA")
    again.crime(victims=["PA"])
    import_extract(con, again.write(tmp_path / "second"))
    assert _links(con) == [("extract", "PA", "K1"), ("extract", "PB", "K1")]
    assert len(_pairs(con)) == 1


def test_after_a_changed_date_of_birth_an_incremental_link_keys_the_person_afresh(
    tmp_path: Path,
) -> None:
    connection = store.connect(tmp_path / "linked.duckdb")
    try:
        b = ExtractBuilder()
        _with_people(
            b,
            PA={"given_name": "Amelia", "family_name": "Okafor", "date_of_birth": "1981-05-17",
                "postcode": "SE15 4QC"},
            PB={"given_name": "Amelia", "family_name": "Okafor", "date_of_birth": "1981-05-17",
                "postcode": "SE15 4QC"},
            PC={"given_name": "Tomasz", "family_name": "Wright", "date_of_birth": "1975-01-02",
                "postcode": "N16 7CK"},
        )  # fmt: skip
        import_extract(connection, b.write(tmp_path / "first"))
        now = dt.datetime(2026, 12, 1, 12, 0)
        link(connection, now=now)
        pa = RecordRef(EXTRACT, "PA")
        assert record_key(connection, pa) is not None

        again = ExtractBuilder()
        again.person("PA", given_name="Amelia", family_name="Okafor",
                     date_of_birth="1981-05-18", postcode="SE15 4QC")  # fmt: skip
        again.crime(victims=["PA"])
        import_extract(connection, again.write(tmp_path / "second"))
        assert record_key(connection, pa) is None  # no key until the next link
        assert record_key(connection, RecordRef(EXTRACT, "PB")) is not None

        run = link(connection, now=now + dt.timedelta(hours=1))
        assert run.mode == INCREMENTAL
        assert record_key(connection, pa) is not None
        assert connection.execute(
            "SELECT run_id FROM person_links WHERE record_id = 'PA'"
        ).fetchone() == (run.run_id,)
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("cell", "marker"),
    [("NFA", True), ("n.f.a.", True), ("No Fixed Abode", True), ("BFPO 105", True),
     ("bfpo1", True), ("GIR 0AA", True), ("ASCN 1ZZ", True), ("FIQQ 1ZZ", True),
     ("STHL 1ZZ", True), ("TKCA 1ZZ", True), ("KY1-1102", True), ("ZZ99 3VZ", True),
     ("SW1A 1AA", False)],
)  # fmt: skip
def test_a_non_geographic_postcode_marker_is_stored_as_no_postcode_and_counted(
    con, tmp_path: Path, cell: str, marker: bool
) -> None:
    b = ExtractBuilder()
    _with_people(b, PA={"given_name": "Amy", "postcode": cell},
                 PB={"given_name": "Ben", "postcode": "E1 1CC"})  # fmt: skip
    report = import_extract(con, b.write(tmp_path / "x"))
    stored = {r[0]: r[4] for r in _identifiers(con)}
    assert stored["PB"] == "E1 1CC"
    notes = [n for n in report.normalised if "no postcode" in n]
    if marker:
        assert stored["PA"] is None
        assert notes == [
            "people.csv postcode: 1 value(s) marking no fixed abode, a forces (BFPO) address, "
            "an overseas territory or another non-geographic postcode were stored as no "
            "postcode"
        ]
        assert cell not in " ".join(report.normalised + report.warnings)
    else:
        assert stored["PA"] == "SW1A 1AA" and notes == []


def test_markers_are_counted_and_a_malformed_postcode_is_still_refused(con, tmp_path: Path) -> None:
    b = ExtractBuilder()
    _with_people(b, PA={"postcode": "NFA"}, PB={"postcode": "BFPO 57"},
                 PC={"postcode": "GIR0AA"})  # fmt: skip
    report = import_extract(con, b.write(tmp_path / "ok"))
    assert any(n.startswith("people.csv postcode: 3 value(s) marking") for n in report.normalised)
    assert _identifiers(con) == []  # a marker is not an identifier: no row for them

    bad = ExtractBuilder()
    _with_people(bad, PX={"postcode": "NFA"}, PY={"postcode": "NFA 12"})
    with pytest.raises(ExtractError) as caught:
        import_extract(con, bad.write(tmp_path / "bad"))
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.line, problem.column) == (
        "people.csv",
        5,
        6,
        "postcode",
    )
    assert "not shaped like a UK postcode" in problem.message
