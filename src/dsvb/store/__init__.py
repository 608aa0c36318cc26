"""The analytical store: one DuckDB file holding imported extracts and published returns.

Where it is: ``--store PATH`` on any command, else the ``DSVB_STORE`` environment variable,
else ``var/store.duckdb`` under the current directory.

Timestamps are stored as UTC instants without a zone (``TIMESTAMP``), so that every engine
(DuckDB, Spark) reads them the same way; each table also carries the Europe/London calendar
month of its main date, for monthly cuts.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import duckdb

from dsvb.store.schema import SCHEMA_VERSION, create_schema

__all__ = [
    "DEFAULT_STORE",
    "SCHEMA_VERSION",
    "NotAStoreError",
    "connect",
    "resolve_store_path",
    "transaction",
]

DEFAULT_STORE = Path("var") / "store.duckdb"
ENV_VAR = "DSVB_STORE"
LOCAL_TIMEZONE = "Europe/London"


def resolve_store_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The store path from the option, the environment, or the default."""
    if path:
        return Path(path)
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    return DEFAULT_STORE


class NotAStoreError(Exception):
    """The file is not a dsvb store (not a DuckDB database, or one without dsvb's tables).
    Nothing was written to it."""


_POINT_ELSEWHERE = (
    f"Point --store (or {ENV_VAR}) at a store that dsvb import made, or at a new file."
)


def _is_duckdb_file(path: Path) -> bool:
    """Whether the file begins as a DuckDB database does ("DUCK" after an 8-byte checksum)."""
    try:
        with path.open("rb") as f:
            return f.read(12)[8:12] == b"DUCK"
    except OSError:
        return False


#: the name a read-only store is attached under (see :func:`_attach_read_only`)
READ_ONLY_NAME = "store"


def _attach_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """The store at ``path``, read-only, as it is *now* on disk.

    DuckDB keeps one database instance per file path in a process, and a second
    ``duckdb.connect(path)`` while any connection to it is open reuses that instance. But a
    write replaces the store file by renaming a new one over it (see
    :mod:`dsvb.store.writer`): a reader opened that way would go on reading the replaced
    file for as long as any connection to it stays open in the process (a web worker with
    overlapping requests: for ever), and its space would never be freed. Attaching the
    file to a fresh in-memory database opens whatever file the path names at this moment.
    """
    con = duckdb.connect(":memory:")
    literal = "'" + str(path).replace("'", "''") + "'"
    try:
        con.execute(f"ATTACH {literal} AS {READ_ONLY_NAME} (READ_ONLY)")
        con.execute(f"USE {READ_ONLY_NAME}")
    except BaseException:
        con.close()
        raise
    return con


def connect(
    path: str | os.PathLike[str] | None = None, *, read_only: bool = False
) -> duckdb.DuckDBPyConnection:
    """Open the store (``":memory:"`` for a throwaway one), creating its schema if needed.

    A file that exists but is not a dsvb store raises :class:`NotAStoreError` and is left as
    it was: one that is not a DuckDB database is never opened, and dsvb's tables are added
    only to an empty database."""
    if str(path) == ":memory:":
        con = duckdb.connect(":memory:")
    else:
        resolved = resolve_store_path(path)
        if read_only and not resolved.exists():
            raise FileNotFoundError(
                f"No store at {resolved}: import an extract first (dsvb import DIR), "
                f"or point --store / {ENV_VAR} at an existing store."
            )
        if resolved.exists() and not _is_duckdb_file(resolved):
            raise NotAStoreError(
                f"{resolved} is not a dsvb store: it is not a DuckDB database. {_POINT_ELSEWHERE}"
            )
        if read_only:
            con = _attach_read_only(resolved)
        else:
            resolved.parent.mkdir(parents=True, exist_ok=True)
            con = duckdb.connect(str(resolved))
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables")
                  .fetchall()}  # fmt: skip
        if "store_meta" not in tables and (read_only or tables):
            con.close()
            raise NotAStoreError(
                f"{resolved} is not a dsvb store: it is a DuckDB database without dsvb's "
                f"tables. {_POINT_ELSEWHERE}"
            )
    con.execute("SET TimeZone = 'UTC'")
    if not read_only:
        create_schema(con)
    return con


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All-or-nothing: commit on success, roll back on any exception."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    else:
        con.execute("COMMIT")
