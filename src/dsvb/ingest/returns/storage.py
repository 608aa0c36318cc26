"""Returns in the analytical store: stored all or nothing, once, and read back exactly as read."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb

from dsvb import __version__
from dsvb.ingest.returns.crosscheck import StoredReturn, compare
from dsvb.ingest.returns.model import (
    GARBLED,
    INTERPRETED,
    NORMALISED,
    OK,
    TEXT,
    Cell,
    ImportOutcome,
    Note,
    PublishedReturn,
    ReturnSummary,
    _unify_newlines,
    report_of,
    table_identity,
)
from dsvb.ingest.returns.read import (
    read_return,
)
from dsvb.store import transaction

# --- storing -------------------------------------------------------------------------------


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def import_return(con: duckdb.DuckDBPyConnection, path: str | os.PathLike[str]) -> ImportOutcome:
    """Read a return and store it, all or nothing; the same table twice is stored once.

    The same table is the same file (its bytes) or the same cells in another file (other line
    endings, a byte-order mark, other quoting). A different table with the same source name,
    layout and period as a stored one is stored too, with a warning naming the earlier one.
    The figures it shares with the other tables of its report already in the store are
    checked against theirs (``crosscheck``); the notes are stored with it.
    """
    started = _now()
    path = Path(path)
    ret = read_return(path)  # a ReturnError here: nothing is written
    previous = _previous(con, ret)
    if previous is not None:
        return ImportOutcome(
            "already_imported", previous[0], str(path), ret.content_hash, matched_by=previous[1]
        )
    with transaction(con):
        previous = _previous(con, ret)
        if previous is not None:
            return ImportOutcome(
                "already_imported",
                previous[0],
                str(path),
                ret.content_hash,
                matched_by=previous[1],
            )
        warnings = _same_period(con, ret)
        ret = replace(ret, notes=ret.notes + tuple(_across_tables(con, ret)))
        return_id = con.execute(
            "SELECT coalesce(max(import_id), 0) + 1 FROM import_log"
        ).fetchone()[0]  # type: ignore[index]
        _insert_return(con, return_id, ret)
        _insert_cells(con, return_id, ret.cells)
        _insert_notes(con, return_id, ret.notes)
        _insert_log(con, return_id, str(path), ret, started, warnings)
    return ImportOutcome(
        "imported",
        return_id,
        str(path),
        ret.content_hash,
        len(ret.cells),
        len(ret.notes),
        ret,
        warnings=tuple(warnings),
    )


def _across_tables(con: duckdb.DuckDBPyConnection, ret: PublishedReturn) -> list[Note]:
    """Notes on the figures ``ret`` shares with the stored tables of its report.

    Versions of the same table (the same source name and layout) are not other tables: how
    they differ is said by ``_same_period``. Stores made before the report was recorded have
    none stored; their returns' reports are derived as they are read.
    """
    candidates = con.execute(
        "SELECT return_id FROM published_returns WHERE (report = ? OR report IS NULL) "
        "AND NOT (source_name = ? AND layout = ?) ORDER BY return_id",
        [ret.report, ret.source_name, ret.layout],
    ).fetchall()
    others = [StoredReturn(i, load_return(con, i)) for (i,) in candidates]
    others = [o for o in others if o.ret.report == ret.report]
    if not others:
        return []
    comparisons = compare(ret, others)
    notes = [n for c in comparisons for n in c.notes]
    compared = [
        f"return {c.other.return_id} ({c.other.ret.source_name}, {c.compared} figure"
        f"{'s' if c.compared != 1 else ''} compared)"
        for c in comparisons
    ]
    if notes:
        outcome = f"{len(notes)} difference{'s' if len(notes) != 1 else ''} noted"
    elif any(c.compared for c in comparisons):
        outcome = "every figure compared agrees at its printed precision"
    else:
        outcome = "no figure is printed in both"
    summary = Note(
        INTERPRETED,
        None,
        None,
        f"read as one report with the tables of report {ret.report!r} already in the store, "
        f"and checked against them: {'; '.join(compared)}; {outcome}",
    )
    return [summary, *notes]


def _previous(con: duckdb.DuckDBPyConnection, ret: PublishedReturn) -> tuple[int, str] | None:
    """The stored return that is this one: ``(return_id, "file" or "content")``, or None."""
    row = con.execute(
        "SELECT import_id FROM import_log WHERE kind = 'return' AND content_hash = ? "
        "AND status = 'imported' ORDER BY import_id LIMIT 1",
        [ret.content_hash],
    ).fetchone()
    if row is None:
        row = con.execute(
            "SELECT return_id FROM published_returns WHERE content_hash = ? ORDER BY 1 LIMIT 1",
            [ret.content_hash],
        ).fetchone()
    if row is not None:
        return row[0], "file"
    # the same cells from other bytes; only returns of the same layout and size can be
    candidates = con.execute(
        "SELECT r.return_id FROM published_returns r WHERE r.layout = ? AND "
        "(SELECT count(*) FROM published_cells c WHERE c.return_id = r.return_id) = ? "
        "ORDER BY 1",
        [ret.layout, len(ret.cells)],
    ).fetchall()
    identity = ret.identity
    for (return_id,) in candidates:
        if table_identity(ret.layout, _stored_cells(con, return_id).values()) == identity:
            return return_id, "content"
    return None


def _stored_cells(con: duckdb.DuckDBPyConnection, return_id: int) -> dict[tuple[int, int], Cell]:
    """A stored return's cells by (row, column), with what identifies them (no values)."""
    rows = con.execute(
        "SELECT row_number, row_label, column_number, column_name, raw FROM published_cells "
        "WHERE return_id = ?",
        [return_id],
    ).fetchall()
    return {(r, c): Cell(r, label, c, name, raw, None, TEXT, OK) for r, label, c, name, raw in rows}


