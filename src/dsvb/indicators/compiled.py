"""Queries compiled once: the engine's Ibis expressions as DuckDB SQL, kept for reuse.

Building an indicator query as Ibis expressions and compiling it to SQL costs about 0.2 s
of Python however small the store, and importing Ibis to do it another 0.5 s: more than
DuckDB takes to answer a year of a force's records. So the SQL is compiled once per query
shape and kept, in this process and in a cache folder (decision 0021), and a later run —
in this process, or a new ``dsvb indicators`` process — runs the kept SQL without
importing Ibis at all.

What a compiled query depends on is its key: the caller's description of the query (the
source, its counts, families, cuts, period, rules in force and who counts as the same
person: the ``people`` of its :class:`~dsvb.indicators.model.Context`), the store's tables and
column types, and a fingerprint of the code that writes the SQL (this package's source
files, the reference data, and the dsvb, Ibis, sqlglot and DuckDB versions). The clock is not in
the key: queries are compiled at ``sources.COMPILE_NOW`` and ``sources.sql_at`` puts the
plausible-range bounds of the moment into the text for each run.

The folder is ``$DSVB_QUERY_CACHE`` if set (empty: keep nothing on disk), else
``$XDG_CACHE_HOME/dsvb/queries`` (``~/.cache/dsvb/queries``). A folder that cannot be
written is not an error: the query is compiled each time, as before. Files are written
whole (a temporary file renamed), so a reader never sees half a query.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import importlib.metadata
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb
    import ibis
    import ibis.expr.types as ir

    from dsvb.indicators.sources import Tables

#: what a query is compiled from, built on a miss: ``build(backend, tables)``
Build = Callable[["ibis.BaseBackend", "Tables"], "ir.Expr"]

_MEMORY: dict[str, str] = {}  # digest -> SQL at COMPILE_NOW, for the life of the process
TABLES = ("incidents", "crimes", "people", "crime_people", "victim_contacts")
#: tables only some queries read (counts by linked person), part of every key too
OPTIONAL_TABLES = ("person_links",)


def cache_dir() -> Path | None:
    """The folder compiled queries are kept in, or None to keep them in memory only."""
    value = os.environ.get("DSVB_QUERY_CACHE")
    if value is not None:
        return Path(value) if value.strip() else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "dsvb" / "queries"


@functools.cache
def fingerprint() -> str:
    """A digest of everything that decides the SQL a query compiles to, besides its key."""
    from dsvb import __version__

    digest = hashlib.sha256(f"dsvb={__version__}\n".encode())
    for package in ("ibis-framework", "sqlglot", "duckdb"):
        try:
            version = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{package}={version}\n".encode())
    here = Path(__file__).resolve().parent
    reference = here.parent / "reference" / "data"
    for path in [*sorted(here.glob("*.py")), *sorted(reference.glob("*.csv"))]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _is_connection(con: Any) -> bool:
    import duckdb

    return isinstance(con, duckdb.DuckDBPyConnection)


def is_duckdb(con: Any) -> bool:
    """Whether ``con`` is a DuckDB connection, or an Ibis backend on one."""
    return getattr(con, "name", None) == "duckdb" or _is_connection(con)


def connection(con: Any) -> duckdb.DuckDBPyConnection:
    """The DuckDB connection itself, from it or from an Ibis backend on it."""
    return con if _is_connection(con) else con.con


def backend(con: Any) -> ibis.BaseBackend:
    """An Ibis backend on ``con`` (importing Ibis only now, when something is compiled)."""
    if _is_connection(con):
        import ibis

        return ibis.duckdb.from_connection(con)
    return con


def store_columns(con: Any) -> tuple | None:
    """The store's tables and column types (part of every key: a store made by an older
    dsvb may differ), or None for a backend other than DuckDB, whose queries are built and
    compiled each time."""
    if not is_duckdb(con):
        return None
    rows = (
        connection(con)
        .execute(
            "SELECT table_name, column_name, data_type FROM duckdb_columns() "
            "WHERE schema_name = current_schema() AND list_contains(?, table_name) "
            "ORDER BY table_name, column_index",
            [[*TABLES, *OPTIONAL_TABLES]],
        )
        .fetchall()
    )
    return tuple(rows)


def sql(
    con: Any,
    key: tuple,
    build: Build,
    columns: tuple | None = None,
    *,
    now: dt.datetime | None = None,
) -> str:
    """The DuckDB SQL of ``build(backend, tables)``, tables as ``Tables.from_backend`` gives
    them at ``now`` (default: the current time): from memory, else from the cache folder,
    else compiled (and kept)."""
    from dsvb.indicators.sources import COMPILE_NOW, Tables, sql_at

    columns = columns if columns is not None else store_columns(con)
    digest = hashlib.sha256(repr((key, columns, fingerprint())).encode()).hexdigest()
    text = _MEMORY.get(digest)
    if text is None:
        text = _read(digest)
    if text is None:
        on = backend(con)
        text = str(on.compile(build(on, Tables.from_backend(on, now=COMPILE_NOW))))
        _write(digest, text)
    _MEMORY[digest] = text
    return sql_at(text, now)


def _read(digest: str) -> str | None:
    folder = cache_dir()
    if folder is None:
        return None
    try:
        return (folder / f"{digest}.sql").read_text(encoding="utf-8")
    except OSError:
        return None


def _write(digest: str, text: str) -> None:
    folder = cache_dir()
    if folder is None:
        return
    partial = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=folder, suffix=".tmp", delete=False
        ) as f:
            partial = f.name
            f.write(text)
        os.replace(partial, folder / f"{digest}.sql")
    except OSError:  # an unwritable folder: compile again next time
        if partial is not None:
            with contextlib.suppress(OSError):
                os.unlink(partial)
