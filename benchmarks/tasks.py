"""One measurement, run in a fresh process: ``python -m benchmarks.tasks TASK ... --out FILE``.

Each task times only the work being measured (not interpreter start-up, imports or, for
pandas, reading the tables into DataFrames) with ``time.perf_counter``, and reports the
process's peak resident set size (``VmHWM``, the high-water mark of this process image,
falling back to ``getrusage``) as JSON in ``--out``.

Tasks:
  generate   write a synthetic extract (setup, not measured)
  import     dsvb's validated import of an extract into a fresh store file
  read_csv   DuckDB's bare ``CREATE TABLE … AS FROM read_csv(path)`` per file, fresh file
  engine     all indicators by area with ``dsvb.indicators.engine.compute`` (Ibis on DuckDB)
  sql        the same with hand-written DuckDB SQL (``baseline_sql``)
  pandas     the same with pandas (``baseline_pandas``)
  polars     the same with Polars (``baseline_polars``; needs polars installed)

The runner (``benchmarks/run.py``) also takes each task's peak RSS from the kernel when it
reaps the process (``wait4``'s ``ru_maxrss``), so that every method's memory is its own.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# Ibis 12 calls a DuckDB 2.0 method that DuckDB has deprecated; not ours to fix.
warnings.filterwarnings("ignore", "fetch_arrow_table", DeprecationWarning)

COMPUTE_TASKS = ("engine", "sql", "pandas", "polars")
LOAD_TASKS = ("import", "read_csv")
CSV_FILES = ("incidents", "crimes", "people", "crime_people", "victim_contacts")


def _status_bytes(field: str) -> int | None:
    """A memory figure of this process from /proc/self/status (Linux), in bytes."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def peak_rss_bytes() -> int:
    """Peak RSS of this process image so far."""
    peak = _status_bytes("VmHWM")
    if peak is not None:
        return peak
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def current_rss_bytes() -> int:
    return _status_bytes("VmRSS") or 0


