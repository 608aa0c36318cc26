"""What copy-on-write costs (docs/decisions/0014-store-writes.md): by store size, the time
to copy the store, and a small import (one published table) written through the writer
(lock, copy, import, checkpoint, fsync, rename) against the same import written in place.

    PYTHONPATH=src python -m benchmarks.store_write --incidents 135000 --incidents 1000000

Prints one JSON line per size. Not a test: figures depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from dsvb import store
from dsvb.demo.generator import generate_extract
from dsvb.ingest.extract import import_extract
from dsvb.ingest.returns import import_return
from dsvb.store import writer

PUBLISHED = Path(store.__file__).parent.parent / "reference" / "published"
TABLE = PUBLISHED / "dv_by_borough_12m_to_2010-11.csv"


def _timed(action: Callable[[], None]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _copy(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)
    fd = os.open(target, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def measure(incidents: int, work: Path) -> dict[str, object]:
    folder = work / f"extract-{incidents}"
    if not (folder / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        generate_extract(folder, incidents=incidents, seed=1, start=dt.date(2009, 12, 1), months=12)
        (folder / ".complete").write_text("")
    path = work / f"store-{incidents}.duckdb"
    for old in (path, path.with_name(path.name + ".lock")):
        old.unlink(missing_ok=True)
    origin = writer.Origin("benchmark", writer.COMMAND_LINE)

    def first() -> None:
        with writer.writing(path, origin) as write:
            write.record(import_extract(write.con, folder).import_id)

    first_import = _timed(first)
    size = path.stat().st_size
    copy = work / "copy.duckdb"
    copy_seconds = min(_timed(lambda: _copy(path, copy)) for _ in range(3))

    def through_writer() -> None:
        with writer.writing(path, origin) as write:
            write.record(import_return(write.con, TABLE).return_id)

    def in_place() -> None:
        con = duckdb.connect(str(copy))
        try:
            import_return(con, TABLE)
        finally:
            con.close()

    written = _timed(through_writer)
    _copy(path, copy)
    con = duckdb.connect(str(copy))  # the same table again would be "already imported"
    for table in ("published_cells", "published_notes", "published_returns"):
        con.execute(f"DELETE FROM {table}")
    con.execute("DELETE FROM import_log WHERE kind = 'return'")
    con.close()
    placed = _timed(in_place)
    copy.unlink()
    return {
        "incidents": incidents,
        "store_mb": round(size / 1e6, 1),
        "extract_import_s": round(first_import, 2),
        "copy_s": round(copy_seconds, 2),
        "copy_mb_per_s": round(size / 1e6 / copy_seconds, 0) if copy_seconds else None,
        "small_import_through_writer_s": round(written, 2),
        "small_import_in_place_s": round(placed, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, action="append", default=None)
    parser.add_argument("--work", type=Path, default=Path("var/bench-store-write"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    for n in args.incidents or [135_000]:
        print(json.dumps(measure(n, args.work)), flush=True)


if __name__ == "__main__":
    main()
