"""What the command line imports: a rule, not a timing (the cold start is measured by
``benchmarks/cold_start.py``).

``dsvb.cli`` imports no heavy library when it is loaded (each command imports what it
needs), and ``dsvb indicators`` on a store whose queries were compiled before runs the
kept SQL without importing Ibis, pandas or Arrow (``dsvb.indicators.compiled``). Each is
checked in a fresh interpreter, so nothing this test process imported counts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dsvb import store
from dsvb.ingest.extract import import_extract
from tests.support.builder import ExtractBuilder, small_extract

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("django", "pandas", "ibis", "numpy", "scipy", "polars", "pyarrow", "sqlglot")

# Runs the command line in this interpreter, then prints which HEAVY modules were loaded.
RUN_AND_REPORT = """
import json, sys
heavy = json.loads(sys.argv[1])
sys.argv = ["dsvb", *sys.argv[2:]]
from dsvb.cli import main
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
print(json.dumps(sorted(m for m in heavy if m in sys.modules)), file=sys.stderr)
sys.exit(code)
"""


def _python(code: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, check=False
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        "DSVB_QUERY_CACHE": str(tmp_path / "queries"),
    }


def test_loading_the_cli_imports_no_heavy_library(env: dict[str, str]) -> None:
    code = (
        "import json, sys, dsvb.cli; "
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    )
    proc = _python(code, env=env)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []


def test_indicators_from_kept_queries_import_no_ibis_pandas_or_arrow(
    tmp_path: Path, env: dict[str, str], builder: ExtractBuilder
) -> None:
    small_extract(builder)
    path = tmp_path / "store.duckdb"
    con = store.connect(path)
    try:
        import_extract(con, builder.write(tmp_path / "extract"))
    finally:
        con.close()
    args = ["indicators", "--store", str(path), "--from", "2010-01-01", "--to", "2011-01-01"]

    first = _python(RUN_AND_REPORT, json.dumps(HEAVY), *args, env=env)  # compiles, keeps
    assert first.returncode == 0, first.stderr
    assert "ibis" in json.loads(first.stderr.splitlines()[-1])
    assert list((tmp_path / "queries").glob("*.sql"))

    again = _python(RUN_AND_REPORT, json.dumps(HEAVY), *args, env=env)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stderr.splitlines()[-1]) == []
    assert again.stdout == first.stdout
    assert ",dv,offences,2,," in again.stdout  # the force row: both crimes of the extract
