"""How long the annual report takes to build from a demo store.

    PYTHONPATH=src .venv/bin/python benchmarks/annual_report.py [--incidents N] [--seed S]
    PYTHONPATH=src .venv/bin/python benchmarks/annual_report.py --store PATH [--json OUT]

Without ``--store`` a year of demo data (December 2009 to November 2010) is generated and
imported into a temporary folder. It times the typed assessment of the three families the
report reads (``assess_store``), then ``build_annual_report`` (disclosure control of the
release's table and its audit, the sentences, the tables, two charts as SVG and PNG), and
says how many cells the report withholds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import time
from pathlib import Path

FAMILIES = ("dv", "serious_sexual", "sexual")
START = dt.date(2009, 12, 1)


def make_store(folder: Path, incidents: int, seed: int) -> Path:
    from dsvb import store
    from dsvb.demo.generator import generate_extract
    from dsvb.ingest.extract import import_extract

    generate_extract(folder / "extract", incidents=incidents, seed=seed, start=START, months=12)
    path = folder / "store.duckdb"
    con = store.connect(path)
    try:
        import_extract(con, folder / "extract")
    finally:
        con.close()
    return path


def measure(path: Path) -> dict[str, float | int]:
    import ibis

    from dsvb import store
    from dsvb.indicators.assessment import assess_store
    from dsvb.indicators.model import Period
    from dsvb.indicators.periods import ReportingPeriod
    from dsvb.oversight import annual_report as ar

    period = ReportingPeriod.of(Period(START, dt.date(2010, 12, 1)))
    t0 = time.perf_counter()
    con = store.connect(path, read_only=True)
    try:
        backend = ibis.duckdb.from_connection(con)
        judged = [assess_store(backend, f, period, START) for f in FAMILIES]
    finally:
        con.close()
    t1 = time.perf_counter()
    inputs = ar.AnnualReportInputs(2010, ar.figures_from_assessments(judged), synthetic=True)
    document = ar.build_annual_report(inputs)
    t2 = time.perf_counter()
    withheld = ar.controlled_table(inputs.figures, inputs.policy).suppressed_cells
    return {
        "assessment_seconds": round(t1 - t0, 2),
        "build_seconds": round(t2 - t1, 2),
        "cells_withheld": withheld,
        "characters": len(document.text()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path)
    parser.add_argument("--incidents", type=int, default=3_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        path = args.store or make_store(Path(work), args.incidents, args.seed)
        result = measure(path)
    print(
        f"assessment {result['assessment_seconds']} s, report {result['build_seconds']} s, "
        f"{result['cells_withheld']} cells withheld"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
