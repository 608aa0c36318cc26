"""Reviewing linkage: why records were linked into one person, and splitting a wrong link.

A linkage run (:mod:`dsvb.linkage.run`) gives every record a person key and keeps, for each
pair it linked, the match weight and the level each comparison reached (``link_pairs``).
An analyst who doubts a link reads that evidence (:func:`cluster`, :func:`record_cluster`)
and, if the records are two people, splits a group of them off (:func:`split`; a group of
one is the usual case): the group gets one key of its own now, and ``link_splits``
remembers "each record of the group is not the same person as each record that stayed",
which every later run honours (no edge between a split pair). Records within the group, and
records that stayed, are not split from each other: a wrong merge of two people who each
have several records is undone by moving one person's records out together. Nothing is
deleted: the pairs stay as evidence, shown as split.

Plain Python and DuckDB. Reads take a read-only connection to the store; a split writes
through :mod:`dsvb.store.writer` (a copy renamed over the store, all or nothing).
Identifiers are read for the page that shows them (:func:`extract_identifiers`) and are
never part of what this module returns for logs or audit entries
(:meth:`SplitResult.audit_fields`: record references and keys only).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from dsvb.linkage.records import EXTRACT, PersonRecord, RecordRef
from dsvb.linkage.tables import ensure_tables

#: a split's reason must say why in a sentence: at least this many words
MIN_REASON_WORDS = 5
#: how a split names itself to the store's writer (who holds the store, if another waits)
VIA = "linkage review"


class SplitRefused(ValueError):
    """The split cannot be made as asked; nothing was written. The message says why."""


@dataclass(frozen=True)
class ComparisonStep:
    """One comparison of a pair: which level it reached and what that weighed (log2)."""

    comparison: str
    level: str
    match_weight: float


@dataclass(frozen=True)
class PairEvidence:
    """Why two records were linked: the pair's total weight and each comparison's part.

    ``split`` is set when someone has since said the two are not the same person."""

    left: RecordRef
    right: RecordRef
    match_weight: float
    match_probability: float
    comparisons: tuple[ComparisonStep, ...]
    run_id: int
    split: bool = False

    def other(self, ref: RecordRef) -> RecordRef:
        return self.right if ref == self.left else self.left


@dataclass(frozen=True)
class SplitRecord:
    """A "not the same person" made by someone (``link_splits``)."""

    a: RecordRef
    b: RecordRef
    split_by: str
    split_at: dt.datetime
    reason: str


@dataclass(frozen=True)
class Cluster:
    """One person as linkage sees them: the records holding the key and the evidence.

    ``pairs`` are the scored pairs between its members, and between a member and a record
    split off from it (``split`` set); ``splits`` the splits that name a member."""

    person_key: str
    members: tuple[RecordRef, ...]
    pairs: tuple[PairEvidence, ...]
    splits: tuple[SplitRecord, ...]

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(sorted({m.source for m in self.members}))

    def pairs_of(self, ref: RecordRef) -> tuple[PairEvidence, ...]:
        return tuple(p for p in self.pairs if ref in (p.left, p.right))


@dataclass(frozen=True)
class Summary:
    """How much linkage joined: records keyed, people (keys), people with several records,
    people whose records come from more than one source, and the last run."""

    records: int
    people: int
    people_with_several_records: int
    people_across_sources: int
    splits: int
    records_by_source: tuple[tuple[str, int], ...]
    last_run_id: int | None = None
    last_run_at: dt.datetime | None = None
    last_run_mode: str | None = None
    threshold: float | None = None

    @property
    def linked(self) -> bool:
        return self.records > 0


@dataclass(frozen=True)
class SplitResult:
    """What a split did: the ``records`` (a group, sorted) left ``from_key`` for one
    ``new_key``; one ``link_splits`` row for each record of the group against each of
    ``others`` (the members that stayed)."""

    records: tuple[RecordRef, ...]
    from_key: str
    new_key: str
    others: tuple[RecordRef, ...]
    split_by: str
    split_at: dt.datetime

    def audit_fields(self) -> dict[str, Any]:
        """For an audit entry or a log: references and keys only, never identifiers or the
        reason's words (a reason may quote a name)."""
        return {
            "records": [str(r) for r in self.records],
            "from_key": self.from_key,
            "new_key": self.new_key,
            "split_from": [str(o) for o in self.others],
        }


