"""Import a case-level extract (a folder of CSV files) into the analytical store.

The import is validated in full before anything is written, and written in one
transaction: a bad file, row, value or reference gives problems naming the file, row and
column, and nothing of that import is stored. Importing the same extract twice stores it
once (the extract is identified by a hash of its files) while all of its records are still
current; sent again after a later extract replaced some, it is imported again. A later
extract that contains records already stored replaces them (a re-sent crime with its
people links and Victims' Code contacts as the extract's files state them; an absent
optional file leaves what is stored), so re-sending corrected records is safe in every
order of imports.

Validation and loading run inside DuckDB on the raw text of each file, so that millions
of rows are checked with a few vectorised scans rather than row by row in Python. Each file
is also scanned as bytes, independently of DuckDB (``extract_scan``): its rows are counted
(an import whose rows read differ is refused) and a malformed file is described by its true
line and column. Dates must lie in the plausible range for police records (reference data).

People's identifiers (format version 2: names, date of birth, postcode) are checked like
every other column (a date of birth that is not a date, lies in the future or before the
plausible birth years, a postcode not shaped like a UK one) and stored apart, in
``person_identifiers`` (a row only for a person with any of them), replaced with the person.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import mmap
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dsvb import __version__, reference
from dsvb.ingest import extract_format as fmt
from dsvb.ingest import extract_scan, local_time
from dsvb.linkage.records import EXTRACT
from dsvb.store import LOCAL_TIMEZONE, transaction

__all__ = [
    "ExtractError",
    "ImportReport",
    "Problem",
    "import_extract",
    "read_import_log",
]

Progress = Callable[[str], None]
MAX_EXAMPLES = 50  # rows listed per check; all are counted
MAX_LISTED = 200  # problems shown in an error message


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the extract, located as precisely as possible."""

    file: str
    message: str
    row: int | None = None  # data row, 1 = first row after the header
    column: str | None = None
    value: str | None = None
    count: int = 1  # how many rows share this problem (for summarised checks)
    line: int | None = None  # the line of the file the row starts on, where known

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}" + (f" (line {self.line})" if self.line else ""))
        elif self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column}" if self.column.strip() else "a column (unnamed)")
        text = f"{', '.join(where)}: {self.message}"
        if self.value is not None:
            text += f" (found {self.value!r})"
        return text


class ExtractError(Exception):
    """The extract cannot be imported. Nothing was stored."""

    def __init__(self, folder: Path, problems: list[Problem], total: int | None = None) -> None:
        self.folder = folder
        self.problems = problems
        self.total = total if total is not None else sum(p.count for p in problems)
        listed = problems[:MAX_LISTED]
        shown = "\n".join(f"  - {p}" for p in listed)
        more = self.total - sum(p.count for p in listed)
        tail = f"\n  ... and {more:,} more problem(s)" if more > 0 else ""
        super().__init__(
            f"Extract {folder} was not imported: {self.total} problem(s); "
            f"nothing was stored.\n{shown}{tail}"
        )


@dataclass
class ImportReport:
    import_id: int
    status: str  # imported | already_imported
    source: str
    content_hash: str
    row_counts: dict[str, int] = field(default_factory=dict)
    replaced: dict[str, int] = field(default_factory=dict)
    normalised: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        if self.status == "already_imported":
            return (
                f"Extract {self.source} is already in the store (import {self.import_id}); "
                "nothing changed."
            )
        counts = ", ".join(f"{k} {v:,}" for k, v in self.row_counts.items())
        lines = [
            f"Imported {self.source} as import {self.import_id} in {self.seconds:.1f} s: {counts}."
        ]
        if any(self.replaced.values()):
            rep = ", ".join(f"{k} {v:,}" for k, v in self.replaced.items() if v)
            lines.append(f"Replaced records already stored: {rep}.")
        if self.normalised:
            lines.append("Normalised:")
            lines += [f"  - {n}" for n in self.normalised]
        if self.warnings:
            lines.append("Warnings:")
            lines += [f"  - {w}" for w in self.warnings]
        return "\n".join(lines)


# --- SQL building blocks ----------------------------------------------------------------


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _clean(column: str) -> str:
    """The raw cell, trimmed, with empty read as missing.

    Most cells need no trimming, and DuckDB's ``trim`` (which strips every Unicode space
    separator) copies each value: about 1 s of CPU per 10 million cells, of which a
    10-million-incident extract has some 360 million. A cell that is ASCII (as many
    characters as bytes) and neither starts nor ends with a space is already trimmed, and
    that test is five times cheaper; every other cell goes through ``trim``. The answer is
    the same for every cell (tests/property/test_cell_reading.py).
    """
    cell = _q(column)
    return (
        f"CASE WHEN {cell} <> '' AND NOT prefix({cell}, ' ') AND NOT suffix({cell}, ' ') "
        f"AND length({cell}) = strlen({cell}) THEN {cell} ELSE NULLIF(trim({cell}), '') END"
    )


def _c(column: str) -> str:
    """The cleaned cell of a column (inner staging query)."""
    return _q(f"c__{column}")


def _t(column: str) -> str:
    """The staged (typed) value of a column."""
    return _q(f"t__{column}")


def _naive(column: str) -> str:
    """The date-time column read as a naive timestamp (inner staging query)."""
    return _q(f"n__{column}")


def _plain(column: str) -> str:
    """Whether the date-time column is plain: no offset or zone (inner staging query)."""
    return _q(f"p__{column}")


def _typed(column: fmt.Column, cleaned: str | None = None) -> str:
    """SQL for the typed value of a column (NULL where missing or invalid), from the raw
    cell; ``cleaned`` is SQL for its cleaned cell where already computed (by default the
    cell is cleaned here, and only where it has to be).

    Date-times are read in the session zone (Europe/London during an import) unless they
    carry an offset, and stored as UTC instants without a zone. Booleans and categories
    written in their canonical form (nearly all of them) are recognised in the raw cell by
    one comparison, so only the others are cleaned and read case-insensitively.
    """
    cell = _q(column.name)
    clean = cleaned or _clean(column.name)
    kind = column.type
    if kind in (fmt.ID, fmt.TEXT, fmt.AREA, fmt.NAME):  # areas are matched after staging
        return clean
    if kind == fmt.DATE:
        return (
            f"(CASE WHEN {clean} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' "
            f"AND NOT prefix({clean}, '0000') THEN TRY_CAST({clean} AS DATE) END)"  # no year 0
        )
    if kind == fmt.POSTCODE:
        # spacing and case do not matter; stored upper case, one space before the inward
        # code; a non-geographic marker (NFA, BFPO 57, ZZ99 3VZ ...) is no postcode
        packed = _packed_postcode(clean)
        return (
            f"(CASE WHEN regexp_full_match({packed}, {_lit(POSTCODE_SHAPE)}) "
            f"AND NOT regexp_full_match({packed}, {_lit(POSTCODE_MARKERS)}) THEN "
            f"substr({packed}, 1, length({packed}) - 3) || ' ' || right({packed}, 3) END)"
        )
    if kind == fmt.DATETIME:
        return f"timezone('UTC', {local_time.iso_instant_sql(clean)})"
    if kind == fmt.BOOL:
        trues = ", ".join(_lit(w) for w in fmt.TRUE_WORDS)
        falses = ", ".join(_lit(w) for w in fmt.FALSE_WORDS)
        return (
            f"CASE WHEN {cell} = 'true' THEN TRUE WHEN {cell} = 'false' THEN FALSE "
            f"WHEN {cell} IS NULL THEN NULL WHEN lower({clean}) IN ({trues}) THEN TRUE "
            f"WHEN lower({clean}) IN ({falses}) THEN FALSE END"
        )
    if kind == fmt.ENUM:
        canon = ", ".join(_lit(v) for v in column.values)
        whens = " ".join(f"WHEN {_lit(v.lower())} THEN {_lit(v)}" for v in column.values)
        return (
            f"CASE WHEN {cell} IN ({canon}) THEN {cell} WHEN {cell} IS NULL THEN NULL "
            f"ELSE CASE lower({clean}) {whens} END END"
        )
    if kind == fmt.INT:
        lo, hi = fmt.birth_year_range()
        year = f"TRY_CAST({clean} AS INTEGER)"  # which alone reads 1984.6, 1_984 or 0x7C0
        digits = f"{clean} GLOB '[0-9][0-9][0-9][0-9]'"
        return f"(CASE WHEN {digits} AND {year} BETWEEN {lo} AND {hi} THEN {year} END)"
    raise ValueError(f"unknown column type {kind}")


