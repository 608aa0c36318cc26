"""The command line as a new user meets it: the installed `dsvb` script, real files."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.builder import rewrite_cell

DSVB = [str(Path(sys.executable).with_name("dsvb"))]
PUBLISHED = Path(__file__).parents[2] / "src" / "dsvb" / "reference" / "published"
HEADER = ["area_code", "area_name", "family", "indicator", "numerator", "denominator", "value"]


def dsvb(*args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [*DSVB, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"dsvb {' '.join(args)} failed:\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def extract(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "extract"
    result = dsvb("demo-data", "--incidents", "5000", "--seed", "3", "--out", str(out), "--quiet")
    assert "Wrote a synthetic extract" in result.stdout
    return out


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_import_then_indicators_from_the_store(extract: Path, tmp_path: Path) -> None:
    store = tmp_path / "store.duckdb"
    imported = dsvb("import", str(extract), "--store", str(store))
    assert "Imported" in imported.stdout and "incidents 5,000" in imported.stdout
    assert "Normalised:" in imported.stdout  # the demo writes some areas as names
    again = dsvb("import", str(extract), "--store", str(store))
    assert "already in the store" in again.stdout

    out = dsvb(
        "indicators", "--store", str(store), "--from", "2010-01-01", "--to", "2011-01-01",
        "--family", "dv", "--by", "area", "--format", "csv",
    ).stdout  # fmt: skip
    assert out.splitlines()[0].split(",") == HEADER
    rows = rows_of(out)
    areas = {r["area_code"] for r in rows}
    assert len(areas) == 33 and "ALL" in areas
    sd = {r["area_code"]: r for r in rows if r["indicator"] == "sd_rate"}
    force = sd["ALL"]
    assert float(force["value"]) == pytest.approx(
        int(force["numerator"]) / int(force["denominator"])
    )
    assert sum(int(r["numerator"]) for a, r in sd.items() if a != "ALL") == int(force["numerator"])

    log = json.loads(dsvb("imports", "--store", str(store), "--format", "json").stdout)
    assert len(log) == 1 and log[0]["row_counts"]["incidents"] == 5000


def test_extract_folder_store_and_environment_give_the_same_figures(
    extract: Path, tmp_path: Path
) -> None:
    store = tmp_path / "env-store.duckdb"
    dsvb("import", str(extract), "--quiet", env={"DSVB_STORE": str(store)})
    args = ["indicators", "--family", "sexual", "--by", "area,unit", "--format", "json"]
    from_env = json.loads(dsvb(*args, env={"DSVB_STORE": str(store)}).stdout)
    from_folder = json.loads(dsvb(*args, "--extract", str(extract)).stdout)
    assert from_env == from_folder
    assert {"unit"} <= set(from_env[0]) and from_env[0]["family"] == "sexual"


def test_a_bad_extract_is_refused_naming_file_row_and_column(extract: Path, tmp_path: Path) -> None:
    store = tmp_path / "store.duckdb"
    dsvb("import", str(extract), "--store", str(store), "--quiet")
    before = store.read_bytes()
    bad = tmp_path / "bad"
    shutil.copytree(extract, bad)
    rewrite_cell(bad / "crimes.csv", 7, "recorded_at", "yesterday")
    result = dsvb("import", str(bad), "--store", str(store), "--quiet", check=False)
    assert result.returncode == 1
    assert "crimes.csv, row 7 (line 8), column recorded_at: not an ISO 8601 date" in result.stderr
    assert "nothing was stored" in result.stderr
    assert store.read_bytes() == before


def test_published_returns_import_and_indicators(tmp_path: Path) -> None:
    store = tmp_path / "store.duckdb"
    table = str(PUBLISHED / "sexual_offences_by_unit_12m_to_2010-11.csv")
    result = dsvb("import-returns", table, "--store", str(store))
    # the summary on stdout, every note on stderr
    assert "as return 1 (by_area, 12 months to November 2010)" in result.stdout
    assert "'Barking & & Dagenham' read as Barking and Dagenham (E09000002)" in result.stderr
    assert "'116 47 1' is not a number" in result.stderr
    assert "the Non-Borough Total implies 164" in result.stderr
    assert "already in the store" in dsvb("import-returns", table, "--store", str(store)).stdout

    rows = rows_of(dsvb("indicators", "--returns", table, "--format", "csv").stdout)
    lambeth = next(r for r in rows if r["area_name"] == "Lambeth" and r["indicator"] == "sd_rate")
    assert (lambeth["numerator"], lambeth["denominator"]) == ("72", "262")
    assert round(float(lambeth["value"]), 3) == 0.275


def test_usage_errors_are_clear(tmp_path: Path) -> None:
    result = dsvb("indicators", "--by", "shoe_size", "--store", str(tmp_path / "x"), check=False)
    assert result.returncode == 2 and "unknown cut(s): shoe_size" in result.stderr
    result = dsvb("indicators", "--store", str(tmp_path / "missing.duckdb"), check=False)
    assert result.returncode == 1 and "No store at" in result.stderr


def test_demo_data_refuses_a_period_before_the_first_victims_code(tmp_path: Path) -> None:
    out = tmp_path / "early"
    result = dsvb(
        "demo-data", "--incidents", "100", "--start", "2005-01-01", "--out", str(out), "--quiet",
        check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "Error: the period must start on or after 2006-04-03" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
