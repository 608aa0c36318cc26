"""A linkage run: score pairs of records with the model, cluster them into people, and give
each person a key that survives reruns and new imports (decision 0046).

- **Full** (the first run, or ``full=True``): every record is compared (through the
  blocking rules) and clustered afresh. Each new cluster takes the key most of its records
  held before (ties: the oldest key, i.e. the one first given in the earliest run); a key
  goes to one cluster only; a cluster of records never keyed before gets a new key.
- **Incremental** (the default once a run exists): only records without a key are
  compared, with each other and with the keyed records. A new record joins the cluster
  (the key) of the records it matches, or gets a new key with the new records it matches.
  Keyed records never change key in an incremental run (two existing people are never
  merged behind the reviewer's back); a full run reconsiders everything.
- **Splits** (``link_splits``, written by the review pages) are honoured by both: a split
  pair is never put in one cluster, directly or through other records. Clustering takes the
  pairs from the most to the least likely and refuses a union that would join a split pair.

- **Sources** (``sources``): a run may re-link some sources only (``dsvb link
  --extract-only``: the extract). The keys and pairs of the other sources' records are then
  left exactly as they are (not "gone": their identifiers were simply not read this time).

Splink works in a private in-memory DuckDB: the identifiers are read from the store (or
passed in for case records) and never written anywhere but the store's own tables, which
hold keys, weights and comparison levels only. What DuckDB spills to disk while scoring goes
to a private folder (mode 0700) beside the store's file, removed when the run ends; under
the store's writer its name starts with the writer's copy's, so the writer sweeps it if a
killed run left it (see :func:`dsvb.store.writer.leftovers`).

A record is known by its source and record id, kept apart in two columns everywhere; the
one string Splink needs (``unique_id``) is made by :func:`_uid` with the source escaped, so
no source name (one with ``|`` in it) can make two records one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from dsvb.linkage import model as link_model
from dsvb.linkage.records import EXTRACT, PersonRecord, RecordRef
from dsvb.linkage.tables import ensure_tables

__all__ = ["LinkRun", "cluster", "link", "linked_people", "read_extract_records"]

FULL = "full"
INCREMENTAL = "incremental"
TRAINED = "trained"
SAVED = "saved"
STARTING = "starting"

Progress = Callable[[str], None]
#: scores the candidate pairs on another engine (:class:`dsvb.linkage.spark.SparkScorer`):
#: given the run's work connection (tables ``dsvb_prepared``, and ``dsvb_new`` and
#: ``dsvb_old`` in an incremental run), the model, whether the run is incremental and the
#: threshold, returns the name of a table of Splink's predictions in that connection
Scorer = Callable[[duckdb.DuckDBPyConnection, dict[str, Any], bool, float], str]

_RAW_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("record_id", pa.string()),
        ("given_name", pa.string()),
        ("family_name", pa.string()),
        ("date_of_birth", pa.date32()),
        ("postcode", pa.string()),
        ("sex", pa.string()),
    ]
)


@dataclass(frozen=True)
class LinkRun:
    """What a run did."""

    run_id: int
    mode: str  # full | incremental
    records: int  # records holding a key after the run
    new_records: int  # records first keyed by this run
    people: int  # distinct keys
    pairs: int  # pairs scored at or above the threshold in this run
    model: str  # TRAINED (on these records), SAVED (a previous run's) or STARTING (shipped)
    threshold: float
    seconds: float

    def summary(self) -> str:
        how = {
            TRAINED: "trained the model",
            SAVED: "reused the saved model",
            STARTING: "too few records to train: the shipped starting model",
        }[self.model]
        return (
            f"Link run {self.run_id} ({self.mode}, {how}): {self.records:,} records, "
            f"{self.people:,} people, {self.new_records:,} records newly keyed, "
            f"{self.pairs:,} linking pairs, in {self.seconds:.1f} s."
        )


def _uid(source: str, record_id: str) -> str:
    """The one string Splink knows a record by: the source with ``\\`` and ``|`` escaped,
    ``|``, the record id (so two different (source, record id) never give one string)."""
    escaped = source.replace("\\", "\\\\").replace("|", "\\|")
    return f"{escaped}|{record_id}"


# :func:`_uid` in SQL, over the prepared table's ``source`` and ``record_id`` columns
_UID_SQL = "replace(replace(source, '\\', '\\\\'), '|', '\\|') || '|' || record_id"


def _work_folder(con: duckdb.DuckDBPyConnection) -> Path:
    """A private folder (0700) for what the scoring spills: beside the database file of
    ``con`` (the store, or the writer's copy of it: then its name starts with the copy's,
    which the writer sweeps), or in the system's temporary folder for an in-memory one."""
    row = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    database = Path(row[0]) if row and row[0] else None
    if database is not None and database.parent.is_dir():
        return Path(tempfile.mkdtemp(prefix=f"{database.name}.link-", dir=database.parent))
    return Path(tempfile.mkdtemp(prefix="dsvb-link-"))


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}