# A UK postcode's shape (outward code: area, district, sub-district letter; inward code:
# sector digit and unit letters), written without spaces, upper case. The shape only: a
# made-up postcode of the right shape is accepted (dsvb's demo ones are made up).
POSTCODE_SHAPE = "[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}"
# any of the format's non-geographic postcode markers, over the same packed text
POSTCODE_MARKERS = "(?:" + "|".join(fmt.POSTCODE_MARKERS) + ")"


def _packed_postcode(clean: str) -> str:
    """SQL for a cleaned postcode cell in upper case without white space."""
    return f"regexp_replace(upper({clean}), '\\s', '', 'g')"


def _postcode_marker(clean: str) -> str:
    """SQL true when a cleaned postcode cell is a non-geographic marker (read as none)."""
    return f"regexp_full_match({_packed_postcode(clean)}, {_lit(POSTCODE_MARKERS)})"


def _invalid_message(column: fmt.Column) -> str:
    kind = column.type
    if kind == fmt.DATE:
        return "not a date written as YYYY-MM-DD (e.g. 1984-07-21)"
    if kind == fmt.POSTCODE:
        return "not shaped like a UK postcode (e.g. SW1A 1AA or se11 4pu)"
    if kind == fmt.DATETIME:
        return (
            "not an ISO 8601 date or date-time (e.g. 2010-03-31T23:15:00), with a UTC "
            "offset (if any) between -12:00 and +14:00"
        )
    if kind == fmt.BOOL:
        return "not a boolean (true/false, 1/0, Y/N or yes/no)"
    if kind == fmt.ENUM:
        return "not one of: " + ", ".join(column.values)
    if kind == fmt.INT:
        lo, hi = fmt.birth_year_range()
        return f"not a year between {lo} and {hi}"
    return "invalid value"


@dataclass(frozen=True)
class _Check:
    """A problem a row can have in one column."""

    column: fmt.Column
    kind: str  # missing | invalid | range
    message: str
    low: dt.datetime | None = None  # the plausible range of a date-time (kind "range")
    high: dt.datetime | None = None

    def condition(self) -> str:
        """SQL true when the row has the problem, over the raw text alone (for listing
        examples; the staging pass builds its bitmask in ``_problem_flags``)."""
        cleaned = _clean(self.column.name)
        if self.kind == "missing":
            return f"{cleaned} IS NULL"
        if self.kind == "range":
            return f"NOT coalesce({self.within(_typed(self.column))}, TRUE)"
        if self.column.type == fmt.POSTCODE:
            return (
                f"{cleaned} IS NOT NULL AND {_typed(self.column)} IS NULL "
                f"AND NOT {_postcode_marker(cleaned)}"
            )
        return f"{cleaned} IS NOT NULL AND {_typed(self.column)} IS NULL"

    def within(self, typed: str) -> str:
        """SQL true when the typed value lies in the plausible range."""
        return f"{typed} BETWEEN {_timestamp(self.low)} AND {_timestamp(self.high)}"

    @property
    def show_value(self) -> bool:
        """Whether a problem shows the value found: never a person's identifier, which
        would otherwise reach the terminal, logs and the web import job's stored report
        (the file, row, line and column say where to look)."""
        return self.kind in ("invalid", "range") and not self.column.identifier

    @property
    def text(self) -> str:
        """The problem's message, saying when the value is withheld."""
        if self.kind in ("invalid", "range") and self.column.identifier:
            return f"{self.message} (value not shown: it identifies a person)"
        return self.message


def _timestamp(value: dt.datetime | None) -> str:
    assert value is not None
    return f"TIMESTAMP '{value.isoformat(sep=' ')}'"


# date-times that are deadlines, which may lie further in the future than events
_DEADLINES = {"due_at"}


