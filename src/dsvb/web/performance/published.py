"""Notes from the published returns, for the borough scorecard.

Returns (with their normalisation and reconciliation notes) live in the analytical store.
They are read once per store version through a short read-only connection and cached, so a
scorecard never holds the store open.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb
from django.core.cache import cache

from dsvb.ingest.returns import list_returns, load_return
from dsvb.web.performance import data

CACHE_SECONDS = 6 * 60 * 60


@contextmanager
def read_only_store() -> Iterator[duckdb.DuckDBPyConnection | None]:
    """A read-only connection to the store for the length of a ``with`` block (None if absent)."""
    con = data._connect_read_only()
    try:
        yield con
    finally:
        if con is not None:
            con.close()


def _note(note: Any, scope: str) -> dict[str, Any]:
    return {
        "scope": scope,
        "kind": note.kind,
        "row_number": note.row_number,
        "column_name": note.column_name,
        "message": note.message,
        "expected": note.expected,
        "found": note.found,
    }


def _read_all() -> dict[str, list[dict[str, Any]]]:
    """For each area code, the returns with rows for it: the area's notes, the return's totals'."""
    by_area: dict[str, list[dict[str, Any]]] = {}
    with read_only_store() as con:
        if con is None:
            return by_area
        for summary in list_returns(con):
            ret = load_return(con, summary.return_id)
            rows_of: dict[str, set[int]] = {}
            for cell in ret.cells:
                if cell.area_code:
                    rows_of.setdefault(cell.area_code, set()).add(cell.row_number)
            area_rows = set().union(*rows_of.values()) if rows_of else set()
            whole = [
                _note(n, "return")
                for n in ret.notes
                if n.kind == "reconciliation" and n.row_number not in area_rows
            ]
            for code in rows_of:
                by_area.setdefault(code, []).append(
                    {
                        "return_id": summary.return_id,
                        "title": summary.title or summary.source_name,
                        "source_name": summary.source_name,
                        "period_label": summary.period_label,
                        "period_start": summary.period_start,
                        "period_end": summary.period_end,
                        "imported_at": summary.imported_at,
                        "notes": [_note(n, "area") for n in ret.notes_for_area(code)],
                        "return_notes": whole,
                    }
                )
    for returns in by_area.values():
        returns.sort(key=lambda r: (r["period_end"] is not None, r["period_end"]), reverse=True)
    return by_area


def notes_for_area(area_code: str, store_token: str) -> list[dict[str, Any]]:
    """The published returns that carry rows for an area, latest period first, with notes."""
    key = f"dsvb:perf:v1:returns:{store_token}"
    everything = cache.get(key)
    if everything is None:
        everything = _read_all()
        cache.set(key, everything, CACHE_SECONDS)
    return everything.get(area_code, [])
