"""Person linkage measured against the generator's truth: precision, recall, F1, time, memory.

    PYTHONPATH=src .venv/bin/python benchmarks/linkage.py [--sizes 100000,1000000] [--seed 1]
        [--json OUT]
    PYTHONPATH=src .venv/bin/python benchmarks/linkage.py --extract DIR --truth FILE
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

``--extract DIR --truth FILE`` measures an extract instead (``dsvb demo-data --truth``
writes both): imported into a temporary store, linked as ``dsvb link --extract-only``
would (a full run, training the model), and measured against the truth; the missed links
(false negatives) and the wrong ones (false positives) are counted by kind, from the truth's
``hard_case`` (twin, namesake, married) where it has one and else from what the two records
say (which identifiers differ).
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


def _clean(value: object) -> str | None:
    text = "".join(c for c in str(value).lower() if c.isalnum()) if value is not None else ""
    return text or None


def _missed_kind(a: dict[str, object], b: dict[str, object], hard: str) -> str:
    """Why two records of one person might not look alike: the first identifier that differs,
    in the order linkage relies on them."""
    if hard == "married" and a["family_name"] != b["family_name"]:
        return "same person: surname changed (marriage)"
    for column, kind in (
        ("family_name", "same person: family name differs or missing"),
        ("date_of_birth", "same person: date of birth differs or missing"),
        ("given_name", "same person: given name differs or missing"),
        ("postcode", "same person: postcode changed or missing (names and date agree)"),
    ):
        if a[column] is None or b[column] is None or a[column] != b[column]:
            return kind
    return "same person: identifiers agree"


def _wrong_kind(a: dict[str, object], b: dict[str, object], hard_a: str, hard_b: str) -> str:
    """What two records of different people put under one key had in common."""
    if hard_a == hard_b == "twin" and a["family_name"] == b["family_name"]:
        return "twins"
    if hard_a == hard_b == "namesake" and a["given_name"] == b["given_name"]:
        return "namesakes (planted)"
    same = [c for c in ("given_name", "family_name", "date_of_birth") if a[c] and a[c] == b[c]]
    if len(same) == 3:
        return "different people: same name and date of birth (by chance)"
    if same == ["family_name", "date_of_birth"]:
        return "different people: same surname and date of birth"
    return "different people: " + (" + ".join(same) or "nothing") + " agree"


def extract_quality(folder: Path, truth_file: Path) -> dict[str, object]:
    """Import ``folder`` into a temporary store, link its people, measure against
    ``truth_file`` (``record_id,true_person[,hard_case]``) with the errors by kind."""
    import csv
    import itertools
    import tempfile
    from collections import Counter, defaultdict

    from dsvb import store
    from dsvb.ingest.extract import import_extract
    from dsvb.linkage.evaluate import evaluate
    from dsvb.linkage.records import EXTRACT
    from dsvb.linkage.run import link, linked_people

    with truth_file.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    truth = {r["record_id"]: r["true_person"] for r in rows}
    hard = {r["true_person"]: r.get("hard_case") or "" for r in rows}
    with tempfile.TemporaryDirectory(prefix="dsvb-bench-linkage-") as tmp:
        con = store.connect(Path(tmp) / "store.duckdb")
        try:
            t = time.perf_counter()
            import_extract(con, folder)
            import_s = time.perf_counter() - t
            t, cpu = time.perf_counter(), _cpu()
            run = link(con)
            link_s, link_cpu = time.perf_counter() - t, _cpu() - cpu
            keys = {r: k for s, r, k in linked_people(con) if s == EXTRACT}
            model = con.execute(
                "SELECT model FROM link_runs ORDER BY run_id DESC LIMIT 1"
            ).fetchone()[0]
            ids = {
                r[0]: dict(zip(("given_name", "family_name", "date_of_birth", "postcode"),
                               (_clean(v) for v in r[1:]), strict=True))
                for r in con.execute(
                    "SELECT person_id, given_name, family_name, "
                    "CAST(date_of_birth AS VARCHAR), postcode FROM person_identifiers"
                ).fetchall()
            }  # fmt: skip
        finally:
            con.close()
    result = evaluate(keys, truth)
    empty = dict.fromkeys(("given_name", "family_name", "date_of_birth", "postcode"))
    by_true: dict[str, list[str]] = defaultdict(list)
    by_key: dict[str, list[str]] = defaultdict(list)
    for record, person in truth.items():
        by_true[person].append(record)
        by_key[keys.get(record) or f"unkeyed {record}"].append(record)
    missed: Counter[str] = Counter()
    for person, records in by_true.items():
        for a, b in itertools.combinations(records, 2):
            if keys.get(a) is None or keys.get(a) != keys.get(b):
                missed[_missed_kind(ids.get(a, empty), ids.get(b, empty), hard[person])] += 1
    wrong: Counter[str] = Counter()
    for records in by_key.values():
        for a, b in itertools.combinations(records, 2):
            if truth[a] != truth[b]:
                kind = _wrong_kind(ids.get(a, empty), ids.get(b, empty),
                                   hard[truth[a]], hard[truth[b]])  # fmt: skip
                wrong[kind] += 1
    planted = Counter(kind for kind in hard.values() if kind)
    return {
        "extract": str(folder),
        "records": result.records,
        "true_links": result.true_pairs,
        "predicted_links": result.predicted_pairs,
        "correct_links": result.true_positives,
        "precision": round(result.precision, 4),
        "recall": round(result.recall, 4),
        "f1": round(result.f1, 4),
        "missed_links_by_kind": dict(missed.most_common()),
        "wrong_links_by_kind": dict(wrong.most_common()),
        "true_people_by_hard_case": dict(planted.most_common()),
        "model_m_from": json.loads(model).get("dsvb_m_from", "trained (EM)"),
        "import_s": round(import_s, 1),
        "link_s": round(link_s, 1),
        "link_cpu_s": round(link_cpu, 1),
        "linking_pairs": run.pairs,
        "load_average_at_end": _load(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--extract", type=Path, default=None, help="an extract folder to measure")
    parser.add_argument("--truth", type=Path, default=None, help="its truth (dsvb demo-data)")
    args = parser.parse_args()
    if (args.extract is None) != (args.truth is None):
        parser.error("--extract and --truth go together")
    if args.extract is not None:
        measured = extract_quality(args.extract, args.truth)
        print(json.dumps(measured, indent=1), flush=True)
        if args.json:
            args.json.write_text(json.dumps(measured, indent=1) + "\n", encoding="utf-8")
        return
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
