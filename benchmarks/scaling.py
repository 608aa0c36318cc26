"""How DuckDB's time and peak memory grow with the number of incidents (docs/scaling.md).

    python benchmarks/scaling.py                                # make bench-scaling
    python benchmarks/scaling.py --sizes 1000000,10000000 \\
        --extract 10000000=bench-results/cache/extract-10000000-...   # reuse an extract

For each size: a synthetic extract (generated once into the cache folder, as
``benchmarks/run.py`` does, or the folder given with ``--extract SIZE=DIR``), dsvb's
validated import of it into a fresh store file, then every indicator of every family by
area for a year (``dsvb.indicators.engine.compute`` on DuckDB, as ``benchmarks/tasks.py``'s
``engine`` task) — a warm-up, then timed runs. Every measurement runs in a fresh process;
its time is taken inside it and its peak memory is the kernel's ``ru_maxrss`` for that
process (``benchmarks/run.py``'s launcher). The report gives each size's figures and the
growth from the smallest size (time and memory ratios against the ratio of incidents).
Results go to ``bench-results/scaling-*.json`` and ``.txt``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
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
    _fmt_bytes,
    _fmt_s,
    _remove_db,
    _run_task,
    ensure_extract,
    machine_facts,
)

DEFAULT_SIZES = (1_000_000, 3_000_000, 10_000_000)


def _say(message: str) -> None:
    print(message, flush=True)


def _extracts(given: Sequence[str]) -> dict[int, Path]:
    chosen = {}
    for item in given:
        size, _, folder = item.partition("=")
        if not folder:
            raise SystemExit(f"--extract takes SIZE=DIR, not {item!r}")
        chosen[int(size)] = Path(folder)
    return chosen


def measure(size: int, extract: Path, work: Path, runs: int, *, keep: bool) -> dict[str, Any]:
    """Import the extract into a fresh store, then compute every indicator on it."""
    store = work / f"store-{size}.duckdb"
    _remove_db(store)
    _say(f"  importing {extract.name}")
    imported = _run_task("import", work, "--extract", str(extract), "--store", str(store))
    _say(
        f"  import: {_fmt_s(imported['times'][0])}, peak RSS {_fmt_bytes(imported['peak_rss'])}, "
        f"store {_fmt_bytes(store.stat().st_size)}"
    )
    computed = _run_task(
        "engine", work, "--store", str(store), "--warmup", "1", "--runs", str(runs)
    )
    times = computed["times"]
    _say(
        f"  all indicators by area: {', '.join(_fmt_s(t) for t in times)}, "
        f"peak RSS {_fmt_bytes(computed['peak_rss'])}"
    )
    result = {
        "incidents": size,
        "extract": str(extract),
        "rows": imported["rows"],
        "store_bytes": store.stat().st_size,
        "import_seconds": imported["times"][0],
        "import_peak_rss": imported["peak_rss"],
        "compute_seconds": times,
        "compute_median": statistics.median(times),
        "compute_peak_rss": computed["peak_rss"],
        "store": str(store) if keep else None,
    }
    if not keep:
        _remove_db(store)
    return result


def format_report(report: dict[str, Any]) -> str:
    rows = report["sizes"]
    lines = [
        f"DuckDB scaling, {report['finished_at']} ({report['machine'].get('cpu', '?')}, "
        f"{report['machine'].get('cores', '?')} cores)",
        "",
        f"{'incidents':>12} {'import':>9} {'import RSS':>11} {'store':>9} "
        f"{'indicators':>11} {'ind. RSS':>9}",
    ]
    for r in rows:
        lines.append(
            f"{r['incidents']:>12,} {_fmt_s(r['import_seconds']):>9} "
            f"{_fmt_bytes(r['import_peak_rss']):>11} {_fmt_bytes(r['store_bytes']):>9} "
            f"{_fmt_s(r['compute_median']):>11} {_fmt_bytes(r['compute_peak_rss']):>9}"
        )
    if len(rows) > 1:
        base = rows[0]
        lines.append("")
        lines.append(f"growth from {base['incidents']:,} incidents:")
        for r in rows[1:]:
            n = r["incidents"] / base["incidents"]
            lines.append(
                f"  x{n:g} incidents:"
                f" import time x{r['import_seconds'] / base['import_seconds']:.1f}"
                f", import memory x{r['import_peak_rss'] / base['import_peak_rss']:.1f}"
                f", indicators time x{r['compute_median'] / base['compute_median']:.1f}"
                f", indicators memory x{r['compute_peak_rss'] / base['compute_peak_rss']:.1f}"
            )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default=",".join(str(s) for s in DEFAULT_SIZES),
        help="incidents, comma-separated",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--cache", type=Path, default=DEFAULT_OUT / "cache")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--work", type=Path, help="folder for the stores (default: under --out)")
    parser.add_argument("--runs", type=int, default=3, help="timed indicator runs per size")
    parser.add_argument(
        "--extract", action="append", default=[], help="SIZE=DIR: use this extract for SIZE"
    )
    parser.add_argument("--keep", action="store_true", help="keep the stores (for later runs)")
    args = parser.parse_args(argv)

    sizes = sorted(int(s) for s in args.sizes.split(",") if s.strip())
    given = _extracts(args.extract)
    work = args.work or args.out / "scaling"
    work.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    report: dict[str, Any] = {"machine": machine_facts(), "sizes": [], "started_at": stamp}
    json_path = args.out / f"scaling-{stamp}.json"
    text_path = args.out / f"scaling-{stamp}.txt"
    for size in sizes:
        started = time.perf_counter()
        _say(f"{size:,} incidents")
        if size in given:
            extract = given[size]
        else:
            extract, _info = ensure_extract(args.cache, size, args.seed, _say)
        report["sizes"].append(measure(size, extract, work, args.runs, keep=args.keep))
        _say(f"  ({_fmt_s(time.perf_counter() - started)} for this size)")
        # written after each size: a long run that is stopped keeps what finished
        report["finished_at"] = dt.datetime.now().isoformat(timespec="seconds")
        json_path.write_text(json.dumps(report, indent=2), encoding="utf-8")
        text_path.write_text(format_report(report), encoding="utf-8")
    _say("")
    _say(format_report(report))
    _say(f"written: {json_path}, {text_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
