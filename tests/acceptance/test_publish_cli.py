"""`dsvb publish`: numbered releases, audited before they leave, written as the public sees
them, on a yearly cycle that never overlaps — through the installed command, real files."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from dsvb.reports.publication import COLUMNS
from tests.acceptance.test_cli import dsvb

CUTOFF = "2010-12-01"  # the first year of the two-year extract ends here


@pytest.fixture(scope="module")
def two_years(tmp_path_factory) -> tuple[Path, Path]:
    """A two-year extract (December 2009 to November 2011) and its first year alone, as an
    extract sent a year earlier would have been."""
    root = tmp_path_factory.mktemp("publish")
    full = root / "two-years"
    dsvb(
        "demo-data", "--incidents", "8000", "--seed", "11", "--months", "24",
        "--out", str(full), "--quiet",
    )  # fmt: skip
    first = root / "first-year"
    first.mkdir()
    con = duckdb.connect()
    for name in ("incidents", "crimes", "crime_people", "people", "victim_contacts"):
        con.execute(
            f"CREATE TABLE {name} AS SELECT * FROM read_csv('{full / name}.csv', all_varchar=true)"
        )
    con.execute(f"DELETE FROM incidents WHERE reported_at >= '{CUTOFF}'")
    con.execute(f"DELETE FROM crimes WHERE recorded_at >= '{CUTOFF}'")
    con.execute(
        "UPDATE incidents SET crime_id = NULL WHERE crime_id NOT IN (SELECT crime_id FROM crimes)"
    )
    con.execute(
        "UPDATE crimes SET incident_id = NULL WHERE incident_id NOT IN "
        "(SELECT incident_id FROM incidents)"
    )
    for name in ("crime_people", "victim_contacts"):
        con.execute(f"DELETE FROM {name} WHERE crime_id NOT IN (SELECT crime_id FROM crimes)")
    for name in ("incidents", "crimes", "crime_people", "people", "victim_contacts"):
        con.execute(f"COPY {name} TO '{first / name}.csv' (HEADER, DELIMITER ',')")
    con.close()
    return first, full


def env_for(folder: Path) -> dict[str, str]:
    """An installation of its own: data folder and application database (SQLite)."""
    return {
        "DSVB_DATA_DIR": str(folder / "var"),
        "DATABASE_URL": f"sqlite:///{folder / 'app.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "dsvb.web.settings",
    }


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_releases_follow_a_yearly_cycle_and_never_change(two_years, tmp_path) -> None:
    first, full = two_years
    env = env_for(tmp_path)
    store = tmp_path / "store.duckdb"
    out = tmp_path / "portal"
    dsvb("import", str(first), "--store", str(store), "--quiet", env=env)

    dry = dsvb("publish", "--store", str(store), "--out", str(out), "--dry-run", env=env)
    assert "Would publish release 1: 12 months to November 2010" in dry.stderr
    assert not out.exists()  # a dry run writes nothing and publishes nothing

    made = dsvb("publish", "--store", str(store), "--out", str(out), env=env)
    assert "Published release 1: 12 months to November 2010" in made.stderr
    files = sorted(Path(p).name for p in made.stdout.split())
    assert files == [
        "dsvb-release-1-2009-12-to-2010-11-sdc-v2.csv",
        "dsvb-release-1-2009-12-to-2010-11-sdc-v2.xlsx",
    ]
    rows = read_csv(out / files[0])
    assert list(rows[0]) == list(COLUMNS)
    assert {(r["period_start"], r["period_end"], r["release"]) for r in rows} == {
        ("2009-12-01", "2010-11-30", "1")
    }
    for row in rows:
        if row["geography_level"] == "area":
            for column in ("numerator", "denominator"):
                assert not (row[column].isdigit() and 1 <= int(row[column]) <= 9), row
    assert any(r["numerator"] == "[c]" for r in rows)
    workbook = load_workbook(out / files[1], read_only=True)
    assert workbook.sheetnames == ["Cover", "Notes", "Data"]
    first_csv = (out / files[0]).read_bytes()

    # nothing new is due while the store holds no later year; the files are written again
    again = dsvb("publish", "--store", str(store), "--out", str(out), env=env)
    assert "No new release: the next release covers 12 months to November 2011" in again.stderr
    assert "the store holds data to November 2010" in again.stderr

    # a year later: the second extract re-sends the first year (with its records as now
    # known) and adds the next; the next release covers that year and the first is unchanged
    dsvb("import", str(full), "--store", str(store), "--quiet", env=env)
    second = dsvb("publish", "--store", str(store), "--out", str(out), env=env)
    assert "Published release 2: 12 months to November 2011" in second.stderr
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 4 and "dsvb-release-2-2010-12-to-2011-11-sdc-v2.csv" in names
    assert (out / files[0]).read_bytes() == first_csv
    later = read_csv(out / "dsvb-release-2-2010-12-to-2011-11-sdc-v2.csv")
    assert {(r["period_start"], r["period_end"]) for r in later} == {("2010-12-01", "2011-11-30")}


def test_publish_refuses_what_it_cannot_read(tmp_path) -> None:
    env = env_for(tmp_path)
    missing = dsvb(
        "publish", "--store", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "o"),
        env=env, check=False,
    )  # fmt: skip
    assert missing.returncode == 1 and "No store at" in missing.stderr
    not_a_store = tmp_path / "notes.duckdb"
    not_a_store.write_text("not a database")
    refused = dsvb(
        "publish", "--store", str(not_a_store), "--out", str(tmp_path / "o"),
        env=env, check=False,
    )  # fmt: skip
    assert refused.returncode == 1 and "is not a dsvb store" in refused.stderr
    assert not (tmp_path / "o").exists()


def test_a_store_with_less_than_a_year_has_nothing_to_publish(two_years, tmp_path) -> None:
    env = env_for(tmp_path)
    short = tmp_path / "short"
    dsvb(
        "demo-data", "--incidents", "2000", "--seed", "5", "--months", "6", "--out", str(short),
        "--quiet",
    )  # fmt: skip
    store = tmp_path / "store.duckdb"
    dsvb("import", str(short), "--store", str(store), "--quiet", env=env)
    result = dsvb("publish", "--store", str(store), "--out", str(tmp_path / "o"), env=env)
    assert "No new release: a release covers 12 whole months and the store holds 6" in (
        result.stderr
    )
    assert "Nothing has been published yet" in result.stderr
    assert result.stdout == ""
    assert os.listdir(tmp_path / "o") == []
