"""`dsvb indicators` and the commands that open a store, in process: periods, empty stores,
cuts that leave indicators out, files that are not stores, and failures that leave nothing."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner, Result

import dsvb.reference
from dsvb import store as dsvb_store
from dsvb.cli import main
from tests.support.builder import ExtractBuilder, rewrite_cell

DV = Path(dsvb.reference.__file__).parent / "published" / "dv_by_borough_12m_to_2010-11.csv"
HOLDS = "holds months 2010-03 to 2010-05"


def dsvb(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture(scope="module")
def extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two DV crimes against one victim by one suspect, March and May 2010, with a contact."""
    b = ExtractBuilder()
    victim, suspect = b.person(), b.person(sex="male")
    first = b.crime(
        victims=[victim], suspects=[suspect], outcome="caution", with_incident=True,
        recorded_at="2010-03-01T12:00:00", outcome_at="2010-03-02T12:00:00",
    )  # fmt: skip
    b.crime(victims=[victim], suspects=[suspect], with_incident=True,
            recorded_at="2010-05-10T12:00:00")  # fmt: skip
    b.contact(first, "support_referral", "2010-03-03T17:00:00", "2010-03-03T16:00:00")
    return b.write(tmp_path_factory.mktemp("cli") / "extract")


@pytest.fixture(scope="module")
def store(extract: Path) -> Path:
    path = extract.parent / "store.duckdb"
    result = dsvb("import", extract, "--store", path, "--quiet")
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def empty_store(tmp_path: Path) -> Path:
    """A store that exists, with its tables, and holds nothing."""
    path = tmp_path / "empty.duckdb"
    dsvb_store.connect(path).close()
    return path


# --- 1. periods are whole local dates --------------------------------------------------------


@pytest.mark.parametrize("option", ["--from", "--to"])
@pytest.mark.parametrize(
    "value", ["2010-07-01T00:00:00+00:00", "2010-01-01garbage", "2010-07-01 00:00", "20100701"]
)
def test_from_and_to_take_only_a_local_date(store: Path, option: str, value: str) -> None:
    other = ("--to", "2011-01-01") if option == "--from" else ("--from", "2010-01-01")
    result = dsvb("indicators", "--store", store, option, value, *other)
    assert result.exit_code == 2 and result.stdout == ""
    assert f"Invalid value for {option}: {value!r} is not a date like 2010-01-01" in result.stderr
    assert "give YYYY-MM-DD only" in result.stderr


def test_a_local_date_is_read_as_local_midnight(store: Path) -> None:
    # 2010-05-10 12:00 is in [2010-05-01, 2010-05-11) and not in [2010-05-11, 2010-06-01)
    args = ["indicators", "--store", store, "--by", "", "--indicator", "offences"]
    before = dsvb(*args, "--from", "2010-05-01", "--to", "2010-05-11")
    after = dsvb(*args, "--from", "2010-05-11", "--to", "2010-06-01")
    assert rows_of(before.stdout)[0]["numerator"] == "1"
    assert rows_of(after.stdout)[0]["numerator"] == "0"


# --- 2. impossible periods are usage errors --------------------------------------------------


@pytest.mark.parametrize(("start", "end"), [("2011-01-01", "2010-01-01"), ("2010-03-01",) * 2])
def test_from_on_or_after_to_is_a_usage_error(store: Path, start: str, end: str) -> None:
    result = dsvb("indicators", "--store", store, "--from", start, "--to", end)
    assert result.exit_code == 2 and result.stdout == ""
    assert f"Error: --from {start} must be before --to {end}" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2011-06-01"], "--from 2011-06-01 is after the data: the store " + HOLDS),
        (["--from", "2010-06-01"], "--from 2010-06-01 is after the data: the store " + HOLDS),
        (["--to", "2009-06-01"], "--to 2009-06-01 is before the data: the store " + HOLDS),
        (["--to", "2010-03-01"], "--to 2010-03-01 is before the data: the store " + HOLDS),
    ],
)
def test_one_end_alone_outside_the_data_names_the_months_held(
    store: Path, args: list[str], message: str
) -> None:
    result = dsvb("indicators", "--store", store, *args)
    assert result.exit_code == 2 and result.stdout == ""
    assert f"Error: {message}" in result.stderr


