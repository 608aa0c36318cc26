"""Run the dsvb benchmark suite and report ratios against the issue's targets.

    python benchmarks/run.py --sizes 1000000             # make bench
    python benchmarks/run.py --sizes 1000000,10000000    # make bench-full

For each size a synthetic extract is generated once into the cache folder
(``bench-results/cache/`` unless ``--cache``) and reused. Then, every measurement in a
fresh subprocess (``benchmarks/tasks.py``), timed inside it and with its peak RSS:

* **Import**: dsvb's validated ``import_extract`` into a fresh store file, against DuckDB's
  bare ``CREATE TABLE … AS FROM read_csv(path)`` of the same files into a fresh file.
  Warm-up rounds, then timed rounds; each round runs both, alternating which goes first.
* **All indicators by area** (12 months from 2009-12-01, every family) on the store the
  last import wrote: the engine (``dsvb.indicators.engine.compute`` on Ibis/DuckDB) and
  hand-written DuckDB SQL in interleaved rounds, each a fresh process with an in-process
  warm-up before the timed run; pandas and Polars each in one process (tables read from
  the store into frames first, timed apart), warm-up, then the timed runs. Polars runs
  when it is installed; the report says when it is not.

Peak memory is each measurement process's own: ``ru_maxrss`` from ``wait4`` when the
runner reaps it (the process's VmHWM, read inside it, is kept beside it).

The targets (decision 0017): engine <= 1.2x the hand-written SQL floor, and the engine
faster than pandas and than Polars run from the same store (reading it, then computing).

The indicator implementations must agree on every (area, family, indicator)
numerator and denominator; if they do not, the differences are printed and the run exits
with status 1. Ratios use medians measured in the same run; timings depend on the machine,
the ratios are what we track. Results go to ``bench-results/`` as JSON and text.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(REPO))

from benchmarks.baseline_polars import AVAILABLE as POLARS  # noqa: E402
from benchmarks.baseline_polars import MISSING as POLARS_MISSING  # noqa: E402
from benchmarks.figures import (  # noqa: E402
    FORCE_ROW,
    PERIOD_END,
    PERIOD_START,
    WINDOW_MONTHS,
    Difference,
    Figures,
    differences,
)
from benchmarks.tasks import system_busy_seconds  # noqa: E402

DEFAULT_OUT = REPO / "bench-results"
DEFAULT_SEED = 20101130
LARGE = 10_000_000  # from this size on, fewer repeats by default
IMPLEMENTATIONS = ("engine", "sql", "pandas", "polars")
FRAME_BASELINES = ("pandas", "polars")  # read the store into frames, then compute
BUSY = 0.25  # cores used by other processes during a measurement before the report warns

LABELS = {
    "engine": "indicators: dsvb engine (Ibis on DuckDB)",
    "sql": "indicators: hand-written DuckDB SQL",
    "pandas": "indicators: pandas (computation only)",
    "polars": "indicators: Polars (computation only)",
    "import": "import: dsvb import_extract (validated)",
    "read_csv": "import: bare DuckDB read_csv",
}
# (id, label, numerator measurement, denominator measurement, target kind, target)
# Decision 0017: the engine within 1.2x of its floor; the import within 2x of bare read_csv.
RATIOS = (
    ("engine_vs_sql", "engine time / hand-written SQL time", "engine", "sql", "<=", 1.2),
    ("import_vs_read_csv", "import time / bare read_csv time", "import", "read_csv", "<=", 2.0),
)
# Decision 0017: faster than what an analyst would otherwise run from the same store. The
# engine reads the store inside its timed run, so the baseline's reading counts too; the
# ratio to its computation alone is reported beside it.
# (id, label, baseline, target kind, target)
STORE_RATIOS = tuple(
    (
        f"engine_vs_{name}",
        f"engine time / {label} time (store to frames + computation)",
        name,
        "<",
        1.0,
    )
    for name, label in (("pandas", "pandas"), ("polars", "Polars"))
)
COMPUTE_ONLY_RATIOS = tuple(
    (f"engine_vs_{name}_compute", f"engine time / {label} computation time", name)
    for name, label in (("pandas", "pandas"), ("polars", "Polars"))
)
MEMORY_RATIOS = (
    ("engine_vs_sql_rss", "engine peak RSS / SQL peak RSS", "engine", "sql"),
    ("engine_vs_pandas_rss", "engine peak RSS / pandas peak RSS", "engine", "pandas"),
    ("engine_vs_polars_rss", "engine peak RSS / Polars peak RSS", "engine", "polars"),
    ("import_vs_read_csv_rss", "import peak RSS / read_csv peak RSS", "import", "read_csv"),
)

Say = Callable[[str], None]


# --- machine --------------------------------------------------------------------------------


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_bytes() -> int:
    try:
        import psutil

        return int(psutil.virtual_memory().total)
    except ImportError:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def _git() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return f"{head}{' (uncommitted changes)' if dirty else ''}" if head else "unknown"


def machine_facts() -> dict[str, Any]:
    import duckdb

    con = duckdb.connect()
    threads, memory_limit = con.execute(
        "SELECT current_setting('threads'), current_setting('memory_limit')"
    ).fetchone()
    con.close()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "ram_bytes": _ram_bytes(),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "python": platform.python_version(),
        "versions": {
            p: _version(p)
            for p in ("dsvb", "duckdb", "ibis-framework", "pandas", "polars", "pyarrow", "numpy")
        },
        "duckdb_threads": threads,
        "duckdb_memory_limit": memory_limit,
        "git": _git(),
    }


# --- the extract cache ----------------------------------------------------------------------


def generator_fingerprint() -> str:
    """The generator's version and a hash of its source, so a changed generator gives a
    new cache entry."""
    spec = importlib.util.find_spec("dsvb.demo.generator")
    if spec is None or spec.origin is None:
        raise RuntimeError("dsvb.demo.generator is not installed")
    digest = hashlib.sha256()
    for path in sorted(Path(spec.origin).parent.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


# Starts the task from a small, fresh interpreter and reaps it with wait4: a child's
# ru_maxrss includes what the process that forked it held (the kernel keeps the larger of
# the two across exec), so the task is forked from this launcher (a few MB), never from the
# runner, which holds imported libraries and figures. Writes ru_maxrss (kB on Linux) to argv[1].
LAUNCHER = """\
import os, sys
pid = os.fork()
if pid == 0:
    try:
        os.execv(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def _run_task(task: str, out_dir: Path, *args: str, echo: Say | None = None) -> dict[str, Any]:
    """Run one task in a fresh interpreter; return its JSON result.

    ``peak_rss`` is the task process's maximum resident set as the kernel reports it when it
    is reaped (``wait4``'s ``ru_maxrss``), so each method's memory is its own process's; the
    figure the task read from its own ``VmHWM`` is kept as ``peak_rss_self``.
    """
    stamp = time.monotonic_ns()
    out = out_dir / f"{task}-{stamp}.json"
    rss = out_dir / f"{task}-{stamp}.maxrss"
    command = [sys.executable, "-m", "benchmarks.tasks", task, "--out", str(out), *args]
    launch = [sys.executable, "-I", "-S", "-c", LAUNCHER, str(rss), *command]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.run(launch, cwd=REPO, env=env, capture_output=True, text=True)
    if echo and proc.stdout.strip():
        for line in proc.stdout.strip().splitlines():
            echo(f"    {line}")
    try:
        if proc.returncode != 0:
            raise RuntimeError(
                f"benchmark task {task} failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}"
            )
        result = json.loads(out.read_text(encoding="utf-8"))
        maxrss = int(rss.read_text(encoding="ascii"))
    finally:
        out.unlink(missing_ok=True)
        rss.unlink(missing_ok=True)
    result["peak_rss_self"] = result.get("peak_rss")
    result["peak_rss"] = maxrss * (1 if sys.platform == "darwin" else 1024)  # macOS: bytes
    return result


def ensure_extract(cache: Path, incidents: int, seed: int, say: Say) -> tuple[Path, dict]:
    """The cached extract for this size and seed, generated if missing or stale."""
    prefix = f"extract-{incidents}-seed{seed}-g"
    folder = cache / f"{prefix}{generator_fingerprint()}"
    marker = folder / ".complete"
    if marker.exists():
        info = json.loads(marker.read_text(encoding="utf-8"))
        info["cached"] = True
        return folder, info
    cache.mkdir(parents=True, exist_ok=True)
    for stale in cache.glob(f"{prefix}*"):
        if stale.is_dir() and not stale.name.startswith(folder.name):
            say(f"  removing a stale cached extract (older generator): {stale.name}")
            shutil.rmtree(stale)
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    say(f"  generating a {incidents:,}-incident extract into {_rel(folder)}")
    result = _run_task(
        "generate",
        cache,
        "--extract",
        str(partial),
        "--incidents",
        str(incidents),
        "--seed",
        str(seed),
    )
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)
    info = {
        "rows": result["rows"],
        "bytes": sum(p.stat().st_size for p in folder.glob("*.csv")),
        "generated_seconds": result["seconds"],
        "generator_peak_rss": result["peak_rss"],
        "generated_at": dt.datetime.now().isoformat(timespec="seconds"),
    }
    marker.write_text(json.dumps(info), encoding="utf-8")
    info["cached"] = False
    return folder, info


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return str(path)


