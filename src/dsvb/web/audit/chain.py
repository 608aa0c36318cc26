"""The audit log's hash chain: each entry carries a keyed digest of itself and the one before.

``digest(n) = HMAC-SHA256(key, canonical(entry n) + digest(n-1))``, with a gapless sequence
number (1, 2, 3 ...) inside the hashed fields. The key (``settings.DSVB_AUDIT_KEY``) is not in
the database, so someone who can write the database but not read the application's settings
cannot make an edited, inserted or reordered entry verify. What a chain cannot show, the
newest entries cut off (or the whole log emptied), the *witness* shows: an append-only file
beside the data where each committed entry's sequence number and a keyed tag of its digest
are written (:func:`witness_append`). See docs/decisions/0015-tamper-evident-audit-log.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import F

GENESIS = "0" * 64  # the "previous digest" of entry #1
# the fields each digest covers, in this order (with the previous digest); never reorder
HASHED = (
    "seq",
    "at",
    "actor_id",
    "actor_username",
    "actor_role",
    "ip_address",
    "user_agent",
    "action",
    "object_type",
    "object_id",
    "summary",
    "details",
)
# a PostgreSQL advisory-lock key: "dsvb audit" in ASCII, as an int64
ADVISORY_LOCK = int.from_bytes(b"dsvbaudt", "big") & 0x7FFF_FFFF_FFFF_FFFF


def _key() -> bytes:
    return settings.DSVB_AUDIT_KEY.encode("utf-8")


def _at(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def normal_details(details: Mapping[str, Any]) -> dict[str, Any]:
    """``details`` as the database gives them back (JSON: tuples become lists, keys strings)."""
    return json.loads(json.dumps(details))


def normal_address(address: str | None) -> str | None:
    """An address exactly as it is stored: what the model field sends to the database
    (Django writes IPv4-mapped IPv6 as ``::ffff:10.0.0.1`` and drops a zone such as
    ``%eth0``), compressed as PostgreSQL's inet prints IPv6, so that what is hashed is what
    is read back."""
    if not address:
        return None
    from dsvb.web.audit.models import AuditEvent

    prepared = AuditEvent._meta.get_field("ip_address").get_prep_value(address)
    if prepared and ":" in prepared and "." not in prepared:
        try:
            return str(ipaddress.ip_address(prepared))
        except ValueError:
            return prepared
    return prepared


def canonical(fields: Mapping[str, Any], previous: str) -> bytes:
    """One unambiguous byte string for an entry's hashed fields and the previous digest."""
    values = [_at(v) if name == "at" else v for name, v in ((n, fields[n]) for n in HASHED)]
    return json.dumps(
        [*values, previous], ensure_ascii=False, sort_keys=True, separators=(",", ":")
    ).encode("utf-8")


def digest(fields: Mapping[str, Any], previous: str) -> str:
    return hmac.new(_key(), canonical(fields, previous), hashlib.sha256).hexdigest()


# --- the witness: the newest entries, outside the database ------------------------------------


def witness_path() -> Path:
    return Path(settings.DSVB_AUDIT_WITNESS)


def _witness_tag(seq: int, entry_digest: str) -> str:
    message = f"witness|{seq}|{entry_digest}".encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def witness_append(seq: int, entry_digest: str) -> None:
    """Note a committed entry in the witness file: one line, one ``write`` (O_APPEND, so the
    lines of several processes never interleave), ``<seq> <tag>``."""
    path = witness_path()
    line = f"{seq} {_witness_tag(seq, entry_digest)}\n".encode("ascii")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def witness_lines(path: Path) -> list[tuple[int, int, str]]:
    """(line number, sequence number, tag) of each line; a malformed line is (n, -1, text)."""
    lines = []
    with path.open("r", encoding="ascii", errors="replace") as f:
        for number, text in enumerate(f, start=1):
            parts = text.split()
            if len(parts) == 2 and parts[0].isdigit() and len(parts[1]) == 64:
                lines.append((number, int(parts[0]), parts[1]))
            else:
                lines.append((number, -1, text.strip()[:80]))
    return lines


# --- verification ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Break:
    """The first thing wrong: which entry (database id, sequence number) and what."""

    entry_id: int | None
    seq: int | None
    problem: str

    def describe(self) -> str:
        where = []
        if self.seq is not None:
            where.append(f"#{self.seq}")
        if self.entry_id is not None:
            where.append(f"id {self.entry_id}")
        return f"entry {' '.join(where)}: {self.problem}" if where else self.problem