def test_one_end_alone_outside_an_extract_names_its_months(extract: Path) -> None:
    result = dsvb("indicators", "--extract", extract, "--from", "2011-06-01")
    assert result.exit_code == 2
    assert "--from 2011-06-01 is after the data: the extract " + HOLDS in result.stderr


def test_one_end_alone_inside_the_data_runs_to_the_data_end(store: Path) -> None:
    result = dsvb("indicators", "--store", store, "--by", "", "--from", "2010-05-01")
    assert result.exit_code == 0 and result.stderr == ""
    offences = next(r for r in rows_of(result.stdout) if r["indicator"] == "offences")
    assert offences["numerator"] == "1"


# --- 3 and 4. an empty store, a period without data -----------------------------------------


@pytest.mark.parametrize("args", [[], ["--from", "2010-01-01"], ["--to", "2011-01-01"]])
def test_an_empty_store_says_so(empty_store: Path, args: list[str]) -> None:
    result = dsvb("indicators", "--store", empty_store, *args)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == "the store holds no incidents or crimes; import an extract first\n"


def test_a_period_without_data_warns_naming_the_months_held(store: Path) -> None:
    result = dsvb("indicators", "--store", store, "--from", "2012-01-01", "--to", "2012-02-01")
    assert result.exit_code == 0
    rows = rows_of(result.stdout)
    assert rows and all(r["numerator"] == "0" for r in rows)  # the output is still given
    assert result.stderr == (
        "warning: the store holds no incidents or crimes from 2012-01-01 to 2012-02-01; "
        "it holds months 2010-03 to 2010-05\n"
    )


def test_a_period_in_an_empty_store_warns_that_it_holds_none(empty_store: Path) -> None:
    args = ["indicators", "--store", empty_store, "--from", "2010-01-01", "--to", "2011-01-01"]
    result = dsvb(*args)
    assert result.exit_code == 0
    assert rows_of(result.stdout) and all(r["area_code"] == "ALL" for r in rows_of(result.stdout))
    assert result.stderr == (
        "warning: the store holds no incidents or crimes from 2010-01-01 to 2011-01-01; "
        "it holds none at all\n"
    )


def test_a_period_with_data_gives_no_warning(store: Path) -> None:
    result = dsvb("indicators", "--store", store, "--from", "2010-01-01", "--to", "2011-01-01")
    assert result.exit_code == 0 and result.stderr == ""


# --- 5. cuts that do not apply to an indicator's source --------------------------------------


def test_by_reason_names_the_indicators_it_leaves_out(store: Path) -> None:
    result = dsvb("indicators", "--store", store, "--by", "reason", "--family", "dv")
    assert result.exit_code == 0
    printed = {r["indicator"] for r in rows_of(result.stdout)}
    assert "vcop_compliance" in printed and "offences" not in printed
    notes = result.stderr.splitlines()
    assert (
        "note: left out, as the cut does not apply to their source (crimes by reason): "
        "offences, sanction_detections,"
    ) in result.stderr
    assert (
        "note: left out, as the cut does not apply to their source (crimes by reason; "
        "incidents by reason): crime_conversion, no_crime_rate, cri_rate"
    ) in notes
    left_out = {i for line in notes for i in line.rsplit("): ", 1)[1].split(", ")}
    assert left_out.isdisjoint(printed) and {"incidents", "repeat_victim_rate"} <= left_out


