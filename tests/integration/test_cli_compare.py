"""`dsvb compare` in process, on a small store built record by record: its columns and their
order, flags that agree with the limits in every row, "too few to judge", the force row, the
JSON form, and the indicators and periods it refuses with a message saying why."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from dsvb import reference
from dsvb.cli import main
from dsvb.indicators import statistics
from tests.support.builder import ExtractBuilder
from tests.support.exact import binomial_pmf, unflagged_counts

COLUMNS = [
    "area_code", "area_name", "numerator", "denominator", "value", "force_value",
    "lower_95", "upper_95", "lower_998", "upper_998", "flag", "limits",
]  # fmt: skip
LAMBETH, SOUTHWARK, CROYDON = "E09000022", "E09000028", "E09000008"
# DV offences in March 2010 and how many were charged (a sanction detection): ten more
# boroughs at 45 of 50 keep the areas from varying more than chance (exact limits judge them)
COUNTS = {LAMBETH: (3, 3), SOUTHWARK: (12, 20), CROYDON: (180, 200)} | dict.fromkeys(
    [c for c in reference.boroughs() if c not in (LAMBETH, SOUTHWARK, CROYDON)][:10], (45, 50)
)


def dsvb(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    b = ExtractBuilder()
    for area, (charged, offences) in COUNTS.items():
        for i in range(offences):
            b.crime(
                area=area,
                with_incident=True,
                outcome="charge" if i < charged else "",
                outcome_at="2010-03-20T12:00:00" if i < charged else "",
                recorded_at=f"2010-03-{1 + i % 28:02d}T12:00:00",
            )
    folder = b.write(tmp_path_factory.mktemp("compare") / "extract")
    path = folder.parent / "store.duckdb"
    result = dsvb("import", folder, "--store", path, "--quiet")
    assert result.exit_code == 0, result.output
    return path


def compare(store: Path, *args: str) -> Result:
    return dsvb("compare", "--store", store, "--family", "dv", *args)


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_one_row_per_borough_then_the_force_in_the_columns_promised(store: Path) -> None:
    result = compare(store, "--indicator", "sd_rate", "--from", "2010-03-01", "--to", "2010-04-01")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].split(",") == COLUMNS
    rows = rows_of(result.stdout)
    boroughs = reference.boroughs()
    assert [r["area_code"] for r in rows] == [*boroughs, "ALL"]
    assert [r["area_name"] for r in rows[:-1]] == list(boroughs.values())
    force = rows[-1]
    charged = sum(c for c, _ in COUNTS.values())
    offences = sum(n for _, n in COUNTS.values())
    assert (force["numerator"], force["denominator"]) == (str(charged), str(offences))
    assert float(force["value"]) == float(force["force_value"]) == charged / offences
    # the force row has no limits and no flag: it is what the boroughs are compared with
    assert all(force[c] == "" for c in COLUMNS[6:])
    assert {r["force_value"] for r in rows} == {force["force_value"]}


def test_every_flag_is_where_the_value_lies_against_the_limits_in_its_row(store: Path) -> None:
    rows = rows_of(compare(store, "--indicator", "sd_rate").stdout)[:-1]
    target = float(rows[0]["force_value"])
    for row in rows:
        if row["denominator"] == "0":  # no offences: nothing to judge, no limits
            assert row["flag"] == "too_few" and row["value"] == ""
            assert all(row[c] == "" for c in COLUMNS[6:10]) and row["limits"] == ""
            continue
        value = float(row["value"])
        lo95, hi95, lo998, hi998 = (float(row[c]) for c in COLUMNS[6:10])
        assert lo998 <= lo95 <= hi95 <= hi998
        expected = (
            "above_998" if value > hi998
            else "below_998" if value < lo998
            else "above_95" if value > hi95
            else "below_95" if value < lo95
            else None
        )  # fmt: skip
        if expected is None:
            assert row["flag"] in ("within", "too_few")
        else:
            assert row["flag"] == expected
        n = int(row["denominator"])
        low95, high95 = unflagged_counts(n, target, 0.025)
        if row["limits"] == "exact":  # the boundaries of the exact tests, by hand
            low998, high998 = unflagged_counts(n, target, 0.001)
            assert (lo95, hi95, lo998, hi998) == (low95 / n, high95 / n, low998 / n, high998 / n)
        else:
            assert row["limits"] == "widened"
            assert lo95 <= low95 / n and hi95 >= high95 / n  # never narrower than exact


def test_three_of_three_is_too_few_to_judge_and_a_big_shortfall_is_flagged(store: Path) -> None:
    rows = {r["area_code"]: r for r in rows_of(compare(store, "--indicator", "sd_rate").stdout)}
    target = float(rows["ALL"]["value"])
    assert {r["limits"] for r in rows.values() if r["limits"]} == {"exact"}
    # 3 of 3 against 89%: P(3 of 3) = 0.89^3 = 0.71, so no count of 3 could be "above"
    assert target**3 > 0.025 and rows[LAMBETH]["flag"] == "too_few"
    assert float(rows[LAMBETH]["upper_95"]) == 1.0
    # 12 of 20 against 89%: P(X <= 12) < 0.001 (a binomial written out)
    pmf = binomial_pmf(20, target)
    assert pmf[:13].sum() < 0.001 and rows[SOUTHWARK]["flag"] == "below_998"
    # 180 of 200 against 89.2%: within, and at that size either side could have been judged
    assert rows[CROYDON]["flag"] == "within"


def test_the_json_form_gives_the_dispersion_test(store: Path) -> None:
    csv_rows = rows_of(compare(store, "--indicator", "sd_rate").stdout)
    result = compare(store, "--indicator", "sd_rate", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["columns"] == COLUMNS
    assert (document["family"], document["indicator"]) == ("dv", "sd_rate")
    assert (document["from"], document["to"]) == ("2010-03-01", "2010-04-01")
    assert len(document["rows"]) == len(csv_rows) == 33
    for record, row in zip(document["rows"], csv_rows, strict=True):
        assert list(record) == COLUMNS
        assert {k: "" if v is None else str(v) for k, v in record.items()} == row
    counts = list(COUNTS.values())
    expected = statistics.overdispersion(
        [c for c, _ in counts], [n for _, n in counts], document["force_value"]
    )
    dispersion = document["dispersion"]
    assert dispersion["areas"] == 13
    assert dispersion["phi"] == pytest.approx(expected.phi)
    assert dispersion["p_value"] == pytest.approx(expected.p_value)
    assert dispersion["present"] is expected.present
    assert document["limits"] == ("widened" if expected.present else "exact")
    assert {r["limits"] for r in document["rows"][:-1] if r["denominator"]} == {document["limits"]}


@pytest.mark.parametrize(
    ("indicator", "why"),
    [
        ("incidents", "It is a count, not a proportion"),
        ("crime_conversion", "is counted from other records than the denominator (incidents)"),
        ("no_crime_rate", "is counted from other records than the denominator (incidents)"),
        ("offences_per_repeat_victim", "It is a ratio"),
        ("havens_referral_rate", "does not apply to the dv family (it applies to: serious_sexual)"),
        ("shoe_size", "unknown indicator 'shoe_size'"),
    ],
)
def test_an_indicator_that_cannot_be_compared_is_refused_saying_why(
    store: Path, indicator: str, why: str
) -> None:
    result = compare(store, "--indicator", indicator)
    assert result.exit_code == 2
    assert why in result.stderr
    assert result.stdout == ""


def test_periods_are_checked_as_for_indicators(store: Path) -> None:
    backwards = compare(
        store, "--indicator", "sd_rate", "--from", "2010-04-01", "--to", "2010-03-01"
    )
    assert backwards.exit_code == 2 and "must be before --to" in backwards.stderr
    with_time = compare(store, "--indicator", "sd_rate", "--from", "2010-03-01T00:00")
    assert with_time.exit_code == 2 and "give YYYY-MM-DD only" in with_time.stderr
    empty = compare(store, "--indicator", "sd_rate", "--from", "2011-01-01", "--to", "2011-02-01")
    assert empty.exit_code == 1 and empty.stdout == ""
    assert "holds no incidents or crimes from 2011-01-01 to 2011-02-01" in empty.stderr
    assert "holds months 2010-03" in empty.stderr


def test_a_period_with_records_but_no_denominator_is_refused(store: Path) -> None:
    # the store holds DV crimes, but none flagged serious sexual: no offences to compare over
    result = dsvb("compare", "--store", store, "--family", "serious_sexual", "--indicator",
                  "sd_rate")  # fmt: skip
    assert result.exit_code == 1
    assert "no offences from 2010-03-01 to 2010-04-01 (serious_sexual)" in result.stderr


def test_a_missing_store_is_refused(tmp_path: Path) -> None:
    result = compare(tmp_path / "missing.duckdb", "--indicator", "sd_rate")
    assert result.exit_code == 1 and "No store at" in result.stderr
    assert not (tmp_path / "missing.duckdb").exists()
