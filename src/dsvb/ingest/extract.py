"""Import a case-level extract (a folder of CSV files) into the analytical store.

The import is validated in full before anything is written, and written in one
transaction: a bad file, row, value or reference gives problems naming the file, row and
column, and nothing of that import is stored. Importing the same extract twice stores it
once (the extract is identified by a hash of its files). A later extract that contains
records already stored replaces them (a crime with its people links and Victims' Code
contacts is replaced as a unit), so re-sending corrected records is safe.

Validation and loading run inside DuckDB on the raw text of each file, so that millions
of rows are checked with a few vectorised scans rather than row by row in Python.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dsvb import __version__, reference
from dsvb.ingest import extract_format as fmt
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

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row} (line {self.row + 1})")
        if self.column is not None:
            where.append(f"column {self.column}")
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
    """The raw cell, trimmed, with empty read as missing."""
    return f"NULLIF(trim({_q(column)}), '')"


def _typed(spec: fmt.FileSpec, column: fmt.Column, present: bool) -> str:
    """SQL for the typed value of a column (NULL where missing or invalid)."""
    if not present:
        return "NULL"
    raw = _clean(column.name)
    kind = column.type
    if kind in (fmt.ID, fmt.TEXT):
        return raw
    if kind == fmt.DATETIME:
        return f"timezone('UTC', TRY_CAST({raw} AS TIMESTAMPTZ))"
    if kind == fmt.BOOL:
        trues = ", ".join(_lit(w) for w in fmt.TRUE_WORDS)
        falses = ", ".join(_lit(w) for w in fmt.FALSE_WORDS)
        return (
            f"CASE WHEN lower({raw}) IN ({trues}) THEN TRUE "
            f"WHEN lower({raw}) IN ({falses}) THEN FALSE END"
        )
    if kind == fmt.ENUM:
        whens = " ".join(f"WHEN {_lit(v.lower())} THEN {_lit(v)}" for v in column.values)
        return f"CASE lower({raw}) {whens} END"
    if kind == fmt.INT:
        lo, hi = fmt.BIRTH_YEAR_RANGE
        year = f"TRY_CAST({raw} AS INTEGER)"
        return f"(CASE WHEN {year} BETWEEN {lo} AND {hi} THEN {year} END)"
    if kind == fmt.AREA:
        return "area_map.area_code"
    raise ValueError(f"unknown column type {kind}")


def _invalid_message(column: fmt.Column) -> str:
    kind = column.type
    if kind == fmt.DATETIME:
        return "not an ISO 8601 date or date-time (e.g. 2010-03-31T23:15:00)"
    if kind == fmt.BOOL:
        return "not a boolean (true/false, 1/0, Y/N or yes/no)"
    if kind == fmt.ENUM:
        return "not one of: " + ", ".join(column.values)
    if kind == fmt.INT:
        lo, hi = fmt.BIRTH_YEAR_RANGE
        return f"not a year between {lo} and {hi}"
    if kind == fmt.AREA:
        return "not a known area (an ONS code or a borough name)"
    return "invalid value"


@dataclass(frozen=True)
class _Check:
    column: str
    condition: str  # SQL, true when the row has this problem
    message: str
    show_value: bool = True


def _checks(spec: fmt.FileSpec, header: list[str]) -> list[_Check]:
    checks = []
    for column in spec.columns:
        present = column.name in header
        if not present:
            continue  # missing required columns are reported before any row is read
        raw = _clean(column.name)
        if column.required:
            checks.append(_Check(column.name, f"{raw} IS NULL", "missing required value", False))
        if column.type not in (fmt.ID, fmt.TEXT):
            checks.append(
                _Check(
                    column.name,
                    f"{raw} IS NOT NULL AND {_typed(spec, column, True)} IS NULL",
                    _invalid_message(column),
                )
            )
    return checks


# --- the import -------------------------------------------------------------------------


@dataclass
class _File:
    spec: fmt.FileSpec
    path: Path
    header: list[str]
    table: str  # temp table with the raw text
    rows: int = 0

    def has(self, column: str) -> bool:
        return column in self.header


def _hash_files(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths, key=lambda p: p.name):
        digest.update(path.name.encode())
        with path.open("rb") as f:
            digest.update(hashlib.file_digest(f, "sha256").digest())
    return digest.hexdigest()


def _read_header(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            first = next(csv.reader(f), None)
    except UnicodeDecodeError as exc:
        raise ExtractError(
            path.parent,
            [Problem(path.name, f"the header is not valid UTF-8 text ({exc.reason})", row=None)],
        ) from None
    if not first:
        raise ExtractError(path.parent, [Problem(path.name, "the file is empty (no header row)")])
    return [c.strip() for c in first]


_LINE = re.compile(r"line[: ]+(\d+)", re.IGNORECASE)


def _csv_error(path: Path, exc: Exception) -> Problem:
    text = str(exc)
    match = _LINE.search(text)
    row = int(match.group(1)) - 1 if match else None
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    if "unicode" in text.lower() or "utf-8" in text.lower():
        first = "the file is not valid UTF-8 text"
    return Problem(path.name, f"cannot be read as CSV: {first}", row=row)


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
        if path.is_file():
            present[spec.name] = path
        elif spec.required:
            problems.append(Problem(spec.filename, "required file is missing from the extract"))
    known = {spec.filename for spec in fmt.FILES}
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.suffix.lower() == ".csv" and path.name not in known:
            warnings.append(f"{path.name}: not part of the extract format; ignored")
    if problems:
        raise ExtractError(folder, problems)

    content_hash = _hash_files(present.values())
    previous = con.execute(
        "SELECT import_id FROM import_log WHERE kind = 'extract' AND content_hash = ? "
        "AND status = 'imported' ORDER BY import_id LIMIT 1",
        [content_hash],
    ).fetchone()
    if previous:
        say("already imported")
        return ImportReport(previous[0], "already_imported", str(folder), content_hash)

    # 2. Headers
    files: dict[str, _File] = {}
    for name, path in present.items():
        spec = fmt.BY_NAME[name]
        header = _read_header(path)
        duplicated = sorted({c for c in header if header.count(c) > 1})
        for c in duplicated:
            problems.append(Problem(spec.filename, "column appears more than once", column=c))
        for c in spec.required_columns:
            if c not in header:
                problems.append(Problem(spec.filename, "required column is missing", column=c))
        extra = [c for c in header if c not in {col.name for col in spec.columns}]
        if extra:
            warnings.append(f"{spec.filename}: extra columns ignored: {', '.join(extra)}")
        files[name] = _File(spec, path, header, f"raw_{name}")
    if problems:
        raise ExtractError(folder, problems)

    con.execute(f"SET TimeZone = {_lit(LOCAL_TIMEZONE)}")
    try:
        return _import(con, folder, files, content_hash, started, started_at, warnings, say)
    finally:
        for f in files.values():
            con.execute(f"DROP TABLE IF EXISTS {f.table}")
        con.execute("DROP TABLE IF EXISTS area_map")
        con.execute("SET TimeZone = 'UTC'")


def _import(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    files: dict[str, _File],
    content_hash: str,
    started: float,
    started_at: dt.datetime,
    warnings: list[str],
    say: Progress,
) -> ImportReport:
    problems: list[Problem] = []
    normalised: list[str] = []

    # 3. Read every file as text
    for f in files.values():
        t0 = time.perf_counter()
        say(f"reading {f.spec.filename}")
        columns = "{" + ", ".join(f"{_lit(c)}: 'VARCHAR'" for c in f.header) + "}"
        try:
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE {f.table} AS SELECT * FROM read_csv("
                f"{_lit(str(f.path))}, header = true, auto_detect = false, columns = {columns}, "
                "delim = ',', quote = '\"', escape = '\"', strict_mode = true, "
                "encoding = 'utf-8')"
            )
        except duckdb.Error as exc:
            problems.append(_csv_error(f.path, exc))
            continue
        f.rows = con.execute(f"SELECT count(*) FROM {f.table}").fetchone()[0]
        say(f"read {f.spec.filename}: {f.rows:,} rows in {time.perf_counter() - t0:.1f} s")
    if problems:
        raise ExtractError(folder, problems)

    # 4. Areas: match each distinct value once
    area_values: set[str] = set()
    for f in files.values():
        for column in f.spec.columns:
            if column.type == fmt.AREA and f.has(column.name):
                rows = con.execute(
                    f"SELECT DISTINCT {_clean(column.name)} FROM {f.table} "
                    f"WHERE {_clean(column.name)} IS NOT NULL"
                ).fetchall()
                area_values.update(r[0] for r in rows)
    registry = reference.areas()
    matches = {raw: registry.match(raw) for raw in sorted(area_values)}
    con.execute("CREATE OR REPLACE TEMP TABLE area_map (raw VARCHAR, area_code VARCHAR)")
    mapped = [(raw, m.area.code) for raw, m in matches.items() if m.area is not None]
    if mapped:
        con.executemany("INSERT INTO area_map VALUES (?, ?)", mapped)

    # 5. Row checks: one counting scan per file; examples only where something is wrong
    for f in files.values():
        say(f"checking {f.spec.filename}")
        checks = _checks(f.spec, f.header)
        source = _source(f)
        if checks:
            counts_sql = ", ".join(f"count(*) FILTER (WHERE {c.condition})" for c in checks)
            counts = con.execute(f"SELECT {counts_sql} FROM {source}").fetchone()
            for check, n in zip(checks, counts, strict=True):
                if n:
                    problems.extend(_examples(con, f, source, check, n))
        problems.extend(_duplicate_keys(con, f))
    if problems:
        raise ExtractError(folder, problems)

    # 6. References between files (and to records already in the store)
    say("checking references between files")
    problems.extend(_reference_problems(con, files))
    if problems:
        raise ExtractError(folder, problems)

    normalised.extend(_normalisation_notes(con, files, matches))
    warnings.extend(_consistency_warnings(con, files))

    # 7. Store, all or nothing
    say("storing")
    with transaction(con):
        import_id = _next_import_id(con)
        replaced = _delete_replaced(con, files)
        for f in files.values():
            _insert(con, f, import_id)
        row_counts = {f.spec.name: f.rows for f in files.values()}
        con.execute(
            "INSERT INTO import_log VALUES (?, 'extract', ?, ?, ?, ?, 'imported', ?, ?, ?, ?, ?)",
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
                fmt.FORMAT_VERSION,
            ],
        )
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


def _source(f: _File) -> str:
    """The raw table, joined to the area map where the file has an area column."""
    area_columns = [c.name for c in f.spec.columns if c.type == fmt.AREA and f.has(c.name)]
    if not area_columns:
        return f.table
    (area,) = area_columns
    return f"{f.table} LEFT JOIN area_map ON area_map.raw = {_clean(area)}"


def _examples(
    con: duckdb.DuckDBPyConnection, f: _File, source: str, check: _Check, count: int
) -> list[Problem]:
    rows = con.execute(
        f"SELECT {f.table}.rowid + 1, {_q(check.column)} FROM {source} "
        f"WHERE {check.condition} ORDER BY {f.table}.rowid LIMIT {MAX_EXAMPLES}"
    ).fetchall()
    problems = [
        Problem(
            f.spec.filename,
            check.message,
            row=row,
            column=check.column,
            value=value if check.show_value else None,
        )
        for row, value in rows
    ]
    if count > len(rows):
        problems.append(
            Problem(
                f.spec.filename,
                f"{count - len(rows):,} more row(s) with the same problem",
                column=check.column,
                count=count - len(rows),
            )
        )
    return problems


def _duplicate_keys(con: duckdb.DuckDBPyConnection, f: _File) -> list[Problem]:
    if not f.spec.unique_key:
        return []
    keys = [k for k in f.spec.key if f.has(k)]
    key_sql = ", ".join(_clean(k) for k in keys)
    rows = con.execute(
        f"SELECT {key_sql}, count(*) AS n, list(rowid + 1 ORDER BY rowid) AS rows_ "
        f"FROM {f.table} WHERE {' AND '.join(f'{_clean(k)} IS NOT NULL' for k in keys)} "
        f"GROUP BY ALL HAVING count(*) > 1 ORDER BY min(rowid) LIMIT {MAX_EXAMPLES}"
    ).fetchall()
    problems = []
    for *key, n, rows_ in rows:
        value = ", ".join(key)
        shown = ", ".join(str(r) for r in rows_[:5])
        problems.append(
            Problem(
                f.spec.filename,
                f"{'+'.join(keys)} {value!r} appears {n} times (rows {shown})",
                row=rows_[1],
                column=keys[0] if len(keys) == 1 else "+".join(keys),
            )
        )
    return problems


def _reference_problems(con: duckdb.DuckDBPyConnection, files: dict[str, _File]) -> list[Problem]:
    problems = []
    for f in files.values():
        for column in f.spec.columns:
            if column.references is None or not f.has(column.name):
                continue
            target_name, target_column = column.references
            targets = [f"SELECT {target_column} AS id FROM {target_name}"]  # already stored
            if target_name in files:
                targets.append(
                    f"SELECT {_clean(target_column)} AS id FROM {files[target_name].table}"
                )
            union = " UNION ALL ".join(targets)
            raw = _clean(column.name)
            sql_from = (
                f"FROM {f.table} ANTI JOIN ({union}) AS known ON known.id = {raw} "
                f"WHERE {raw} IS NOT NULL"
            )
            n = con.execute(f"SELECT count(*) {sql_from}").fetchone()[0]
            if not n:
                continue
            rows = con.execute(
                f"SELECT {f.table}.rowid + 1, {raw} {sql_from} "
                f"ORDER BY {f.table}.rowid LIMIT {MAX_EXAMPLES}"
            ).fetchall()
            message = (
                f"refers to a {target_column} that is not in {target_name}.csv "
                "nor already in the store"
            )
            problems += [
                Problem(f.spec.filename, message, row=r, column=column.name, value=v)
                for r, v in rows
            ]
            if n > len(rows):
                problems.append(
                    Problem(
                        f.spec.filename,
                        f"{n - len(rows):,} more row(s) with unresolved references",
                        column=column.name,
                        count=n - len(rows),
                    )
                )
    return problems


def _normalisation_notes(
    con: duckdb.DuckDBPyConnection,
    files: dict[str, _File],
    matches: dict[str, reference.AreaMatch],
) -> list[str]:
    notes = []
    changed = {raw: m for raw, m in matches.items() if m.changed}
    for f in files.values():
        for column in f.spec.columns:
            if not f.has(column.name):
                continue
            raw = _clean(column.name)
            name = f"{f.spec.filename} {column.name}"
            if column.type == fmt.AREA and changed:
                rows = con.execute(
                    f"SELECT {raw}, count(*) FROM {f.table} WHERE {raw} IN "
                    f"({', '.join(_lit(r) for r in changed)}) GROUP BY 1 ORDER BY 1"
                ).fetchall()
                notes.extend(_area_notes(name, rows, changed))
            elif column.type == fmt.ENUM:
                canon = ", ".join(_lit(v) for v in column.values)
                n = con.execute(
                    f"SELECT count(*) FROM {f.table} WHERE {raw} IS NOT NULL AND "
                    f"{_q(column.name)} NOT IN ({canon})"
                ).fetchone()[0]
                if n:
                    notes.append(f"{name}: {n:,} value(s) read case-insensitively or trimmed")
            elif column.type == fmt.BOOL:
                n = con.execute(
                    f"SELECT count(*) FROM {f.table} WHERE {raw} IS NOT NULL AND "
                    f"{_q(column.name)} NOT IN ('true', 'false')"
                ).fetchone()[0]
                if n:
                    notes.append(f"{name}: {n:,} value(s) read as booleans from 1/0, Y/N or yes/no")
            elif column.type == fmt.DATETIME:
                n = con.execute(
                    f"SELECT count(*) FROM {f.table} WHERE regexp_matches({raw}, "
                    r"'(Z|[+-]\d\d:?\d\d)$')"
                ).fetchone()[0]
                if n:
                    notes.append(
                        f"{name}: {n:,} value(s) with an explicit offset (Z or +hh:mm) "
                        "were honoured"
                    )
    if "crimes" in files and files["crimes"].has("outcome"):
        n = con.execute(
            f"SELECT count(*) FROM {files['crimes'].table} WHERE {_clean('outcome')} IS NULL"
        ).fetchone()[0]
        if n:
            notes.append(f"crimes.csv outcome: {n:,} empty value(s) read as pending")
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
    """Things that are allowed but worth a person's attention."""
    warnings = []

    def warn(sql: str, message: str) -> None:
        n = con.execute(sql).fetchone()[0]
        if n:
            warnings.append(message.format(n=f"{n:,}"))

    crimes = files.get("crimes")
    incidents = files.get("incidents")
    if crimes is not None:
        t = crimes.table
        ts = "timezone('UTC', TRY_CAST({} AS TIMESTAMPTZ))"
        if crimes.has("outcome_at"):
            warn(
                f"SELECT count(*) FROM {t} WHERE {ts.format(_clean('outcome_at'))} < "
                f"{ts.format(_clean('recorded_at'))}",
                "crimes.csv: {n} crime(s) have an outcome date before they were recorded",
            )
        if crimes.has("withdrawn_after_charge") and crimes.has("outcome"):
            warn(
                f"SELECT count(*) FROM {t} WHERE lower({_clean('withdrawn_after_charge')}) IN "
                f"('true','1','y','yes') AND coalesce(lower({_clean('outcome')}), '') <> 'charge'",
                "crimes.csv: {n} crime(s) are marked withdrawn after charge but the outcome "
                "is not a charge",
            )
        if crimes.has("risk_form_supervised") and crimes.has("risk_form"):
            warn(
                f"SELECT count(*) FROM {t} WHERE lower({_clean('risk_form_supervised')}) IN "
                f"('true','1','y','yes') AND coalesce(lower({_clean('risk_form')}), 'missing') "
                "= 'missing'",
                "crimes.csv: {n} crime(s) have a supervised risk form that is missing",
            )
    linked = crimes is not None and incidents is not None
    if linked and incidents.has("crime_id") and crimes.has("incident_id"):
        warn(
            f"SELECT count(*) FROM {incidents.table} i JOIN {crimes.table} c "
            "ON NULLIF(trim(i.crime_id), '') = trim(c.crime_id) "
            "WHERE NULLIF(trim(c.incident_id), '') IS NOT NULL "
            "AND trim(c.incident_id) <> trim(i.incident_id)",
            "{n} incident(s) point to a crime that names a different incident",
        )
    if crimes is not None and "crime_people" in files:
        cp = files["crime_people"].table
        warn(
            f"SELECT count(*) FROM {crimes.table} c WHERE lower(trim(c.status)) = 'confirmed' "
            f"AND trim(c.crime_id) NOT IN (SELECT trim(crime_id) FROM {cp} "
            "WHERE lower(trim(role)) = 'victim')",
            "crimes.csv: {n} confirmed crime(s) have no victim in crime_people.csv "
            "(they count as 'not recorded' in victim cuts)",
        )
    return warnings


