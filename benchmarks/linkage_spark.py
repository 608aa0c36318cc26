"""Person linkage scored on Spark (local mode) against DuckDB: time, and the same answer.

    PYTHONPATH=src .venv/bin/python benchmarks/linkage_spark.py [--records 100000] [--seed 1]
        [--master local[2]] [--driver-memory 4g] [--json OUT]

``dsvb.demo.identities.person_records`` makes N records with the truth. A first full run on
DuckDB trains the model (timed, not compared). Then the same records are linked again by a
full run with that saved model, once scored on DuckDB and once on Spark
(``dsvb link --engine spark``: the run's ``score`` hook, :mod:`dsvb.linkage.spark`), each
timed (wall and this process's CPU; Spark's own JVM is a separate process whose CPU is not
in the CPU figure, so compare wall times). Starting the Spark session is timed apart. The
two runs must give the same people (checked: the number of records whose key differs, the
largest difference between a pair's weights) and their F1 against the truth is given.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from pathlib import Path


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(n: int, seed: int, master: str, driver_memory: str) -> dict[str, object]:
    import duckdb

    from dsvb.demo.identities import person_records
    from dsvb.linkage.evaluate import evaluate
    from dsvb.linkage.records import RecordRef
    from dsvb.linkage.run import link, linked_people
    from dsvb.linkage.spark import spark_scoring

    records, truth = person_records(n, seed=seed)
    con = duckdb.connect()

    def timed(**kwargs: object) -> tuple[object, float, float]:
        t, cpu = time.perf_counter(), _cpu()
        run = link(con, extra=records, **kwargs)
        return run, round(time.perf_counter() - t, 1), round(_cpu() - cpu, 1)

    def state() -> tuple[dict, dict, float]:
        keys = {RecordRef(s, r): k for s, r, k in linked_people(con)}
        pairs = {
            row[:4]: row[4]
            for row in con.execute(
                "SELECT source_l, record_id_l, source_r, record_id_r, match_weight FROM link_pairs"
            ).fetchall()
        }
        return keys, pairs, round(evaluate(keys, {r: truth[r] for r in keys}).f1, 4)

    trained, train_s, _ = timed()
    duck_run, duck_s, duck_cpu = timed(full=True)
    duck_keys, duck_pairs, duck_f1 = state()
    t = time.perf_counter()
    with spark_scoring(master, config={"spark.driver.memory": driver_memory}) as scorer:
        start_s = round(time.perf_counter() - t, 1)
        spark_run, spark_s, spark_cpu = timed(full=True, score=scorer)
    spark_keys, spark_pairs, spark_f1 = state()
    con.close()
    common = set(duck_pairs) & set(spark_pairs)
    return {
        "records": n,
        "seed": seed,
        "master": master,
        "driver_memory": driver_memory,
        "first_run_with_training_duckdb_s": train_s,
        "model": trained.model,  # type: ignore[attr-defined]
        "duckdb_full_s": duck_s,
        "duckdb_full_cpu_s": duck_cpu,
        "spark_session_start_s": start_s,
        "spark_full_s": spark_s,
        "spark_full_python_cpu_s": spark_cpu,
        "spark_over_duckdb": round(spark_s / duck_s, 1) if duck_s else None,
        "linking_pairs": [duck_run.pairs, spark_run.pairs],  # type: ignore[attr-defined]
        "people": [duck_run.people, spark_run.people],  # type: ignore[attr-defined]
        "records_whose_key_differs": sum(1 for r in duck_keys if duck_keys[r] != spark_keys.get(r)),
        "pairs_only_one_engine_scored": len(set(duck_pairs) ^ set(spark_pairs)),
        "largest_weight_difference": max(
            (abs(duck_pairs[p] - spark_pairs[p]) for p in common), default=0.0
        ),
        "f1": [duck_f1, spark_f1],
        "load_average_at_end": round(os.getloadavg()[0], 1),
        "python_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--driver-memory", default="4g")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    result = measure(args.records, args.seed, args.master, args.driver_memory)
    print(json.dumps(result, indent=1), flush=True)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