def _date_range(column: fmt.Column, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    values = reference.plausible_values()
    if column.type == fmt.DATE:  # a date of birth: the plausible birth years, not the future
        first, _ = fmt.birth_year_range(now)
        return dt.datetime(first, 1, 1), dt.datetime.combine(now.date(), dt.time())
    if column.name in _DEADLINES:
        return values.deadline_range(now)
    return values.event_range(now)


@dataclass(frozen=True)
class _Note:
    """A normalisation a row can have in one column, reported in the import log."""

    column: fmt.Column
    condition: str  # SQL over the staging pass's raw, cleaned and typed values
    text: str  # "{file} {column}: {n} value(s) ..."


def _checks(spec: fmt.FileSpec, header: list[str], now: dt.datetime) -> list[_Check]:
    checks = []
    names = set(header)
    for column in spec.columns:
        if column.name not in names:
            continue  # missing required columns are reported before any row is read
        if column.required:
            checks.append(_Check(column, "missing", "missing required value"))
        if column.type not in (fmt.ID, fmt.TEXT, fmt.AREA, fmt.NAME):
            checks.append(_Check(column, "invalid", _invalid_message(column)))
        if column.type == fmt.DATE:
            low, high = _date_range(column, now)
            message = (
                f"outside the plausible range for a date of birth: not before "
                f"{low:%Y-%m-%d} and not after {high:%Y-%m-%d} (the day of the import)"
            )
            checks.append(_Check(column, "range", message, low, high))
        if column.type == fmt.DATETIME:
            low, high = _date_range(column, now)
            message = (
                f"outside the plausible range for police records: not before "
                f"{low:%Y-%m-%d} and not after {high:%Y-%m-%d %H:%M} UTC"
            )
            checks.append(_Check(column, "range", message, low, high))
    return checks


def _notes(spec: fmt.FileSpec, header: list[str]) -> list[_Note]:
    """The normalisations of each column, as conditions over the staging pass: the raw cell,
    the typed value and, for date-times, the cleaned cell, naive reading and plainness.
    (A value that cannot be read at all is a problem, not a note.)"""
    notes = []
    for column in spec.columns:
        if column.name not in header:
            continue
        cell, typed = _q(column.name), _t(column.name)
        if column.type == fmt.ENUM:
            notes.append(
                _Note(column, f"{typed} IS NOT NULL AND {cell} <> {typed}",
                      "{n} value(s) read case-insensitively or trimmed")
            )  # fmt: skip
        elif column.type == fmt.BOOL:
            notes.append(
                _Note(column, f"{typed} IS NOT NULL AND {cell} NOT IN ('true', 'false')",
                      "{n} value(s) read as booleans from 1/0, Y/N or yes/no")
            )  # fmt: skip
        elif column.type == fmt.DATETIME:
            notes.append(
                _Note(column, f"{typed} IS NOT NULL AND NOT {_plain(column.name)}",
                      "{n} value(s) with an explicit offset (Z, +01:00 …) were honoured")
            )  # fmt: skip
            changes = local_time.clock_change_sql(
                _naive(column.name), _plain(column.name), LOCAL_TIMEZONE
            )
            notes.append(
                _Note(column, f"{_c(column.name)} IS NOT NULL AND {changes}",
                      "{n} local time(s) in the hour the clocks skip or repeat at a change of "
                      "summer time were read in standard time (GMT); check them")
            )  # fmt: skip
        elif column.type == fmt.POSTCODE:
            notes.append(
                _Note(column, f"{typed} IS NOT NULL AND {cell} <> {typed}",
                      "{n} postcode(s) written in lower case or with other spacing were "
                      "normalised (upper case, one space before the last three characters)")
            )  # fmt: skip
            notes.append(
                _Note(column, f"{typed} IS NULL AND {_postcode_marker(_c(column.name))}",
                      "{n} value(s) marking no fixed abode, a forces (BFPO) address, an "
                      "overseas territory or another non-geographic postcode were stored as "
                      "no postcode")
            )  # fmt: skip
        if spec.name == "crimes" and column.name == "outcome":
            notes.append(
                _Note(column, f"{typed} IS NULL AND {_clean(column.name)} IS NULL",
                      "{n} empty value(s) read as pending")
            )  # fmt: skip
    return notes


# --- the import -------------------------------------------------------------------------


@dataclass
class _File:
    spec: fmt.FileSpec
    path: Path
    header: list[str]
    newline: bytes = b"\n"
    scan: Future[extract_scan.Scan] | None = None
    now: dt.datetime = dataclasses.field(
        default_factory=lambda: dt.datetime.now(dt.UTC).replace(tzinfo=None)
    )
    stage: str = ""  # temp table: typed values, problem and note flags, in file order
    rows: int = 0
    checks: list[_Check] = field(default_factory=list)
    notes: list[_Note] = field(default_factory=list)
    check_counts: list[int] = field(default_factory=list)
    note_counts: list[int] = field(default_factory=list)

    def has(self, column: str) -> bool:
        return column in self.names

    @functools.cached_property
    def names(self) -> frozenset[str]:
        return frozenset(self.header)

    @property
    def area_column(self) -> str | None:
        for c in self.spec.columns:
            if c.type == fmt.AREA and self.has(c.name):
                return c.name
        return None


def _hash_files(paths: Iterable[Path]) -> str:
    """The extract's content hash: SHA-256 over each file's name and SHA-256, by name."""
    digest = hashlib.sha256()
    for path in sorted(paths, key=lambda p: p.name):
        digest.update(path.name.encode())
        digest.update(_file_sha256(path))
    return digest.hexdigest()


def _file_sha256(path: Path) -> bytes:
    """SHA-256 of a file, hashed from a memory map: the pages are read in place, not copied
    into buffers (about a third less CPU than reading, on a machine the import keeps busy)."""
    with path.open("rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            return hashlib.sha256(b"").digest()
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            return hashlib.sha256(mapped).digest()


def _read_header(path: Path) -> tuple[list[str], bytes]:
    """The header row's names and the line break it ends with (only the header's own
    bytes are read here, at most extract_scan.MAX_HEADER_BYTES: a bad byte further on is
    the data's problem, reported with its line when the file is read)."""
    found = extract_scan.header_of(path)
    if isinstance(found, extract_scan.ScanProblem):
        raise ExtractError(path.parent, [_scan_problem(path, found)])
    return found


def _scan_problem(path: Path, found: extract_scan.ScanProblem) -> Problem:
    return Problem(path.name, found.message, row=found.row, column=found.column, line=found.line)


_LINE = re.compile(r"line[: ]+(\d+)", re.IGNORECASE)
_FIELDS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


def _scanned(f: _File, *, full: bool = False) -> extract_scan.Scan:
    """The byte scan of the file (waiting for it); ``full``: the scan that also counts
    each row's fields and measures each value, run again if the first found nothing."""
    assert f.scan is not None
    scanned = f.scan.result()
    if full and scanned.problem is None:
        return extract_scan.scan(f.path, full=True)
    return scanned


def _csv_error(f: _File, exc: Exception) -> Problem:
    """DuckDB's reading error as a problem of the file's row, in a person's words (only
    when the scan found nothing: DuckDB numbers rows without the blank lines it skips, so
    its row is placed on its true line by the scan)."""
    path = f.path
    text = str(exc)
    match = _LINE.search(text)
    row = int(match.group(1)) - 1 if match else None
    line = extract_scan.lines_of(path, [row]).get(row) if row else None
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    fields = _FIELDS.search(text)
    if "unicode" in text.lower() or "utf-8" in text.lower():
        first = "the file is not valid UTF-8 text"
    elif fields:
        expected, found = fields.groups()
        first = f"the row has {found} fields where the header has {expected}"
    elif "unterminated quote" in text.lower():
        first = 'a quoted value is not closed (an unmatched ")'
    return Problem(path.name, f"cannot be read as CSV: {first}", row=row, line=line)


def _next_import_id(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT coalesce(max(import_id), 0) + 1 FROM import_log").fetchone()[0]


def import_extract(
    con: duckdb.DuckDBPyConnection,
    folder: str | Path,
    *,
    progress: Progress | None = None,
) -> ImportReport:
    """Validate and import the extract in ``folder`` into the store behind ``con``."""
    folder = Path(folder)
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    started_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)

    if not folder.is_dir():
        raise ExtractError(folder, [Problem(str(folder), "is not a folder")])

    # 1. Which files are here
    problems: list[Problem] = []
    warnings: list[str] = []
    present: dict[str, Path] = {}
    for spec in fmt.FILES:
        path = folder / spec.filename
        if os.path.lexists(path) and (why := extract_scan.not_a_regular_file(path)):
            problems.append(Problem(spec.filename, why))
        elif path.is_file():
            present[spec.name] = path
        elif spec.required:
            problems.append(Problem(spec.filename, "required file is missing from the extract"))
    known = {spec.filename for spec in fmt.FILES}
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.suffix.lower() == ".csv" and path.name not in known:
            warnings.append(f"{path.name}: not part of the extract format; ignored")
    if problems:
        raise ExtractError(folder, problems)

    # 2. Headers (read first: a refused header leaves nothing running)
    files: dict[str, _File] = {}
    for name, path in present.items():
        spec = fmt.BY_NAME[name]
        try:
            header, newline = _read_header(path)
        except ExtractError as exc:
            problems.extend(exc.problems)
            continue
        counts = Counter(header)
        for c in sorted(c for c, n in counts.items() if n > 1):
            problems.append(
                Problem(spec.filename, "column appears more than once", column=c, line=1)
            )
        for c in spec.required_columns:
            if c not in counts:
                problems.append(
                    Problem(spec.filename, "required column is missing", column=c, line=1)
                )
        names = {col.name for col in spec.columns}
        extra = [c or "(unnamed)" for c in header if c not in names]
        if extra:
            shown = ", ".join(extra[:20]) + (
                f" and {len(extra) - 20:,} more" if len(extra) > 20 else ""
            )
            warnings.append(f"{spec.filename}: extra columns ignored: {shown}")
        files[name] = _File(spec, path, header, now=started_at, stage=f"stage_{name}",
                            newline=newline)  # fmt: skip
    if problems:
        raise ExtractError(folder, problems)
    # The content hash (what makes a second import of the same extract a no-op) is computed
    # in a thread while the files are read: hashlib releases the GIL, so it overlaps with
    # DuckDB's reading. The extract is recognised as already imported as soon as it is known.
    # Each file is also scanned as bytes (extract_scan), independently of DuckDB, in the
    # same thread after the hash: its data rows counted, and anything malformed located by
    # its true line and column.
    hashing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dsvb-extract-hash")
    pending = hashing.submit(_hash_files, list(present.values()))
    for f in files.values():
        f.scan = hashing.submit(extract_scan.scan, f.path)
    hashing.shutdown(wait=False)
    known = _Known(con, pending)
    if known.earlier(wait=False):
        return known.report(folder, say)

    con.execute(f"SET TimeZone = {_lit(LOCAL_TIMEZONE)}")
    # Row order carries no meaning in the store; letting DuckDB drop it parallelises the
    # staging and the insert and lowers their memory.
    keep_order = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0]
    con.execute("SET preserve_insertion_order = false")
    try:
        return _import(con, folder, files, known, started, started_at, warnings, say)
    finally:
        for f in files.values():
            con.execute(f"DROP TABLE IF EXISTS {f.stage}")
            con.execute(f"DROP TABLE IF EXISTS raw_{f.spec.name}")
        con.execute("DROP TABLE IF EXISTS area_map")
        con.execute("SET TimeZone = 'UTC'")
        con.execute(f"SET preserve_insertion_order = {str(bool(keep_order)).lower()}")


class _Known:
    """Whether an extract with the same content hash was imported before *and every record
    it stored is still current*, which alone makes a second import a no-op.

    A later extract may have replaced some of its records (a re-sent crime, its people
    links, its contacts); sending the first extract again must then make its records
    current again, so it is imported anew. Records carry the import that stored them and
    are only ever removed after it (never added under an old import id), so the import's
    records are all current exactly when each table still holds as many rows of that import
    as the import log says it stored (see docs/decisions/0013-extract-import-bounds.md).
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, pending: Future[str]) -> None:
        self.con = con
        self.pending = pending
        self.previous: int | None = None

    @property
    def content_hash(self) -> str:
        return self.pending.result()

    def earlier(self, *, wait: bool) -> bool:
        """True when the hash is known (waiting for it if ``wait``) and already imported."""
        if not wait and not self.pending.done():
            return False
        row = self.con.execute(
            "SELECT import_id, row_counts FROM import_log WHERE kind = 'extract' "
            "AND content_hash = ? AND status = 'imported' ORDER BY import_id DESC LIMIT 1",
            [self.content_hash],
        ).fetchone()
        if row is None or not self._all_current(row[0], row[1]):
            self.previous = None
            return False
        self.previous = row[0]
        return True

    def _all_current(self, import_id: int, row_counts: object) -> bool:
        counts = json.loads(row_counts) if isinstance(row_counts, str) else row_counts
        if not isinstance(counts, dict):
            return False
        for table, stored in counts.items():
            if table not in fmt.BY_NAME:
                return False
            held = self.con.execute(
                f"SELECT count(*) FROM {_q(table)} WHERE import_id = ?", [import_id]
            ).fetchone()[0]
            if held != stored:
                return False
        return True

    def report(self, folder: Path, say: Progress) -> ImportReport:
        say("already imported")
        assert self.previous is not None
        return ImportReport(self.previous, "already_imported", str(folder), self.content_hash)


def _read_csv(f: _File) -> str:
    """The file's columns of the format as text, in file order.

    DuckDB reads every column under a positional name and only the format's columns are
    selected, under their own names: an extra column is never part of the query, so no name
    in the header (empty, differing only in case, or like the staging query's own) can clash.
    """
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(f.header))) + "}"
    index = {}
    for i, name in enumerate(f.header):
        index.setdefault(name, i)
    wanted = ", ".join(f"c{index[c.name]} AS {_q(c.name)}" for c in f.spec.columns if f.has(c.name))
    # Every record the scan accepts fits DuckDB's line buffer (left at its default, DuckDB
    # dropped a last line of 50 MB without a word). The line break is left to DuckDB to
    # find (LF, CR LF or CR; the scan has made sure the file uses one): told "\n", DuckDB
    # 2.0 reads a CR LF file as no rows at all, without an error.
    max_line = extract_scan.MAX_ROW_BYTES + extract_scan.MAX_HEADER_BYTES
    return (
        f"(SELECT {wanted} FROM read_csv({_lit(str(f.path))}, header = true, "
        f"auto_detect = false, columns = {columns}, delim = ',', quote = '\"', escape = '\"', "
        f"strict_mode = true, encoding = 'utf-8', "
        f"max_line_size = {max_line}))"
    )


# the main date of each table, whose Europe/London month is stored beside it
_MONTH_OF = {
    "incidents": ("reported_month", "reported_at"),
    "crimes": ("recorded_month", "recorded_at"),
    "victim_contacts": ("due_month", "due_at"),
}


def _flags(conditions: list[str]) -> str:
    """A bitmask: bit i set when condition i holds."""
    if not conditions:
        return "0::UBIGINT"
    return " | ".join(
        f"(CASE WHEN {c} THEN {1 << i} ELSE 0 END)::UBIGINT" for i, c in enumerate(conditions)
    )


# columns whose cleaned cell is computed once in staging (kept, or read further)
_CLEANED_ONCE = (fmt.ID, fmt.TEXT, fmt.AREA, fmt.INT, fmt.DATETIME, fmt.NAME, fmt.DATE,
                 fmt.POSTCODE)  # fmt: skip


def _problem_flags(f: _File) -> str:
    """The bitmask of ``f.checks`` (bit i for check i).

    Nearly every row has no problem, and that is told by its typed values alone: each
    column's value is there (or, in an optional column, the cell is empty). Only the other
    rows are looked at column by column, where the cleaned cell tells a missing value
    from an invalid one."""
    bits: dict[str, dict[str, int]] = {}
    ranges: dict[str, _Check] = {}
    for i, check in enumerate(f.checks):
        bits.setdefault(check.column.name, {})[check.kind] = 1 << i
        if check.kind == "range":
            ranges[check.column.name] = check
    if not bits:
        return "0::UBIGINT"
    fine, parts = [], []
    for name, bit in bits.items():
        column = f.spec.column(name)
        cleaned = _c(name) if column.type in _CLEANED_ONCE else _clean(name)
        typed = _t(name)
        present = "TRUE"
        when_present = "0"
        if name in ranges:  # a date-time is fine only within its plausible range
            present = ranges[name].within(typed)
            when_present = f"CASE WHEN {present} THEN 0 ELSE {bit['range']} END"
        absent = f"{_q(name)} IS NULL"
        marker = ""
        if column.type == fmt.POSTCODE:  # a non-geographic marker is no postcode, not a problem
            absent = f"({absent} OR {_postcode_marker(cleaned)})"
            marker = f"WHEN {_postcode_marker(cleaned)} THEN 0 "
        fine.append(
            f"({typed} IS NOT NULL AND {present})"
            if column.required
            else f"(CASE WHEN {typed} IS NOT NULL THEN {present} ELSE {absent} END)"
        )
        parts.append(
            f"(CASE WHEN {typed} IS NOT NULL THEN {when_present} WHEN {cleaned} IS NULL "
            f"THEN {bit.get('missing', 0)} {marker}ELSE {bit.get('invalid', 0)} END)::UBIGINT"
        )
    return f"CASE WHEN {' AND '.join(fine)} THEN 0::UBIGINT ELSE {' | '.join(parts)} END"


def _note_flags(notes: list[_Note]) -> str:
    """The bitmask of ``notes`` (bit i for note i); rows with no note at all (nearly all)
    are told by one test of every condition, without building the mask."""
    if not notes:
        return "0::UBIGINT"
    any_note = " OR ".join(f"({n.condition})" for n in notes)
    return f"CASE WHEN {any_note} THEN {_flags([n.condition for n in notes])} ELSE 0::UBIGINT END"


def _stage(con: duckdb.DuckDBPyConnection, f: _File) -> None:
    """One pass over the file: typed values, and which checks fail and which normalisations
    apply, per row. Each value is cast once."""
    f.checks, f.notes = _checks(f.spec, f.header, f.now), _notes(f.spec, f.header)
    if len(f.checks) > 64 or len(f.notes) > 64:
        raise ValueError("too many checks for one bitmask")
    # Nested queries, each computing a value once for the next: whether each date-time is
    # in the usual form; the cleaned cells (a date-time in the usual form needs no
    # cleaning; booleans and categories are cleaned only when not canonical, in _typed);
    # each date-time parsed once as a naive timestamp and tested once for being plain (no
    # offset or zone); the typed values (plain date-times converted to UTC by their year's
    # rule, the rest through ICU, see dsvb.ingest.local_time); and the flags.
    usual = ["*"]
    cleaned = ["*"]
    parsed = ["*"]
    typed = []
    for column in f.spec.columns:
        name = column.name
        if not f.has(name):
            typed.append(f"NULL AS {_t(name)}")
            continue
        cell = _c(name)
        if column.type == fmt.DATETIME:
            is_usual = _q(f"u__{name}")
            usual.append(f"{local_time.usual_form_sql(_q(name))} AS {is_usual}")
            clean = f"CASE WHEN {is_usual} THEN {_q(name)} ELSE {_clean(name)} END"
            cleaned.append(f"{clean} AS {cell}")
            parsed.append(f"TRY_CAST({cell} AS TIMESTAMP) AS {_naive(name)}")
            pattern = _lit(local_time.PLAIN_PATTERN)
            plain = f"CASE WHEN {is_usual} THEN TRUE ELSE regexp_matches({cell}, {pattern}) END"
            parsed.append(f"{plain} AS {_plain(name)}")
            utc = local_time.to_utc_sql(cell, _naive(name), _plain(name), LOCAL_TIMEZONE)
            typed.append(f"{utc} AS {_t(name)}")
        elif column.type in _CLEANED_ONCE:
            cleaned.append(f"{_clean(name)} AS {cell}")
            typed.append(f"{_typed(column, cell)} AS {_t(name)}")
        else:
            typed.append(f"{_typed(column)} AS {_t(name)}")
    kept = [_t(column.name) for column in f.spec.columns]
    if f.spec.name in _MONTH_OF:
        month, source = _MONTH_OF[f.spec.name]
        local_month = local_time.local_month_sql(
            _c(source), _naive(source), _plain(source), LOCAL_TIMEZONE
        )
        typed.append(f"{local_month} AS {_t(month)}")
        kept.append(_t(month))
    problems = _problem_flags(f)
    notes = _note_flags(f.notes)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {f.stage} AS "
        f"SELECT {', '.join(kept)}, {problems} AS _problems, {notes} AS _notes FROM ("
        f"SELECT *, {', '.join(typed)} FROM ("
        f"SELECT {', '.join(parsed)} FROM ("
        f"SELECT {', '.join(cleaned)} FROM ("
        f"SELECT {', '.join(usual)} FROM {_read_csv(f)}))))"
    )
    # Rows counted by their problem and note flags together (a handful of distinct
    # combinations), then each flag's rows summed here: one pass instead of one per flag.
    combinations = con.execute(
        f"SELECT _problems, _notes, count(*) FROM {f.stage} GROUP BY ALL"
    ).fetchall()
    f.rows = sum(n for _, _, n in combinations)
    f.check_counts = [
        sum(n for p, _, n in combinations if p & (1 << i)) for i in range(len(f.checks))
    ]
    f.note_counts = [
        sum(n for _, q, n in combinations if q & (1 << i)) for i in range(len(f.notes))
    ]


def _import(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    files: dict[str, _File],
    known: _Known,
    started: float,
    started_at: dt.datetime,
    warnings: list[str],
    say: Progress,
) -> ImportReport:
    problems: list[Problem] = []

    # 3. One pass over every file: typed values and flags
    for f in files.values():
        t0 = time.perf_counter()
        say(f"reading and checking {f.spec.filename}")
        try:
            _stage(con, f)
        except duckdb.Error as exc:
            # the scan's account, located by the true line, where it finds the problem
            scanned = _scanned(f, full=True)
            if scanned.problem is not None:
                problems.append(_scan_problem(f.path, scanned.problem))
            else:
                problems.append(_csv_error(f, exc))
            continue
        say(f"read {f.spec.filename}: {f.rows:,} rows in {time.perf_counter() - t0:.1f} s")
        if not problems and known.earlier(wait=False):
            return known.report(folder, say)
    if problems:  # reading errors
        raise ExtractError(folder, problems)
    # No row is dropped silently: the scan, independent of DuckDB, must agree.
    for f in files.values():
        scanned = _scanned(f)
        if scanned.problem is None and scanned.rows != f.rows:
            scanned = _scanned(f, full=True)  # a malformed row, located, if there is one
        if scanned.problem is not None:
            problems.append(_scan_problem(f.path, scanned.problem))
        elif scanned.rows != f.rows:
            problems.append(
                Problem(
                    f.spec.filename,
                    f"the file holds {scanned.rows:,} data rows but {f.rows:,} were read; "
                    "nothing was stored rather than lose or invent a row",
                )
            )
    if problems:
        raise ExtractError(folder, problems)

    # 4. Areas: match each distinct value once
    area_values: set[str] = set()
    for f in files.values():
        if f.area_column:
            column = _t(f.area_column)
            rows = con.execute(
                f"SELECT DISTINCT {column} FROM {f.stage} WHERE {column} IS NOT NULL"
            ).fetchall()
            area_values.update(r[0] for r in rows)
    registry = reference.areas()
    matches = {raw: registry.match(raw) for raw in sorted(area_values)}
    con.execute("CREATE OR REPLACE TEMP TABLE area_map (raw VARCHAR, area_code VARCHAR)")
    mapped = [(raw, m.area.code) for raw, m in matches.items() if m.area is not None]
    if mapped:
        con.executemany("INSERT INTO area_map VALUES (?, ?)", mapped)

    # 5. Row problems, listed only where there are some
    for f in files.values():
        for check, n in zip(f.checks, f.check_counts, strict=True):
            if n:
                problems.extend(_examples(con, f, check, n))
        problems.extend(_unknown_areas(con, f, matches))
        problems.extend(_duplicate_keys(con, f))
    if problems:
        raise ExtractError(folder, _with_lines(files, problems))

    # 6. References between files (and to records already in the store)
    say("checking references between files")
    problems.extend(_reference_problems(con, files))
    if problems:
        raise ExtractError(folder, _with_lines(files, problems))

    normalised = _normalisation_notes(con, files, matches)
    warnings.extend(_consistency_warnings(con, files))

    # 7. Store, all or nothing
    if known.earlier(wait=True):
        return known.report(folder, say)
    content_hash = known.content_hash
    say("storing")
    with transaction(con):
        import_id = _next_import_id(con)
        if "people" in files:
            warnings.extend(_unlink_changed(con, files["people"]))
        replaced = _delete_replaced(con, files)
        for f in files.values():
            say(f"storing {f.spec.filename}: {f.rows:,} rows")
            _insert(con, f, import_id)
        if "people" in files:
            _insert_identifiers(con, files["people"], import_id)
        row_counts = {f.spec.name: f.rows for f in files.values()}
        con.execute(
            "INSERT INTO import_log (import_id, kind, source, content_hash, started_at, "
            "finished_at, status, row_counts, normalised, warnings, dsvb_version, "
            "format_version, replaced) "
            "VALUES (?, 'extract', ?, ?, ?, ?, 'imported', ?, ?, ?, ?, ?, ?)",
            [
                import_id,
                str(folder),
                content_hash,
                started_at,
                dt.datetime.now(dt.UTC).replace(tzinfo=None),
                json.dumps(row_counts),
                json.dumps(normalised),
                json.dumps(warnings),
                __version__,
                fmt.version_of(files["people"].header) if "people" in files else 1,
                json.dumps(replaced),
            ],
        )
        say("committing")
    say(f"stored import {import_id}")
    return ImportReport(
        import_id,
        "imported",
        str(folder),
        content_hash,
        row_counts,
        replaced,
        normalised,
        warnings,
        time.perf_counter() - started,
    )


def _with_lines(files: dict[str, _File], problems: list[Problem]) -> list[Problem]:
    """The problems, each row located on the line of its file where it starts.

    A row is one line after the header unless a quoted value holds a line break; a file
    whose line breaks number its rows (nearly always) says so at once, and only a file with
    line breaks inside values is read again, up to the last row listed."""
    paths = {f.spec.filename: f for f in files.values()}
    rows: dict[str, set[int]] = {}
    for p in problems:
        if p.row is not None and p.file in paths:
            rows.setdefault(p.file, set()).add(p.row)
    lines = {name: _lines_of(paths[name], wanted) for name, wanted in rows.items()}
    return [
        dataclasses.replace(p, line=lines[p.file].get(p.row))
        if p.row is not None and p.file in lines
        else p
        for p in problems
    ]


def _lines_of(f: _File, rows: set[int]) -> dict[int, int]:
    """The line each of ``rows`` (data rows, 1 = first after the header) starts on: the
    scan's true line, counting blank lines and line breaks inside quoted values."""
    return extract_scan.lines_of(f.path, rows)


def _more(f: _File, column: str, shown: int, count: int, what: str) -> list[Problem]:
    if count <= shown:
        return []
    return [Problem(f.spec.filename, f"{count - shown:,} more row(s) {what}", column=column,
                    count=count - shown)]  # fmt: skip


def _in_file_order(con: duckdb.DuckDBPyConnection, f: _File) -> str:
    """A temp table of the file's text in file order, so that ``rowid + 1`` is the data row.

    The staging tables are built without keeping insertion order (faster, less memory), so
    their row ids are not the file's rows once DuckDB reads a large file in parallel. Row
    numbers for messages therefore come from this second, ordered read, which happens only
    when there is something to report.
    """
    raw = f"raw_{f.spec.name}"
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = ?", [raw]
    ).fetchone()[0]
    if not exists:
        keep = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0]
        con.execute("SET preserve_insertion_order = true")
        try:
            con.execute(f"CREATE TEMP TABLE {raw} AS SELECT * FROM {_read_csv(f)}")
        finally:
            con.execute(f"SET preserve_insertion_order = {str(bool(keep)).lower()}")
    return raw