def _delete_replaced(con: duckdb.DuckDBPyConnection, files: dict[str, _File]) -> dict[str, int]:
    """Remove stored records that this extract supersedes; return how many per table."""
    replaced: dict[str, int] = {}

    def delete(table: str, where: str) -> None:
        n = con.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0]
        if n:
            con.execute(f"DELETE FROM {table} WHERE {where}")
        replaced[table] = n

    if "incidents" in files:
        delete(
            "incidents",
            f"incident_id IN (SELECT trim(incident_id) FROM {files['incidents'].table})",
        )
    if "people" in files:
        delete("people", f"person_id IN (SELECT trim(person_id) FROM {files['people'].table})")
    crime_sets = [
        f"SELECT trim(crime_id) FROM {files[n].table}"
        for n in ("crimes", "crime_people", "victim_contacts")
        if n in files
    ]
    if "crimes" in files:
        delete("crimes", f"crime_id IN (SELECT trim(crime_id) FROM {files['crimes'].table})")
    if crime_sets:
        union = " UNION ".join(crime_sets)
        delete("crime_people", f"crime_id IN ({union})")
        delete("victim_contacts", f"crime_id IN ({union})")
    return replaced


_MONTH_OF = {
    "incidents": ("reported_month", "reported_at"),
    "crimes": ("recorded_month", "recorded_at"),
    "victim_contacts": ("due_month", "due_at"),
}