def read_extract_records(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """The police extract's people with identifiers (``person_identifiers`` and the sex
    from ``people``), as the raw records of source ``extract``. None before schema 7."""
    tables = _tables(con)
    if "person_identifiers" not in tables:
        return _RAW_SCHEMA.empty_table()
    sex = (
        "(SELECT any_value(p.sex) FROM people p WHERE p.person_id = i.person_id)"
        if "people" in tables
        else "NULL"
    )
    query = f"""
        SELECT '{EXTRACT}' AS source, i.person_id AS record_id,
               any_value(i.given_name) AS given_name, any_value(i.family_name) AS family_name,
               any_value(i.date_of_birth) AS date_of_birth,
               any_value(i.postcode) AS postcode, any_value({sex}) AS sex
        FROM person_identifiers i GROUP BY i.person_id
    """
    return con.sql(query).to_arrow_table().cast(_RAW_SCHEMA)


def records_table(extra: Iterable[PersonRecord]) -> pa.Table:
    """Person records as the raw table a run prepares (identifiers, in memory only)."""
    rows = list(extra)
    return pa.table(
        {
            "source": [r.source for r in rows],
            "record_id": [r.record_id for r in rows],
            "given_name": [r.given_name for r in rows],
            "family_name": [r.family_name for r in rows],
            "date_of_birth": [r.date_of_birth for r in rows],
            "postcode": [r.postcode for r in rows],
            "sex": [r.sex for r in rows],
        },
        schema=_RAW_SCHEMA,
    )


# --- clustering ------------------------------------------------------------------------


def cluster(
    nodes: Sequence[str],
    edges: Iterable[tuple[str, str]],
    *,
    apart: Iterable[tuple[str, str]] = (),
    anchors: Mapping[str, str] | None = None,
) -> list[int]:
    """Connected components of ``nodes`` joined by ``edges`` (taken in the order given:
    most likely first), refusing any union that would put a pair of ``apart`` in one
    component, or two nodes of different ``anchors`` (existing keys, in an incremental run).
    Returns each node's component number (the index of the component's first node)."""
    index = {node: i for i, node in enumerate(nodes)}
    parent = list(range(len(nodes)))
    anchor: dict[int, str] = {}
    for node, key in (anchors or {}).items():
        if node in index:
            anchor[index[node]] = key
    forbid: dict[int, set[int]] = {}
    for a, b in apart:
        if a in index and b in index and a != b:
            forbid.setdefault(index[a], set()).add(index[b])
            forbid.setdefault(index[b], set()).add(index[a])
    # each root's forbidden members (the members of other components it may not join)
    members_forbid: dict[int, set[int]] = {i: set(f) for i, f in forbid.items()}

    def find(i: int) -> int:
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:
            parent[i], i = root, parent[i]
        return root

    for a, b in edges:
        ia, ib = index.get(a), index.get(b)
        if ia is None or ib is None:
            continue
        ra, rb = find(ia), find(ib)
        if ra == rb:
            continue
        ka, kb = anchor.get(ra), anchor.get(rb)
        if ka is not None and kb is not None and ka != kb:
            continue
        fa, fb = members_forbid.get(ra), members_forbid.get(rb)
        if fa and any(find(x) == rb for x in fa):
            continue
        if fb and any(find(x) == ra for x in fb):
            continue
        if ra > rb:  # the lower index is the root: the component's first node
            ra, rb = rb, ra
            fa, fb = fb, fa
            ka, kb = kb, ka
        parent[rb] = ra
        if fb:
            members_forbid[ra] = (fa or set()) | fb
            del members_forbid[rb]
        if ka is None and kb is not None:
            anchor[ra] = kb
    return [find(i) for i in range(len(nodes))]


def _new_key(run_id: int, first: str, taken: set[str]) -> str:
    salt = 0
    while True:
        digest = hashlib.sha256(f"{run_id}|{first}|{salt}".encode()).hexdigest()
        key = "P" + digest[:12].upper()
        if key not in taken:
            taken.add(key)
            return key
        salt += 1


def assign_keys(
    nodes: Sequence[str],
    components: Sequence[int],
    old: Mapping[str, str],
    key_age: Mapping[str, int],
    *,
    run_id: int,
) -> dict[str, str]:
    """Each node's key after a full run: a component takes the key most of its nodes held
    (ties: the oldest key, then the smaller key); a key goes to one component only (the one
    holding most of its records); the others get new keys."""
    by_component: dict[int, list[str]] = {}
    for node, comp in zip(nodes, components, strict=True):
        by_component.setdefault(comp, []).append(node)
    candidates = []
    for comp, members in by_component.items():
        counts = Counter(old[m] for m in members if m in old)
        for key, count in counts.items():
            candidates.append((-count, key_age.get(key, 0), key, nodes[comp], comp))
    candidates.sort()
    chosen: dict[int, str] = {}
    used: set[str] = set()
    for _count, _age, key, _first, comp in candidates:
        if comp in chosen or key in used:
            continue
        chosen[comp] = key
        used.add(key)
    taken = set(old.values()) | used
    keys: dict[str, str] = {}
    for comp in sorted(by_component, key=lambda c: nodes[c]):
        key = chosen.get(comp) or _new_key(run_id, nodes[comp], taken)
        for member in by_component[comp]:
            keys[member] = key
    return keys


# --- the run ---------------------------------------------------------------------------


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _pairs_sql(predictions: str, ids: str, run_id: int, labels: dict[str, dict[int, str]]) -> str:
    """The scored pairs as ``link_pairs`` rows, with each comparison's level (its label)
    and weight; each side's source and record id are looked up in ``ids`` (unique_id,
    source, record_id), never cut out of the unique id."""
    parts = []
    for name in link_model.COMPARISONS:
        cases = " ".join(
            f"WHEN {value} THEN {_sql_text(label)}"
            for value, label in sorted(labels.get(name, {}).items())
        )
        level = f"CASE gamma_{name} {cases} ELSE CAST(gamma_{name} AS VARCHAR) END"
        weight = f"mw_{name}"
        if name in link_model.TF_COLUMNS:  # with how rare the agreeing value is
            weight = f"mw_{name} + coalesce(mw_tf_adj_{name}, 0)"
        parts.append(
            f"{{'comparison': '{name}', 'level': {level}, 'match_weight': round({weight}, 4)}}"
        )
    return f"""
        SELECT l.source AS source_l, l.record_id AS record_id_l,
               r.source AS source_r, r.record_id AS record_id_r,
               p.match_weight, p.match_probability,
               CAST(to_json([{", ".join(parts)}]) AS VARCHAR) AS comparisons,
               {int(run_id)} AS run_id
        FROM {predictions} p
        JOIN {ids} l ON l.unique_id = p.unique_id_l
        JOIN {ids} r ON r.unique_id = p.unique_id_r
    """


def _level_labels(model: dict[str, Any]) -> dict[str, dict[int, str]]:
    labels: dict[str, dict[int, str]] = {}
    for comparison in model.get("comparisons", []):
        name = comparison.get("output_column_name")
        levels = list(comparison.get("comparison_levels", []))
        non_null = [lvl for lvl in levels if not lvl.get("is_null_level")]
        mapping = {-1: "missing"}
        for i, lvl in enumerate(non_null):
            mapping[len(non_null) - 1 - i] = lvl.get("label_for_charts") or lvl["sql_condition"]
        labels[name] = mapping
    return labels


def _latest_model(con: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    row = con.execute("SELECT model FROM link_runs ORDER BY run_id DESC LIMIT 1").fetchone()
    return link_model.loads(row[0]) if row else None


def link(
    con: duckdb.DuckDBPyConnection,
    *,
    extra: Iterable[PersonRecord] = (),
    full: bool = False,
    retrain: bool = False,
    by: str = "dsvb",
    now: dt.datetime | None = None,
    threshold: float = link_model.THRESHOLD,
    progress: Progress | None = None,
    sources: Collection[str] | None = None,
    score: Scorer | None = None,
) -> LinkRun:
    """Link the extract's people (from the store on ``con``, which must be writable: the
    copy a :func:`dsvb.store.writer.writing` block gives) and the ``extra`` records (partner
    agencies' case people); write ``link_runs``, ``person_links`` and ``link_pairs``.


    ``sources``: the sources this run links (None: every source, and a keyed record of any
    source missing from the run has left). Given, the records of other sources keep their
    keys and pairs untouched: ``{EXTRACT}`` re-links the extract when the cases could not be
    read, without dropping the case records' keys. ``score`` scores the pairs elsewhere
    (Spark: :mod:`dsvb.linkage.spark`); by default Splink scores them on DuckDB."""
    from splink import DuckDBAPI, Linker

    say = progress or (lambda message: None)
    clock = time.monotonic()
    ensure_tables(con)
    started = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(tzinfo=None)
    run_id = con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM link_runs").fetchone()[0]
    has_run = run_id > 1
    mode = FULL if (full or not has_run) else INCREMENTAL

    scope = None if sources is None else frozenset(sources)
    extra = list(extra)
    outside = sorted({r.source for r in extra if scope is not None and r.source not in scope})
    if outside:
        raise ValueError(f"records of sources this run does not link: {', '.join(outside)}")
    extract = (
        read_extract_records(con)
        if scope is None or EXTRACT in scope
        else _RAW_SCHEMA.empty_table()
    )
    raw = pa.concat_tables([extract, records_table(extra)])
    old_rows = con.execute("SELECT source, record_id, person_key, run_id FROM person_links")
    old: dict[str, str] = {}  # every keyed record, of every source
    in_scope: dict[str, tuple[str, str]] = {}  # the keyed records this run re-links
    set_by: dict[str, int] = {}
    key_age: dict[str, int] = {}
    for source, record_id, key, rid in old_rows.fetchall():
        uid = _uid(source, record_id)
        old[uid] = key
        set_by[uid] = rid
        key_age[key] = min(rid, key_age.get(key, rid))
        if scope is None or source in scope:
            in_scope[uid] = (source, record_id)
    apart = [
        (_uid(a, ra), _uid(b, rb))
        for a, ra, b, rb in con.execute(
            "SELECT source_a, record_id_a, source_b, record_id_b FROM link_splits"
        ).fetchall()
    ]

    folder = _work_folder(con)
    work = duckdb.connect(config={"temp_directory": str(folder)})
    # Splink tells every step of its work (at INFO, on its own loggers); the run says what
    # matters through ``progress``
    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)
               if name == "splink" or name.startswith("splink.")]  # fmt: skip
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        work.execute("SET threads TO 2")
        work.register("dsvb_raw_arrow", raw)
        work.execute(
            "CREATE TABLE dsvb_raw AS SELECT DISTINCT ON (source, record_id) * "
            "FROM dsvb_raw_arrow ORDER BY source, record_id"
        )
        work.unregister("dsvb_raw_arrow")
        link_model.prepare(work, "dsvb_raw", "dsvb_prepared")
        work.execute(f"UPDATE dsvb_prepared SET unique_id = {_UID_SQL}")
        work.execute(
            "CREATE TABLE dsvb_ids AS SELECT unique_id, source, record_id FROM dsvb_prepared"
        )
        refs = {
            uid: (source, record_id)
            for uid, source, record_id in work.execute("SELECT * FROM dsvb_ids").fetchall()
        }
        nodes = sorted(refs)
        say(f"Linking {len(nodes):,} person records ({mode})...")
        db_api = DuckDBAPI(connection=work)
        model = None if retrain else _latest_model(con)
        if model is not None and model.get("dsvb_starting"):
            model = None  # the shipped model again (its prior for these records), or train
        model_source = SAVED
        if model is None and len(nodes) < link_model.MIN_TRAINING_RECORDS:
            model, model_source = link_model.starting_model(len(nodes)), STARTING
        elif model is None:
            say("Training the linkage model (u by random sampling, m by EM)...")
            model_source = TRAINED
            model = link_model.train(db_api, db_api.register("dsvb_prepared"), len(nodes))
        assert model is not None
        present = set(nodes)
        if mode == INCREMENTAL:
            new_nodes = [n for n in nodes if n not in old]
            work.register("dsvb_new_ids", pa.table({"unique_id": pa.array(new_nodes, pa.string())}))
            work.execute(
                "CREATE TABLE dsvb_new AS SELECT * FROM dsvb_prepared "
                "WHERE unique_id IN (SELECT unique_id FROM dsvb_new_ids)"
            )
            work.execute(
                "CREATE TABLE dsvb_old AS SELECT * FROM dsvb_prepared "
                "WHERE unique_id NOT IN (SELECT unique_id FROM dsvb_new_ids)"
            )
        else:
            new_nodes = list(nodes)
        predictions = None
        if score is not None and new_nodes and len(nodes) >= 2:
            say(f"Scoring the pairs of {len(new_nodes):,} records elsewhere...")
            predictions = score(work, model, mode == INCREMENTAL, threshold)
        elif new_nodes and len(nodes) >= 2:
            say(f"Scoring the pairs of {len(new_nodes):,} records...")
            linker = Linker(
                db_api.register("dsvb_prepared", table_name="dsvb_prepared_for_model"),
                link_model.splink_settings(model),
            )
            if mode == FULL:
                scored = linker.inference.predict(
                    threshold_match_probability=threshold, warning_mode="never"
                )
                predictions = scored.physical_name
            else:
                for column in link_model.TF_COLUMNS:  # frequencies over every record
                    linker.table_management.compute_tf_table(column)
                new_sdf = db_api.register("dsvb_new")
                within = linker.inference.predict_within(
                    new_sdf, threshold_match_probability=threshold, warning_mode="never"
                )
                between = linker.inference.predict_between(
                    new_sdf,
                    db_api.register("dsvb_old"),
                    threshold_match_probability=threshold,
                    warning_mode="never",
                )
                work.execute(
                    f"CREATE TABLE dsvb_predictions AS SELECT * FROM {within.physical_name} "
                    f"UNION ALL BY NAME SELECT * FROM {between.physical_name}"
                )
                predictions = "dsvb_predictions"
        if predictions is not None:
            work.execute(
                f"CREATE TABLE dsvb_linking AS SELECT * FROM {predictions} "
                f"WHERE NOT ({link_model.VETO_SQL})"
            )
            predictions = "dsvb_linking"
            edges = work.execute(
                f"SELECT unique_id_l, unique_id_r FROM {predictions} "
                "ORDER BY match_probability DESC, match_weight DESC, unique_id_l, unique_id_r"
            ).fetchall()
            pairs = work.sql(
                _pairs_sql(predictions, "dsvb_ids", run_id, _level_labels(model))
            ).to_arrow_table()
        else:
            edges = []
            pairs = None
        say(f"Clustering {len(edges):,} linking pairs...")
        if mode == FULL:
            components = cluster(nodes, edges, apart=apart)
            keys = assign_keys(nodes, components, old, key_age, run_id=run_id)
        else:
            anchors = {n: old[n] for n in nodes if n in old}
            components = cluster(nodes, edges, apart=apart, anchors=anchors)
            keys = {n: old[n] for n in nodes if n in old}
            comp_key: dict[int, str] = {}
            for node, comp in zip(nodes, components, strict=True):
                if node in old:
                    comp_key[comp] = old[node]
            taken = set(old.values())
            for node, comp in zip(nodes, components, strict=True):
                if node not in old:
                    if comp not in comp_key:
                        comp_key[comp] = _new_key(run_id, nodes[comp], taken)
                    keys[node] = comp_key[comp]
    finally:
        work.close()
        shutil.rmtree(folder, ignore_errors=True)
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)

    links = pa.table(
        {
            "source": pa.array([refs[n][0] for n in nodes], pa.string()),
            "record_id": pa.array([refs[n][1] for n in nodes], pa.string()),
            "person_key": [keys[n] for n in nodes],
            "run_id": [set_by[n] if n in old and old[n] == keys[n] else run_id for n in nodes],
        }
    )
    say(f"Writing {len(nodes):,} person keys...")
    if scope is None:
        con.execute("DELETE FROM person_links")
    else:  # only the sources this run links: the others' keys stay as they are
        con.executemany("DELETE FROM person_links WHERE source = ?", [[s] for s in sorted(scope)])
    con.register("dsvb_links", links)
    con.execute("INSERT INTO person_links (source, record_id, person_key, run_id) "
                "SELECT source, record_id, person_key, run_id FROM dsvb_links")  # fmt: skip
    con.unregister("dsvb_links")
    if mode == FULL:  # every pair between two records this run links is scored again
        if scope is None:
            con.execute("DELETE FROM link_pairs")
        else:
            con.executemany(
                "DELETE FROM link_pairs WHERE source_l = ? AND source_r = ?",
                [[a, b] for a in sorted(scope) for b in sorted(scope)],
            )
    gone = [in_scope[u] for u in in_scope if u not in present]  # records gone since
    if gone:
        con.executemany("DELETE FROM link_pairs WHERE source_l = ? AND record_id_l = ?", gone)
        con.executemany("DELETE FROM link_pairs WHERE source_r = ? AND record_id_r = ?", gone)
    n_pairs = 0
    if pairs is not None and pairs.num_rows:
        con.register("dsvb_pairs", pairs)
        con.execute("INSERT INTO link_pairs SELECT * FROM dsvb_pairs")
        con.unregister("dsvb_pairs")
        n_pairs = pairs.num_rows
    new_records = sum(1 for n in nodes if n not in old)
    records, people = con.execute(  # of every source, this run's and those it left alone
        "SELECT count(*), count(DISTINCT person_key) FROM person_links"
    ).fetchone()
    finished = started + dt.timedelta(seconds=time.monotonic() - clock)
    con.execute(
        "INSERT INTO link_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run_id,
            started,
            finished,
            mode,
            records,
            new_records,
            people,
            threshold,
            link_model.dumps(model),
            by,
        ],
    )
    return LinkRun(
        run_id=run_id,
        mode=mode,
        records=records,
        new_records=new_records,
        people=people,
        pairs=n_pairs,
        model=model_source,
        threshold=threshold,
        seconds=time.monotonic() - clock,
    )


def linked_people(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """Every keyed record: (source, record_id, person_key), sorted."""
    if "person_links" not in _tables(con):
        return []
    return [
        (s, r, k)
        for s, r, k in con.execute(
            "SELECT source, record_id, person_key FROM person_links ORDER BY source, record_id"
        ).fetchall()
    ]


def record_key(con: duckdb.DuckDBPyConnection, ref: RecordRef) -> str | None:
    """One record's person key, or None when it has none."""
    row = con.execute(
        "SELECT person_key FROM person_links WHERE source = ? AND record_id = ?",
        [ref.source, ref.record_id],
    ).fetchone()
    return row[0] if row else None
