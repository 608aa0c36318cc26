"""Every indicator on Spark (local mode) against DuckDB, on the same data, in the same run.

    python benchmarks/spark_vs_duckdb.py                      # make bench-spark (1M incidents)
    python benchmarks/spark_vs_duckdb.py --store bench-results/scaling/store-1000000.duckdb

Steps: a synthetic extract of ``--incidents`` (cached as ``benchmarks/run.py`` caches it, or
``--extract DIR``) imported into a store (or ``--store``); ``dsvb export-parquet``'s export
of it (timed); then every indicator of every family by area for a year on DuckDB
(``benchmarks/tasks.py``'s ``engine`` task: a warm-up, then ``--runs`` timed runs, in a
fresh process) and on Spark (this script's ``spark`` task, in a fresh process: the session's
start timed apart, a warm-up, then timed runs). Peak memory: the kernel's ``ru_maxrss`` of
each process; for Spark also the JVM's own high-water mark (``VmHWM``: in local mode the
JVM is the driver and the executors). The two engines' numerators and denominators must
agree (exit 1 if not). The ratio is Spark's median over DuckDB's, measured in this run; the
figures go to ``bench-results/spark-vs-duckdb-*.json`` and ``.txt``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(REPO))

from benchmarks.run import (  # noqa: E402
    DEFAULT_OUT,
    DEFAULT_SEED,
    LAUNCHER,
    _fmt_bytes,
    _fmt_s,
    _run_task,
    ensure_extract,
    machine_facts,
)


def _say(message: str) -> None:
    print(message, flush=True)


def _vmhwm(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def spark_task(parquet: Path, master: str, driver_memory: str, warmup: int, runs: int) -> dict:
    """In a fresh process: start Spark, read the export, compute (timed), report."""
    from benchmarks import figures
    from benchmarks.tasks import _figures_json, _timed, _timings
    from dsvb.indicators import spark
    from dsvb.indicators.engine import IndicatorQuery, compute

    query = IndicatorQuery(start=figures.PERIOD_START, end=figures.PERIOD_END, by=("area",))
    started = time.perf_counter()
    session = spark.session(master, config={"spark.driver.memory": driver_memory})
    con = spark.backend(session, parquet)
    start_seconds = time.perf_counter() - started
    for _ in range(warmup):
        compute(con, query)
    timings, got = [], {}
    for _ in range(runs):
        timing, got = _timed(lambda: figures.from_results(compute(con, query)))
        timings.append(timing)
    jvm_pid = int(session.sparkContext._jvm.ProcessHandle.current().pid())  # type: ignore[union-attr]
    jvm_peak = _vmhwm(jvm_pid)
    session.stop()
    return {
        **_timings(timings),
        "session_seconds": start_seconds,
        "jvm_peak_rss": jvm_peak,
        "figures": _figures_json(got),
    }


def _run_spark(parquet: Path, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    """The spark task in a fresh process, forked from the small launcher (its ru_maxrss)."""
    stamp = time.monotonic_ns()
    out, rss = work / f"spark-{stamp}.json", work / f"spark-{stamp}.maxrss"
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--task-spark",
        str(parquet),
        "--task-out",
        str(out),
        "--master",
        args.master,
        "--driver-memory",
        args.driver_memory,
        "--runs",
        str(args.runs),
    ]
    launch = [sys.executable, "-I", "-S", "-c", LAUNCHER, str(rss), *command]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.run(launch, cwd=REPO, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(
            f"the Spark task failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}"
        )
    result = json.loads(out.read_text(encoding="utf-8"))
    result["peak_rss"] = int(rss.read_text(encoding="ascii")) * 1024
    out.unlink()
    rss.unlink()
    return result


def format_report(report: dict[str, Any]) -> str:
    d, s = report["duckdb"], report["spark"]
    lines = [
        f"Spark local vs DuckDB, all indicators by area, {report['incidents']:,} incidents "
        f"({report['finished_at']}, {report['machine'].get('cores', '?')} cores, "
        f"Spark master {report['master']})",
        "",
        f"export-parquet: {_fmt_s(report['export_seconds'])}, "
        f"{_fmt_bytes(report['parquet_bytes'])} of Parquet",
        f"DuckDB: {', '.join(_fmt_s(t) for t in d['times'])} (median "
        f"{_fmt_s(d['median'])}), peak RSS {_fmt_bytes(d['peak_rss'])}",
        f"Spark:  {', '.join(_fmt_s(t) for t in s['times'])} (median "
        f"{_fmt_s(s['median'])}), session start {_fmt_s(s['session_seconds'])}, peak RSS "
        f"Python {_fmt_bytes(s['peak_rss'])} + JVM {_fmt_bytes(s['jvm_peak_rss'] or 0)}",
        f"ratio Spark / DuckDB (medians): {report['ratio']:.1f}x",
        f"figures compared: {report['figures']:,}; differences: {report['differences']}",
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--cache", type=Path, default=DEFAULT_OUT / "cache")
    parser.add_argument("--extract", type=Path, help="use this extract (not the cached one)")
    parser.add_argument("--store", type=Path, help="use this store (no import)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--driver-memory", default="4g")
    parser.add_argument("--task-spark", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--task-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.task_spark:
        result = spark_task(args.task_spark, args.master, args.driver_memory, 1, args.runs)
        args.task_out.write_text(json.dumps(result), encoding="utf-8")
        return 0

    from dsvb.store import parquet

    work = args.out / "spark-vs-duckdb"
    work.mkdir(parents=True, exist_ok=True)
    store = args.store
    if store is None:
        extract = args.extract
        if extract is None:
            extract, _ = ensure_extract(args.cache, args.incidents, args.seed, _say)
        store = work / f"store-{args.incidents}.duckdb"
        store.unlink(missing_ok=True)
        _say(f"importing {extract} (not measured)")
        _run_task("import", work, "--extract", str(extract), "--store", str(store))
    folder = work / "parquet"
    started = time.perf_counter()
    manifest = parquet.export(store, folder)
    export_seconds = time.perf_counter() - started
    incidents = manifest.rows("incidents")
    _say(f"exported {incidents:,} incidents to {folder} in {_fmt_s(export_seconds)}")

    duck = _run_task(
        "engine", work, "--store", str(store), "--warmup", "1", "--runs", str(args.runs)
    )
    times = ", ".join(_fmt_s(t) for t in duck["times"])
    _say(f"DuckDB: {times}, peak {_fmt_bytes(duck['peak_rss'])}")
    sparked = _run_spark(folder, work, args)
    _say(
        f"Spark: {', '.join(_fmt_s(t) for t in sparked['times'])} (session "
        f"{_fmt_s(sparked['session_seconds'])}), peak {_fmt_bytes(sparked['peak_rss'])} + JVM "
        f"{_fmt_bytes(sparked['jvm_peak_rss'] or 0)}"
    )
    a = {tuple(r[:3]): tuple(r[3:]) for r in duck["figures"]}
    b = {tuple(r[:3]): tuple(r[3:]) for r in sparked["figures"]}
    differ = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    for key in differ[:20]:
        _say(f"  differs: {key}: DuckDB {a.get(key)}, Spark {b.get(key)}")
    for result in (duck, sparked):
        result["median"] = statistics.median(result["times"])
        result.pop("figures")
    report = {
        "machine": machine_facts(),
        "incidents": incidents,
        "master": args.master,
        "export_seconds": export_seconds,
        "parquet_bytes": sum(p.stat().st_size for p in folder.iterdir()),
        "duckdb": duck,
        "spark": sparked,
        "ratio": sparked["median"] / duck["median"],
        "figures": len(a),
        "differences": len(differ),
        "finished_at": dt.datetime.now().isoformat(timespec="seconds"),
    }
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    (args.out / f"spark-vs-duckdb-{stamp}.json").write_text(json.dumps(report, indent=2))
    (args.out / f"spark-vs-duckdb-{stamp}.txt").write_text(format_report(report))
    _say("")
    _say(format_report(report))
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
