"""How the time and memory of an extract import grow with its size (issue 13).

    PYTHONPATH=src .venv/bin/python benchmarks/extract_bounds.py --sizes 25000,100000,400000

For each size a demo extract is generated (``dsvb.demo.generator``, seed 7, 12 months) into a
temporary folder, then imported into a fresh store file in a fresh subprocess, whose wall
time and peak resident memory (``ru_maxrss`` from ``wait4``) are taken. The byte scan alone
(``dsvb.ingest.extract_scan.scan``, the independent count of every file's rows) is also run
in its own subprocess over the same files. Reported per size: input MB, seconds, seconds per
MB, peak RSS MB and peak RSS per MB of input; then the slope between the largest two sizes
(the marginal cost, which is what grows with the file), so that linear growth shows as a
steady marginal cost. Everything runs in subprocesses (generation too), so that no child
starts from a large parent's peak RSS. Also timed: the widest header the format allows
(1,000 columns) and a header of 100,000 columns (refused at once by the header ceiling).

No assertion is made here; the figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_IMPORT = """
import sys
from dsvb import store
from dsvb.ingest.extract import import_extract
con = store.connect(sys.argv[2])
con.execute("SET enable_progress_bar = false")
report = import_extract(con, sys.argv[1])
con.close()
print(sum(report.row_counts.values()))
"""

_SCAN = """
import sys
from pathlib import Path
from dsvb.ingest.extract_scan import scan
print(sum(scan(p).rows for p in sorted(Path(sys.argv[1]).glob('*.csv'))))
"""

_HEADER = """
import sys
from dsvb import store
from dsvb.ingest.extract import ExtractError, import_extract
con = store.connect(':memory:')
try:
    import_extract(con, sys.argv[1])
    print('imported')
except ExtractError as exc:
    print(str(exc).splitlines()[1][:120])
"""


def _run(code: str, *args: str) -> tuple[float, float, str]:
    """(seconds, peak RSS MB, stdout) of ``code`` run in a fresh Python process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    out = proc.stdout.read().decode() if proc.stdout else ""
    err = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {err[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, (out.strip().splitlines() or [""])[-1]


_GENERATE = """
import datetime as dt, sys
from pathlib import Path
from dsvb.demo.generator import generate_extract
generate_extract(Path(sys.argv[1]), incidents=int(sys.argv[2]), seed=7,
                 start=dt.date(2009, 12, 1), months=12)
"""


def _generate(folder: Path, incidents: int) -> None:
    """In a subprocess of its own: a child's peak RSS on Linux starts from its parent's at
    the fork, so this process stays small."""
    _run(_GENERATE, str(folder), str(incidents))


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.glob("*.csv")) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="25000,100000,400000", help="incidents per extract")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="dsvb-bounds-") as tmp:
        base = Path(tmp)
        for n in sizes:
            folder = base / f"x{n}"
            _generate(folder, n)
            mb = _size_mb(folder)
            seconds, rss, stored = _run(_IMPORT, str(folder), str(base / f"s{n}.duckdb"))
            scan_s, scan_rss, counted = _run(_SCAN, str(folder))
            assert stored == counted, (stored, counted)
            rows.append((n, mb, seconds, rss, scan_s, scan_rss))
            (base / f"s{n}.duckdb").unlink()
        print(f"{'incidents':>10} {'input MB':>9} {'import s':>9} {'s/MB':>7} {'peak RSS MB':>12}"
              f" {'RSS/MB':>7} {'scan s':>7} {'scan s/MB':>9} {'scan RSS MB':>11}")  # fmt: skip
        for n, mb, seconds, rss, scan_s, scan_rss in rows:
            print(f"{n:>10,} {mb:>9.1f} {seconds:>9.2f} {seconds / mb:>7.3f} {rss:>12.0f}"
                  f" {rss / mb:>7.2f} {scan_s:>7.2f} {scan_s / mb:>9.3f}"
                  f" {scan_rss:>11.0f}")  # fmt: skip
        if len(rows) >= 2:
            (_, mb1, s1, r1, c1, _), (_, mb2, s2, r2, c2, _) = rows[-2], rows[-1]
            d = mb2 - mb1
            print(
                f"marginal, {rows[-2][0]:,} -> {rows[-1][0]:,} incidents: "
                f"{(s2 - s1) / d:.3f} s/MB import, {(c2 - c1) / d:.3f} s/MB scan, "
                f"{(r2 - r1) / d:.2f} MB RSS per MB input"
            )
        for columns in (1_000, 100_000):
            folder = base / f"h{columns}"
            _generate(folder, 1_000)
            path = folder / "incidents.csv"
            header, *body = path.read_bytes().rstrip(b"\n").split(b"\n")
            padding = b"," * (columns - 10)
            with path.open("wb") as out:  # row by row: this process stays small
                out.write(header + b"".join(b",x%d" % i for i in range(columns - 10)) + b"\n")
                for line in body:
                    out.write(line + padding + b"\n")
            del header, body, padding
            seconds, rss, said = _run(_HEADER, str(folder))
            print(f"header of {columns:,} columns: {seconds:.2f} s, peak RSS {rss:.0f} MB: {said}")


if __name__ == "__main__":
    main()