def _insert(con: duckdb.DuckDBPyConnection, f: _File, import_id: int) -> None:
    table = f.spec.name
    target_columns = [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "ORDER BY ordinal_position",
            [table],
        ).fetchall()
    ]
    exprs = {c.name: _typed(f.spec, c, f.has(c.name)) for c in f.spec.columns}
    if table == "crimes":
        exprs["outcome"] = f"coalesce({exprs['outcome']}, 'pending')"
    if "area" in exprs:
        exprs["area_code"] = exprs.pop("area")
    if table in _MONTH_OF:
        month, source = _MONTH_OF[table]
        raw = _clean(source)
        exprs[month] = (
            f"date_trunc('month', timezone({_lit(LOCAL_TIMEZONE)}, "
            f"TRY_CAST({raw} AS TIMESTAMPTZ)))::DATE"
        )
    exprs["import_id"] = str(import_id)
    select = ", ".join(f"{exprs[c]} AS {_q(c)}" for c in target_columns)
    con.execute(f"INSERT INTO {table} BY NAME SELECT {select} FROM {_source(f)}")


def read_import_log(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every import, most recent first."""
    rows = con.execute(
        "SELECT import_id, kind, source, content_hash, started_at, finished_at, status, "
        "row_counts, normalised, warnings, dsvb_version, format_version "
        "FROM import_log ORDER BY import_id DESC"
    )
    names = [d[0] for d in rows.description]
    out = []
    for row in rows.fetchall():
        record = dict(zip(names, row, strict=True))
        for key in ("row_counts", "normalised", "warnings"):
            if isinstance(record[key], str):
                record[key] = json.loads(record[key])
        out.append(record)
    return out
