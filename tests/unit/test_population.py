"""Population estimates: the format's readers, the import into a real store, reading it back,
the mid-year a period uses, the demo's synthetic population and the command line."""

from __future__ import annotations

import csv
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dsvb import reference, store
from dsvb.demo import population as demo_population
from dsvb.equality import population_format as fmt
from dsvb.equality.population import (
    ALL,
    import_population,
    population,
    year_for,
    years_held,
)
from dsvb.ingest.extract import read_import_log

LAMBETH, CROYDON = "E09000022", "E09000008"
HEADER = ["area", "year", "sex", "age", "ethnic_group", "population"]


def write(path: Path, rows: list[list[object]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(header)
        out.writerows(rows)
    return path


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    connection = store.connect(tmp_path / "store.duckdb")
    yield connection
    connection.close()


def stored(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "SELECT area_code, year, sex, age_band, ethnicity, population, source, synthetic "
        "FROM population ORDER BY ALL"
    ).fetchall()


# --- the format's readers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ages", "band"),
    [
        ("0", (0, 0), "under_18"),
        ("17", (17, 17), "under_18"),
        ("18", (18, 18), "18_35"),
        ("35", (35, 35), "18_35"),
        ("36", (36, 36), "36_60"),
        ("60", (60, 60), "36_60"),
        ("61", (61, 61), "61_plus"),
        ("89", (89, 89), "61_plus"),
        ("90+", (90, None), "61_plus"),
        ("90 and over", (90, None), "61_plus"),
        ("Aged 90+", (90, None), "61_plus"),
        ("65+", (65, None), "61_plus"),
        ("0-4", (0, 4), "under_18"),
        ("Under 1", (0, 0), "under_18"),
        ("25-29", (25, 29), "18_35"),
        ("25 to 29", (25, 29), "18_35"),
        ("Age 40", (40, 40), "36_60"),
        ("61-64", (61, 64), "61_plus"),
    ],
)
def test_an_age_or_a_band_inside_one_dsvb_band_is_read(text: str, ages: tuple, band: str) -> None:
    assert fmt.read_age(text) == ages
    assert fmt.band_of(*ages) == band


@pytest.mark.parametrize("text", ["15-19", "35-39", "60-64", "0-18", "10+", "50+"])
def test_a_band_across_two_dsvb_bands_is_not_one_band(text: str) -> None:
    first, last = fmt.read_age(text)
    with pytest.raises(fmt.ValueProblem, match="across two of dsvb's age bands"):
        fmt.band_of(first, last)


@pytest.mark.parametrize(
    ("text", "shares"),
    [
        ("15-19", (("under_18", 3), ("18_35", 2))),  # 15, 16, 17 | 18, 19
        ("35-49", (("18_35", 1), ("36_60", 14))),  # the Census's band
        ("50-64", (("36_60", 11), ("61_plus", 4))),
        ("0-90", (("under_18", 18), ("18_35", 18), ("36_60", 25), ("61_plus", 30))),
        ("25-29", (("18_35", 5),)),
    ],
)
def test_a_closed_band_is_shared_by_years_of_age(text: str, shares: tuple) -> None:
    assert fmt.split_band(*fmt.read_age(text)) == shares


@pytest.mark.parametrize("text", ["10+", "50+"])
def test_an_open_band_across_dsvb_bands_is_refused(text: str) -> None:
    with pytest.raises(fmt.ValueProblem, match="across two of dsvb's age bands"):
        fmt.split_band(*fmt.read_age(text))


def test_five_year_bands_are_shared_in_whole_people_that_add_up(tmp_path: Path) -> None:
    """GLA-style five-year bands: 15-19 holds 10 people, 3 of its years under 18 and 2 of
    18 to 35, so 6 and 4; 35-39 holds 7: 1 year to 18-35 (1.4 -> 1) and 4 to 36-60 (5.6 ->
    6); the report says it was done."""
    path = write(
        tmp_path / "bands.csv",
        [
            [LAMBETH, 2011, "female", "15-19", "White", 10],
            [LAMBETH, 2011, "female", "35-39", "White", 7],
        ],
    )
    con = store.connect(tmp_path / "s.duckdb")
    try:
        report = import_population(con, path)
        held = population(con, 2011)
    finally:
        con.close()
    assert held.count(LAMBETH, "age_band", "under_18") == 6
    assert held.count(LAMBETH, "age_band", "18_35") == 4 + 1
    assert held.count(LAMBETH, "age_band", "36_60") == 6
    assert held.total(LAMBETH) == 17
    assert any("shared between them by years of age" in n for n in report.normalised)


@pytest.mark.parametrize("text", ["All ages", "all", "Total"])
def test_a_row_of_all_ages_is_a_total(text: str) -> None:
    assert fmt.read_age(text) == fmt.TOTAL


@pytest.mark.parametrize("text", ["x", "19-15", "-3", "121", "abc+"])
def test_an_unreadable_age_is_refused(text: str) -> None:
    with pytest.raises(fmt.ValueProblem):
        fmt.band_of(*fmt.read_age(text))


@pytest.mark.parametrize(
    ("text", "sex"),
    [("female", "female"), ("F", "female"), ("Females", "female"), ("M", "male"),
     ("Males", "male"), ("MALE", "male"), ("Persons", fmt.TOTAL), ("All", fmt.TOTAL)],
)  # fmt: skip
def test_sexes_are_read_as_published(text: str, sex: str) -> None:
    assert fmt.read_sex(text) == sex


@pytest.mark.parametrize(
    ("text", "value"), [("0", 0), ("1234", 1234), ("1,234", 1234), ("1,234,567", 1234567),
                        (" 12 ", 12), ("12.0", 12)]
)  # fmt: skip
def test_populations_are_whole_numbers_with_separators_allowed(text: str, value: int) -> None:
    assert fmt.read_population(text) == value


@pytest.mark.parametrize(
    ("text", "why"),
    [("-5", "negative"), ("1.5", "whole"), ("12x", "not a number"), ("1,23", "not a number"),
     ("[c]", "not a number")],
)  # fmt: skip
def test_other_populations_are_refused(text: str, why: str) -> None:
    with pytest.raises(fmt.ValueProblem, match=why):
        fmt.read_population(text)


@pytest.mark.parametrize(
    ("label", "group"),
    [
        ("White", "white"),
        ("asian", "asian"),
        ("Asian/Asian British: Chinese", "asian"),
        ("Chinese", "asian"),
        ("White: English/Welsh/Scottish/Northern Irish/British", "white"),
        ("White: Roma", "white"),
        ("Mixed/multiple ethnic groups: White and Black Caribbean", "mixed"),
        ("White & Black African", "mixed"),
        ("Black, Black British, Black Welsh, Caribbean or African: African", "black"),
        ("Black Caribbean", "black"),
        ("Other ethnic group: Arab", "other"),
        ("Any other ethnic group", "other"),
        ("Asian, Asian British or Asian Welsh", "asian"),
    ],
)
def test_census_and_gla_labels_count_in_their_broad_group(label: str, group: str) -> None:
    read = fmt.read_ethnic_group(label)
    assert isinstance(read, fmt.EthnicLabel)
    assert read.broad_group == group


def test_every_category_of_the_ethnic_group_list_counts_in_one_broad_group() -> None:
    labels = fmt.ethnic_labels()
    broad_of: dict[str, set[str]] = {}
    for label in labels.values():
        broad_of.setdefault(label.category, set()).add(label.broad_group)
    assert all(len(groups) == 1 for groups in broad_of.values())
    assert {g for groups in broad_of.values() for g in groups} == set(fmt.ETHNIC_GROUPS)
    # every broad group can be given whole, by its own name
    assert {fmt.read_ethnic_group(g).category for g in fmt.ETHNIC_GROUPS} == set(fmt.ETHNIC_GROUPS)


def test_the_strands_are_those_the_extract_counts_people_in() -> None:
    assert fmt.STRANDS == {
        "sex": ("female", "male"),
        "age_band": ("under_18", "18_35", "36_60", "61_plus"),
        "ethnicity": ("white", "black", "asian", "mixed", "other"),
    }


# --- the import -------------------------------------------------------------------------------


def test_a_good_file_is_stored_added_up_to_dsvb_groups(con, tmp_path: Path) -> None:
    path = write(
        tmp_path / "pop.csv",
        [
            [LAMBETH, 2011, "female", "0", "White", 100],
            [LAMBETH, 2011, "female", "17", "White", 50],  # same band: 150
            [LAMBETH, 2011, "female", "18", "Black", 70],
            [LAMBETH, 2011, "male", "90+", "Asian", 9],
            [LAMBETH, 2011, "male", "40", "Mixed", 11],
            [LAMBETH, 2011, "male", "40", "Other", 3],
            [CROYDON, 2011, "female", "30", "White", 200],
        ],
    )
    report = import_population(con, path, source="Test estimates")
    assert report.status == "imported"
    assert (report.rows_read, report.rows_stored, report.total) == (7, 6, 443)
    assert report.areas == (CROYDON, LAMBETH) and report.years == (2011,)
    assert stored(con) == [
        (CROYDON, 2011, "female", "18_35", "white", 200, "Test estimates", False),
        (LAMBETH, 2011, "female", "18_35", "black", 70, "Test estimates", False),
        (LAMBETH, 2011, "female", "under_18", "white", 150, "Test estimates", False),
        (LAMBETH, 2011, "male", "36_60", "mixed", 11, "Test estimates", False),
        (LAMBETH, 2011, "male", "36_60", "other", 3, "Test estimates", False),
        (LAMBETH, 2011, "male", "61_plus", "asian", 9, "Test estimates", False),
    ]
    held = population(con, 2011)
    assert held is not None
    assert (held.year, held.source, held.synthetic) == (2011, "Test estimates", False)
    assert held.areas == (CROYDON, LAMBETH)
    assert held.total(LAMBETH) == 243 and held.total(CROYDON) == 200 and held.total(ALL) == 443
    assert held.count(LAMBETH, "sex", "female") == 220
    assert held.count(LAMBETH, "sex", "male") == 23
    assert held.count(LAMBETH, "age_band", "36_60") == 14
    assert held.count(LAMBETH, "ethnicity", "white") == 150
    assert held.count(LAMBETH, "ethnicity", "asian") == 9
    assert held.count(ALL, "ethnicity", "white") == 350
    assert held.count(ALL, "age_band", "18_35") == 270
    assert held.count(CROYDON, "sex", "male") == 0
    log = read_import_log(con)[0]
    assert (log["kind"], log["status"], log["row_counts"]) == (
        "population",
        "imported",
        {"population": 6},
    )


def test_published_headers_values_and_detailed_groups_are_read(con, tmp_path: Path) -> None:
    where = ["Lambeth", LAMBETH, "mid-2011"]
    path = write(
        tmp_path / "nomis.csv",
        [
            [*where, "Females", "Aged 25", "Asian/Asian British: Indian", "1,000"],
            [*where, "Females", "Aged 25", "Asian/Asian British: Chinese", "20"],
            [*where, "Females", "26", "Pakistani", "5"],
            [*where, "F", "27-29", "Other Asian", "7"],
            [*where, "Males", "65+", "White: Irish", "30"],
            [*where, "M", "65+", "White British", "300"],
            [*where, "Males", "61-64", "Other ethnic group: Arab", "4"],
            [*where, "Males", "61-64", "Any other ethnic group", "6"],
        ],
        header=["GEOGRAPHY_NAME", "GEOGRAPHY_CODE", "Mid Year", "Gender", "C_AGE_NAME",
                "Ethnicity", "OBS_VALUE"],
    )  # fmt: skip
    report = import_population(con, path)
    assert report.source == "nomis.csv"  # the file's name when none is given
    assert "areas read from column GEOGRAPHY_CODE (GEOGRAPHY_NAME not used)" in report.normalised
    assert stored(con) == [
        (LAMBETH, 2011, "female", "18_35", "asian", 1032, "nomis.csv", False),
        (LAMBETH, 2011, "male", "61_plus", "other", 10, "nomis.csv", False),
        (LAMBETH, 2011, "male", "61_plus", "white", 330, "nomis.csv", False),
    ]


def test_totals_are_skipped_and_said_so_never_added(con, tmp_path: Path) -> None:
    path = write(
        tmp_path / "pop.csv",
        [
            [LAMBETH, 2011, "female", "30", "White", 10],
            [LAMBETH, 2011, "Persons", "30", "White", 25],
            [LAMBETH, 2011, "female", "All ages", "White", 999],
            [LAMBETH, 2011, "female", "30", "All ethnic groups", 888],
            ["E12000007", 2011, "female", "30", "White", 777],
            ["City of London", 2011, "female", "30", "White", 5],
        ],
    )
    report = import_population(con, path)
    assert report.total == 10
    assert sum(report.skipped.values()) == 5
    assert "sex 'Persons' (a total)" in report.skipped
    assert any("London (the region" in why for why in report.skipped)
    assert any("City of London" in why for why in report.skipped)
    assert "Skipped (totals of other rows, never added to them):" in report.summary()


def test_importing_the_same_file_again_changes_nothing(con, tmp_path: Path) -> None:
    path = write(tmp_path / "pop.csv", [[LAMBETH, 2011, "female", "30", "White", 10]])
    first = import_population(con, path)
    before = stored(con)
    again = import_population(con, path)
    assert again.status == "already_imported" and again.import_id == first.import_id
    assert stored(con) == before
    assert len(read_import_log(con)) == 1
    assert "already in the store" in again.summary()


def test_a_file_for_years_held_replaces_them_and_says_so(con, tmp_path: Path) -> None:
    both = write(
        tmp_path / "a.csv",
        [
            [LAMBETH, 2010, "female", "30", "White", 10],
            [LAMBETH, 2011, "female", "30", "White", 11],
            [CROYDON, 2011, "female", "30", "White", 12],
        ],
    )
    import_population(con, both, source="first")
    revised = write(
        tmp_path / "b.csv",
        [[LAMBETH, 2011, "female", "30", "White", 20], [LAMBETH, 2011, "male", "30", "Black", 5]],
    )
    report = import_population(con, revised, source="revised")
    assert report.replaced == {2011: {LAMBETH: 1}}
    assert "Replaced the population already held: mid-2011 for 1 area(s) (1 rows)." in (
        report.summary()
    )
    assert stored(con) == [
        (CROYDON, 2011, "female", "18_35", "white", 12, "first", False),
        (LAMBETH, 2010, "female", "18_35", "white", 10, "first", False),
        (LAMBETH, 2011, "female", "18_35", "white", 20, "revised", False),
        (LAMBETH, 2011, "male", "18_35", "black", 5, "revised", False),
    ]
    assert years_held(con) == (2010, 2011)
    held = population(con, 2011)
    assert held.source == "first; revised"
    assert held.total(ALL) == 37
    # the first file again puts its figures back
    again = import_population(con, both, source="first")
    assert again.status == "imported"
    assert population(con, 2011).total(LAMBETH) == 11


def test_a_partial_file_warns_of_what_it_lacks(con, tmp_path: Path) -> None:
    report = import_population(
        con, write(tmp_path / "p.csv", [[LAMBETH, 2011, "female", "30", "White", 10]])
    )
    text = "\n".join(report.warnings)
    assert f"{LAMBETH} mid-2011: no rows for sex male" in text
    assert "no rows for ethnicity black, asian, mixed, other" in text
    assert "mid-2011: the store holds the population of 1 area(s) but not of" in text


def test_the_synthetic_label_is_stored_and_read(con, tmp_path: Path) -> None:
    path = write(tmp_path / "p.csv", [[LAMBETH, 2011, "female", "30", "White", 10]])
    import_population(con, path, source="Made up", synthetic=True)
    held = population(con)
    assert (held.source, held.synthetic) == ("Made up", True)


def test_reading_what_is_not_held(con, tmp_path: Path) -> None:
    assert population(con) is None and years_held(con) == ()
    import_population(con, write(tmp_path / "p.csv", [[LAMBETH, 2011, "female", "3", "White", 1]]))
    assert population(con, 2012) is None
    held = population(con)
    with pytest.raises(KeyError, match="no population for area E09000008"):
        held.total(CROYDON)
    with pytest.raises(ValueError, match="not a strand"):
        held.count(LAMBETH, "age", "18_35")
    with pytest.raises(ValueError, match="not a group of ethnicity"):
        held.count(LAMBETH, "ethnicity", "not_recorded")


def test_a_store_made_before_the_population_table_reads_as_none(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    store.connect(path).close()
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE population")
    con.close()
    reader = store.connect(path, read_only=True)
    try:
        assert years_held(reader) == () and population(reader) is None
    finally:
        reader.close()


# --- the mid-year a period uses -----------------------------------------------------------


@pytest.mark.parametrize(
    ("held", "start", "end", "year", "note"),
    [
        ((2009, 2010, 2011), "2009-12-01", "2010-12-01", 2010, None),
        ((2009, 2010, 2011), "2011-01-01", "2012-01-01", 2011, None),
        ((2011,), "2013-01-01", "2014-01-01", 2011,
         "population for mid-2011 used for the period 01 January 2013 to 31 December 2013 "
         "(mid-2013 is not held)"),
        ((2009, 2015), "2011-01-01", "2012-01-01", 2009,
         "population for mid-2009 used for the period 01 January 2011 to 31 December 2011 "
         "(mid-2011 is not held)"),
        ((2010, 2011), "2010-10-01", "2011-01-01", 2010, None),  # middle mid-November 2010
        ((2010, 2011), "2011-01-01", "2011-04-01", 2011, None),  # middle mid-February 2011
    ],
)  # fmt: skip
def test_the_mid_year_nearest_the_middle_of_the_period(
    held: tuple, start: str, end: str, year: int, note: str | None
) -> None:
    assert year_for(held, dt.date.fromisoformat(start), dt.date.fromisoformat(end)) == (
        year,
        note,
    )


def test_no_year_held_is_said_plainly() -> None:
    with pytest.raises(ValueError, match="no population"):
        year_for((), dt.date(2010, 1, 1), dt.date(2011, 1, 1))


# --- the demo's synthetic population --------------------------------------------------------


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> tuple[Path, duckdb.DuckDBPyConnection]:
    folder = tmp_path_factory.mktemp("demo")
    con = store.connect(folder / "store.duckdb")
    made = demo_population.load(con, folder, start=dt.date(2009, 12, 1), months=12)
    assert made is not None
    yield folder, con
    con.close()


def test_the_demo_population_is_labelled_synthetic_for_the_demo_years(synthetic) -> None:
    folder, con = synthetic
    assert (folder / demo_population.FILE_NAME).is_file()
    assert years_held(con) == (2009, 2010)  # 12 months to November 2010
    held = population(con, 2010)
    assert held.synthetic and held.source == demo_population.SOURCE
    assert "Synthetic" in held.source
    log = read_import_log(con)[0]
    assert log["kind"] == "population" and log["source"].endswith(demo_population.FILE_NAME)


def test_the_demo_borough_totals_are_the_census_2011_totals_exactly(synthetic) -> None:
    _, con = synthetic
    census = demo_population.census_2011_borough_totals()
    assert census["E09000008"] == 363_378 and census["E09000033"] == 219_396
    assert sum(census.values()) == 8_173_941  # London, the City included
    boroughs = reference.boroughs("MPS")
    for year in (2009, 2010):
        held = population(con, year)
        assert held.areas == tuple(sorted(boroughs))
        assert {code: held.total(code) for code in held.areas} == {c: census[c] for c in boroughs}
        assert held.total(ALL) == 8_173_941 - census["E09000001"]


def test_the_demo_london_ethnic_shares_are_the_census_shares(synthetic) -> None:
    _, con = synthetic
    census = demo_population.census_2011_london_ethnic_groups()
    assert sum(census.values()) == 8_173_941
    held = population(con, 2010)
    for group, people in census.items():
        share = 100 * held.count(ALL, "ethnicity", group) / held.total(ALL)
        assert share == pytest.approx(100 * people / 8_173_941, abs=0.5), group
    # and the boroughs differ from London and from one another
    white = {a: held.count(a, "ethnicity", "white") / held.total(a) for a in held.areas}
    assert max(white.values()) - min(white.values()) > 0.2


def test_the_demo_age_and_sex_structure_is_plausible(synthetic) -> None:
    _, con = synthetic
    held = population(con, 2010)
    total = held.total(ALL)
    share = {b: held.count(ALL, "age_band", b) / total for b in fmt.STRANDS["age_band"]}
    assert 0.18 < share["under_18"] < 0.26 and 0.25 < share["18_35"] < 0.35
    assert 0.28 < share["36_60"] < 0.38 and 0.10 < share["61_plus"] < 0.20
    assert 0.49 < held.count(ALL, "sex", "female") / total < 0.53
    # the Mixed group is younger than the White group, as in London
    under_18 = {
        g: sum(n for _, _, band, e, n in held.cells if e == g and band == "under_18")
        / held.count(ALL, "ethnicity", g)
        for g in ("mixed", "white")
    }
    assert under_18["mixed"] > under_18["white"]


def test_the_demo_file_is_in_the_published_layout_and_the_same_every_time(
    synthetic, tmp_path: Path
) -> None:
    folder, _ = synthetic
    path = folder / demo_population.FILE_NAME
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == list(demo_population.HEADER)
    assert len(rows) == 2 * 32 * 5 * 2 * 91
    assert {r["age"] for r in rows} == {*(str(a) for a in range(90)), "90+"}
    assert {r["ethnic_group"] for r in rows} == {"White", "Black", "Asian", "Mixed", "Other"}
    again = tmp_path / "again.csv"
    demo_population.write_population(again, (2009, 2010))
    assert again.read_bytes() == path.read_bytes()


def test_the_demo_leaves_a_population_already_held(synthetic) -> None:
    folder, con = synthetic
    assert demo_population.load(con, folder, start=dt.date(2009, 12, 1), months=12) is None


def test_the_demo_mid_years_are_the_years_its_months_touch() -> None:
    assert demo_population.mid_years(dt.date(2009, 12, 1), 12) == (2009, 2010)
    assert demo_population.mid_years(dt.date(2010, 1, 1), 12) == (2010,)
    assert demo_population.mid_years(dt.date(2009, 12, 1), 1) == (2009,)


# --- the command line -----------------------------------------------------------------------


DSVB = str(Path(sys.executable).with_name("dsvb"))


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [DSVB, *args], capture_output=True, text=True, env=dict(os.environ), timeout=120
    )


def test_the_command_line_imports_and_says_what_it_loaded(tmp_path: Path) -> None:
    path = write(
        tmp_path / "pop.csv",
        [
            [LAMBETH, 2011, "Females", "30", "White", "1,000"],
            [LAMBETH, 2011, "Persons", "30", "White", 5],
        ],
    )
    db = tmp_path / "store.duckdb"
    done = run("import-population", str(path), "--store", str(db), "--source", "ONS", "--synthetic")
    assert done.returncode == 0, done.stderr
    assert "2 rows read, 1 stored for 1 area(s) and mid-2011; 1,000 people in all." in done.stdout
    assert "Source: ONS (synthetic)." in done.stdout
    assert "1 row(s): sex 'Persons' (a total)" in done.stdout
    con = store.connect(db, read_only=True)
    try:
        assert population(con).total(LAMBETH) == 1000 and population(con).synthetic
    finally:
        con.close()
    again = run(
        "import-population", str(path), "--store", str(db), "--source", "ONS", "--synthetic"
    )
    assert again.returncode == 0 and "already in the store" in again.stdout


def test_the_command_line_refuses_a_bad_file_and_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    good = write(tmp_path / "good.csv", [[LAMBETH, 2011, "female", "30", "White", 10]])
    assert run("import-population", str(good), "--store", str(db)).returncode == 0
    before = db.read_bytes()
    bad = write(tmp_path / "bad.csv", [[LAMBETH, 2011, "female", "16+", "White", 10]])
    done = run("import-population", str(bad), "--store", str(db))
    assert done.returncode == 1
    assert "bad.csv, line 2, column age: an age band across two of dsvb's age bands" in done.stderr
    assert "nothing was stored" in done.stderr
    assert db.read_bytes() == before
    missing = run("import-population", str(tmp_path / "nope.csv"), "--store", str(tmp_path / "n"))
    assert missing.returncode == 1 and "does not exist" in missing.stderr
    assert not (tmp_path / "n").exists()
