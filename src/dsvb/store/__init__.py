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

__all__ = ["DEFAULT_STORE", "SCHEMA_VERSION", "connect", "resolve_store_path", "transaction"]

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


def connect(
    path: str | os.PathLike[str] | None = None, *, read_only: bool = False
) -> duckdb.DuckDBPyConnection:
    """Open the store (``":memory:"`` for a throwaway one), creating its schema if needed."""
    if str(path) == ":memory:":
        con = duckdb.connect(":memory:")
    else:
        resolved = resolve_store_path(path)
        if read_only:
            if not resolved.exists():
                raise FileNotFoundError(
                    f"No store at {resolved}: import an extract first (dsvb import DIR), "
                    f"or point --store / {ENV_VAR} at an existing store."
                )
            con = duckdb.connect(str(resolved), read_only=True)
        else:
            resolved.parent.mkdir(parents=True, exist_ok=True)
            con = duckdb.connect(str(resolved))
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