# --- reading ----------------------------------------------------------------------------------


def has_linkage(con: Any) -> bool:
    """Whether the store holds the linkage tables (an older store, or none run yet, may not)."""
    names = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables")
             .fetchall()}  # fmt: skip
    return {"person_links", "link_pairs", "link_splits"} <= names


def _table(con: Any, name: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
        ).fetchone()[0]
    )


def key_of(con: Any, ref: RecordRef) -> str | None:
    """The person key a record holds (None: not linked, or no linkage in this store)."""
    if not has_linkage(con):
        return None
    row = con.execute(
        "SELECT person_key FROM person_links WHERE source = ? AND record_id = ?",
        [ref.source, ref.record_id],
    ).fetchone()
    return row[0] if row else None


def _joined(ref: RecordRef) -> str:
    return f"{ref.source}\x1f{ref.record_id}"


def _steps(text: str) -> tuple[ComparisonStep, ...]:
    try:
        items = json.loads(text or "[]")
    except json.JSONDecodeError:
        return ()
    return tuple(
        ComparisonStep(
            str(i.get("comparison", "")), str(i.get("level", "")), float(i.get("match_weight", 0))
        )
        for i in items
        if isinstance(i, dict)
    )


def cluster(con: Any, person_key: str) -> Cluster | None:
    """The person ``person_key``: its records, the pairs that linked them (and pairs to any
    record split off from it, marked), and the splits. None when no record holds the key."""
    if not has_linkage(con):
        return None
    members = tuple(
        RecordRef(s, r)
        for s, r in con.execute(
            "SELECT source, record_id FROM person_links WHERE person_key = ? "
            "ORDER BY source, record_id",
            [person_key],
        ).fetchall()
    )
    if not members:
        return None
    refs = [_joined(m) for m in members]
    split_rows = con.execute(
        """
        SELECT source_a, record_id_a, source_b, record_id_b, split_by, split_at, reason
        FROM link_splits
        WHERE list_contains(?::VARCHAR[], source_a || chr(31) || record_id_a)
           OR list_contains(?::VARCHAR[], source_b || chr(31) || record_id_b)
        ORDER BY split_at, source_a, record_id_a, source_b, record_id_b
        """,
        [refs, refs],
    ).fetchall()
    splits = tuple(
        SplitRecord(RecordRef(a, ra), RecordRef(b, rb), by, at, reason)
        for a, ra, b, rb, by, at, reason in split_rows
    )
    split_pairs = {frozenset((s.a, s.b)) for s in splits}
    # pairs with both ends members, or one a member and the pair since split
    pair_rows = con.execute(
        """
        SELECT * FROM (
            SELECT source_l, record_id_l, source_r, record_id_r, match_weight,
                   match_probability, comparisons, run_id,
                   list_contains(?::VARCHAR[], source_l || chr(31) || record_id_l) AS l_in,
                   list_contains(?::VARCHAR[], source_r || chr(31) || record_id_r) AS r_in
            FROM link_pairs)
        WHERE l_in OR r_in
        ORDER BY match_weight DESC, source_l, record_id_l, source_r, record_id_r
        """,
        [refs, refs],
    ).fetchall()
    pairs: dict[frozenset[RecordRef], PairEvidence] = {}
    for sl, rl, sr, rr, weight, prob, comps, run_id, l_in, r_in in pair_rows:
        left, right = RecordRef(sl, rl), RecordRef(sr, rr)
        was_split = frozenset((left, right)) in split_pairs
        if not (l_in and r_in) and not was_split:
            continue
        key = frozenset((left, right))
        found = pairs.get(key)
        if found is not None and found.run_id >= run_id:
            continue  # the latest run's score of the pair
        pairs[key] = PairEvidence(
            left, right, float(weight), float(prob), _steps(comps), int(run_id), was_split
        )
    ordered = sorted(pairs.values(), key=lambda p: (p.split, -p.match_weight, p.left, p.right))
    return Cluster(person_key, members, tuple(ordered), splits)


def record_cluster(con: Any, ref: RecordRef) -> Cluster | None:
    """The person a record belongs to (None: the record holds no key)."""
    key = key_of(con, ref)
    return cluster(con, key) if key is not None else None