def _remove_db(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)


# --- measuring ------------------------------------------------------------------------------


class Quiet:
    """Before each measurement, wait (up to ``max_wait`` seconds) until other processes
    keep at most ``BUSY`` cores busy, so that a shared machine disturbs the timings less."""

    def __init__(self, max_wait: float, sample: float = 2.0) -> None:
        self.max_wait = max_wait
        self.sample = sample
        self.waited = 0.0

    def __call__(self) -> None:
        if self.max_wait <= 0:
            return
        started = time.monotonic()
        while True:
            before = system_busy_seconds()
            time.sleep(self.sample)
            after = system_busy_seconds()
            if before is None or after is None:
                break
            if (after - before) / self.sample <= BUSY:
                break
            if time.monotonic() - started >= self.max_wait:
                break
        self.waited += time.monotonic() - started


def _series() -> dict[str, list]:
    return {
        "times": [],
        "cpu": [],
        "other_load": [],
        "peak_rss": [],  # wait4's ru_maxrss of the process
        "peak_rss_self": [],  # its VmHWM, read inside it
        "rss_before": [],
    }


def _record(series: dict[str, list], result: dict[str, Any]) -> None:
    series["times"].extend(result["times"])
    series["cpu"].extend(result["cpu"])
    series["other_load"].extend(result["other_load"])
    series["peak_rss"].append(result["peak_rss"])
    series["peak_rss_self"].append(result["peak_rss_self"])
    series["rss_before"].append(result["rss_before"])
    if "load_seconds" in result:
        series.setdefault("load_seconds", []).append(result["load_seconds"])


