"""The equality analysis at London scale: how long a page's first view (an analysis not yet
cached) and a publication take.

    PYTHONPATH=src .venv/bin/python benchmarks/equality.py                 # builds a store
    PYTHONPATH=src .venv/bin/python benchmarks/equality.py --store PATH [--incidents N]

Without ``--store`` a London year (135,312 incidents, seed 1, as ``dsvb demo``) is written
with ``dsvb demo-data``, imported, and the demo's synthetic population loaded. For each
family it times, in a fresh process each (nothing kept between them but the compiled
queries on disk):

* ``cold``: ``analyse_store`` with an empty compiled-query folder (compiling every query: a
  first view after an upgrade);
* ``warm``: the same with the queries compiled and kept (a first view after an import:
  what the page cache misses cost);
* ``publish``: disclosure control of one strand's table (``victim_ethnicity``), the work of
  ``dsvb equality --published --strand victim_ethnicity``.

The analysis of one family is about eleven engine queries, the ratios and the correction in
Python; the page keeps it per store version (and ``dsvb prepare`` builds the opening one
after each import), so these are the costs of a cache miss, not of a page view. Targets:
warm under 10 s at London scale (the page's first view stays well inside the server's 120 s
timeout at ten times the volume).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

FAMILIES = ("dv", "serious_sexual", "sexual")
YEAR = ("--start", "2009-12-01", "--months", "12")

CHILD = r"""
import datetime as dt, json, sys, time
from dsvb import store
from dsvb.equality import analysis, publication
from dsvb.indicators.model import Period
path, family, what = sys.argv[1], sys.argv[2], sys.argv[3]
period = Period(dt.date(2009, 12, 1), dt.date(2010, 12, 1))
con = store.connect(path, read_only=True)
started = time.perf_counter()
result = analysis.analyse_store(con, family, period)
took = time.perf_counter() - started
out = {"analysis_s": took, "rows": len(result.rows), "tested": result.correction.tested,
       "called": result.correction.selected}
if what == "publish":
    started = time.perf_counter()
    released = publication.publish(result, strands=["victim_ethnicity"])
    out["publish_s"] = time.perf_counter() - started
    out["withheld"] = released.suppressed_counts
    out["published_rows"] = len(released.rows)
print(json.dumps(out))
"""


def make_store(work: Path, incidents: int) -> Path:
    extract, path = work / "extract", work / "store.duckdb"
    dsvb = [sys.executable, "-m", "dsvb"]
    print(f"writing a {incidents:,}-incident year and importing it", flush=True)
    demo = ["demo-data", "--incidents", str(incidents), "--seed", "1", *YEAR, "--quiet"]
    subprocess.run([*dsvb, *demo, "--out", str(extract)], check=True)
    subprocess.run([*dsvb, "import", str(extract), "--store", str(path), "--quiet"], check=True)
    population = work / "population.csv"
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from dsvb.demo import population as p; "
            "p.write_population(Path(sys.argv[1]), (2009, 2010))",
            str(population),
        ],
        check=True,
    )
    subprocess.run(
        [*dsvb, "import-population", str(population), "--store", str(path), "--synthetic"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return path


def run(path: Path, family: str, what: str, cache: Path) -> dict:
    env = {**os.environ, "DSVB_QUERY_CACHE": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), family, what],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path)
    parser.add_argument("--incidents", type=int, default=135_312)
    parser.add_argument("--families", default=",".join(FAMILIES))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dsvb-bench-equality-") as tmp:
        work = Path(tmp)
        path = args.store or make_store(work, args.incidents)
        results = {}
        for family in args.families.split(","):
            cache = work / f"queries-{family}"
            cold = run(path, family, "analysis", cache)
            warm = run(path, family, "publish", cache)
            results[family] = {"cold": cold, "warm": warm}
            print(
                f"{family:15} cold {cold['analysis_s']:6.1f} s   warm {warm['analysis_s']:6.1f} s"
                f"   publish one strand {warm['publish_s']:6.1f} s"
                f"   ({warm['rows']:,} rows, {warm['tested']:,} comparisons, "
                f"{warm['called']:,} called; {warm['withheld']:,} of "
                f"{warm['published_rows']:,} published counts withheld)",
                flush=True,
            )
        if args.json:
            args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
