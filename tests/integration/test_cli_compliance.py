"""`dsvb compliance-list` as a real subprocess on a small store: the list's records as CSV
and JSON, one area, a period, and bad input refused in words."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dsvb import store
from dsvb.ingest.extract import import_extract
from tests.support.builder import ExtractBuilder

LAMBETH, SOUTHWARK = "E09000022", "E09000028"


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    b = ExtractBuilder()
    b.crime(risk_form="completed")
    missing = [b.crime(), b.crime(risk_form="partial"), b.crime(area=SOUTHWARK)]
    b.crime(recorded_at="2010-09-01T10:00:00")  # outside the period asked for below
    folder = tmp_path_factory.mktemp("cli-compliance")
    path = folder / "store.duckdb"
    con = store.connect(path)
    try:
        import_extract(con, b.write(folder / "extract"))
    finally:
        con.close()
    return path, missing


def dsvb(*args: str | Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run(
        [sys.executable, "-m", "dsvb", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_a_list_as_csv_and_json(made: tuple[Path, list[str]]) -> None:
    store_file, missing = made
    period = ("--from", "2010-01-01", "--to", "2010-06-01")
    done = dsvb(
        "compliance-list", "no_risk_form", "--store", store_file, "--area", LAMBETH, *period
    )
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [r["id"] for r in rows] == missing[:2]
    assert {r["risk_form"] for r in rows} == {"", "partial"}
    done = dsvb(
        "compliance-list", "no_risk_form", "--store", store_file, "--format", "json", *period
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["count"] == 3
    assert {r["area_code"] for r in document["records"]} == {LAMBETH, SOUTHWARK}


def test_bad_input_is_refused_in_words(made: tuple[Path, list[str]]) -> None:
    store_file, _ = made
    done = dsvb("compliance-list", "nothing", "--store", store_file)
    assert done.returncode != 0 and "no list 'nothing'" in done.stderr
    done = dsvb("compliance-list", "no_risk_form", "--store", store_file, "--from", "2010-13-01")
    assert done.returncode != 0 and "not a date" in done.stderr
    done = dsvb("compliance-list", "no_risk_form", "--store", store_file, "--area", "E0")
    assert done.returncode != 0 and "no area has the code 'E0'" in done.stderr
    missing = store_file.parent / "none.duckdb"
    done = dsvb("compliance-list", "no_risk_form", "--store", missing)
    assert done.returncode != 0 and f"{missing}: no such store" in done.stderr
