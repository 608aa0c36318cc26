"""Importing extracts: validation messages, all-or-nothing storage, idempotence, replacement."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dsvb import store
from dsvb.ingest.extract import ExtractError, ImportReport, import_extract, read_import_log
from tests.support.builder import ExtractBuilder, rewrite_cell, small_extract
from tests.support.store import contents as store_contents


def snapshot(con) -> dict[str, list[tuple]]:
    return store_contents(con)


@pytest.fixture
def con(tmp_path: Path):
    connection = store.connect(tmp_path / "store.duckdb")
    yield connection
    connection.close()


@pytest.fixture
def good(tmp_path: Path, builder: ExtractBuilder) -> Path:
    small_extract(builder)
    return builder.write(tmp_path / "extract")


@pytest.fixture
def populated(con, tmp_path: Path):
    """A store that already holds one extract, to check that failures leave it untouched."""
    b = ExtractBuilder()
    small_extract(b)
    import_extract(con, b.write(tmp_path / "first"))
    return con


def test_import_stores_every_file(con, good: Path) -> None:
    report = import_extract(con, good)
    assert report.status == "imported"
    assert report.row_counts == {
        "incidents": 3,
        "crimes": 2,
        "people": 3,
        "crime_people": 4,
        "victim_contacts": 1,
    }
    assert con.execute("SELECT count(*) FROM crimes").fetchone()[0] == 2
    row = con.execute(
        "SELECT area_code, outcome, recorded_at, recorded_month FROM crimes ORDER BY crime_id"
    ).fetchall()[0]
    # 12:00 London (GMT in March) is 12:00 UTC; the month is the local month
    assert row[0] == "E09000022" and row[1] == "charge"
    assert str(row[2]) == "2010-03-01 12:00:00" and str(row[3]) == "2010-03-01"


def test_importing_the_same_extract_twice_stores_it_once(con, good: Path) -> None:
    first = import_extract(con, good)
    before = snapshot(con)
    second = import_extract(con, good)
    assert second.status == "already_imported"
    assert second.import_id == first.import_id
    assert snapshot(con) == before


def _resend_crime(con, tmp_path: Path) -> ImportReport:
    """C1 (a victim and a suspect) imported, then re-sent charged with its victim only."""
    b = ExtractBuilder()
    v, s = b.person("V1"), b.person("S1", sex="male")
    b.crime("C1", victims=[v], suspects=[s], outcome="")
    import_extract(con, b.write(tmp_path / "one"))

    b2 = ExtractBuilder()
    b2.crime("C1", victims=["V1"], outcome="charge")  # people already stored
    return import_extract(con, b2.write(tmp_path / "two"))


def test_a_later_extract_replaces_records_it_contains(con, tmp_path: Path) -> None:
    report = _resend_crime(con, tmp_path)
    assert report.replaced["crimes"] == 1
    assert con.execute("SELECT outcome FROM crimes").fetchall() == [("charge",)]
    # the crime's people links are replaced as a unit: the suspect link is gone
    assert con.execute("SELECT person_id, role FROM crime_people").fetchall() == [("V1", "victim")]
    assert con.execute("SELECT count(*) FROM people").fetchone()[0] == 2


def _stored_crime(con, tmp_path: Path) -> None:
    """C1 with a victim and a suspect, and two Victims' Code contacts."""
    b = ExtractBuilder()
    v, s = b.person("V1"), b.person("S1", sex="male")
    b.crime("C1", victims=[v], suspects=[s], outcome="")
    b.contact("C1", "support_referral", "2010-03-03T12:00:00", "2010-03-02T09:00:00")
    b.contact("C1", "update", "2010-03-20T12:00:00")
    import_extract(con, b.write(tmp_path / "one"))


def _links_and_contacts(con) -> tuple[list[tuple], list[tuple]]:
    links = con.execute("SELECT person_id, role FROM crime_people ORDER BY 1").fetchall()
    contacts = con.execute("SELECT reason FROM victim_contacts ORDER BY 1").fetchall()
    return links, contacts