def _fmt_s(seconds: float) -> str:
    return f"{seconds:.3f} s" if seconds < 10 else f"{seconds:.1f} s"


def _fmt_bytes(n: float) -> str:
    return f"{n / 2**30:.2f} GB" if n >= 2**30 else f"{n / 2**20:.0f} MB"


def measure_import(
    extract: Path, work: Path, rounds: int, warmup: int, say: Say, quiet: Quiet
) -> tuple[dict[str, dict], Path]:
    """Import and bare read_csv, alternating; returns the series and the last store."""
    series = {"import": _series(), "read_csv": _series()}
    kept: Path | None = None
    total = warmup + rounds
    for k in range(total):
        timed = k >= warmup
        order = ("read_csv", "import") if k % 2 == 0 else ("import", "read_csv")
        for task in order:
            db = work / f"{task}-{k}.duckdb"
            quiet()
            result = _run_task(task, work, "--extract", str(extract), "--store", str(db))
            tag = f"round {k - warmup + 1}/{rounds}" if timed else f"warm-up {k + 1}/{warmup}"
            say(
                f"  {task:<9} {tag}: {_fmt_s(result['times'][0])}, "
                f"peak RSS {_fmt_bytes(result['peak_rss'])}"
            )
            if timed:
                _record(series[task], result)
                series[task].setdefault("rows", result["rows"])
            if task == "import" and k == total - 1:
                kept = db
            else:
                _remove_db(db)
    assert kept is not None
    rows_import, rows_csv = series["import"]["rows"], series["read_csv"]["rows"]
    if rows_import != rows_csv:
        raise AssertionError(f"import stored {rows_import} rows but read_csv loaded {rows_csv}")
    return series, kept


