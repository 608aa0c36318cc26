"""The linkage's tables in the analytical store: the contract between the run that writes
them (:mod:`dsvb.linkage.run`), the figures that read person keys (repeat victimisation by
linked person) and the review pages (why two records were linked; splitting a link).

No identifier is stored here: keys, weights and the level each comparison reached.
"""

from __future__ import annotations

from typing import Any

DDL = """
CREATE TABLE IF NOT EXISTS link_runs (         -- one row per dsvb link
    run_id INTEGER NOT NULL PRIMARY KEY,
    started_at TIMESTAMP NOT NULL,             -- UTC
    finished_at TIMESTAMP NOT NULL,
    mode VARCHAR NOT NULL,                     -- 'full' or 'incremental'
    records INTEGER NOT NULL,                  -- records holding a key after the run
    new_records INTEGER NOT NULL,              -- records first keyed by this run
    people INTEGER NOT NULL,                   -- distinct person keys
    threshold DOUBLE NOT NULL,                 -- match probability at which pairs link
    model VARCHAR NOT NULL,                    -- the trained Splink settings (JSON)
    run_by VARCHAR NOT NULL                    -- who ran it
);
CREATE TABLE IF NOT EXISTS person_links (      -- every record's person key
    source VARCHAR NOT NULL,                   -- 'extract' or an agency's name
    record_id VARCHAR NOT NULL,
    person_key VARCHAR NOT NULL,               -- stable across runs: 'P' + 12 hex digits
    run_id INTEGER NOT NULL,                   -- the run that last set it
    PRIMARY KEY (source, record_id)
);
CREATE TABLE IF NOT EXISTS link_pairs (        -- pairs scored at or above the threshold
    source_l VARCHAR NOT NULL,
    record_id_l VARCHAR NOT NULL,
    source_r VARCHAR NOT NULL,
    record_id_r VARCHAR NOT NULL,
    match_weight DOUBLE NOT NULL,              -- log2 of the Bayes factor, prior included
    match_probability DOUBLE NOT NULL,
    comparisons VARCHAR NOT NULL,  -- JSON list of {"comparison", "level", "match_weight"}
    run_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS link_splits (       -- "these two are not the same person"
    source_a VARCHAR NOT NULL,
    record_id_a VARCHAR NOT NULL,
    source_b VARCHAR NOT NULL,
    record_id_b VARCHAR NOT NULL,
    split_by VARCHAR NOT NULL,
    split_at TIMESTAMP NOT NULL,               -- UTC
    reason VARCHAR NOT NULL
);
"""

TABLES = ("link_runs", "person_links", "link_pairs", "link_splits")


def ensure_tables(con: Any) -> None:
    """Create the linkage tables in a writable store if they are missing (an older store)."""
    con.execute(DDL)