def _same_period(con: duckdb.DuckDBPyConnection, ret: PublishedReturn) -> list[str]:
    """Warnings for stored returns with this one's source name, layout and period.

    They are different tables (the same one is not stored again): a corrected transcription,
    or a wrong one. Both are kept, since there is no way to withdraw a stored return, and a
    borough's scorecard lists every return with rows for it; so say which, and how they differ.
    """
    earlier = con.execute(
        "SELECT r.return_id, l.source, l.finished_at FROM published_returns r "
        "LEFT JOIN import_log l ON l.import_id = r.return_id "
        "WHERE r.source_name = ? AND r.layout = ? AND r.period_label IS NOT DISTINCT FROM ? "
        "AND r.period_start IS NOT DISTINCT FROM ? AND r.period_end IS NOT DISTINCT FROM ? "
        "ORDER BY 1",
        [ret.source_name, ret.layout, ret.period_label, ret.period_start, ret.period_end],
    ).fetchall()
    new = {(c.row_number, c.column_number): c for c in ret.cells}
    out = []
    for return_id, source, finished in earlier:
        old = _stored_cells(con, return_id)
        places = sorted(
            k for k in set(old) | set(new) if _text_of(old.get(k)) != _text_of(new.get(k))
        )
        shown = []
        for place in places[:3]:
            cell = new.get(place) or old[place]
            shown.append(
                f"row {place[0]} {cell.row_label.strip()!r}, {cell.column_name}: "
                f"{_text_of(old.get(place))} there, {_text_of(new.get(place))} here"
            )
        when = f", imported {finished:%Y-%m-%d %H:%M}" if finished else ""
        differ = f"{len(places):,} cells differ" if len(places) != 1 else "1 cell differs"
        out.append(
            f"return {return_id} ({source or ret.source_name}{when}) has the same source name, "
            f"layout and period ({ret.layout}, {ret.period_label or 'period not stated'}) but "
            f"different content: {differ} ({'; '.join(shown)}{'; …' if len(places) > 3 else ''})"
            ". Both are now stored, and a borough's scorecard lists both: check which is right"
        )
    return out


def _text_of(cell: Cell | None) -> str:
    """A cell's text for a message: as published, or ``no cell``."""
    if cell is None or cell.raw is None:
        return "no cell"
    return repr(_unify_newlines(cell.raw))


def _insert_return(con: duckdb.DuckDBPyConnection, return_id: int, ret: PublishedReturn) -> None:
    con.execute(
        "INSERT INTO published_returns (return_id, content_hash, source_name, layout, title, "
        "period_label, period_start, period_end, report) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            return_id,
            ret.content_hash,
            ret.source_name,
            ret.layout,
            ret.title,
            ret.period_label,
            ret.period_start,
            ret.period_end,
            ret.report,
        ],
    )


_CELL_COLUMNS = (
    "row_number",
    "row_label",
    "column_number",
    "column_name",
    "raw",
    "value",
    "value_kind",
    "status",
    "area_code",
    "unit",
    "period_label",
    "family",
    "measure",
    "is_total",
    "scope",
)
_NOTE_COLUMNS = ("kind", "row_number", "column_name", "message", "expected", "found")


#: the SQL type of each column inserted (one statement for a whole table, see _insert_rows)
_TYPES = {
    "return_id": "INTEGER",
    "note_number": "INTEGER",
    "row_number": "INTEGER",
    "column_number": "INTEGER",
    "value": "DOUBLE",
    "expected": "DOUBLE",
    "found": "DOUBLE",
    "is_total": "BOOLEAN",
}


_INSERT_CHUNK = 1_000


