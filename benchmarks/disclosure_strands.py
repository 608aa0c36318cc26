"""Disclosure control of equality tables (a family's headline indicators by area and strand).

    PYTHONPATH=src .venv/bin/python benchmarks/disclosure_strands.py            # builds a store
    PYTHONPATH=src .venv/bin/python benchmarks/disclosure_strands.py --store PATH [--json OUT]

Without ``--store`` a London year (135,312 incidents, seed 1, April 2025 to March 2026) is
written with ``dsvb demo-data`` and imported with ``dsvb import`` into a temporary folder.
For each family and strand, the engine computes the headline indicators by area and group
(``IndicatorQuery(by=("area", strand))``), each group's force row is the sum of its areas,
and the table goes through ``dsvb.reports.disclosure.apply`` (which also controls the table
of areas without the cut that the groups add up to) and then ``audit``. It reports the
seconds each takes, the cells withheld and what the audit finds (it must find nothing). A
realistic table is 33 areas and the force × 6 groups × 8 indicators × 1 family; with
``--together`` the families given go through one call per strand.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FAMILIES = ("dv", "serious_sexual", "sexual")
STRANDS = (
    "victim_ethnicity",
    "victim_sex",
    "victim_age_band",
    "victim_disability",
    "suspect_ethnicity",
)


YEAR = ("--start", "2025-04-01", "--months", "12")


def make_store(work: Path) -> Path:
    extract, store = work / "extract", work / "store.duckdb"
    dsvb = [sys.executable, "-m", "dsvb"]
    print("writing a 135,312-incident year and importing it", flush=True)
    demo = ["demo-data", "--incidents", "135312", "--seed", "1", *YEAR, "--quiet"]
    subprocess.run([*dsvb, *demo, "--out", str(extract)], check=True)
    subprocess.run([*dsvb, "import", str(extract), "--store", str(store), "--quiet"], check=True)
    return store


def strand_table(store: Path, family: str, strand: str) -> list:
    """The table by strand: the engine's areas by group, and a force row per group."""
    from dsvb.indicators.engine import IndicatorQuery, compute_from_store
    from dsvb.indicators.results import FORCE_CODE, IndicatorResult
    from dsvb.reports.publication import headline

    query = IndicatorQuery(families=(family,), by=("area", strand), indicators=headline(family))
    areas = [r for r in compute_from_store(store, query) if r.area_code != FORCE_CODE]
    sums: dict[tuple, list] = {}
    for r in areas:
        total = sums.setdefault((r.cuts, r.family, r.indicator, r.is_rate), [0, 0])
        total[0] += r.numerator
        total[1] += r.denominator or 0
    force = [
        IndicatorResult(FORCE_CODE, "All areas", f, i, n, d if rate else None, rate, cuts=cuts)
        for (cuts, f, i, rate), (n, d) in sums.items()
    ]
    return areas + force


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path)
    parser.add_argument("--families", default=",".join(FAMILIES))
    parser.add_argument("--strands", default=",".join(STRANDS))
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--together", action="store_true", help="the families in one table (as releases are)"
    )
    args = parser.parse_args()
    work = None if args.store else Path(tempfile.mkdtemp(prefix="dsvb-bench-strands-"))
    try:
        return measure(args, args.store or make_store(work))
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)


def measure(args: argparse.Namespace, store: Path) -> int:
    from dsvb.reports.disclosure import apply, audit

    rows = []
    families = args.families.split(",")
    for family in [args.families] if args.together else families:
        for strand in args.strands.split(","):
            results = [r for f in family.split(",") for r in strand_table(store, f, strand)]
            groups = len({r.cuts for r in results})
            started = time.perf_counter()
            table = apply(results)
            applied = time.perf_counter() - started
            started = time.perf_counter()
            found = audit(results, table)
            audited = time.perf_counter() - started
            row = {
                "family": family,
                "strand": strand,
                "groups": groups,
                "cells": len(table.cells),
                "withheld": table.suppressed_cells,
                "apply_seconds": round(applied, 2),
                "audit_seconds": round(audited, 2),
                "audit_findings": len(found),
            }
            rows.append(row)
            print(
                f"{family:15} {strand:18} {groups} groups {len(table.cells):5} cells "
                f"{table.suppressed_cells:5} withheld  apply {applied:6.2f} s  "
                f"audit {audited:6.2f} s  findings {len(found)}",
                flush=True,
            )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 1 if any(r["audit_findings"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