def _examples(con: duckdb.DuckDBPyConnection, f: _File, check: _Check, count: int) -> list[Problem]:
    """The first rows with a problem, with their text as written (read again, only now)."""
    raw = _in_file_order(con, f)
    rows = con.execute(
        f"SELECT rowid + 1, {_q(check.column.name)} FROM {raw} "
        f"WHERE {check.condition()} ORDER BY rowid LIMIT {MAX_EXAMPLES}"
    ).fetchall()
    problems = [
        Problem(
            f.spec.filename,
            check.text,
            row=row,
            column=check.column.name,
            value=value if check.show_value else None,
        )
        for row, value in rows
    ]
    return problems + _more(f, check.column.name, len(rows), count, "with the same problem")


def _unknown_areas(
    con: duckdb.DuckDBPyConnection, f: _File, matches: dict[str, reference.AreaMatch]
) -> list[Problem]:
    if not f.area_column:
        return []
    unknown = [raw for raw, m in matches.items() if m.area is None]
    if not unknown:
        return []
    values = ", ".join(_lit(u) for u in unknown)
    count = con.execute(
        f"SELECT count(*) FROM {f.stage} WHERE {_t(f.area_column)} IN ({values})"
    ).fetchone()[0]
    if not count:
        return []
    cell = _clean(f.area_column)  # the staged area is the trimmed text
    rows = con.execute(
        f"SELECT rowid + 1, {cell} FROM {_in_file_order(con, f)} WHERE {cell} IN ({values}) "
        f"ORDER BY rowid LIMIT {MAX_EXAMPLES}"
    ).fetchall()
    message = "not a known area (an ONS code or a borough name)"
    problems = [
        Problem(f.spec.filename, message, row=r, column=f.area_column, value=v) for r, v in rows
    ]
    return problems + _more(f, f.area_column, len(rows), count, "with the same problem")


