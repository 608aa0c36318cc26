"""Train the shipped starting model of person linkage (reference/data/linkage_model.json).

    PYTHONPATH=src .venv/bin/python scripts/train_linkage_model.py [--records 100000] [--seed 1]

A link run on fewer records than ``dsvb.linkage.model.MIN_TRAINING_RECORDS`` cannot learn
its weights (too few matches to see), so it starts from this model, trained on synthetic
records (``dsvb.demo.identities``: the error rates of real records) exactly as a run trains
(``dsvb.linkage.model.train``). Rerun it when the comparisons change (MODEL_VERSION).
"""

from __future__ import annotations

import argparse
import json
from importlib import resources
from pathlib import Path


def main() -> None:
    import duckdb
    from splink import DuckDBAPI

    from dsvb.demo.identities import person_records
    from dsvb.linkage import model
    from dsvb.linkage.run import records_table

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    records, _ = person_records(args.records, seed=args.seed)
    con = duckdb.connect()
    con.register("raw_arrow", records_table(records))
    con.execute("CREATE TABLE raw AS SELECT * FROM raw_arrow")
    model.prepare(con, "raw", "prepared")
    db_api = DuckDBAPI(connection=con)
    trained = model.train(db_api, db_api.register("prepared"), len(records), starting=False)
    if not model.plausible(trained):
        raise SystemExit("EM's m values are implausible: not written")
    trained["dsvb_trained_on"] = (
        f"synthetic records: dsvb.demo.identities.person_records({args.records}, seed={args.seed})"
    )
    out = Path(str(resources.files("dsvb.reference").joinpath("data", model.STARTING_MODEL)))
    out.write_text(json.dumps(trained, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"Wrote {out}")


if __name__ == "__main__":
    main()
