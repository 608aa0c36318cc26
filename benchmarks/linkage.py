"""Person linkage measured against the generator's truth: precision, recall, F1, time, memory.

    PYTHONPATH=src .venv/bin/python benchmarks/linkage.py [--sizes 100000,1000000] [--seed 1]
        [--json OUT]

For each size, in a child process of its own (so each size's peak memory is its own):
``dsvb.demo.identities.person_records`` makes N records (the extract's people and two
agencies', with typos, nicknames, transposed and missing dates of birth, married surnames,
moves, twins and namesakes) with the truth. 99% are linked by a first, full run (which
trains the model: the time includes training), then the other 1% by an incremental run
(the saved model, only new records compared), then everything again by a full run with the
saved model. Each is timed; pairwise precision, recall and F1 against the truth are computed
after the first and the last run. Generating the records is not timed; the peak memory (RSS)
is the child's, generated records included. Wall time and CPU time (user + system) are
both given: on a shared machine the wall time depends on what else runs (the load average
at the end is recorded too).

The records go in as the extract's would: the extract's records into a store's
``person_identifiers`` (and ``people`` for their sex), the agencies' passed to the run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path


def _cpu() -> float:
    """CPU seconds of this process so far (user + system, every thread): the work done,
    whatever else the machine was running meanwhile."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _load() -> float:
    return round(os.getloadavg()[0], 1)


def one(n: int, seed: int) -> dict[str, object]:
    from dsvb import store
    from dsvb.demo.identities import person_records
    from dsvb.linkage.evaluate import evaluate
    from dsvb.linkage.records import EXTRACT, RecordRef
    from dsvb.linkage.run import link, linked_people

    t0 = time.perf_counter()
    records, truth = person_records(n, seed=seed)
    generated = time.perf_counter() - t0
    later = {r.ref for i, r in enumerate(records) if i % 100 == 99}
    con = store.connect(":memory:")
    con.execute(
        "CREATE TABLE IF NOT EXISTS person_identifiers (person_id VARCHAR NOT NULL, "
        "given_name VARCHAR, family_name VARCHAR, date_of_birth DATE, postcode VARCHAR, "
        "import_id INTEGER NOT NULL)"
    )
    import pyarrow as pa

    def put_extract(rows: list) -> None:
        table = pa.table(
            {
                "person_id": [r.record_id for r in rows],
                "given_name": [r.given_name for r in rows],
                "family_name": [r.family_name for r in rows],
                "date_of_birth": [r.date_of_birth for r in rows],
                "postcode": [r.postcode for r in rows],
                "sex": [r.sex or "unknown" for r in rows],
            }
        )
        con.register("bench_rows", table)
        con.execute(
            "INSERT INTO person_identifiers SELECT person_id, given_name, family_name, "
            "date_of_birth, postcode, 1 FROM bench_rows"
        )
        con.execute(
            "INSERT INTO people (person_id, sex, ethnicity, import_id) "
            "SELECT person_id, sex, 'not recorded', 1 FROM bench_rows"
        )
        con.unregister("bench_rows")

    first = [r for r in records if r.ref not in later]
    put_extract([r for r in first if r.source == EXTRACT])
    agencies_first = [r for r in first if r.source != EXTRACT]

    def quality() -> dict[str, float]:
        keys = {RecordRef(s, r): k for s, r, k in linked_people(con)}
        result = evaluate(keys, {ref: truth[ref] for ref in keys})
        return {
            "precision": round(result.precision, 4),
            "recall": round(result.recall, 4),
            "f1": round(result.f1, 4),
            "records": result.records,
        }

    t, cpu = time.perf_counter(), _cpu()
    full = link(con, extra=agencies_first)
    full_s, full_cpu = time.perf_counter() - t, _cpu() - cpu
    q_full = quality()

    put_extract([r for r in records if r.ref in later and r.source == EXTRACT])
    agencies = [r for r in records if r.source != EXTRACT]
    t, cpu = time.perf_counter(), _cpu()
    inc = link(con, extra=agencies)
    inc_s, inc_cpu = time.perf_counter() - t, _cpu() - cpu
    q_inc = quality()

    t, cpu = time.perf_counter(), _cpu()
    rerun = link(con, extra=agencies, full=True)
    rerun_s, rerun_cpu = time.perf_counter() - t, _cpu() - cpu
    q_rerun = quality()
    con.close()
    return {
        "records": n,
        "seed": seed,
        "generate_s": round(generated, 1),
        "full_with_training_s": round(full_s, 1),
        "full_with_training_cpu_s": round(full_cpu, 1),
        "full_pairs": full.pairs,
        "people": full.people,
        "quality_full": q_full,
        "incremental_s": round(inc_s, 1),
        "incremental_cpu_s": round(inc_cpu, 1),
        "incremental_new_records": inc.new_records,
        "quality_after_incremental": q_inc,
        "full_saved_model_s": round(rerun_s, 1),
        "full_saved_model_cpu_s": round(rerun_cpu, 1),
        "rerun_model": rerun.model,
        "quality_full_saved_model": q_rerun,
        "load_average_at_end": _load(),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(one(args.one, args.seed)))
        return
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(size), "--seed", str(args.seed)],
            check=True,
            capture_output=True,
            text=True,
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(result)
        print(json.dumps(result, indent=1), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