def _duplicate_keys(con: duckdb.DuckDBPyConnection, f: _File) -> list[Problem]:
    if not f.spec.unique_key:
        return []
    keys = [k for k in f.spec.key if f.has(k)]
    key_sql = ", ".join(_t(k) for k in keys)
    not_null = " AND ".join(f"{_t(k)} IS NOT NULL" for k in keys)
    distinct = key_sql if len(keys) == 1 else f"row({key_sql})"
    extra = con.execute(
        f"SELECT count(*) - count(DISTINCT {distinct}) FROM {f.stage} WHERE {not_null}"
    ).fetchone()[0]
    if not extra:
        return []
    # listed from the file in its order (staged keys are the trimmed text)
    raw = _in_file_order(con, f)
    cells = [_clean(k) for k in keys]
    duplicated = con.execute(
        f"SELECT {', '.join(cells)}, count(*) AS n FROM {raw} "
        f"WHERE {' AND '.join(f'{c} IS NOT NULL' for c in cells)} "
        f"GROUP BY ALL HAVING count(*) > 1 ORDER BY min(rowid) LIMIT {MAX_EXAMPLES}"
    ).fetchall()
    if not duplicated:
        return []
    con.execute("CREATE OR REPLACE TEMP TABLE duplicated_keys AS SELECT * FROM (VALUES "
                + ", ".join("(" + ", ".join(_lit(v) for v in key) + ")" for *key, _ in duplicated)
                + f") AS d({', '.join(f'k{i}' for i in range(len(keys)))})")  # fmt: skip
    match = " AND ".join(f"{c} = d.k{i}" for i, c in enumerate(cells))
    found = con.execute(
        f"SELECT {', '.join(f'd.k{i}' for i in range(len(keys)))}, "
        f"list({raw}.rowid + 1 ORDER BY {raw}.rowid) "
        f"FROM {raw} JOIN duplicated_keys d ON {match} GROUP BY ALL"
    ).fetchall()
    con.execute("DROP TABLE duplicated_keys")
    rows_of = {tuple(key): rows_ for *key, rows_ in found}
    problems = []
    for *key, n in duplicated:
        rows_ = rows_of[tuple(key)]
        shown = ", ".join(str(r) for r in rows_[:5])
        problems.append(
            Problem(
                f.spec.filename,
                f"{'+'.join(keys)} {', '.join(key)!r} appears {n} times (rows {shown})",
                row=rows_[1],
                column=keys[0] if len(keys) == 1 else "+".join(keys),
            )
        )
    return problems