@dataclass(frozen=True)
class Verification:
    entries: int  # entries read
    verified_to: int  # the last sequence number of the intact chain (0: none)
    breaks: tuple[Break, ...] = field(default=())

    @property
    def intact(self) -> bool:
        return not self.breaks

    def describe(self) -> str:
        if self.intact:
            return f"{self.entries} entries verified, chain intact up to #{self.verified_to}"
        return f"TAMPERING: {self.breaks[0].describe()}"


ROW = ("id", "seq", "prev_digest", "digest", *HASHED[1:])


def check_chain(rows: Iterable[Mapping[str, Any]]) -> tuple[int, int, Break | None, dict]:
    """Walk entries in sequence order; the number read, the last good sequence number, the
    first break (or None), and {seq: digest} of the entries read (for the witness)."""
    previous, expected, count, good = GENESIS, 1, 0, 0
    digests: dict[int, str] = {}
    first: Break | None = None
    for row in rows:
        count += 1
        seq, entry_id = row["seq"], row["id"]
        if seq is not None and row["digest"]:
            digests[seq] = row["digest"]
        if first is not None:
            continue
        if seq is None or not row["digest"]:
            first = Break(
                entry_id,
                None,
                "has no sequence number or digest: it was written around the application "
                "(a forged entry)",
            )
        elif seq > expected:
            missing = f"#{expected}" if seq == expected + 1 else f"#{expected} to #{seq - 1}"
            first = Break(entry_id, seq, f"entries {missing} are missing (deleted)")
        elif seq < expected:
            first = Break(entry_id, seq, f"sequence number repeated (expected #{expected})")
        elif row["prev_digest"] != previous:
            first = Break(
                entry_id,
                seq,
                "does not follow the entry before it (its previous digest differs): "
                "entries were removed, inserted or reordered",
            )
        elif not hmac.compare_digest(digest(row, previous), row["digest"]):
            first = Break(
                entry_id,
                seq,
                "its content does not match its digest: it was changed, or forged without the key"
                + (
                    " (or the key is not the one the log was made with: DSVB_AUDIT_KEY, or the "
                    "secret key it is derived from, changed?)"
                    if seq == 1
                    else ""
                ),
            )
        else:
            previous, expected, good = row["digest"], seq + 1, seq
    return count, good, first, digests


def check_witness(
    path: Path,
    digests: Mapping[int, str],
    last_seq: int,
    lines: list[tuple[int, int, str]] | None = None,
) -> Break | None:
    """Every entry the witness saw must still be there, with the digest it had then.

    ``lines`` are the witness's lines as read *before* the entries were (see :func:`verify`);
    read here when not given, and ``None`` with no file."""
    if lines is None:
        lines = witness_lines(path) if path.exists() else None
    if lines is None:
        if digests:
            return Break(None, None, f"the witness file {path} is missing (deleted?)")
        return None
    for line, seq, tag in lines:
        if seq < 0:
            return Break(None, None, f"line {line} of the witness {path} is malformed: {tag!r}")
        if seq not in digests:
            if seq > last_seq:
                return Break(
                    None,
                    seq,
                    f"is missing: the log ends at #{last_seq} but the witness {path} "
                    f"(line {line}) saw #{seq} committed; entries were cut from the end",
                )
            return Break(None, seq, f"is missing, though the witness {path} saw it (line {line})")
        if not hmac.compare_digest(_witness_tag(seq, digests[seq]), tag):
            return Break(
                None,
                seq,
                f"differs from the entry the witness {path} saw (line {line}): "
                "it was replaced, or the log emptied and written again",
            )
    return None


def verify(using: str = "default") -> Verification:
    """Check the whole log: the chain, the witness, the guards (breaks in that order).

    Reads the entries in batches, in sequence order (entries with none first)."""
    from dsvb.web.audit import guards
    from dsvb.web.audit.models import AuditEvent

    # the witness first: an entry is witnessed only after it commits, so every line read
    # now names an entry the query below must find, however busy the site (read after the
    # entries, the lines of entries committed meanwhile would look like a cut log)
    path = witness_path()
    lines = witness_lines(path) if path.exists() else None
    rows = (
        AuditEvent.objects.using(using)
        .order_by(F("seq").asc(nulls_first=True), "id")  # unnumbered (forged) entries first
        .values(*ROW)
        .iterator(chunk_size=2000)
    )
    count, good, first, digests = check_chain(rows)
    breaks: list[Break] = []
    if first is not None:
        breaks.append(first)
    witnessed = check_witness(path, digests, max(digests, default=0), lines)
    if witnessed is not None:
        breaks.append(witnessed)
    breaks += [Break(None, None, p) for p in guards.missing(connections[using])]
    return Verification(count, good, tuple(breaks))
