"""The store's indicator tables as Parquet: what a data platform (Spark, a warehouse) reads.

``dsvb export-parquet --store PATH --out DIR`` writes ``DIR/<table>.parquet`` for each of
the five tables the indicators are computed from (:data:`TABLES`) and ``DIR/manifest.json``
saying what was written: the store's schema version, the dsvb version, each table's file,
columns and row count, and when. ``dsvb indicators --engine spark --parquet DIR`` reads it
back (:func:`read_manifest` checks it first, so a folder from another dsvb, a half-copied
folder or one that is not an export is refused with a message saying which).

Why these tables and nothing else: the indicators need only them, and they hold no
identifier of a person (names, dates of birth, postcodes stay in the store: see
:data:`IDENTIFIER_COLUMNS`, which an export refuses to write whatever the schema says).

Why a folder written whole: it is written into a temporary folder beside ``DIR`` and
renamed into place, so a reader never sees some tables of one export and some of another,
and an interrupted export leaves the previous one as it was. ``DIR`` may already hold an
earlier export (it is replaced) but nothing else: an export never deletes a folder it did
not write.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dsvb import __version__, store
from dsvb.store.schema import CASE_TABLE_NAMES, CASE_TABLES, SCHEMA_VERSION

__all__ = [
    "FORMAT",
    "IDENTIFIER_COLUMNS",
    "MANIFEST",
    "TABLES",
    "Manifest",
    "ParquetExportError",
    "export",
    "read_manifest",
    "table_columns",
]

#: the tables an export writes: those the indicators are computed from, and only those
TABLES: tuple[str, ...] = CASE_TABLE_NAMES
MANIFEST = "manifest.json"
FORMAT = "dsvb-parquet"
MANIFEST_VERSION = 1
#: linkage's keys, written when the store's people were linked (``dsvb link``), so that
#: indicators by linked person (``--people linked``) run on the export too: the police
#: extract's records only (which agency's cases hold a person is not the indicators'
#: business), and of the runs only what says one happened (not the model, not who ran it)
LINK_TABLES: Mapping[str, tuple[tuple[str, ...], str]] = {
    "person_links": (("source", "record_id", "person_key", "run_id"), "source = 'extract'"),
    "link_runs": (
        ("run_id", "started_at", "finished_at", "mode", "records", "new_records", "people"),
        "true",
    ),
}
#: columns that identify a person: never written, whichever table holds them
IDENTIFIER_COLUMNS = frozenset(
    {"given_name", "family_name", "other_names", "date_of_birth", "postcode", "name", "address"}
)


class ParquetExportError(Exception):
    """An export could not be written, or a folder cannot be read as one; the message says
    which folder or file and why. Nothing was changed."""


@dataclass(frozen=True)
class Manifest:
    """What ``manifest.json`` says: enough to check a folder before computing from it."""

    schema_version: int
    dsvb_version: str
    written_at: str
    tables: Mapping[str, Mapping[str, object]]  # name -> {"file", "rows", "columns"}

    def rows(self, table: str) -> int:
        return int(self.tables[table]["rows"])  # type: ignore[call-overload]

    def file(self, table: str) -> str:
        return str(self.tables[table]["file"])

    def as_json(self) -> dict[str, object]:
        return {
            "format": FORMAT,
            "manifest_version": MANIFEST_VERSION,
            "schema_version": self.schema_version,
            "dsvb_version": self.dsvb_version,
            "written_at": self.written_at,
            "tables": {name: dict(info) for name, info in self.tables.items()},
        }


def table_columns() -> dict[str, list[str]]:
    """The columns of each exported table as this dsvb's schema defines them, in order (an
    older store is read through these names, so every export has the same columns)."""
    con = duckdb.connect(":memory:")
    try:
        con.execute(CASE_TABLES)
        columns: dict[str, list[str]] = {}
        for table, column in con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() ORDER BY column_index"
        ).fetchall():
            columns.setdefault(table, []).append(column)
    finally:
        con.close()
    return {name: columns[name] for name in TABLES}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _is_export(folder: Path) -> bool:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("format") == FORMAT


def _check_destination(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise ParquetExportError(f"{out} is a file, not a folder: choose a folder for --out.")
    if out.is_dir() and any(out.iterdir()) and not _is_export(out):
        raise ParquetExportError(
            f"{out} is not empty and does not hold an earlier dsvb Parquet export (no "
            f"{MANIFEST} written by dsvb export-parquet); an export replaces only its own "
            "folder. Choose a new or empty folder."
        )


def export(
    store_path: str | os.PathLike[str] | None,
    out: str | os.PathLike[str],
    *,
    now: dt.datetime | None = None,
) -> Manifest:
    """Write the store's indicator tables to ``out`` as Parquet, with a manifest; return it.

    The store is opened read-only and must be of this dsvb's schema version (an older one
    is brought up to date by any write, e.g. ``dsvb import``). Raises
    :class:`ParquetExportError` (or ``FileNotFoundError`` / :class:`store.NotAStoreError`
    for a missing or foreign store) with nothing written."""
    out = Path(out)
    _check_destination(out)
    con = store.connect(store_path, read_only=True)
    try:
        version = _schema_version(con)
        if version != SCHEMA_VERSION:
            raise ParquetExportError(
                f"The store {store.resolve_store_path(store_path)} has schema version "
                f"{version}; this dsvb exports schema version {SCHEMA_VERSION}. Bring the "
                "store up to date first (any write does: dsvb import), then export again."
            )
        out.parent.mkdir(parents=True, exist_ok=True)
        with _exporting(out):
            _remove_leftovers(out)
            partial = Path(
                tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent)
            )
            try:
                manifest = _write_tables(con, partial, now)
                _replace(partial, out)
            except BaseException:
                shutil.rmtree(partial, ignore_errors=True)
                raise
    finally:
        con.close()
    return manifest


@contextlib.contextmanager
def _exporting(out: Path) -> Iterator[None]:
    """Hold the export lock of ``out`` (``.NAME.lock`` beside it) while exporting: a second
    export to the same folder would otherwise take the first's partial folder for a killed
    export's leftover and remove it mid-write. The second is refused, not queued: the
    folder will hold a whole export when the first ends. The lock is the operating
    system's (released when the process ends, even killed); the empty file stays."""
    import fcntl

    lock = out.parent / f".{out.name}.lock"
    with open(lock, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ParquetExportError(
                f"Another export to {out} is under way; try again when it has finished."
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_leftovers(out: Path) -> None:
    """Remove what an export to ``out`` that was killed left beside it: its hidden partial
    folder (``.NAME.*.partial``) or the earlier export it had moved aside (``.NAME.*.old``).
    Neither is ever read: ``out`` itself is always a whole export or absent."""
    for pattern in (f".{out.name}.*.partial", f".{out.name}.*.old"):
        for leftover in out.parent.glob(pattern):
            if leftover.is_dir() and _is_export_or_partial(leftover):
                shutil.rmtree(leftover, ignore_errors=True)


def _is_export_or_partial(folder: Path) -> bool:
    """Whether a folder holds only what an export writes (so removing it loses nothing else)."""
    names = {f"{t}.parquet" for t in (*TABLES, *LINK_TABLES)} | {MANIFEST}
    return all(p.name in names or p.name.endswith(".tmp") for p in folder.iterdir())


def _schema_version(con: duckdb.DuckDBPyConnection) -> int | None:
    row = con.execute("SELECT value FROM store_meta WHERE key = 'schema_version'").fetchone()
    try:
        return int(row[0]) if row else None
    except ValueError:
        return None


def _write_tables(
    con: duckdb.DuckDBPyConnection, folder: Path, now: dt.datetime | None
) -> Manifest:
    held = {
        (t, c)
        for t, c in con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() "
            "WHERE schema_name = current_schema()"
        ).fetchall()
    }
    tables: dict[str, dict[str, object]] = {}
    for name, columns in table_columns().items():
        leaked = IDENTIFIER_COLUMNS.intersection(columns)
        if leaked:  # a schema change must never put identifiers into an export
            raise ParquetExportError(
                f"The table {name} has identifier column(s) {', '.join(sorted(leaked))}; "
                "identifiers are never exported."
            )
        missing = [c for c in columns if (name, c) not in held]
        if missing:
            raise ParquetExportError(
                f"The store's table {name} lacks column(s) {', '.join(missing)}: it was not "
                "made by this dsvb. Bring it up to date first (dsvb import), then export again."
            )
        file = f"{name}.parquet"
        select = ", ".join(_quote(c) for c in columns)
        written = _copy(
            con,
            f"COPY (SELECT {select} FROM {_quote(name)}) TO {_literal(folder / file)} "
            "(FORMAT parquet, COMPRESSION zstd)",
        )
        tables[name] = {"file": file, "rows": int(written[0]) if written else 0, "columns": columns}
    if _linked(con):
        for name, (link_columns, where) in LINK_TABLES.items():
            file = f"{name}.parquet"
            select = ", ".join(_quote(c) for c in link_columns)
            written = _copy(
                con,
                f"COPY (SELECT {select} FROM {_quote(name)} WHERE {where} ORDER BY ALL) TO "
                f"{_literal(folder / file)} (FORMAT parquet, COMPRESSION zstd)",
            )
            tables[name] = {
                "file": file,
                "rows": int(written[0]) if written else 0,
                "columns": list(link_columns),
            }
    written_at = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    manifest = Manifest(
        schema_version=SCHEMA_VERSION,
        dsvb_version=__version__,
        written_at=written_at.isoformat(timespec="seconds"),
        tables=tables,
    )
    text = json.dumps(manifest.as_json(), indent=2) + "\n"
    (folder / MANIFEST).write_text(text, encoding="utf-8")
    return manifest


def _linked(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether a link run is recorded in the store (its keys are then exported)."""
    held = {
        name
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = current_schema()"
        ).fetchall()
    }
    if not set(LINK_TABLES) <= held:
        return False
    return bool(con.execute("SELECT count(*) FROM link_runs").fetchone()[0])


def _copy(con: duckdb.DuckDBPyConnection, sql: str) -> tuple | None:
    """Run one COPY; its row is the number of rows written."""
    return con.execute(sql).fetchone()


def _replace(partial: Path, out: Path) -> None:
    """Put the finished folder at ``out``. An earlier export there is moved aside first and
    removed after, so ``out`` is at every moment either the old export, absent (for the
    instant between two renames), or the new one — never a mixture."""
    if not out.exists():
        partial.rename(out)
        return
    if out.is_dir() and not any(out.iterdir()):
        out.rmdir()
        partial.rename(out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
    old.rmdir()
    out.rename(old)
    try:
        partial.rename(out)
    except BaseException:
        with contextlib.suppress(OSError):
            old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def read_manifest(folder: str | os.PathLike[str], text: str | None = None) -> Manifest:
    """The manifest of an export folder, checked: written by dsvb export-parquet, of this
    dsvb's schema version, naming every table with this dsvb's columns; and, for a local
    folder, every file present with the rows and columns the manifest gives. ``text`` is
    the manifest's content when the caller read it (a folder in object storage, read
    through Spark); then the files are checked by whoever reads them."""
    where = str(folder)
    local = text is None
    if local:
        path = Path(folder)
        if not path.exists():
            raise ParquetExportError(f"No folder {where}: export one with dsvb export-parquet.")
        if not path.is_dir():
            raise ParquetExportError(
                f"{where} is a file; --parquet takes the folder an export wrote."
            )
        try:
            text = (path / MANIFEST).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ParquetExportError(
                f"{where} has no {MANIFEST}: it is not a folder written by dsvb export-parquet "
                "(or the export did not finish)."
            ) from None
    try:
        data = json.loads(text or "")
    except ValueError as exc:
        raise ParquetExportError(f"{where}/{MANIFEST} is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ParquetExportError(
            f"{where}/{MANIFEST} is not a dsvb Parquet manifest (its format is not {FORMAT!r})."
        )
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ParquetExportError(
            f"{where} was exported from a store of schema version {version}; this dsvb reads "
            f"schema version {SCHEMA_VERSION}. Export the store again with this dsvb."
        )
    tables = data.get("tables")
    expected = table_columns()
    if not isinstance(tables, dict):
        raise ParquetExportError(f"{where}/{MANIFEST} lists no tables.")
    for name, columns in expected.items():
        info = tables.get(name)
        if not isinstance(info, dict) or "file" not in info or "rows" not in info:
            raise ParquetExportError(f"{where}/{MANIFEST} does not list the table {name}.")
        if info.get("columns") != columns:
            raise ParquetExportError(
                f"{where}/{MANIFEST}: the table {name} has columns {info.get('columns')}, "
                f"not this dsvb's {columns}. Export the store again with this dsvb."
            )
    linked = {}
    for name, (link_columns, _where) in LINK_TABLES.items():
        info = tables.get(name)
        if info is None:
            continue
        if not isinstance(info, dict) or "file" not in info or "rows" not in info:
            raise ParquetExportError(f"{where}/{MANIFEST}: the table {name} is listed badly.")
        if info.get("columns") != list(link_columns):
            raise ParquetExportError(
                f"{where}/{MANIFEST}: the table {name} has columns {info.get('columns')}, "
                f"not this dsvb's {list(link_columns)}. Export the store again with this dsvb."
            )
        linked[name] = info
    manifest = Manifest(
        schema_version=int(version),
        dsvb_version=str(data.get("dsvb_version", "")),
        written_at=str(data.get("written_at", "")),
        tables={**{name: tables[name] for name in expected}, **linked},
    )
    if local:
        _check_files(Path(folder), manifest)
    return manifest


def _check_files(folder: Path, manifest: Manifest) -> None:
    import pyarrow.parquet as pq

    for name in manifest.tables:
        path = folder / manifest.file(name)
        if not path.is_file():
            raise ParquetExportError(
                f"{path} is missing: {folder} is incomplete. Export the store again."
            )
        try:
            meta = pq.read_metadata(path)
            names = list(meta.schema.to_arrow_schema().names)
        except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
            raise ParquetExportError(f"{path} is not a readable Parquet file: {exc}") from None
        if meta.num_rows != manifest.rows(name):
            raise ParquetExportError(
                f"{path} holds {meta.num_rows:,} rows; the manifest says {manifest.rows(name):,}. "
                "The folder was changed after the export: export the store again."
            )
        if names != list(manifest.tables[name]["columns"]):  # type: ignore[call-overload]
            raise ParquetExportError(
                f"{path} has columns {names}, not those the manifest gives. Export the store again."
            )