def system_busy_seconds() -> float | None:
    """CPU seconds the whole machine has spent busy (all processes), from /proc/stat."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            fields = f.readline().split()
    except OSError:
        return None
    if not fields or fields[0] != "cpu":
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


@dataclass
class Timing:
    wall: float  # seconds
    cpu: float  # CPU seconds of this process, all threads
    other_load: float | None  # cores kept busy by other processes meanwhile


def _timed(work: Callable[[], Any]) -> tuple[Timing, Any]:
    """Time one call; also how busy the rest of the machine was meanwhile."""
    gc.collect()
    busy0 = system_busy_seconds()
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    result = work()
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    busy1 = system_busy_seconds()
    other = None
    if busy0 is not None and busy1 is not None and wall > 0:
        other = max(busy1 - busy0 - cpu, 0.0) / wall
    return Timing(wall, cpu, other), result


def _timings(timings: list[Timing]) -> dict[str, list]:
    return {
        "times": [t.wall for t in timings],
        "cpu": [t.cpu for t in timings],
        "other_load": [t.other_load for t in timings],
    }


def _figures_json(figures: dict) -> list[list]:
    return [[*key, *value] for key, value in sorted(figures.items())]


# --- setup ------------------------------------------------------------------------------


def generate(extract: Path, incidents: int, seed: int) -> dict[str, Any]:
    from dsvb.demo.generator import generate_extract

    timing, _summary = _timed(
        lambda: generate_extract(extract, incidents=incidents, seed=seed, progress=print)
    )
    return {
        "seconds": timing.wall,
        "rows": {name: csv_rows(extract / f"{name}.csv") for name in CSV_FILES},
    }


def csv_rows(path: Path) -> int:
    """Data rows of a CSV file without quoted line breaks (the generator writes none)."""
    if not path.exists():
        return 0
    lines = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 24):
            lines += chunk.count(b"\n")
    return max(lines - 1, 0)


# --- loading ----------------------------------------------------------------------------


def run_import(extract: Path, store_path: Path) -> dict[str, Any]:
    from dsvb import store
    from dsvb.ingest.extract import import_extract

    if store_path.exists():
        raise FileExistsError(store_path)
    rss_before = current_rss_bytes()

    def work() -> dict[str, int]:
        con = store.connect(store_path)
        try:
            report = import_extract(con, extract)
        finally:
            con.close()
        return report.row_counts

    timing, rows = _timed(work)
    return {**_timings([timing]), "rss_before": rss_before, "rows": rows}


def run_read_csv(extract: Path, db_path: Path) -> dict[str, Any]:
    import duckdb

    if db_path.exists():
        raise FileExistsError(db_path)
    rss_before = current_rss_bytes()

    def work() -> dict[str, int]:
        con = duckdb.connect(str(db_path))
        rows = {}
        try:
            for name in CSV_FILES:
                path = extract / f"{name}.csv"
                if not path.exists():
                    continue
                literal = str(path).replace("'", "''")
                con.execute(f"CREATE TABLE {name} AS FROM read_csv('{literal}')")
                rows[name] = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
        finally:
            con.close()
        return rows

    timing, rows = _timed(work)
    return {**_timings([timing]), "rss_before": rss_before, "rows": rows}


# --- indicators -------------------------------------------------------------------------


def _compute_runs(
    prepare: Callable[[], Callable[[], dict]], warmup: int, runs: int
) -> dict[str, Any]:
    work = prepare()
    rss_before = current_rss_bytes()
    for _ in range(warmup):
        work()
    timings, figures = [], None
    for _ in range(runs):
        timing, figures = _timed(work)
        timings.append(timing)
    return {
        **_timings(timings),
        "rss_before": rss_before,
        "figures": _figures_json(figures or {}),
    }


def _engine(store_path: Path) -> Callable[[], dict]:
    import ibis

    from benchmarks import figures
    from dsvb import store
    from dsvb.indicators.engine import IndicatorQuery, compute

    con = store.connect(store_path, read_only=True)
    backend = ibis.duckdb.from_connection(con)
    # Every family and indicator, the default 12-month look-back.
    query = IndicatorQuery(start=figures.PERIOD_START, end=figures.PERIOD_END, by=("area",))
    return lambda: figures.from_results(compute(backend, query))


def _sql(store_path: Path) -> Callable[[], dict]:
    from benchmarks import baseline_sql
    from dsvb import store

    con = store.connect(store_path, read_only=True)
    return lambda: baseline_sql.compute(con)


LOAD_SECONDS: list[float] = []  # pandas, Polars: reading the store into frames, per process


def _pandas(store_path: Path) -> Callable[[], dict]:
    from benchmarks import baseline_pandas
    from dsvb import store

    started = time.perf_counter()
    con = store.connect(store_path, read_only=True)
    try:
        frames = baseline_pandas.load(con)  # timed apart from the computation
    finally:
        con.close()
    LOAD_SECONDS.append(time.perf_counter() - started)
    gc.collect()
    return lambda: baseline_pandas.compute(frames)


def _polars(store_path: Path) -> Callable[[], dict]:
    from benchmarks import baseline_polars
    from dsvb import store

    if not baseline_polars.AVAILABLE:
        raise SystemExit(baseline_polars.MISSING)
    started = time.perf_counter()
    con = store.connect(store_path, read_only=True)
    try:
        frames = baseline_polars.load(con)  # timed apart from the computation
    finally:
        con.close()
    LOAD_SECONDS.append(time.perf_counter() - started)
    gc.collect()
    return lambda: baseline_polars.compute(frames)


PREPARE = {"engine": _engine, "sql": _sql, "pandas": _pandas, "polars": _polars}


def run_compute(task: str, store_path: Path, warmup: int, runs: int) -> dict[str, Any]:
    result = _compute_runs(lambda: PREPARE[task](store_path), warmup, runs)
    if LOAD_SECONDS:
        result["load_seconds"] = LOAD_SECONDS[-1]
    return result


# --- entry point ------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("task", choices=("generate", *LOAD_TASKS, *COMPUTE_TASKS))
    parser.add_argument("--extract", type=Path, help="extract folder")
    parser.add_argument("--store", type=Path, help="store file (read, or created fresh)")
    parser.add_argument("--incidents", type=int, default=0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="JSON result file")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    if args.task == "generate":
        result = generate(args.extract, args.incidents, args.seed)
    elif args.task == "import":
        result = run_import(args.extract, args.store)
    elif args.task == "read_csv":
        result = run_read_csv(args.extract, args.store)
    else:
        result = run_compute(args.task, args.store, args.warmup, args.runs)
    result.update(
        task=args.task,
        peak_rss=peak_rss_bytes(),
        process_seconds=time.perf_counter() - started,
        pid=os.getpid(),
    )
    args.out.write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
