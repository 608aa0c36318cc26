"""Time and memory of reading and importing published tables as they grow to the ceiling.

    python benchmarks/returns_bounds.py                 # reads and imports, 0.125 to 1.95 MB
    python benchmarks/returns_bounds.py --json out.json

Published tables are small (the real ones are about 1 KB); the reader refuses a file over
``dsvb.ingest.returns.limits`` (2 MB, 5,000 rows, 200 columns, 50,000 cells, 2,000
characters a cell) before parsing it. Below the ceiling, time and memory should grow
linearly with the file. Each measurement runs in a fresh subprocess that first loads every
module and reads one real table (so the fixed cost of the interpreter, DuckDB and the
reference data is not counted), then reads (``read``) or imports into an empty store file
(``import``) one generated table, and reports:

* seconds for that one call, and seconds per MB of input;
* the growth of peak resident memory (VmHWM) during the call, in MB, and per MB of input.

Two kinds of generated table: ``key-value`` (a borough's return with one indicator a row
for distinct months, each with a note: the layout whose rows can grow to the ceiling) and
``long cells`` (the real table by borough with every figure replaced by a long unreadable
text, stored as garbled with a note each). Last, a 194 MB file (the size in issue 13, made
sparse) is refused: the time and memory it takes show it is not read.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = ROOT / "src" / "dsvb" / "reference" / "published"
KINGSTON = PUBLISHED / "kingston_return_2006-07.csv"
DV = PUBLISHED / "dv_by_borough_12m_to_2010-11.csv"
MB = 1_000_000

_CHILD = textwrap.dedent(
    """
    import json, sys, time
    from dsvb.ingest.returns import ReturnError, import_return, read_return
    from dsvb.store import connect

    def hwm():
        with open("/proc/self/status") as status:
            return next(int(l.split()[1]) * 1024 for l in status if l.startswith("VmHWM:"))

    mode, small, big, store = sys.argv[1:5]
    con = connect(store) if mode == "import" else None
    read_return(small)
    if con is not None:
        import_return(con, small)
    before = hwm()
    started = time.perf_counter()
    try:
        outcome = import_return(con, big) if con is not None else read_return(big)
        result = "ok"
    except ReturnError as exc:
        result = "refused: " + str(exc)[:120]
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "peak_growth": hwm() - before, "result": result}))
    """
)


def key_value_table(target: int) -> bytes:
    """A key-value return of about ``target`` bytes: rows of 400 bytes, one month each."""
    out = ["indicator,value,comparator,note", "period_start,2006-04-01,,"]
    size, i = 0, 0
    while size < target - 400:
        year, month = 1900 + i // 12, i % 12 + 1
        note = ("note " * 70)[:350]
        line = f'dv_incidents_{year}-{month:02d}_to_{year}-{month:02d},{i},of {i + 1},"{note}"'
        out.append(line)
        size += len(line) + 2
        i += 1
    return ("\r\n".join(out) + "\r\n").encode()


def long_cells_table(width: int) -> bytes:
    """The real table by borough with each figure replaced by ``width`` characters of text."""
    lines = DV.read_text(encoding="utf-8").splitlines()
    out = [lines[0]]
    for n, line in enumerate(lines[1:]):
        label = line.split(",")[0]
        cells = [(f"x{n}{j}" * width)[:width] for j in range(5)]
        out.append(",".join([label, *cells]))
    return ("\r\n".join(out) + "\r\n").encode()


def measure(mode: str, path: Path, small: Path) -> dict[str, object]:
    store = path.parent / f"store-{mode}.duckdb"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, mode, str(small), str(path), str(store)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    figures = json.loads(result.stdout)
    size = path.stat().st_size
    return {
        "table": path.parent.name,
        "mode": mode,
        "mb": size / MB,
        "seconds": figures["seconds"],
        "s_per_mb": figures["seconds"] / (size / MB),
        "peak_mb": figures["peak_growth"] / MB,
        "peak_mb_per_mb": figures["peak_growth"] / size,
        "result": figures["result"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        small = folder / "small" / KINGSTON.name
        small.parent.mkdir()
        small.write_bytes(KINGSTON.read_bytes())
        tables: list[Path] = []
        for target in (125_000, 250_000, 500_000, 1_000_000, 1_950_000):
            path = folder / f"key-value-{target}" / KINGSTON.name
            path.parent.mkdir()
            path.write_bytes(key_value_table(target))
            tables.append(path)
        for width in (250, 500, 1_000, 2_000):
            path = folder / f"long-cells-{width}" / DV.name
            path.parent.mkdir()
            path.write_bytes(long_cells_table(width))
            tables.append(path)
        huge = folder / "sparse-194MB" / DV.name
        huge.parent.mkdir()
        with huge.open("wb") as out:
            out.write(DV.read_bytes())
            out.truncate(194_000_000)
        tables.append(huge)
        for path in tables:
            for mode in ("read", "import"):
                rows.append(measure(mode, path, small))
                r = rows[-1]
                print(
                    f"{r['table']:<22} {r['mode']:<6} {r['mb']:>8.3f} MB "
                    f"{r['seconds']:>7.3f} s {r['s_per_mb']:>7.3f} s/MB "
                    f"peak +{r['peak_mb']:>7.1f} MB {r['peak_mb_per_mb']:>6.2f} MB/MB  "
                    f"{r['result']}",
                    flush=True,
                )
    print("\nGrowth between successive sizes (the fixed cost of a first table left out):")
    for kind in ("key-value", "long-cells"):
        for mode in ("read", "import"):
            series = [r for r in rows if str(r["table"]).startswith(kind) and r["mode"] == mode]
            for a, b in itertools.pairwise(series):
                mb = float(b["mb"]) - float(a["mb"])  # type: ignore[arg-type]
                grew = float(b["peak_mb"]) - float(a["peak_mb"])  # type: ignore[arg-type]
                took = float(b["seconds"]) - float(a["seconds"])  # type: ignore[arg-type]
                print(
                    f"{kind:<11} {mode:<6} {a['mb']:.3f} -> {b['mb']:.3f} MB: "
                    f"{grew / mb:6.2f} MB/MB, {took / mb:6.3f} s/MB"
                )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