def _is_empty(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return con.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {table})").fetchone()[0]


def _reference_problems(con: duckdb.DuckDBPyConnection, files: dict[str, _File]) -> list[Problem]:
    """Every reference to a record that is neither in the extract nor already stored.

    The references to one target (three files name crimes) are checked together, so the
    target's keys are hashed once rather than once per referring column."""
    by_target: dict[tuple[str, str], list[tuple[_File, fmt.Column]]] = {}
    place: dict[tuple[str, str | None], int] = {}  # problems listed file by file, column by column
    for f in files.values():
        place.update({(f.spec.filename, c.name): len(place) for c in f.spec.columns})
        for column in f.spec.columns:
            if column.references is not None and f.has(column.name):
                by_target.setdefault(column.references, []).append((f, column))
    problems = []
    for (target_name, target_column), referring in by_target.items():
        targets = []
        if not _is_empty(con, target_name):  # already stored
            targets.append(f"SELECT {target_column} AS id FROM {target_name}")
        if target_name in files:
            targets.append(f"SELECT {_t(target_column)} AS id FROM {files[target_name].stage}")
        if not targets:
            targets.append("SELECT NULL::VARCHAR AS id")
        union = " UNION ALL ".join(targets)
        values = " UNION ALL ".join(
            f"SELECT {i} AS source, {_t(column.name)} AS id FROM {f.stage} "
            f"WHERE {_t(column.name)} IS NOT NULL"
            for i, (f, column) in enumerate(referring)
        )
        unresolved = dict(
            con.execute(
                f"SELECT source, count(*) FROM ({values}) AS value "
                f"ANTI JOIN ({union}) AS known ON known.id = value.id GROUP BY source"
            ).fetchall()
        )
        for i, (f, column) in enumerate(referring):
            n = unresolved.get(i, 0)
            if not n:
                continue
            raw, cell = _in_file_order(con, f), _clean(column.name)  # staged ids are trimmed
            rows = con.execute(
                f"SELECT {raw}.rowid + 1, {cell} FROM {raw} ANTI JOIN ({union}) AS known "
                f"ON known.id = {cell} WHERE {cell} IS NOT NULL "
                f"ORDER BY {raw}.rowid LIMIT {MAX_EXAMPLES}"
            ).fetchall()
            message = (
                f"refers to a {target_column} that is not in {target_name}.csv "
                "nor already in the store"
            )
            problems += [
                Problem(f.spec.filename, message, row=r, column=column.name, value=v)
                for r, v in rows
            ]
            problems += _more(f, column.name, len(rows), n, "with unresolved references")
    return sorted(problems, key=lambda p: place[p.file, p.column])


