"""Bad population files: each is refused with the file, the line and the column named, and
the store is left exactly as it was, whether empty or holding an earlier good import."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from dsvb import store
from dsvb.equality.population import PopulationFormatError, import_population

LAMBETH = "E09000022"
HEADER = ["area", "year", "sex", "age", "ethnic_group", "population"]
GOOD_ROW = [LAMBETH, "2011", "female", "30", "White", "10"]


def write(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(header)
        out.writerows(rows)
    return path


def snapshot(con: duckdb.DuckDBPyConnection) -> tuple[list, list]:
    return (
        con.execute("SELECT * FROM population ORDER BY ALL").fetchall(),
        con.execute("SELECT import_id, kind, content_hash FROM import_log ORDER BY 1").fetchall(),
    )


# (rows after a good first row, the problem's line, column, words in the message)
CASES = {
    "open band across two dsvb bands": (
        [[LAMBETH, "2011", "male", "16+", "White", "5"]],
        3, "age", "an age band across two of dsvb's age bands",
    ),
    "unknown ethnic group": (
        [[LAMBETH, "2011", "male", "20", "Chinese or other ethnic group", "5"]],
        3, "ethnic_group", "not an ethnic group dsvb knows",
    ),
    "negative population": (
        [[LAMBETH, "2011", "male", "20", "White", "-5"]],
        3, "population", "a negative number of people",
    ),
    "garbled population": (
        [[LAMBETH, "2011", "male", "20", "White", "1O0"]],
        3, "population", "not a number of people",
    ),
    "suppressed population": (
        [[LAMBETH, "2011", "male", "20", "White", "[c]"]],
        3, "population", "not a number of people",
    ),
    "unknown area": (
        [["Atlantis", "2011", "male", "20", "White", "5"]],
        3, "area", "not a known area",
    ),
    "duplicate row": (
        [[LAMBETH, "2011", "female", "30", "White", "7"]],
        3, "ethnic_group",
        "a duplicate row: the same area, year, sex, age and ethnic group as line 2",
    ),
    "duplicate row under another label": (
        [[LAMBETH, "2011", "male", "20", "Indian", "5"],
         [LAMBETH, "2011", "male", "20", "Asian/Asian British: Indian", "5"]],
        4, "ethnic_group", "a duplicate row",
    ),
    "overlapping ages": (
        [[LAMBETH, "2011", "female", "25-30", "White", "7"]],
        3, "age", "its ages overlap those of line 2",
    ),
    "a group beside its parts": (
        [[LAMBETH, "2011", "female", "30", "White: Irish", "7"]],
        3, "ethnic_group", "the group 'White' (line 2) and its part 'White: Irish' (line 3)",
    ),
    "unknown sex": (
        [[LAMBETH, "2011", "other", "30", "Black", "7"]],
        3, "sex", "not a sex",
    ),
    "bad year": (
        [[LAMBETH, "20111", "male", "30", "Black", "7"]],
        3, "year", "not a year",
    ),
    "missing value": (
        [[LAMBETH, "2011", "male", "", "Black", "7"]],
        3, "age", "missing value",
    ),
    "short row": (
        [[LAMBETH, "2011", "male", "30", "Black"]],
        3, None, "the row has 5 fields where the header has 6",
    ),
}  # fmt: skip


@pytest.fixture(params=["empty store", "store with an earlier import"])
def con(request, tmp_path: Path) -> duckdb.DuckDBPyConnection:
    connection = store.connect(tmp_path / "store.duckdb")
    if request.param != "empty store":
        earlier = write(
            tmp_path / "earlier.csv",
            [[LAMBETH, "2011", "male", "40", "Black", "99"],
             ["E09000008", "2010", "female", "40", "Asian", "98"]],
        )  # fmt: skip
        import_population(connection, earlier, source="earlier")
    yield connection
    connection.close()


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_row_is_refused_naming_file_line_and_column(con, tmp_path: Path, case: str) -> None:
    rows, line, column, words = CASES[case]
    path = write(tmp_path / "bad.csv", [GOOD_ROW, *rows])
    before = snapshot(con)
    with pytest.raises(PopulationFormatError) as caught:
        import_population(con, path)
    problems = caught.value.problems
    assert any(
        p.file == "bad.csv" and p.line == line and p.column == column and words in p.message
        for p in problems
    ), problems
    where = f"bad.csv, line {line}" + (f", column {column}" if column else "")
    assert where in str(caught.value)
    assert "nothing was stored" in str(caught.value)
    assert snapshot(con) == before


def test_several_problems_are_all_listed_before_failing(con, tmp_path: Path) -> None:
    rows = [GOOD_ROW] + [row for case in ("unknown area", "negative population", "bad year")
                         for row in CASES[case][0]]  # fmt: skip
    before = snapshot(con)
    with pytest.raises(PopulationFormatError) as caught:
        import_population(con, write(tmp_path / "bad.csv", rows))
    assert [(p.line, p.column) for p in caught.value.problems] == [
        (3, "area"),
        (4, "population"),
        (5, "year"),
    ]
    assert snapshot(con) == before


def test_many_rows_with_one_problem_are_counted_beyond_those_listed(con, tmp_path: Path) -> None:
    rows = [[LAMBETH, "2011", "male", str(age), "Martian", "1"] for age in range(80)]
    with pytest.raises(PopulationFormatError) as caught:
        import_population(con, write(tmp_path / "bad.csv", rows))
    assert caught.value.total == 80
    assert "more row(s) with the same problem" in str(caught.value)


@pytest.mark.parametrize("missing", HEADER)
def test_a_missing_column_is_named_on_the_header_line(con, tmp_path: Path, missing: str) -> None:
    header = [h for h in HEADER if h != missing]
    rows = [[v for h, v in zip(HEADER, GOOD_ROW, strict=True) if h != missing]]
    before = snapshot(con)
    with pytest.raises(PopulationFormatError) as caught:
        import_population(con, write(tmp_path / "bad.csv", rows, header=header))
    assert f"bad.csv, line 1, column {missing}: required column is missing" in str(caught.value)
    assert snapshot(con) == before


def test_two_columns_giving_the_same_thing_are_refused(con, tmp_path: Path) -> None:
    header = ["area", "year", "mid_year", "sex", "age", "ethnic_group", "population"]
    rows = [[LAMBETH, "2011", "2012", "female", "30", "White", "10"]]
    with pytest.raises(PopulationFormatError, match="columns year and mid_year both give the year"):
        import_population(con, write(tmp_path / "bad.csv", rows, header=header))


def test_a_file_that_is_not_utf8_is_refused_naming_the_line(con, tmp_path: Path) -> None:
    path = write(tmp_path / "bad.csv", [GOOD_ROW, GOOD_ROW])
    data = path.read_bytes().replace(b"White\n", b"White\n", 1)
    lines = data.split(b"\n")
    lines[2] = lines[2].replace(b"White", b"Wh\xefte")
    path.write_bytes(b"\n".join(lines))
    before = snapshot(con)
    with pytest.raises(PopulationFormatError, match=r"bad.csv, line 3: the file is not UTF-8"):
        import_population(con, path)
    assert snapshot(con) == before


@pytest.mark.parametrize(
    ("content", "words"),
    [(b"", "the file is empty"),
     (b"area,year,sex,age,ethnic_group,population\n", "no rows of population to store"),
     (b"area,year,sex,age,ethnic_group,population\nE09000022,2011,Persons,30,White,4\n",
      "no rows of population to store")],
)  # fmt: skip
def test_a_file_with_nothing_to_store_is_refused(
    con, tmp_path: Path, content: bytes, words: str
) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    before = snapshot(con)
    with pytest.raises(PopulationFormatError, match=words):
        import_population(con, path)
    assert snapshot(con) == before


def test_lines_are_counted_as_in_the_file(con, tmp_path: Path) -> None:
    """Blank lines and a value with a line break inside quotes move the rows after them."""
    path = tmp_path / "bad.csv"
    path.write_text(
        "area,year,sex,age,ethnic_group,population\n"
        "E09000022,2011,female,30,White,10\n"
        "\n"
        '"Lambeth",2011,female,31,"White",11\n'
        "E09000022,2011,male,30,Black,-1\n",
        encoding="utf-8",
    )
    with pytest.raises(PopulationFormatError, match=r"bad\.csv, line 5, column population"):
        import_population(con, path)


def test_a_column_given_twice_is_refused_and_blank_columns_are_not(con, tmp_path: Path) -> None:
    twice = write(tmp_path / "twice.csv", [[*GOOD_ROW, "3"]], header=[*HEADER, "AGE"])
    with pytest.raises(PopulationFormatError, match=r"line 1, column AGE: column appears more"):
        import_population(con, twice)
    blanks = write(tmp_path / "blanks.csv", [[*GOOD_ROW, "", ""]], header=[*HEADER, "", ""])
    report = import_population(con, blanks)
    assert report.total == 10 and "columns not used: (unnamed)" in report.normalised