def setup_store(extract: Path, work: Path, say: Say) -> Path:
    db = work / "store.duckdb"
    say("  importing the extract for the indicator runs (not measured)")
    _run_task("import", work, "--extract", str(extract), "--store", str(db))
    return db


def measure_indicators(
    store: Path, work: Path, rounds: int, warmup: int, say: Say, quiet: Quiet
) -> tuple[dict[str, dict], dict[str, Figures]]:
    series = {name: _series() for name in IMPLEMENTATIONS if name != "polars" or POLARS}
    figures: dict[str, Figures] = {}

    def keep(name: str, result: dict[str, Any]) -> None:
        got = {tuple(row[:3]): (row[3], row[4]) for row in result["figures"]}
        if name not in figures:
            figures[name] = got
        elif got != figures[name]:
            raise AssertionError(f"{name} gave different figures in different runs")

    common = ["--store", str(store), "--warmup", str(warmup)]
    for k in range(rounds):
        order = ("engine", "sql") if k % 2 == 0 else ("sql", "engine")
        for name in order:
            quiet()
            result = _run_task(name, work, *common, "--runs", "1")
            say(
                f"  {name:<9} round {k + 1}/{rounds}: {_fmt_s(result['times'][0])}, "
                f"peak RSS {_fmt_bytes(result['peak_rss'])}"
            )
            _record(series[name], result)
            keep(name, result)
    for name in FRAME_BASELINES:
        if name not in series:
            say(f"  {name:<9} not run: {POLARS_MISSING}")
            continue
        quiet()
        result = _run_task(name, work, *common, "--runs", str(rounds))
        say(
            f"  {name:<9} {rounds} run(s): {', '.join(_fmt_s(t) for t in result['times'])}, "
            f"peak RSS {_fmt_bytes(result['peak_rss'])} "
            f"({_fmt_bytes(result['rss_before'])} after loading the tables in "
            f"{_fmt_s(result['load_seconds'])})"
        )
        _record(series[name], result)
        keep(name, result)
    return series, figures


def summarise(series: dict[str, list]) -> dict[str, Any]:
    times = series["times"]
    median = statistics.median(times)
    other = [x for x in series["other_load"] if x is not None]
    return {
        **series,
        "median": median,
        "min": min(times),
        "max": max(times),
        "spread_pct": 100 * (max(times) - min(times)) / median if median else 0.0,
        "cpu_median": statistics.median(series["cpu"]),
        "other_load_median": statistics.median(other) if other else None,
        "peak_rss_median": statistics.median(series["peak_rss"]),
        "peak_rss_max": max(series["peak_rss"]),
        "rss_before_median": statistics.median(series["rss_before"]),
        **(
            {"load_seconds_median": statistics.median(series["load_seconds"])}
            if series.get("load_seconds")
            else {}
        ),
    }