def _insert_rows(
    con: duckdb.DuckDBPyConnection, table: str, names: Sequence[str], rows: list[list[Any]]
) -> None:
    """Insert ``rows`` in one statement, a list parameter for each column.

    ``executemany`` runs one statement a row (about 1,500 rows a second), which made storing
    a table at the size ceiling take 25 s; one ``INSERT ... SELECT unnest(...)`` takes
    a fraction of a second and grows linearly with the rows. The rows go in chunks: DuckDB
    holds a list parameter as one value object per element, so a chunk bounds that memory.
    """
    select = ", ".join(f"unnest(?::{_TYPES.get(name, 'VARCHAR')}[])" for name in names)
    sql = f"INSERT INTO {table} ({', '.join(names)}) SELECT {select}"
    for start in range(0, len(rows), _INSERT_CHUNK):
        chunk = rows[start : start + _INSERT_CHUNK]
        con.execute(sql, [list(column) for column in zip(*chunk, strict=True)])


def _insert_cells(con: duckdb.DuckDBPyConnection, return_id: int, cells: Iterable[Cell]) -> None:
    rows = [[return_id, *(getattr(c, name) for name in _CELL_COLUMNS)] for c in cells]
    _insert_rows(con, "published_cells", ("return_id", *_CELL_COLUMNS), rows)


def _insert_notes(con: duckdb.DuckDBPyConnection, return_id: int, notes: Iterable[Note]) -> None:
    rows = [
        [return_id, number, *(getattr(n, name) for name in _NOTE_COLUMNS)]
        for number, n in enumerate(notes, start=1)
    ]
    _insert_rows(con, "published_notes", ("return_id", "note_number", *_NOTE_COLUMNS), rows)


def _insert_log(
    con: duckdb.DuckDBPyConnection,
    return_id: int,
    source: str,
    ret: PublishedReturn,
    started: dt.datetime,
    store_warnings: Sequence[str] = (),
) -> None:
    rows = {c.row_number for c in ret.cells}
    row_counts = {
        "rows": len(rows),
        "published_cells": len(ret.cells),
        "published_notes": len(ret.notes),
        "garbled_cells": sum(c.status == GARBLED for c in ret.cells),
    }
    normalised = [n.message for n in ret.notes if n.kind == NORMALISED]
    warnings = [f"earlier return: {w}" for w in store_warnings]
    warnings += [f"{n.kind}: {n.message}" for n in ret.notes if n.kind != NORMALISED]
    con.execute(
        "INSERT INTO import_log (import_id, kind, source, content_hash, started_at, "
        "finished_at, status, row_counts, normalised, warnings, dsvb_version, format_version) "
        "VALUES (?, 'return', ?, ?, ?, ?, 'imported', ?, ?, ?, ?, NULL)",
        [
            return_id,
            source,
            ret.content_hash,
            started,
            _now(),
            json.dumps(row_counts),
            json.dumps(normalised),
            json.dumps(warnings),
            __version__,
        ],
    )


def list_returns(con: duckdb.DuckDBPyConnection) -> list[ReturnSummary]:
    """Every stored return, oldest first, with its cell count and notes by kind."""
    rows = con.execute(
        "SELECT r.return_id, r.source_name, r.layout, r.title, r.period_label, r.period_start, "
        "r.period_end, r.content_hash, l.finished_at, "
        "(SELECT count(*) FROM published_cells c WHERE c.return_id = r.return_id) "
        "FROM published_returns r LEFT JOIN import_log l ON l.import_id = r.return_id "
        "ORDER BY r.return_id"
    ).fetchall()
    kinds: dict[int, dict[str, int]] = defaultdict(dict)
    for return_id, kind, n in con.execute(
        "SELECT return_id, kind, count(*) FROM published_notes GROUP BY 1, 2 ORDER BY 1, 2"
    ).fetchall():
        kinds[return_id][kind] = n
    return [ReturnSummary(*row[:10], notes=kinds.get(row[0], {})) for row in rows]


def load_return(con: duckdb.DuckDBPyConnection, return_id: int) -> PublishedReturn:
    """A stored return, exactly as it was read (with the notes made when it was stored)."""
    columns = {r[0] for r in con.execute("DESCRIBE published_returns").fetchall()}
    report = "report" if "report" in columns else "NULL AS report"  # older stores
    row = con.execute(
        "SELECT content_hash, source_name, layout, title, period_label, period_start, "
        f"period_end, {report} FROM published_returns WHERE return_id = ?",
        [return_id],
    ).fetchone()
    if row is None:
        raise KeyError(f"no stored return {return_id}")
    content_hash, source_name, layout, title, period_label, period_start, period_end = row[:7]
    cells = tuple(
        Cell(*r)
        for r in con.execute(
            f"SELECT {', '.join(_CELL_COLUMNS)} FROM published_cells WHERE return_id = ? "
            "ORDER BY row_number, column_number",
            [return_id],
        ).fetchall()
    )
    notes = tuple(
        Note(*r)
        for r in con.execute(
            f"SELECT {', '.join(_NOTE_COLUMNS)} FROM published_notes WHERE return_id = ? "
            "ORDER BY note_number",
            [return_id],
        ).fetchall()
    )
    return PublishedReturn(
        source_name,
        content_hash,
        layout,
        title,
        period_label,
        period_start,
        period_end,
        cells,
        notes,
        row[7] or report_of(source_name, layout, cells, period_label),
    )
