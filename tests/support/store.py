"""Reading a whole analytical store in tests, to show that a failed import changed nothing."""

from __future__ import annotations

import duckdb


def contents(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Every row of every table of the store, table by table, in a fixed order."""
    tables = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "ORDER BY 1"
        ).fetchall()
    ]
    return {t: con.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall() for t in tables}