def extract_identifiers(con: Any, person_ids: Iterable[str]) -> dict[str, PersonRecord]:
    """The police extract's identifiers of these people (from ``person_identifiers``, the
    latest import's row of each, with ``people.sex``), for a page that may show them.
    People with no identifier row are absent."""
    ids = sorted(set(person_ids))
    if not ids or not _table(con, "person_identifiers"):
        return {}
    rows = con.execute(
        """
        SELECT i.person_id, i.given_name, i.family_name, i.date_of_birth, i.postcode,
               (SELECT max_by(p.sex, p.import_id) FROM people p
                WHERE p.person_id = i.person_id) AS sex
        FROM person_identifiers i
        WHERE i.person_id IN (SELECT unnest(?::VARCHAR[]))
        QUALIFY row_number() OVER (PARTITION BY i.person_id ORDER BY i.import_id DESC) = 1
        """,
        [ids],
    ).fetchall()
    return {
        pid: PersonRecord(EXTRACT, pid, given, family, dob, postcode, sex)
        for pid, given, family, dob, postcode, sex in rows
    }


def summary(con: Any) -> Summary:
    """How much linkage joined (all zero when the store holds no linkage)."""
    if not has_linkage(con):
        return Summary(0, 0, 0, 0, 0, ())
    records, people, several, across = con.execute(
        """
        WITH per AS (
            SELECT person_key, count(*) AS n, count(DISTINCT source) AS sources
            FROM person_links GROUP BY person_key)
        SELECT coalesce(sum(n), 0), count(*), count(*) FILTER (WHERE n > 1),
               count(*) FILTER (WHERE sources > 1)
        FROM per
        """
    ).fetchone()
    by_source = tuple(
        (s, int(n))
        for s, n in con.execute(
            "SELECT source, count(*) FROM person_links GROUP BY source ORDER BY source"
        ).fetchall()
    )
    (splits,) = con.execute("SELECT count(*) FROM link_splits").fetchone()
    last = None
    if _table(con, "link_runs"):
        last = con.execute(
            "SELECT run_id, finished_at, mode, threshold FROM link_runs "
            "ORDER BY run_id DESC LIMIT 1"
        ).fetchone()
    run_id, at, mode, threshold = last or (None, None, None, None)
    return Summary(
        int(records), int(people), int(several), int(across), int(splits), by_source,
        run_id, at, mode, threshold,
    )  # fmt: skip


@dataclass(frozen=True)
class ToCheck:
    """A person whose records were joined by a link a reviewer should look at first: the
    least certain link holding them together (its match probability) and how many records
    the person has."""

    person_key: str
    records: int
    weakest: float


def to_check(con: Any, limit: int = 20) -> tuple[ToCheck, ...]:
    """The people whose weakest link is least certain, weakest first: where a wrong link
    is likeliest, so where an analyst's time is best spent (a person of one record, and a
    pair a split has already parted, have nothing to check). Keys and counts only."""
    if not has_linkage(con):
        return ()
    rows = con.execute(
        """
        WITH joined AS (
            SELECT l.person_key, p.match_probability
            FROM link_pairs p
            JOIN person_links l ON l.source = p.source_l AND l.record_id = p.record_id_l
            JOIN person_links r ON r.source = p.source_r AND r.record_id = p.record_id_r
            WHERE l.person_key = r.person_key),
        weakest AS (
            SELECT person_key, min(match_probability) AS weakest FROM joined GROUP BY ALL),
        sizes AS (SELECT person_key, count(*) AS records FROM person_links GROUP BY ALL)
        SELECT w.person_key, s.records, w.weakest
        FROM weakest w JOIN sizes s USING (person_key)
        ORDER BY w.weakest, w.person_key
        LIMIT ?
        """,
        [limit],
    ).fetchall()
    return tuple(ToCheck(key, int(n), float(p)) for key, n, p in rows)


# --- splitting --------------------------------------------------------------------------------


def check_reason(reason: str) -> str:
    """The reason, tidied, if it says why in a sentence; else :class:`SplitRefused`.

    Whoever reads the split later (a reviewer, the next analyst) needs the why: "not the
    same person" alone says nothing a split does not already say."""
    text = " ".join((reason or "").split())
    if not text:
        raise SplitRefused("give the reason these records are not the same person")
    if len(text.split(" ")) < MIN_REASON_WORDS:
        raise SplitRefused(
            f"say in a sentence (at least {MIN_REASON_WORDS} words) why these records are "
            "not the same person"
        )
    return text