def _normalisation_notes(
    con: duckdb.DuckDBPyConnection,
    files: dict[str, _File],
    matches: dict[str, reference.AreaMatch],
) -> list[str]:
    notes = []
    changed = {raw: m for raw, m in matches.items() if m.changed}
    for f in files.values():
        if f.area_column and changed:
            column = _t(f.area_column)
            rows = con.execute(
                f"SELECT {column}, count(*) FROM {f.stage} WHERE {column} IN "
                f"({', '.join(_lit(r) for r in changed)}) GROUP BY 1 ORDER BY 1"
            ).fetchall()
            notes.extend(_area_notes(f"{f.spec.filename} {f.area_column}", rows, changed))
        for note, n in zip(f.notes, f.note_counts, strict=True):
            if n:
                text = note.text.format(n=f"{n:,}")
                notes.append(f"{f.spec.filename} {note.column.name}: {text}")
    return notes


def _area_notes(
    name: str, rows: list[tuple[str, int]], matches: dict[str, reference.AreaMatch]
) -> list[str]:
    """Matches by similarity or by a known variant one by one (a person should check them);
    differences of case, '&' or spacing only in one line."""
    notes = []
    plain = [(v, n) for v, n in rows if matches[v].how == "normalised"]
    for value, n in rows:
        if matches[value].how != "normalised":
            notes.append(f"{name}: {matches[value].describe()} in {n:,} row(s)")
    if plain:
        examples = ", ".join(repr(v) for v, _ in plain[:3])
        notes.append(
            f"{name}: {sum(n for _, n in plain):,} value(s) in {len(plain)} spelling(s) "
            f"differing from the reference name only in case, '&' or spacing were matched "
            f"(e.g. {examples})"
        )
    return notes


def _consistency_warnings(con: duckdb.DuckDBPyConnection, files: dict[str, _File]) -> list[str]:
    """Things that are allowed but worth a person's attention (on the typed values)."""
    warnings = []

    def warn(sql: str, message: str) -> None:
        n = con.execute(sql).fetchone()[0]
        if n:
            warnings.append(message.format(n=f"{n:,}"))

    crimes = files.get("crimes")
    incidents = files.get("incidents")
    if crimes is not None:
        c = crimes.stage
        warn(
            f"SELECT count(*) FROM {c} WHERE {_t('outcome_at')} < {_t('recorded_at')}",
            "crimes.csv: {n} crime(s) have an outcome date before they were recorded",
        )
        warn(
            f"SELECT count(*) FROM {c} WHERE {_t('withdrawn_after_charge')} "
            f"AND coalesce({_t('outcome')}, '') <> 'charge'",
            "crimes.csv: {n} crime(s) are marked withdrawn after charge but the outcome "
            "is not a charge",
        )
        warn(
            f"SELECT count(*) FROM {c} WHERE {_t('risk_form_supervised')} "
            f"AND coalesce({_t('risk_form')}, 'missing') = 'missing'",
            "crimes.csv: {n} crime(s) have a supervised risk form that is missing",
        )
    if crimes is not None and incidents is not None:
        warn(
            f"SELECT count(*) FROM {incidents.stage} i JOIN {crimes.stage} c "
            f"ON i.{_t('crime_id')} = c.{_t('crime_id')} "
            f"WHERE c.{_t('incident_id')} <> i.{_t('incident_id')}",
            "{n} incident(s) point to a crime that names a different incident",
        )
    people = files.get("people")
    if people is not None and people.has("date_of_birth") and people.has("birth_year"):
        warn(
            f"SELECT count(*) FROM {people.stage} WHERE "
            f"year({_t('date_of_birth')}) <> {_t('birth_year')}",
            "people.csv: {n} person(s) have a date of birth in another year than their birth_year",
        )
    if crimes is not None and "crime_people" in files:
        cp = files["crime_people"].stage
        warn(
            f"SELECT count(*) FROM {crimes.stage} c ANTI JOIN (SELECT {_t('crime_id')} AS id "
            f"FROM {cp} WHERE {_t('role')} = 'victim') v ON v.id = c.{_t('crime_id')} "
            f"WHERE c.{_t('status')} = 'confirmed'",
            "crimes.csv: {n} confirmed crime(s) have no victim in crime_people.csv "
            "(they count as 'not recorded' in victim cuts)",
        )
    return warnings