def test_victim_and_suspect_cuts_name_the_indicators_they_leave_out(store: Path) -> None:
    victim = dsvb("indicators", "--store", store, "--by", "victim_sex")
    assert victim.exit_code == 0
    assert victim.stderr == (
        "note: left out, as the cut does not apply to their source (suspects by victim_sex): "
        "suspects\n"
        "note: left out, as the cut does not apply to their source (cautioned_offenders by "
        "victim_sex): repeat_caution_offenders\n"
    )
    suspect = dsvb("indicators", "--store", store, "--by", "area,suspect_sex")
    assert suspect.exit_code == 0
    assert suspect.stderr == (
        "note: left out, as the cut does not apply to their source (victims by suspect_sex): "
        "victims, repeat_victim_rate, offences_per_repeat_victim, repeat_victim_offences\n"
    )


def test_a_cut_that_leaves_out_every_indicator_asked_for_is_a_usage_error(store: Path) -> None:
    args = ["--by", "suspect_sex", "--indicator", "repeat_victim_rate"]
    result = dsvb("indicators", "--store", store, *args)
    assert result.exit_code == 2 and result.stdout == ""
    assert (
        "Error: every indicator asked for is left out under --by suspect_sex, as the cut does "
        "not apply to their source (victims by suspect_sex): repeat_victim_rate"
    ) in result.stderr


def test_cuts_that_apply_to_every_source_leave_nothing_out(store: Path) -> None:
    result = dsvb("indicators", "--store", store, "--by", "area,unit,month")
    assert result.exit_code == 0 and result.stderr == ""


# --- 6. files that are not stores ------------------------------------------------------------


def _commands(extract: Path) -> list[list[str | Path]]:
    return [["indicators"], ["imports"], ["import", extract, "--quiet"], ["import-returns", DV]]


@pytest.mark.parametrize("command", range(4), ids=["indicators", "imports", "import", "returns"])
def test_a_file_that_is_not_a_duckdb_database_is_not_a_dsvb_store(
    extract: Path, tmp_path: Path, command: int
) -> None:
    junk = tmp_path / "junk.duckdb"
    junk.write_text("x\n")
    result = dsvb(*_commands(extract)[command], "--store", junk)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith(
        f"{junk} is not a dsvb store: it is not a DuckDB database. Point --store"
    )
    assert junk.read_text() == "x\n"


@pytest.mark.parametrize("command", range(4), ids=["indicators", "imports", "import", "returns"])
def test_another_duckdb_database_is_not_a_dsvb_store(
    extract: Path, tmp_path: Path, command: int
) -> None:
    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE t (a INTEGER)")
    con.close()
    result = dsvb(*_commands(extract)[command], "--store", other)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith(
        f"{other} is not a dsvb store: it is a DuckDB database without dsvb's tables."
    )
    con = duckdb.connect(str(other), read_only=True)
    tables = con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    con.close()
    assert tables == [("t",)]  # nothing was added to it


def test_imports_from_a_missing_store_says_so(tmp_path: Path) -> None:
    result = dsvb("imports", "--store", tmp_path / "missing.duckdb")
    assert result.exit_code == 1 and result.stderr.startswith("No store at ")
    assert not (tmp_path / "missing.duckdb").exists()


# --- 7. --store with --extract ---------------------------------------------------------------


def test_store_and_extract_together_are_refused(extract: Path, store: Path) -> None:
    result = dsvb("indicators", "--extract", extract, "--store", store)
    assert result.exit_code == 2 and result.stdout == ""
    assert "Error: give --extract or --store, not both" in result.stderr


# --- 8. failing commands leave no store behind -----------------------------------------------


def test_importing_a_missing_folder_creates_no_store(tmp_path: Path) -> None:
    path = tmp_path / "new" / "store.duckdb"
    result = dsvb("import", tmp_path / "missing", "--store", path)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Extract {tmp_path / 'missing'} was not imported")
    assert "is not a folder" in result.stderr
    assert not path.exists() and not path.parent.exists()


def test_a_refused_extract_creates_no_store(extract: Path, tmp_path: Path) -> None:
    bad = shutil.copytree(extract, tmp_path / "bad")
    rewrite_cell(bad / "crimes.csv", 1, "recorded_at", "yesterday")
    path = tmp_path / "new" / "deeper" / "store.duckdb"
    result = dsvb("import", bad, "--store", path, "--quiet")
    assert result.exit_code == 1 and "nothing was stored" in result.stderr
    assert list(tmp_path.iterdir()) == [bad]