def ratios(measurements: dict[str, dict]) -> list[dict[str, Any]]:
    out = []
    for rid, label, num, den, kind, target in RATIOS:
        if num not in measurements or den not in measurements:
            continue
        a, b = measurements[num], measurements[den]
        value = a["median"] / b["median"]
        met = value <= target if kind == "<=" else value >= target
        entry: dict[str, Any] = {
            "id": rid,
            "label": label,
            "value": value,
            "best_of": a["min"] / b["min"],
            "cpu": a["cpu_median"] / b["cpu_median"],
            "target": f"{kind} {target:g}x",
            "met": met,
        }
        if len(a["times"]) == len(b["times"]):
            per_round = [x / y for x, y in zip(a["times"], b["times"], strict=True)]
            entry["per_round"] = per_round
        out.append(entry)
    engine = measurements.get("engine")
    for rid, label, name, kind, target in STORE_RATIOS:
        baseline = measurements.get(name)
        if not engine or not baseline or "load_seconds_median" not in baseline:
            continue
        # what an analyst starting from the store waits for: reading it, then computing
        value = engine["median"] / (baseline["load_seconds_median"] + baseline["median"])
        met = value < target if kind == "<" else value <= target
        out.append(
            {
                "id": rid,
                "label": label,
                "value": value,
                "best_of": engine["min"] / (baseline["load_seconds_median"] + baseline["min"]),
                "target": f"{kind} {target:g}x",
                "met": met,
            }
        )
    for rid, label, name in COMPUTE_ONLY_RATIOS:
        baseline = measurements.get(name)
        if not engine or not baseline:
            continue
        out.append(
            {
                "id": rid,
                "label": label,
                "value": engine["median"] / baseline["median"],
                "best_of": engine["min"] / baseline["min"],
                "cpu": engine["cpu_median"] / baseline["cpu_median"],
                "target": "(reported)",
                "met": None,
            }
        )
    for rid, label, num, den in MEMORY_RATIOS:
        if num not in measurements or den not in measurements:
            continue
        value = measurements[num]["peak_rss_median"] / measurements[den]["peak_rss_median"]
        out.append({"id": rid, "label": label, "value": value, "target": "(reported)", "met": None})
    return out


def agreement(figures: dict[str, Figures]) -> dict[str, Any]:
    diffs: list[Difference] = differences(figures)
    keys = set().union(*(f.keys() for f in figures.values()))
    return {
        "agree": not diffs,
        "implementations": sorted(figures),
        "figures": len(keys),
        "areas": len({k[0] for k in keys if k[0] != FORCE_ROW}),
        "indicators": len({k[2] for k in keys}),
        "differences": [str(d) for d in diffs[:500]],
        "difference_count": len(diffs),
    }


# --- the report -----------------------------------------------------------------------------


def _table(rows: Sequence[Sequence[str]], right: set[int]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  " + "  ".join(cells).rstrip())
        if n == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))
    return lines