def test_a_re_sent_crime_without_the_optional_contacts_file_keeps_its_contacts(
    con, tmp_path: Path
) -> None:
    _stored_crime(con, tmp_path)
    b = ExtractBuilder(with_contacts_file=False)
    b.crime("C1", victims=["V1"], suspects=["S1"], outcome="charge")
    report = import_extract(con, b.write(tmp_path / "two"))
    assert report.replaced["crimes"] == 1 and report.replaced["victim_contacts"] == 0
    links, contacts = _links_and_contacts(con)
    assert links == [("S1", "suspect"), ("V1", "victim")]
    assert contacts == [("support_referral",), ("update",)]  # absent file: nothing said


def test_new_contacts_for_a_stored_crime_replace_only_its_contacts(con, tmp_path: Path) -> None:
    _stored_crime(con, tmp_path)
    b = ExtractBuilder()
    b.contact("C1", "update", "2010-03-21T12:00:00", "2010-03-21T10:00:00")
    report = import_extract(con, b.write(tmp_path / "two"))
    assert report.replaced == {
        "incidents": 0, "people": 0, "crimes": 0, "crime_people": 0, "victim_contacts": 2,
    }  # fmt: skip
    links, contacts = _links_and_contacts(con)
    assert links == [("S1", "suspect"), ("V1", "victim")]  # untouched
    assert contacts == [("update",)]


def test_new_links_for_a_stored_crime_replace_only_its_links(con, tmp_path: Path) -> None:
    _stored_crime(con, tmp_path)
    b = ExtractBuilder()
    b.link("C1", "V1", "victim")
    report = import_extract(con, b.write(tmp_path / "two"))
    assert report.replaced["crime_people"] == 2 and report.replaced["victim_contacts"] == 0
    links, contacts = _links_and_contacts(con)
    assert links == [("V1", "victim")]
    assert contacts == [("support_referral",), ("update",)]  # untouched


def test_times_are_read_as_london_local_unless_an_offset_is_given(con, tmp_path: Path) -> None:
    b = ExtractBuilder()
    b.crime("SUMMER", recorded_at="2010-07-01T00:30:00")  # BST: 23:30 UTC the day before
    b.crime("OFFSET", recorded_at="2010-07-01T00:30:00Z")  # explicit UTC: 01:30 BST
    b.crime("WINTER", recorded_at="2010-12-31T23:30:00")  # GMT
    b.crime("DATE", recorded_at="2010-08-01")  # a bare date is local midnight
    report = import_extract(con, b.write(tmp_path / "x"))
    rows = dict(
        con.execute(
            "SELECT crime_id, strftime(recorded_at, '%Y-%m-%d %H:%M') || ' ' || recorded_month "
            "FROM crimes"
        ).fetchall()
    )
    assert rows == {
        "SUMMER": "2010-06-30 23:30 2010-07-01",
        "OFFSET": "2010-07-01 00:30 2010-07-01",
        "WINTER": "2010-12-31 23:30 2010-12-01",
        "DATE": "2010-07-31 23:00 2010-08-01",
    }
    assert any("1 value(s) with an explicit offset (Z" in n for n in report.normalised)