def test_a_refused_return_creates_no_store(tmp_path: Path) -> None:
    header_only = tmp_path / DV.name
    header_only.write_text(DV.read_text(encoding="utf-8").splitlines()[0] + "\n")
    path = tmp_path / "store.duckdb"
    result = dsvb("import-returns", header_only, "--store", path)
    assert result.exit_code == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [DV.name]


def test_a_refused_extract_leaves_an_existing_store_in_place(
    extract: Path, empty_store: Path, tmp_path: Path
) -> None:
    result = dsvb("import", tmp_path / "missing", "--store", empty_store)
    assert result.exit_code == 1 and empty_store.exists()


# --- 9. --indicator lists with spaces -------------------------------------------------------


def test_indicator_ids_may_have_spaces_after_the_commas(store: Path) -> None:
    result = dsvb("indicators", "--store", store, "--by", "", "--indicator", "incidents, offences")
    assert result.exit_code == 0, result.stderr
    assert {r["indicator"] for r in rows_of(result.stdout)} == {"incidents", "offences"}


def test_indicator_ids_may_have_spaces_with_returns() -> None:
    result = dsvb("indicators", "--returns", DV, "--indicator", "sd_rate, charge_rate")
    assert result.exit_code == 0
    assert {r["indicator"] for r in rows_of(result.stdout)} == {"sd_rate", "charge_rate"}


# --- 10. indicators asked for that cannot be given --------------------------------------------


def test_an_indicator_of_another_family_is_a_usage_error(store: Path) -> None:
    result = dsvb("indicators", "--store", store, "--family", "sexual",
                  "--indicator", "risk_form_completion")  # fmt: skip
    assert result.exit_code == 2
    assert "risk_form_completion does not apply to the sexual family" in result.stderr
    assert "(it applies to: dv)" in result.stderr
    assert result.stdout == ""


def test_indicators_of_another_family_are_named_when_others_remain(store: Path) -> None:
    result = dsvb("indicators", "--store", store, "--family", "sexual", "--by", "",
                  "--indicator", "offences,risk_form_completion")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert {r["indicator"] for r in rows_of(result.stdout)} == {"offences"}
    assert (
        "note: left out, as they do not apply to the sexual family: risk_form_completion"
        in result.stderr
    )


def test_an_unknown_indicator_with_returns_is_a_usage_error() -> None:
    result = dsvb("indicators", "--returns", DV, "--indicator", "sd_rate,sd_rat")
    assert result.exit_code == 2
    assert "unknown indicator(s): sd_rat" in result.stderr


def test_an_indicator_the_table_does_not_give_is_named() -> None:
    result = dsvb("indicators", "--returns", DV, "--indicator", "sd_rate,arrest_rate_incidents")
    assert result.exit_code == 0, result.stderr
    assert {r["indicator"] for r in rows_of(result.stdout)} == {"sd_rate"}
    assert "note: this table does not give: arrest_rate_incidents" in result.stderr


# --- 11. the import log lists what each import replaced ---------------------------------------


def test_imports_lists_the_records_an_import_replaced(extract: Path, tmp_path: Path) -> None:
    path = tmp_path / "store.duckdb"
    assert dsvb("import", extract, "--store", path, "--quiet").exit_code == 0
    again = tmp_path / "again"
    shutil.copytree(extract, again)
    rewrite_cell(again / "crimes.csv", 2, "outcome", "charge")  # the May crime, re-sent
    assert dsvb("import", again, "--store", path, "--quiet").exit_code == 0
    result = dsvb("imports", "--store", path)
    assert result.exit_code == 0, result.stderr
    entries = result.stdout.split("\n#")
    assert (
        "replaced records of earlier imports: incidents 2, people 2, crimes 2, crime_people 4, "
        "victim_contacts 1"
    ) in entries[0]
    assert "replaced" not in entries[1]