def _delete_replaced(con: duckdb.DuckDBPyConnection, files: dict[str, _File]) -> dict[str, int]:
    """Remove stored records that this extract supersedes; return how many per table."""
    replaced: dict[str, int] = {}

    def delete(table: str, where: str) -> None:
        if _is_empty(con, table):
            replaced[table] = 0
            return
        n = con.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0]
        if n:
            con.execute(f"DELETE FROM {table} WHERE {where}")
        replaced[table] = n

    def ids(name: str, column: str) -> str:
        return f"SELECT {_t(column)} FROM {files[name].stage}"

    if "incidents" in files:
        delete("incidents", f"incident_id IN ({ids('incidents', 'incident_id')})")
    if "people" in files:
        delete("people", f"person_id IN ({ids('people', 'person_id')})")
        # a re-sent person's identifiers are the ones now sent (none, if none are): part of
        # the person's record, so not counted apart in the report. A format 1 people.csv
        # has no identifier columns and says nothing of them: what is stored stays.
        if fmt.version_of(files["people"].header) == 2 and not _is_empty(con, "person_identifiers"):
            con.execute(
                f"DELETE FROM person_identifiers WHERE person_id IN ({ids('people', 'person_id')})"
            )
    if "crimes" in files:
        delete("crimes", f"crime_id IN ({ids('crimes', 'crime_id')})")
    # A crime's people links, and its Victims' Code contacts, are stated by their own file:
    # when the file is in the extract it gives all of them for every crime it names and for
    # every crime re-sent in crimes.csv (none, if it names none for that crime). A file that
    # is absent (victim_contacts.csv is optional) says nothing, so what is stored stays.
    for table in ("crime_people", "victim_contacts"):
        if table in files:
            named = [ids(table, "crime_id")] + (
                [ids("crimes", "crime_id")] if "crimes" in files else []
            )
            delete(table, f"crime_id IN ({' UNION '.join(named)})")
        else:
            replaced[table] = 0
    return replaced


def _unlink_changed(con: duckdb.DuckDBPyConnection, people: _File) -> list[str]:
    """Take the person key (``person_links``) and scored pairs (``link_pairs``) from every
    re-sent person whose identifiers differ from the stored ones; a warning saying how many.

    A link run keys only records without a key (an incremental run), so a person keyed on
    their old identifiers would keep that key for good; without one, the next ``dsvb link``
    links them afresh on what is now sent. Called in the import's transaction, before the
    stored identifiers are replaced. A format 1 file changes no identifier: nothing to do.
    """
    if fmt.version_of(people.header) != 2:
        return []
    tables = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
    if not {"person_links", "link_pairs", "person_identifiers"} <= tables or _is_empty(
        con, "person_links"
    ):
        return []
    sent = {c: f"s.{_t(c)}" if people.has(c) else "NULL" for c in fmt.IDENTIFIER_COLUMNS}
    differ = " OR ".join(f"{sent[c]} IS DISTINCT FROM i.{_q(c)}" for c in fmt.IDENTIFIER_COLUMNS)
    extract = _lit(EXTRACT)
    pid = f"s.{_t('person_id')}"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _relinked AS SELECT {pid} AS person_id "
        f"FROM {people.stage} s LEFT JOIN person_identifiers i ON i.person_id = {pid} "
        f"WHERE ({differ}) AND {pid} IN "
        f"(SELECT record_id FROM person_links WHERE source = {extract})"
    )
    n = con.execute("SELECT count(*) FROM _relinked").fetchone()[0]
    if n:
        relinked = "(SELECT person_id FROM _relinked)"
        con.execute(
            f"DELETE FROM person_links WHERE source = {extract} AND record_id IN {relinked}"
        )
        con.execute(
            f"DELETE FROM link_pairs WHERE (source_l = {extract} AND record_id_l IN {relinked}) "
            f"OR (source_r = {extract} AND record_id_r IN {relinked})"
        )
    con.execute("DROP TABLE _relinked")
    if not n:
        return []
    return [
        f"people.csv: {n:,} person(s) re-sent with changed identifiers lost their person "
        "key; run dsvb link to link them again"
    ]


def _insert(con: duckdb.DuckDBPyConnection, f: _File, import_id: int) -> None:
    table = f.spec.name
    target_columns = [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "AND table_schema = 'main' ORDER BY ordinal_position",
            [table],
        ).fetchall()
    ]
    exprs = {c: _t(c) for c in target_columns}
    if table == "crimes":
        exprs["outcome"] = f"coalesce({_t('outcome')}, 'pending')"
    source = f.stage
    if f.area_column:
        exprs["area_code"] = "area_map.area_code"
        source += f" LEFT JOIN area_map ON area_map.raw = {f.stage}.{_t(f.area_column)}"
    exprs["import_id"] = str(import_id)
    select = ", ".join(f"{exprs[c]} AS {_q(c)}" for c in target_columns)
    con.execute(f"INSERT INTO {table} BY NAME SELECT {select} FROM {source}")


def _insert_identifiers(con: duckdb.DuckDBPyConnection, f: _File, import_id: int) -> None:
    """The people's identifiers, a row for each person with any (version 2 files)."""
    present = [c for c in fmt.IDENTIFIER_COLUMNS if f.has(c)]
    if not present:
        return
    any_value = " OR ".join(f"{_t(c)} IS NOT NULL" for c in present)
    select = ", ".join(f"{_t(c) if c in present else 'NULL'} AS {_q(c)}"
                       for c in fmt.IDENTIFIER_COLUMNS)  # fmt: skip
    con.execute(
        f"INSERT INTO person_identifiers BY NAME SELECT {_t('person_id')} AS person_id, "
        f"{select}, {import_id} AS import_id FROM {f.stage} WHERE {any_value}"
    )


def read_import_log(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every import, most recent first. ``replaced``: the records of earlier imports each
    replaced, by table (empty for returns, and for stores made before it was recorded)."""
    columns = {r[0] for r in con.execute("DESCRIBE import_log").fetchall()}
    replaced = "replaced" if "replaced" in columns else "NULL::JSON AS replaced"
    rows = con.execute(
        "SELECT import_id, kind, source, content_hash, started_at, finished_at, status, "
        f"row_counts, normalised, warnings, dsvb_version, format_version, {replaced} "
        "FROM import_log ORDER BY import_id DESC"
    )
    names = [d[0] for d in rows.description]
    out = []
    for row in rows.fetchall():
        record = dict(zip(names, row, strict=True))
        for key in ("row_counts", "normalised", "warnings", "replaced"):
            if isinstance(record[key], str):
                record[key] = json.loads(record[key])
        record["replaced"] = record["replaced"] or {}
        out.append(record)
    return out