def test_times_the_clocks_skip_or_repeat_are_read_in_gmt_and_noted(con, tmp_path: Path) -> None:
    b = ExtractBuilder()
    b.crime("SPRING", recorded_at="2010-03-28T01:30:00")  # never happened in London
    b.crime("AUTUMN", recorded_at="2010-10-31T01:30:00")  # happened twice
    b.crime("BEFORE", recorded_at="2010-03-28T00:59:00", outcome_at="2010-10-31T01:00:00")
    b.crime("AFTER", recorded_at="2010-03-28T02:00:00")  # BST
    report = import_extract(con, b.write(tmp_path / "x"))
    rows = dict(con.execute("SELECT crime_id, recorded_at::VARCHAR FROM crimes").fetchall())
    assert rows["SPRING"] == "2010-03-28 01:30:00" and rows["AUTUMN"] == "2010-10-31 01:30:00"
    assert rows["AFTER"] == "2010-03-28 01:00:00"
    noted = {n.split(":")[0]: n for n in report.normalised if "clocks skip or repeat" in n}
    assert noted.keys() == {"crimes.csv recorded_at", "crimes.csv outcome_at"}
    assert "2 local time(s)" in noted["crimes.csv recorded_at"]
    assert "1 local time(s)" in noted["crimes.csv outcome_at"]


def test_import_log_records_what_was_normalised(con, tmp_path: Path) -> None:
    b = ExtractBuilder()
    b.crime(area="Kensington & Chelsea", unit="csu", dv="Y", with_incident=True)
    b.crime(area="K&C", with_incident=True)
    b.crime(area="Hammersmith & Fulam")
    report = import_extract(con, b.write(tmp_path / "x"))
    (entry,) = read_import_log(con)
    assert entry["status"] == "imported"
    assert entry["row_counts"]["crimes"] == 3
    notes = " | ".join(entry["normalised"])
    # known variants and similarity matches one by one; case and spacing only in a summary
    assert "crimes.csv area: 'K&C' read as Kensington and Chelsea (E09000020) [variant]" in notes
    assert (
        "crimes.csv area: 'Hammersmith & Fulam' read as Hammersmith and Fulham (E09000013) "
        "by similarity (98%); check the source in 1 row(s)"
    ) in notes
    assert (
        "crimes.csv area: 1 value(s) in 1 spelling(s) differing from the reference name only "
        "in case, '&' or spacing were matched (e.g. 'Kensington & Chelsea')"
    ) in notes
    assert "crimes.csv unit: 1 value(s) read case-insensitively" in notes
    assert "crimes.csv dv: 1 value(s) read as booleans" in notes
    assert entry["normalised"] == report.normalised
    assert ("CSU", True) in con.execute("SELECT unit, dv FROM crimes").fetchall()


def test_consistency_warnings_are_logged_but_do_not_block(con, tmp_path: Path) -> None:
    b = ExtractBuilder()
    b.crime(
        recorded_at="2010-05-01T00:00:00",
        outcome="charge",
        outcome_at="2010-04-01T00:00:00",
        withdrawn_after_charge="false",
    )
    b.crime(outcome="caution", withdrawn_after_charge="true")
    report = import_extract(con, b.write(tmp_path / "x"))
    text = " | ".join(report.warnings)
    assert "1 crime(s) have an outcome date before they were recorded" in text
    assert "1 crime(s) are marked withdrawn after charge but the outcome is not a charge" in text
    assert "2 confirmed crime(s) have no victim" in text
    assert (
        json.loads(con.execute("SELECT warnings FROM import_log").fetchone()[0]) == report.warnings
    )


