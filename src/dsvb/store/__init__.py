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
        if not read_only:
            resolved.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(resolved), read_only=read_only)
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
