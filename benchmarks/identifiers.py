"""What people's identifiers (extract format 2, decision 0045) cost: writing the demo extract
with and without them, importing it with and without them, and drawing synthetic person
records with the truth (dsvb.demo.identities.person_records, what linkage's benchmarks use).

    PYTHONPATH=src python -m benchmarks.identifiers --incidents 200000 --records 1000000

Prints one JSON line per measurement. Not a test: figures depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from dsvb import store
from dsvb.demo import identities
from dsvb.demo.generator import generate_extract
from dsvb.ingest.extract import import_extract


def _timed(fn):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = fn()
    return result, round(time.perf_counter() - started, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--incidents", type=int, action="append", default=[])
    parser.add_argument("--records", type=int, action="append", default=[])
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dsvb-identifiers-"))
    try:
        for n in args.incidents or [200_000]:
            for with_ids in (False, True):
                folder = work / f"x{n}{with_ids}"
                summary, gen_s = _timed(
                    lambda f=folder, w=with_ids, k=n: generate_extract(
                        f, incidents=k, seed=1, identifiers=w
                    )
                )
                con = store.connect(work / f"s{n}{with_ids}.duckdb")
                _, import_s = _timed(lambda c=con, f=folder: import_extract(c, f))
                stored = con.execute("SELECT count(*) FROM person_identifiers").fetchone()[0]
                con.close()
                line = {
                    "incidents": n,
                    "identifiers": with_ids,
                    "people": summary.row_counts["people"],
                    "generate_s": gen_s,
                    "import_s": import_s,
                    "identifier_rows": stored,
                }
                print(json.dumps(line), flush=True)
        for n in args.records or [100_000]:
            (_, truth), secs = _timed(lambda n=n: identities.person_records(n, seed=1))
            people = len(set(truth.values()))
            print(json.dumps({"person_records": n, "people": people, "seconds": secs}), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
