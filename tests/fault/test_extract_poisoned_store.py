"""No stored record can make a command or page fail.

Imports now refuse dates outside the plausible range for police records, but a store made
by an older dsvb may hold some (an analyst's upload stored ``9999-12-31T23:00:00+14:00``;
afterwards ``dsvb indicators`` and every figure page failed). Such a store is made here by
inserting rows directly with DuckDB: the records are left out of every figure, and said so.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import duckdb
import ibis
import pytest

from dsvb.indicators.engine import IndicatorQuery, compute, data_period
from dsvb.indicators.sources import implausible_records

ROOT = Path(__file__).resolve().parents[2]
DSVB = ROOT / ".venv" / "bin" / "dsvb"

POISON = [
    # (table, key column, new key, date column, month column, value)
    ("crimes", "crime_id", "POISON-C1", "recorded_at", "recorded_month", "9999-12-31 09:00:00"),
    ("crimes", "crime_id", "POISON-C2", "recorded_at", "recorded_month", "0001-01-01 00:00:00"),
    ("incidents", "incident_id", "POISON-I1", "reported_at", "reported_month",
     "9999-12-31 09:00:00"),
    ("incidents", "incident_id", "POISON-I2", "reported_at", "reported_month",
     "0001-01-01 00:00:00"),
]  # fmt: skip


def poison(path: Path) -> None:
    con = duckdb.connect(str(path))
    try:
        for table, key, new_key, column, month, value in POISON:
            con.execute(
                f"INSERT INTO {table} SELECT * REPLACE ('{new_key}' AS {key}, "
                f"TIMESTAMP '{value}' AS {column}, "
                f"date_trunc('month', TIMESTAMP '{value}')::DATE AS {month}) "
                f"FROM {table} LIMIT 1"
            )
        con.execute(
            "INSERT INTO victim_contacts SELECT * REPLACE (TIMESTAMP '9999-12-31 00:00:00' "
            "AS due_at, DATE '9999-12-01' AS due_month) FROM victim_contacts LIMIT 1"
        )
        con.execute(
            "UPDATE crimes SET outcome_at = TIMESTAMP '0001-01-01 00:00:00' "
            "WHERE crime_id = (SELECT min(crime_id) FROM crimes WHERE crime_id NOT LIKE 'P%')"
        )
        con.execute(
            "UPDATE people SET birth_year = 0 WHERE person_id = (SELECT min(person_id) FROM people)"
        )
    finally:
        con.close()


@pytest.fixture(scope="module")
def poisoned_file(tmp_path_factory) -> Path:
    """A store of its own (a year of demo records), then poisoned: not a copy of the
    session's demo store, which other tests may be writing to."""
    from dsvb import store
    from dsvb.demo.generator import generate_extract
    from dsvb.ingest.extract import import_extract

    folder = tmp_path_factory.mktemp("poisoned")
    generate_extract(folder / "extract", incidents=3_000, seed=7, start=dt.date(2009, 12, 1))
    path = folder / "store.duckdb"
    con = store.connect(path)
    try:
        import_extract(con, folder / "extract")
    finally:
        con.close()
    poison(path)
    return path


def _dsvb(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + str(ROOT)}
    return subprocess.run([str(DSVB), *args], capture_output=True, text=True, timeout=300, env=env)


def test_the_period_held_leaves_out_implausible_records(poisoned_file: Path) -> None:
    con = duckdb.connect(str(poisoned_file), read_only=True)
    try:
        backend = ibis.duckdb.from_connection(con)
        held = data_period(backend)
        assert held is not None
        assert dt.date(2009, 12, 1) <= held.start and held.end <= dt.date(2011, 1, 1)
        left_out = implausible_records(backend)
        assert left_out["crimes"] == 3  # two dates of recording, one outcome date
        assert left_out["incidents"] == 2
        assert left_out["victim_contacts"] == 1
        assert left_out["people"] == 1
        rows = compute(backend, IndicatorQuery(("dv",)))
        assert rows
    finally:
        con.close()


@pytest.mark.parametrize("period", [[], ["--from", "2010-01-01", "--to", "2010-07-01"]])
def test_indicators_answer_and_say_what_was_left_out(poisoned_file: Path, period) -> None:
    result = _dsvb("indicators", "--store", str(poisoned_file), *period)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "outside the plausible range" in result.stderr
    assert "crimes 3" in result.stderr and "incidents 2" in result.stderr
    assert result.stdout.count("\n") > 10


@pytest.fixture
def poisoned_web(poisoned_file: Path, settings):
    from django.core.cache import cache

    settings.DSVB_STORE = poisoned_file
    cache.clear()
    yield poisoned_file
    cache.clear()


def test_the_public_pages_answer(poisoned_web, client, db) -> None:
    response = client.get("/published/")
    assert response.status_code == 200


def test_the_performance_pages_answer(poisoned_web, client_for) -> None:
    analyst = client_for("force_analyst")
    assert analyst.get("/performance/").status_code == 200