def format_report(report: dict[str, Any]) -> str:
    m = report["machine"]
    v = m["versions"]
    lines = [
        f"dsvb benchmarks, {report['started']} ({report['command']})",
        f"machine: {m['cpu']}, {m['cores']} cores ({m['usable_cores']} usable), "
        f"{_fmt_bytes(m['ram_bytes'])} RAM, {m['platform']}",
        f"load average at start: {', '.join(f'{x:.2f}' for x in m['load_average'] or [])}; "
        f"DuckDB threads {m['duckdb_threads']}, memory limit {m['duckdb_memory_limit']}",
        f"versions: Python {m['python']}, "
        + ", ".join(f"{k} {val}" for k, val in v.items())
        + f"; git {m['git']}",
        f"query: all indicators by area, every family, {report['query']['period']}, "
        f"{report['query']['window_months']}-month repeat look-back",
        f"method: {report['method']}",
    ]
    for size in report["sizes"]:
        ex = size["extract"]
        rows = ", ".join(f"{k} {n:,}" for k, n in ex["rows"].items())
        lines += [
            "",
            f"== {size['incidents']:,} incidents ==",
            f"extract: {_fmt_bytes(ex.get('bytes', 0))} of CSV ({rows}); "
            + ("cached" if ex.get("cached") else f"generated in {ex['generated_seconds']:.0f} s")
            + (
                f"; waited {size['waited_for_quiet_seconds']:.0f} s for a quieter machine"
                if size.get("waited_for_quiet_seconds")
                else ""
            ),
            "",
        ]
        table = [
            ("measurement", "median", "min", "max", "spread", "runs", "CPU", "other load",
             "peak RSS")
        ]  # fmt: skip
        busy = []
        for name, s in size["measurements"].items():
            other = s.get("other_load_median")
            if other is not None and other > BUSY:
                busy.append(name)
            table.append(
                (
                    LABELS[name],
                    _fmt_s(s["median"]),
                    _fmt_s(s["min"]),
                    _fmt_s(s["max"]),
                    f"{s['spread_pct']:.0f}%",
                    str(len(s["times"])),
                    _fmt_s(s["cpu_median"]),
                    "?" if other is None else f"{other:.2f} cores",
                    _fmt_bytes(s["peak_rss_median"]),
                )
            )
        lines += _table(table, right=set(range(1, 9)))
        lines.append("")
        table = [("ratio", "medians", "per round", "best-of", "CPU", "target", "met")]
        for r in size["ratios"]:
            per_round = r.get("per_round")
            spread = f"{min(per_round):.2f}-{max(per_round):.2f}x" if per_round else ""
            met = "-" if r["met"] is None else ("yes" if r["met"] else "NO")
            best = f"{r['best_of']:.2f}x" if "best_of" in r else ""
            cpu = f"{r['cpu']:.2f}x" if "cpu" in r else ""
            table.append((r["label"], f"{r['value']:.2f}x", spread, best, cpu, r["target"], met))
        lines += _table(table, right={1, 2, 3, 4})
        lines.append(
            "  (met: judged on the ratio of medians; best-of: ratio of the fastest runs; "
            "CPU: ratio of median CPU seconds, all threads)"
        )
        if busy:
            lines.append(
                f"  NOTE: other processes kept more than {BUSY:g} core(s) busy during "
                f"{', '.join(busy)}: timings are inflated and noisy; prefer a quiet machine."
            )
        if "indicators" in report["settings"]["parts"] and "polars" not in size["measurements"]:
            lines.append(f"  NOTE: {POLARS_MISSING}; its ratios are missing.")
        agree = size.get("agreement")
        if agree:
            lines.append("")
            if agree["agree"]:
                lines.append(
                    f"agreement: {' = '.join(agree['implementations'])} on all "
                    f"{agree['figures']:,} figures ({agree['areas']} areas and the force row, "
                    f"{agree['indicators']} indicators, numerators and denominators)"
                )
            else:
                lines.append(
                    f"DISAGREEMENT on {agree['difference_count']:,} of {agree['figures']:,} "
                    "figures (area family indicator: implementation (numerator, denominator)):"
                )
                lines += [f"  - {d}" for d in agree["differences"][:60]]
    return "\n".join(lines) + "\n"


