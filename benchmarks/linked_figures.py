"""Figures by linked person against recorded (decision 0047): what counting victims and
offenders by person key costs on DuckDB.

    python benchmarks/linked_figures.py --incidents 135312

Steps: a year of generated records (``generate_extract``, seed 1) imported into a fresh
store; person keys written straight into ``person_links`` as a link run would (every
recorded person keyed, one in seven sharing the key of the person before it, one in eleven
left without a key), so the join and the regrouping do real work; then, each in the same
process with nothing kept on disk (``DSVB_QUERY_CACHE=""``):

1. all indicators by area, recorded, then linked — first run (compiles the queries) and
   the median of ``--runs`` more (compiled SQL kept in memory);
2. ``side_by_side`` (the two victims queries) the same way.

Prints a table and writes ``bench-results/linked-figures-latest.json``. Timings depend on
the machine and what else it runs (the load average is reported).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
START = dt.date(2010, 1, 1)


def make_store(folder: Path, incidents: int) -> Path:
    from dsvb import store
    from dsvb.demo.generator import generate_extract
    from dsvb.ingest.extract import import_extract
    from dsvb.linkage.tables import ensure_tables

    generate_extract(folder / "extract", incidents=incidents, seed=1, start=START, months=12)
    path = folder / "store.duckdb"
    con = store.connect(path)
    try:
        import_extract(con, folder / "extract")
        ensure_tables(con)
        con.execute(
            "INSERT INTO link_runs VALUES (1, TIMESTAMP '2026-01-01 00:00:00', "
            "TIMESTAMP '2026-01-01 00:00:01', 'full', 0, 0, 0, 0.9, '{}', 'benchmark')"
        )
        con.execute(
            """
            INSERT INTO person_links
            SELECT 'extract', person_id,
              'P' || lpad(printf('%x', CASE WHEN n % 7 = 1 THEN n - 1 ELSE n END), 12, '0'), 1
            FROM (SELECT person_id, row_number() OVER (ORDER BY person_id) AS n FROM people)
            WHERE n % 11 <> 0
            """
        )
    finally:
        con.close()
    return path


def timed(run: Callable[[], object], runs: int) -> tuple[float, float]:
    start = time.perf_counter()
    run()
    first = time.perf_counter() - start
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return first, statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=135_312)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.environ["DSVB_QUERY_CACHE"] = ""

    from dsvb import store
    from dsvb.indicators.engine import IndicatorQuery, compute
    from dsvb.indicators.linked import side_by_side

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        path = make_store(Path(tmp), args.incidents)
        made = time.perf_counter() - started
        con = store.connect(path, read_only=True)
        try:
            people, keys = con.execute(
                "SELECT (SELECT count(*) FROM people), count(DISTINCT person_key) FROM person_links"
            ).fetchone()
            results: dict[str, tuple[float, float]] = {}
            for people_ in ("recorded", "linked"):
                query = IndicatorQuery(people=people_)
                results[f"all indicators, {people_}"] = timed(
                    lambda q=query: compute(con, q), args.runs
                )
            results["side_by_side (dv)"] = timed(
                lambda: side_by_side(con, IndicatorQuery(families=("dv",))), args.runs
            )
            force = side_by_side(con, IndicatorQuery(families=("dv",)))[-1]
        finally:
            con.close()
    report = {
        "incidents": args.incidents,
        "people": people,
        "person_keys": keys,
        "store_made_seconds": round(made, 1),
        "load_average": os.getloadavg()[0],
        "timings": {
            k: {"first": round(a, 3), "median": round(b, 3)} for k, (a, b) in results.items()
        },
        "force_dv": {
            "victims": [force.recorded.victims, force.linked.victims],
            "repeat_victims": [force.recorded.repeat_victims, force.linked.repeat_victims],
            "hidden_repeat_victims": force.hidden_repeat_victims,
        },
    }
    print(f"{args.incidents:,} incidents, {people:,} people, {keys:,} person keys "
          f"(load {report['load_average']:.1f})")  # fmt: skip
    for name, (first, median) in results.items():
        print(f"  {name:32} first {first:6.2f} s   then {median:6.2f} s (median of {args.runs})")
    print(f"  force, dv: {report['force_dv']}")
    out = REPO / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "linked-figures-latest.json").write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