def test_extra_columns_and_files_are_ignored_with_a_warning(con, good: Path) -> None:
    (good / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    path = good / "people.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",shoe_size"] + [line + ",9" for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_extract(con, good)
    assert "notes.csv: not part of the extract format; ignored" in report.warnings
    assert "people.csv: extra columns ignored: shoe_size" in report.warnings


def test_no_extra_column_name_can_clash_with_the_format_or_the_import(con, good: Path) -> None:
    # an unnamed column (a trailing comma on every line, as spreadsheets write), a name that
    # differs from a format column only in case, and names like the staging query's own
    path = good / "people.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    extra = ",Sex,c__sex,t__person_id,p__birth_year,"
    lines = [lines[0] + extra] + [line + ",X,junk,NOBODY,1," for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = import_extract(con, good)
    assert before.status == "imported" and before.row_counts["people"] == 3
    assert (
        "people.csv: extra columns ignored: Sex, c__sex, t__person_id, p__birth_year, (unnamed)"
        in before.warnings
    )
    assert con.execute("SELECT DISTINCT sex FROM people ORDER BY 1").fetchall() == [
        ("female",), ("male",),
    ]  # fmt: skip


def test_optional_file_and_columns_may_be_absent(con, tmp_path: Path) -> None:
    b = ExtractBuilder(with_contacts_file=False)
    b.crime(victims=[b.person()])
    folder = b.write(tmp_path / "x")
    # drop every optional column from crimes.csv
    import csv

    with (folder / "crimes.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    from dsvb.ingest.extract_format import CRIMES

    keep = [c.name for c in CRIMES.columns if c.required]
    with (folder / "crimes.csv").open("w", newline="") as f:
        w = csv.DictWriter(f, keep, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    report = import_extract(con, folder)
    assert report.row_counts["crimes"] == 1 and "victim_contacts" not in report.row_counts
    assert con.execute("SELECT outcome, risk_form FROM crimes").fetchall() == [("pending", None)]


# --- bad input: each kind gives a clear message and leaves the store exactly as it was ----


def _break(folder: Path, case: str) -> None:
    if case == "missing file":
        (folder / "people.csv").unlink()
    elif case == "missing column":
        text = (folder / "crimes.csv").read_text().replace(",status,", ",state,", 1)
        (folder / "crimes.csv").write_text(text)
    elif case == "duplicate column":
        path = folder / "people.csv"
        lines = path.read_text().splitlines()
        path.write_text("\n".join([lines[0] + ",sex"] + [x + ",female" for x in lines[1:]]) + "\n")
    elif case == "empty file":
        (folder / "incidents.csv").write_text("")
    elif case == "not utf-8":
        path = folder / "people.csv"
        path.write_bytes(path.read_bytes() + "P9,female,1970,white,,\n".encode("utf-16"))
    elif case == "not utf-8 header":
        path = folder / "people.csv"
        path.write_bytes(path.read_bytes().replace(b"birth_year", b"birth_y\xe9ar", 1))
    elif case == "unclosed quote":
        path = folder / "crimes.csv"
        lines = path.read_text().splitlines(keepends=True)
        cells = lines[2].split(",")
        cells[4] = '"' + cells[4]  # opens a quoted value that never closes
        lines[2] = ",".join(cells)
        path.write_text("".join(lines))
    elif case == "ragged row":
        path = folder / "crime_people.csv"
        path.write_text(path.read_text() + "CRM1,P1,victim,extra\n")
    elif case == "bad date-time":
        rewrite_cell(folder / "crimes.csv", 2, "recorded_at", "31/03/2010")
    elif case == "bad boolean":
        rewrite_cell(folder / "incidents.csv", 3, "dv_flag", "maybe")
    elif case == "bad enum":
        rewrite_cell(folder / "crimes.csv", 1, "unit", "CID")
    elif case == "unknown area":
        rewrite_cell(folder / "incidents.csv", 2, "area", "Gotham")
    elif case == "missing value":
        rewrite_cell(folder / "people.csv", 2, "sex", "")
    elif case == "duplicate id":
        rewrite_cell(folder / "people.csv", 3, "person_id", "P000001")
    elif case == "dangling reference":
        rewrite_cell(folder / "crime_people.csv", 4, "person_id", "NOBODY")
    elif case == "implausible birth year":
        rewrite_cell(folder / "people.csv", 1, "birth_year", "1066")
    else:
        raise AssertionError(case)


CASES = {
    # case: (file, row, column, words in the message)
    "missing file": ("people.csv", None, None, "required file is missing"),
    "missing column": ("crimes.csv", None, "status", "required column is missing"),
    "duplicate column": ("people.csv", None, "sex", "column appears more than once"),
    "empty file": ("incidents.csv", None, None, "the file is empty"),
    "not utf-8": ("people.csv", 4, None, "not valid UTF-8"),  # the data's row, not the header
    "not utf-8 header": ("people.csv", None, None, "the header is not valid UTF-8"),
    "ragged row": ("crime_people.csv", 5, None, "the row has 4 fields where the header has 3"),
    "unclosed quote": ("crimes.csv", 2, None, 'a quoted value is not closed (an unmatched ")'),
    "bad date-time": ("crimes.csv", 2, "recorded_at", "not an ISO 8601 date"),
    "bad boolean": ("incidents.csv", 3, "dv_flag", "not a boolean"),
    "bad enum": ("crimes.csv", 1, "unit", "not one of: CSU, BOROUGH_OTHER"),
    "unknown area": ("incidents.csv", 2, "area", "not a known area"),
    "missing value": ("people.csv", 2, "sex", "missing required value"),
    "duplicate id": ("people.csv", 3, "person_id", "'P000001' appears 2 times (rows 1, 3)"),
    "dangling reference": ("crime_people.csv", 4, "person_id", "refers to a person_id"),
    "implausible birth year": ("people.csv", 1, "birth_year", "not a year between"),
}


@pytest.mark.parametrize(
    ("file", "column", "value", "words"),
    [
        # date-times DuckDB's own cast would read, but ISO 8601 does not allow
        *(
            ("crimes.csv", "recorded_at", v, "not an ISO 8601 date")
            for v in (
                "2010/03/31", "2010-3-1", "epoch", "infinity", "-infinity", "2010-03-31 (BC)",
                "10000-01-01", "2010-03-31T23:15:00 EST", "2010-03-31T23", "31/03/2010",
            )
        ),
        ("crimes.csv", "arrested_at", "today", "not an ISO 8601 date"),
        # years an integer cast would read
        *(("people.csv", "birth_year", v, "not a year") for v in ("1984.6", "1_984", "0x7C0")),
    ],
)  # fmt: skip
def test_values_duckdb_would_read_but_the_format_does_not_allow_are_refused(
    con, good: Path, file: str, column: str, value: str, words: str
) -> None:
    rewrite_cell(good / file, 2, column, value)
    with pytest.raises(ExtractError) as caught:
        import_extract(con, good)
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.column) == (file, 2, column)
    assert words in problem.message and problem.value == value


@pytest.mark.parametrize(
    ("value", "utc"),
    [
        ("2010-03-31T23:15:00+01:00", "2010-03-31 22:15:00"),
        ("2010-03-31T23:15:00+0100", "2010-03-31 22:15:00"),
        ("2010-03-31T23:15:00+01", "2010-03-31 22:15:00"),
        ("2010-03-31 23:15:00Z", "2010-03-31 23:15:00"),
        ("2010-03-31T23:15:00.250", "2010-03-31 22:15:00.25"),  # BST, no offset
    ],
)
def test_every_iso_form_the_format_allows_is_read(con, good: Path, value: str, utc: str) -> None:
    rewrite_cell(good / "crimes.csv", 2, "recorded_at", value)
    import_extract(con, good)
    stored = con.execute("SELECT recorded_at::VARCHAR FROM crimes ORDER BY crime_id").fetchall()
    assert stored[1] == (utc,)


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_rejected_with_file_row_and_column(
    case: str, populated, tmp_path: Path
) -> None:
    b = ExtractBuilder()
    small_extract(b)
    b.incident(area="E09000033")  # harmless extra rows so the extract differs from the first
    folder = b.write(tmp_path / "bad")
    _break(folder, case)
    before = snapshot(populated)

    with pytest.raises(ExtractError) as caught:
        import_extract(populated, folder)

    file, row, column, words = CASES[case]
    matching = [p for p in caught.value.problems if p.file == file and words in p.message]
    assert matching, f"no problem in {file} saying {words!r}: {caught.value}"
    problem = matching[0]
    if row is not None:
        assert problem.row == row
    if column is not None:
        assert problem.column == column
    assert "nothing was stored" in str(caught.value)
    assert snapshot(populated) == before


def test_problems_are_counted_beyond_the_examples(con, tmp_path: Path) -> None:
    b = ExtractBuilder()
    for _ in range(80):
        b.incident(channel="carrier_pigeon")
    with pytest.raises(ExtractError) as caught:
        import_extract(con, b.write(tmp_path / "x"))
    assert caught.value.total == 80
    assert "30 more row(s) with the same problem" in str(caught.value)


def test_unresolved_references_from_several_files_are_each_listed_in_file_order(
    con, tmp_path: Path
) -> None:
    b = ExtractBuilder()
    v = b.person("V1")
    crime = b.crime("C1", victims=[v], with_incident=True)
    b.incident(crime_id="C404")  # incidents row 2
    b.contact(crime, "update", "2010-04-01T00:00:00")
    b.contact("C405", "update", "2010-04-02T00:00:00")  # victim_contacts row 2
    b.contact("C405", "arrest", "2010-04-03T00:00:00")  # and row 3
    folder = b.write(tmp_path / "x")
    rewrite_cell(folder / "crime_people.csv", 1, "person_id", "V404")

    with pytest.raises(ExtractError) as caught:
        import_extract(con, folder)

    found = [
        (p.file, p.row, p.column, p.value)
        for p in caught.value.problems
        if "refers to a" in p.message
    ]
    assert found == [
        ("incidents.csv", 2, "crime_id", "C404"),
        ("crime_people.csv", 1, "person_id", "V404"),
        ("victim_contacts.csv", 2, "crime_id", "C405"),
        ("victim_contacts.csv", 3, "crime_id", "C405"),
    ]


def test_missing_and_invalid_values_are_counted_apart_in_required_and_optional_columns(
    con, tmp_path: Path
) -> None:
    b = ExtractBuilder()
    for value in ["", "maybe", "true", " ", "nope", "yes", ""]:
        b.incident(dv_flag=value, suspect_present=value)
    with pytest.raises(ExtractError) as caught:
        import_extract(con, b.write(tmp_path / "x"))
    found = sorted(
        (p.column, p.message, p.row) for p in caught.value.problems if p.file == "incidents.csv"
    )
    assert found == [
        ("dv_flag", "missing required value", 1),
        ("dv_flag", "missing required value", 4),
        ("dv_flag", "missing required value", 7),
        ("dv_flag", "not a boolean (true/false, 1/0, Y/N or yes/no)", 2),
        ("dv_flag", "not a boolean (true/false, 1/0, Y/N or yes/no)", 5),
        # suspect_present is optional: empty is allowed, only the invalid values count
        ("suspect_present", "not a boolean (true/false, 1/0, Y/N or yes/no)", 2),
        ("suspect_present", "not a boolean (true/false, 1/0, Y/N or yes/no)", 5),
    ]
    assert caught.value.total == 7


def test_references_may_point_to_records_already_stored(con, tmp_path: Path) -> None:
    b = ExtractBuilder()
    b.person("V1")
    b.crime("C1", victims=["V1"])
    import_extract(con, b.write(tmp_path / "one"))
    b2 = ExtractBuilder()
    b2.incident(crime_id="C1")
    b2.contact("C1", "update", "2010-04-01T00:00:00")
    report = import_extract(con, b2.write(tmp_path / "two"))
    assert report.row_counts["incidents"] == 1


def test_a_failure_while_storing_rolls_back_everything(
    populated, tmp_path: Path, monkeypatch
) -> None:
    from dsvb.ingest import extract

    b = ExtractBuilder()
    small_extract(b)
    b.incident(area="E09000033")
    folder = b.write(tmp_path / "later")
    before = snapshot(populated)
    calls = []

    def failing_insert(con, f, import_id):
        calls.append(f.spec.name)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        original(con, f, import_id)

    original = extract._insert
    monkeypatch.setattr(extract, "_insert", failing_insert)
    with pytest.raises(RuntimeError, match="disk full"):
        import_extract(populated, folder)
    assert snapshot(populated) == before


# --- row numbers stay right when DuckDB reads a large file in parallel ----------------------

LARGE_ROWS = 400_000  # about 30 MB: read in several parallel chunks


def _large_incidents(folder: Path, defect: str) -> int:
    """Write an incidents.csv of LARGE_ROWS valid rows with one defect near the end;
    return the data row of the defect."""
    from tests.support.builder import INCIDENT_DEFAULTS

    columns = ["incident_id", *INCIDENT_DEFAULTS]
    rows = [dict(INCIDENT_DEFAULTS, incident_id=f"L{i:07d}") for i in range(1, LARGE_ROWS + 1)]
    at = LARGE_ROWS - 1_234
    if defect == "invalid value":
        rows[at - 1]["reported_at"] = "31/03/2010"
    elif defect == "unknown area":
        rows[at - 1]["area"] = "Gotham"
    elif defect == "duplicate id":
        rows[at - 1]["incident_id"] = rows[at - 11]["incident_id"]
    elif defect == "dangling reference":
        rows[at - 1]["crime_id"] = "NO-SUCH-CRIME"
    lines = [",".join(columns)] + [",".join(r[c] for c in columns) for r in rows]
    (folder / "incidents.csv").write_text("\n".join(lines) + "\n")
    return at


@pytest.mark.parametrize(
    "defect, column",
    [
        ("invalid value", "reported_at"),
        ("unknown area", "area"),
        ("duplicate id", "incident_id"),
        ("dangling reference", "crime_id"),
    ],
)
def test_problem_rows_are_file_rows_in_a_large_file(
    defect: str, column: str, con, tmp_path: Path
) -> None:
    b = ExtractBuilder()
    small_extract(b)
    folder = b.write(tmp_path / "large")
    at = _large_incidents(folder, defect)
    con.execute("SET threads = 4")  # parallel reading, whatever the machine

    with pytest.raises(ExtractError) as caught:
        import_extract(con, folder)

    problems = [p for p in caught.value.problems if p.file == "incidents.csv"]
    assert [(p.row, p.column) for p in problems] == [(at, column)], caught.value
    if defect == "duplicate id":
        assert f"(rows {at - 10}, {at})" in problems[0].message


def _quoted_empty(path: Path, row: int, column: str) -> None:
    """Make one cell a quoted empty string (``""``), which DuckDB reads as '' not NULL."""
    rewrite_cell(path, row, column, "@@quoted-empty@@")
    path.write_text(path.read_text(encoding="utf-8").replace("@@quoted-empty@@", '""'))


def test_blank_and_padded_cells_read_as_their_trimmed_value(con, tmp_path: Path) -> None:
    """Canonical cells are read without cleaning; every other cell (quoted empty, blank,
    padded) must still be read as its trimmed text, in optional and required columns."""
    b = ExtractBuilder()
    ids = [b.crime(with_incident=True) for _ in range(5)]
    folder = b.write(tmp_path / "x")
    crimes = folder / "crimes.csv"
    _quoted_empty(crimes, 1, "lgbt")
    rewrite_cell(crimes, 2, "lgbt", "   ")
    rewrite_cell(crimes, 3, "lgbt", " yes ")
    rewrite_cell(crimes, 4, "unit", " CSU")
    rewrite_cell(crimes, 5, "recorded_at", " 2010-05-01T10:00:00\u00a0")
    report = import_extract(con, folder)
    rows = con.execute("SELECT crime_id, lgbt, unit, recorded_at::VARCHAR FROM crimes").fetchall()
    stored = {crime_id: rest for crime_id, *rest in rows}
    assert [stored[i][0] for i in ids[:3]] == [None, None, True]
    assert stored[ids[3]][1] == "CSU"
    assert stored[ids[4]][2] == "2010-05-01 09:00:00"  # BST, stored as UTC
    notes = " | ".join(report.normalised)
    assert "crimes.csv lgbt: 1 value(s) read as booleans" in notes
    assert "crimes.csv unit: 1 value(s) read case-insensitively or trimmed" in notes
    assert "honoured" not in notes  # the padded date-time has no offset


@pytest.mark.parametrize("cell", ['""', "   ", "\u3000"])
def test_a_blank_required_cell_is_missing_not_invalid(con, tmp_path: Path, cell: str) -> None:
    b = ExtractBuilder()
    b.crime(with_incident=True)
    folder = b.write(tmp_path / "x")
    if cell == '""':
        _quoted_empty(folder / "crimes.csv", 1, "dv")
    else:
        rewrite_cell(folder / "crimes.csv", 1, "dv", cell)
    with pytest.raises(ExtractError) as caught:
        import_extract(con, folder)
    assert [(p.file, p.row, p.column, p.message) for p in caught.value.problems] == [
        ("crimes.csv", 1, "dv", "missing required value")
    ]
    assert con.execute("SELECT count(*) FROM crimes").fetchone()[0] == 0


@pytest.mark.parametrize("broken_reason, line", [(False, 4), (True, 5)])
def test_a_problem_names_the_line_its_row_starts_on(
    con, tmp_path: Path, broken_reason: bool, line: int
) -> None:
    """A row is one line after the header unless a quoted value holds a line break; the
    line given with a row counts the lines of the file as an editor shows them."""
    b = ExtractBuilder()
    for _ in range(3):
        b.incident()
    folder = b.write(tmp_path / "x")
    incidents = folder / "incidents.csv"
    if broken_reason:
        rewrite_cell(incidents, 1, "no_crime_report_reason", "advice only;\nno offence")
    rewrite_cell(incidents, 3, "dv_flag", "maybe")
    with pytest.raises(ExtractError) as caught:
        import_extract(con, folder)
    (problem,) = caught.value.problems
    assert (problem.row, problem.line) == (3, line)
    assert f"incidents.csv, row 3 (line {line}), column dv_flag" in str(caught.value)
    text = incidents.read_text(encoding="utf-8").split("\n")
    assert "maybe" in text[line - 1]  # the line an editor would show


def test_the_import_log_records_what_each_import_replaced(con, tmp_path: Path) -> None:
    report = _resend_crime(con, tmp_path)

    second, first = read_import_log(con)
    assert second["replaced"] == report.replaced
    assert second["replaced"]["crimes"] == 1 and second["replaced"]["crime_people"] == 2
    assert not any(first["replaced"].values())


def test_a_store_made_before_the_replaced_column_is_brought_up_to_date(tmp_path: Path) -> None:
    """Stores written by an earlier dsvb have no import_log.replaced: opening one for
    writing adds it (old entries read as having replaced nothing), and reading one that is
    still old works too."""
    path = tmp_path / "old.duckdb"
    b = ExtractBuilder()
    b.crime(with_incident=True)
    con = store.connect(path)
    import_extract(con, b.write(tmp_path / "x"))
    con.execute("ALTER TABLE import_log DROP COLUMN replaced")
    con.execute("UPDATE store_meta SET value = '1' WHERE key = 'schema_version'")
    con.close()

    old = store.connect(path, read_only=True)
    try:
        (entry,) = read_import_log(old)
        assert entry["replaced"] == {} and entry["status"] == "imported"
    finally:
        old.close()

    con = store.connect(path)
    try:
        assert "replaced" in {r[0] for r in con.execute("DESCRIBE import_log").fetchall()}
        assert con.execute(
            "SELECT value FROM store_meta WHERE key = 'schema_version'"
        ).fetchone() == (str(store.SCHEMA_VERSION),)
        (entry,) = read_import_log(con)
        assert entry["replaced"] == {}
    finally:
        con.close()