def new_key(
    group: RecordRef | Iterable[RecordRef], from_key: str, at: dt.datetime, taken: set[str]
) -> str:
    """A key for records split off: ``P`` + 12 hex digits (as every key), derived from the
    group's records, the key they left and when (so the same split gives the same key),
    never one already held."""
    refs = [group] if isinstance(group, RecordRef) else sorted(group)
    named = "|".join(f"{r.source}|{r.record_id}" for r in refs)
    n = 0
    while True:
        seed = f"split|{named}|{from_key}|{at.isoformat()}|{n}"
        key = "P" + hashlib.sha256(seed.encode()).hexdigest()[:12].upper()
        if key not in taken:
            return key
        n += 1


def _utc_naive(when: dt.datetime) -> dt.datetime:
    if when.tzinfo is None:
        return when
    return when.astimezone(dt.UTC).replace(tzinfo=None)


def split(
    store_path: str | os.PathLike[str],
    group: RecordRef | Iterable[RecordRef],
    from_key: str,
    *,
    by: str,
    reason: str,
    now: dt.datetime | None = None,
    wait: float | None = None,
) -> SplitResult:
    """Move a ``group`` of records (or one record) out of the person ``from_key``: the
    group gets one new key, and ``link_splits`` gains one row for each record of the group
    against each record that stays (later runs keep the two sides apart). Records within
    the group are not split from each other, nor those that stay: when two people were
    merged, moving one person's records out together leaves each person whole (splitting
    them one at a time would forbid a person's own records from each other). Written
    through the store's writer: all or nothing.

    Refused (:class:`SplitRefused`, nothing written) when the reason is not a sentence, the
    group is empty, a record of it no longer holds ``from_key`` (a run or another split got
    there first: look again), or the group is every record of the person (nothing would
    stay to split from).
    """
    from dsvb.store import writer

    text = check_reason(reason)
    if not by.strip():
        raise SplitRefused("a split must name who made it")
    records = tuple(sorted({group} if isinstance(group, RecordRef) else set(group)))
    if not records:
        raise SplitRefused("choose the records to split off")
    at = _utc_naive(now or dt.datetime.now(dt.UTC))
    origin = writer.Origin(imported_by=by, via=VIA)
    options = {} if wait is None else {"wait": wait}
    with writer.writing(store_path, origin, **options) as write:
        con = write.con
        ensure_tables(con)
        for record in records:
            row = con.execute(
                "SELECT person_key FROM person_links WHERE source = ? AND record_id = ?",
                [record.source, record.record_id],
            ).fetchone()
            if row is None:
                raise SplitRefused(
                    f"record {record} holds no person key: there is nothing to split"
                )
            if row[0] != from_key:
                raise SplitRefused(
                    f"record {record} is no longer part of person {from_key} (it is now "
                    f"{row[0]}): a linkage run or another split changed it; look at it again"
                )
        chosen = set(records)
        others = tuple(
            ref
            for ref in (
                RecordRef(s, r)
                for s, r in con.execute(
                    "SELECT source, record_id FROM person_links WHERE person_key = ? "
                    "ORDER BY source, record_id",
                    [from_key],
                ).fetchall()
            )
            if ref not in chosen
        )
        if not others:
            if len(records) == 1:
                raise SplitRefused(
                    f"record {records[0]} is the only record of person {from_key}: "
                    "nothing to split from"
                )
            raise SplitRefused(
                f"the {len(records)} records chosen are every record of person {from_key}: "
                "leave at least one with the person"
            )
        taken = {k for (k,) in con.execute("SELECT DISTINCT person_key FROM person_links")
                 .fetchall()}  # fmt: skip
        key = new_key(records, from_key, at, taken)
        con.executemany(
            "INSERT INTO link_splits (source_a, record_id_a, source_b, record_id_b, split_by, "
            "split_at, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (r.source, r.record_id, o.source, o.record_id, by, at, text)
                for r in records
                for o in others
            ],
        )
        con.executemany(
            "UPDATE person_links SET person_key = ? WHERE source = ? AND record_id = ?",
            [(key, r.source, r.record_id) for r in records],
        )
        moved = str(records[0]) if len(records) == 1 else f"{len(records)} records"
        write.changed(f"split {moved} from {from_key}")
    return SplitResult(records, from_key, key, others, by, at)