def write_report(report: dict[str, Any], out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    stamp = report["started"].replace(":", "").replace("-", "")
    text = format_report(report)
    paths = []
    for name in (f"bench-{stamp}", "latest"):
        json_path = out / f"{name}.json"
        json_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        (out / f"{name}.txt").write_text(text, encoding="utf-8")
        paths.append(json_path)
    return paths[0], paths[0].with_suffix(".txt")


# --- main -----------------------------------------------------------------------------------


def run(
    sizes: Sequence[int],
    *,
    cache: Path,
    out: Path,
    repeats: int | None = None,
    warmup: int = 1,
    seed: int = DEFAULT_SEED,
    parts: Sequence[str] = ("import", "indicators"),
    max_wait_quiet: float = 0.0,
    command: str = "",
    say: Say = print,
) -> dict[str, Any]:
    """Run the suite; return the report (also written to ``out``)."""
    report: dict[str, Any] = {
        "started": dt.datetime.now().isoformat(timespec="seconds"),
        "command": command or "benchmarks.run.run()",
        "machine": machine_facts(),
        "query": {
            "period": f"{PERIOD_START} to {PERIOD_END} (exclusive)",
            "window_months": WINDOW_MONTHS,
            "by": ["area"],
        },
        "method": (
            f"every measurement in a fresh process; {warmup} warm-up(s), then "
            f"{repeats or f'5 (3 from {LARGE:,})'} timed run(s); median, min-max; "
            "engine/SQL and import/read_csv interleaved round by round; peak RSS of each "
            "process from wait4 (ru_maxrss)"
        ),
        "settings": {
            "repeats": repeats,
            "warmup": warmup,
            "seed": seed,
            "parts": list(parts),
            "max_wait_quiet": max_wait_quiet,
        },
        "sizes": [],
    }
    say(format_report(report).rstrip())
    for incidents in sizes:
        rounds = repeats or (3 if incidents >= LARGE else 5)
        say(f"\n== {incidents:,} incidents: {rounds} round(s), {warmup} warm-up(s) ==")
        extract, info = ensure_extract(cache, incidents, seed, say)
        size: dict[str, Any] = {
            "incidents": incidents,
            "rounds": rounds,
            "extract": {"path": _rel(extract), **info},
            "measurements": {},
        }
        report["sizes"].append(size)
        cache.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f"work-{incidents}-", dir=cache))
        quiet = Quiet(max_wait_quiet)
        try:
            store = None
            if "import" in parts:
                series, store = measure_import(extract, work, rounds, warmup, say, quiet)
                for name, s in series.items():
                    size["measurements"][name] = summarise(s)
            if "indicators" in parts:
                store = store or setup_store(extract, work, say)
                series, figures = measure_indicators(store, work, rounds, warmup, say, quiet)
                for name, s in series.items():
                    size["measurements"][name] = summarise(s)
                size["agreement"] = agreement(figures)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        size["ratios"] = ratios(size["measurements"])
        size["waited_for_quiet_seconds"] = quiet.waited
        report["finished"] = dt.datetime.now().isoformat(timespec="seconds")
        if not size.get("agreement", {"agree": True})["agree"]:
            break
    report["finished"] = dt.datetime.now().isoformat(timespec="seconds")
    json_path, text_path = write_report(report, out)
    say("\n" + format_report(report).rstrip())
    say(f"\nwritten: {_rel(json_path)}, {_rel(text_path)} (and latest.json, latest.txt)")
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="dsvb benchmarks: indicators and import against SQL, pandas, Polars and "
        "read_csv"
    )
    parser.add_argument(
        "--sizes",
        default="1000000",
        help="comma-separated extract sizes in incidents (default 1000000)",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=None,
        help="folder for generated extracts and scratch stores (default bench-results/cache)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write results")
    parser.add_argument(
        "--repeats", type=int, default=None, help="timed runs (default 5, or 3 from 10M)"
    )
    parser.add_argument("--warmup", type=int, default=1, help="warm-up runs (default 1)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--parts",
        default="import,indicators",
        help="what to measure: import, indicators or both (default both)",
    )
    parser.add_argument(
        "--max-wait-quiet",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="before each measurement wait up to this long for other processes to leave the "
        f"CPUs alone (at most {BUSY:g} core busy); 0 disables (default 30)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 2 when a target is missed"
    )
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = set(parts) - {"import", "indicators"}
    if unknown or not sizes or any(n < 1 for n in sizes):
        parser.error("--sizes takes positive integers; --parts takes import and/or indicators")
    if args.repeats is not None and args.repeats < 1:
        parser.error("--repeats must be at least 1")
    report = run(
        sizes,
        cache=args.cache or args.out / "cache",
        out=args.out,
        repeats=args.repeats,
        warmup=max(args.warmup, 0),
        seed=args.seed,
        parts=parts,
        max_wait_quiet=max(args.max_wait_quiet, 0.0),
        command=" ".join([Path(sys.argv[0]).name, *(argv if argv is not None else sys.argv[1:])]),
    )
    if any(not s.get("agreement", {"agree": True})["agree"] for s in report["sizes"]):
        print("\nFAILED: the indicator implementations disagree (see above).", file=sys.stderr)
        return 1
    if args.strict and any(r["met"] is False for s in report["sizes"] for r in s["ratios"]):
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
